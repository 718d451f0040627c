"""The managers' pages for other systems: API keys and webhooks."""

from __future__ import annotations

from django.urls import path

from clinic.integrations import views

app_name = "integrations"

urlpatterns = [
    path("api-keys/", views.api_keys, name="api_keys"),
    path("api-keys/<int:pk>/revoke/", views.api_key_revoke, name="api_key_revoke"),
    path("webhooks/", views.webhooks, name="webhooks"),
    path("webhooks/<int:pk>/disable/", views.webhook_disable, name="webhook_disable"),
    path("webhooks/<int:pk>/retry/", views.webhook_retry, name="webhook_retry"),
]
