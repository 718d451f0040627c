"""The manager's data pages: import from another system, export as CSV."""

from __future__ import annotations

from django.urls import path

from clinic.imports import views

app_name = "imports"

urlpatterns = [
    path("import/", views.import_start, name="start"),
    path("import/<int:pk>/columns/", views.import_mapping, name="mapping"),
    path("import/<int:pk>/", views.import_report, name="report"),
    path("import/<int:pk>/confirm/", views.import_confirm, name="confirm"),
    path("import/<int:pk>/discard/", views.import_discard, name="discard"),
    path("export/clients.csv", views.export_clients, name="export_clients"),
    path("export/bookings.csv", views.export_bookings, name="export_bookings"),
]
