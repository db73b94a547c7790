from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "veche.apps.audit"
    label = "audit"
    verbose_name = "Election audits"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The audit task and its interruption hook (veche.web.background) are known
        # wherever Django runs: the worker needs no list of the apps' tasks.
        from veche.apps.audit import runner  # noqa: F401
