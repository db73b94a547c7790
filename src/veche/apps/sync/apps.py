from django.apps import AppConfig


class SyncConfig(AppConfig):
    name = "veche.apps.sync"
    label = "sync"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The sync and export tasks and their interruption hooks (veche.web.background).
        from veche.apps.sync import exports, runner  # noqa: F401
