from django.apps import AppConfig


class CommitteesConfig(AppConfig):
    name = "veche.apps.committees"
    label = "committees"
    verbose_name = "Committees"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from veche.apps.committees import late, rules

        rules.register_all()
        late.register_all()
