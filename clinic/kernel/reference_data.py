"""Reference data that the migrations load (the acupoint catalogue, the techniques, the
screening rules) and that every database must hold.

A flush empties every table, migration-loaded rows included: test runs flush between
transactional tests, and an operator may flush a staging database. Django announces a flush
with post_migrate, as it does a migrate, so each app restores its reference data then by
rerunning its own data migration's loader. The loaders only add what is missing, so a clinic's
own tuning is never overwritten.
"""

from __future__ import annotations

import importlib
from typing import Any

from django.apps import apps as global_apps
from django.db.models.signals import post_migrate

# app label -> (data migration module, its loader function, a model that is empty when the
# data is missing); each app registers its own in its AppConfig.ready().
_LOADERS: dict[str, list[tuple[str, str, str]]] = {}


def register_reference_data(app_label: str, loaders: list[tuple[str, str, str]]) -> None:
    """Declare an app's data migrations to rerun after a flush; connects the receiver once."""
    _LOADERS[app_label] = list(loaders)
    post_migrate.connect(restore_reference_data, dispatch_uid="kernel.restore_reference_data")


def restore_reference_data(sender: Any, using: str = "default", **_: Any) -> None:
    """post_migrate receiver: reload an app's reference data if its table is empty."""
    loaders = _LOADERS.get(sender.label, [])
    # Looked at before any loading: several migrations may fill one table (a later one adds rows).
    empty = {
        name: not global_apps.get_model(sender.label, name).objects.using(using).exists()
        for _module, _function, name in loaders
    }
    for module_name, function, model_name in loaders:
        if not empty[model_name]:
            continue
        module = importlib.import_module(f"{sender.label}.migrations.{module_name}")
        getattr(module, function)(global_apps, None)
