"""The back office: every model of ours is in the admin, and its list pages work."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib import admin

from conftest import login_client

OUR_APPS = ("clinic", "practitioners", "clients", "treatments")


def _our_models():
    for app_label in OUR_APPS:
        for model in apps.get_app_config(app_label).get_models():
            # django-simple-history's shadow tables are shown through their model's admin.
            if model.__name__.startswith("Historical"):
                continue
            yield model


@pytest.mark.parametrize("model", list(_our_models()), ids=lambda m: m._meta.label)
def test_every_model_is_registered(model):
    assert model in admin.site._registry, f"{model._meta.label} is not in the admin"


@pytest.mark.parametrize("model", list(_our_models()), ids=lambda m: m._meta.label)
def test_changelist_and_search_work(manager, model):
    manager.is_staff = True
    manager.save()
    client = login_client(manager)
    url = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
    response = client.get(url)
    assert response.status_code == 200, url
    model_admin = admin.site._registry[model]
    if model_admin.search_fields:
        assert client.get(url, {"q": "zz"}).status_code == 200
    assert model_admin.list_display != ("__str__",), f"{model._meta.label} needs list columns"
