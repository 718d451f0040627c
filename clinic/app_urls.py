"""URLs of the clinic app's own pages (calendar, bookings, rooms, services)."""

from __future__ import annotations

from django.urls import path  # noqa: F401

app_name = "clinic"

urlpatterns: list = []
