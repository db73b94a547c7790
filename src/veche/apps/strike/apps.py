from django.apps import AppConfig


class StrikeConfig(AppConfig):
    name = "veche.apps.strike"
    label = "strike"
    verbose_name = "Strike"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from veche.apps.strike import ballots, kinds

        kinds.register_all()
        ballots.register_all()
