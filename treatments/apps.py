from django.apps import AppConfig


class TreatmentsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "treatments"

    def ready(self) -> None:
        from clinic.kernel.extensions import add_part
        from clinic.kernel.reference_data import register_reference_data

        # The point catalogue and the techniques the migrations load come back after a flush.
        register_reference_data(
            self.label,
            [
                ("0002_load_point_catalogue", "load_catalogue", "Point"),
                ("0003_seed_techniques", "seed", "Technique"),
            ],
        )

        # The client's page (clients app) links to the chart, and the booking page (clinic) to
        # the session's note, through these parts.
        add_part("client_page.actions", "treatments/_client_chart_button.html")
        add_part("client_page.actions", "treatments/_client_export_button.html")
        add_part("booking_page.actions", "treatments/_booking_note_button.html")
