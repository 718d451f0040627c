from django.urls import path

from clinic.kernel.twofactor import views

app_name = "twofactor"

urlpatterns = [
    path("verify/", views.verify, name="verify"),
    path("enrol/", views.enrol, name="enrol"),
    path("backup-codes/", views.backup_codes, name="backup_codes"),
    path("backup-codes/new/", views.regenerate_backup_codes, name="regenerate_backup_codes"),
    path("", views.security, name="security"),
]
