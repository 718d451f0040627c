from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ClinicConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "clinic"
    verbose_name = "Clinic"

    def ready(self) -> None:
        from clinic.reference_data import restore_reference_data
        from clinic.roles import sync_role_permissions

        # After every migrate, so the groups also get the permissions of newly added models.
        post_migrate.connect(sync_role_permissions, dispatch_uid="clinic.sync_role_permissions")
        # After a flush too (Django sends post_migrate then): migration-loaded reference data
        # comes back. Sent once per app; the receiver acts for clients and treatments.
        post_migrate.connect(restore_reference_data, dispatch_uid="clinic.restore_reference_data")
