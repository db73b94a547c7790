from django.apps import AppConfig


class PlanningConfig(AppConfig):
    name = "veche.apps.planning"
    label = "planning"
    verbose_name = "Planning"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from veche.apps.planning import kinds

        kinds.register_all()
