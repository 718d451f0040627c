from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ClinicConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "clinic"
    verbose_name = "Clinic"

    def ready(self) -> None:
        from django_structlog.signals import bind_extra_request_metadata

        from clinic.kernel.extensions import add_part
        from clinic.kernel.logs import bind_client_address
        from clinic.kernel.roles import sync_role_permissions

        # After every migrate, so the groups also get the permissions of newly added models.
        post_migrate.connect(sync_role_permissions, dispatch_uid="clinic.sync_role_permissions")
        bind_extra_request_metadata.connect(bind_client_address, dispatch_uid="clinic.bind_client_address")
        # The client's page (clients app) shows their bookings through this part.
        add_part("client_page.sections", "clinic/_client_bookings.html")
