from django.apps import AppConfig


class ElectionsConfig(AppConfig):
    name = "veche.apps.elections"
    label = "elections"
    verbose_name = "Elections"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from veche.apps.elections import kinds

        kinds.register_all()
