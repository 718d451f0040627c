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

# app label -> (data migration module, its loader function, a model that is empty when the
# data is missing)
LOADERS: dict[str, list[tuple[str, str, str]]] = {
    "clients": [
        ("0002_seed_contraindication_rules", "seed_rules", "ContraindicationRule"),
        ("0007_seed_uncontrolled_seizures_rule", "seed_rule", "ContraindicationRule"),
    ],
    "treatments": [
        ("0002_load_point_catalogue", "load_catalogue", "Point"),
        ("0003_seed_techniques", "seed", "Technique"),
    ],
}


def restore_reference_data(sender: Any, using: str = "default", **_: Any) -> None:
    """post_migrate receiver: reload an app's reference data if its table is empty."""
    loaders = LOADERS.get(sender.label, [])
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
