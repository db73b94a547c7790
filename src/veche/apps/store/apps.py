from django.apps import AppConfig


class StoreConfig(AppConfig):
    name = "veche.apps.store"
    label = "store"
    verbose_name = "Event store"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from veche.apps.store.collation import check_collation

        connection_created.connect(check_collation, dispatch_uid="veche-store-collation")
