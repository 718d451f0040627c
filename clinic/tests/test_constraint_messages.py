"""Every database rule speaks plain words: a form or the back office shows its sentence, never
"Constraint “working_hours_end_after_start” is violated."."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.apps import apps
from django.db.models import BaseConstraint

ROOT = Path(__file__).resolve().parents[2]


def project_models():
    for config in apps.get_app_configs():
        path = Path(config.path).resolve()
        # Ours: under the project, but not an installed package (the venv may live there too).
        if path.is_relative_to(ROOT) and "site-packages" not in path.parts:
            yield from config.get_models()


def constraints():
    for model in project_models():
        for constraint in model._meta.constraints:
            yield pytest.param(model, constraint, id=constraint.name)


def test_the_walk_sees_every_app():
    labels = {model._meta.app_label for model in project_models()}
    assert {"clinic", "clients", "practitioners", "treatments", "outbox"} <= labels


def test_the_walk_finds_the_constraints_we_know():
    names = {param.values[1].name for param in constraints()}
    assert {"working_hours_end_after_start", "closure_dates_in_order", "point_caution_unique"} <= names


@pytest.mark.parametrize(("model", "constraint"), list(constraints()))
def test_each_constraint_has_its_own_sentence(model, constraint):
    message = str(constraint.violation_error_message)
    assert message != str(BaseConstraint.default_violation_error_message), (
        f"{model.__name__}: give {constraint.name} a violation_error_message in plain words"
    )
    assert constraint.name not in message
    assert message.endswith("."), message
