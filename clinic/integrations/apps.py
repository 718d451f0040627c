from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "clinic.integrations"
    label = "integrations"
    verbose_name = "Integrations (API keys and webhooks)"

    def ready(self) -> None:
        from clinic.integrations.tasks import sweep_webhooks
        from clinic.kernel.outbox.tasks import EXTRA_SWEEPS

        if sweep_webhooks not in EXTRA_SWEEPS:
            EXTRA_SWEEPS.append(sweep_webhooks)
