from django.apps import AppConfig


class ClientsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "clients"

    def ready(self) -> None:
        from clinic.kernel.reference_data import register_reference_data

        # The screening rules the migrations seed come back after a flush.
        register_reference_data(
            self.label,
            [
                ("0002_seed_contraindication_rules", "seed_rules", "ContraindicationRule"),
                ("0007_seed_uncontrolled_seizures_rule", "seed_rule", "ContraindicationRule"),
            ],
        )
