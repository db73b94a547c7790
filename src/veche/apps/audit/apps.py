from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "veche.apps.audit"
    label = "audit"
    verbose_name = "Election audits"
    default_auto_field = "django.db.models.BigAutoField"
