from django.apps import AppConfig


class FundConfig(AppConfig):
    name = "veche.apps.fund"
    label = "fund"
    verbose_name = "Solidarity fund"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from veche.apps.fund import kinds

        kinds.register_all()
