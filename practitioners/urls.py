"""URLs of the practitioners app."""

from __future__ import annotations

from django.urls import path

from practitioners import views

app_name = "practitioners"

urlpatterns = [
    path("<int:pk>/calendar-feed/", views.feed_settings, name="feed_settings"),
    path("<int:pk>/calendar-feed/new/", views.feed_regenerate, name="feed_regenerate"),
    path("<int:pk>/calendar-feed/off/", views.feed_revoke, name="feed_revoke"),
    path("<int:pk>/calendar-feed/privacy/", views.feed_privacy, name="feed_privacy"),
]
