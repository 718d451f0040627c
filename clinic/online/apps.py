from django.apps import AppConfig


class OnlineConfig(AppConfig):
    name = "clinic.online"
    label = "online"
    verbose_name = "Online booking"
    default_auto_field = "django.db.models.BigAutoField"
