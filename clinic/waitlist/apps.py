from django.apps import AppConfig


class WaitlistConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "clinic.waitlist"
    label = "waitlist"
    verbose_name = "Waitlist"

    def ready(self) -> None:
        from clinic.kernel.extensions import add_part

        # The client's page (clients app) offers "Add to the waitlist" through this part.
        add_part("client_page.actions", "waitlist/_client_action.html")
