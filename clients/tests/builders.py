"""Plain builders for client-side test data. Other apps import these."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from clients.models import Client, ContraindicationRule, HealthUpdate, Intake, IntakeSite, PhysicianClearance
from clients.services import fill_search_columns

_seq = itertools.count(1)


def make_client(**overrides: Any) -> Client:
    """An active client with contact details; the search columns are filled as the forms do."""
    n = next(_seq)
    fields: dict[str, Any] = {
        "first_name": "Test",
        "last_name": f"Client{n}",
        "date_of_birth": date(1980, 1, 1) + timedelta(days=n),
        "email": f"client{n}@example.com",
        "phone": f"+4477009{n % 100000:05d}",
        "consent_to_treatment_at": timezone.now(),
        "consent_text_version": "2025-01",
    }
    fields.update(overrides)
    client = Client(**fields)
    fill_search_columns(client)
    if client.is_archived and client.archived_at is None:
        client.archived_at = timezone.now()
    client.save()
    return client


def make_intake(
    client: Client | None = None, *, sites: list[dict[str, Any]] | None = None, **answers: Any
) -> Intake:
    """An intake (all answers "no" unless given). `sites`: dicts of IntakeSite fields."""
    intake = Intake.objects.create(
        client=client or make_client(),
        taken_on=answers.pop("taken_on", timezone.localdate()),
        consent_signed=answers.pop("consent_signed", True),
        **answers,
    )
    for site in sites or []:
        IntakeSite.objects.create(intake=intake, **site)
    return intake


def make_clearance(
    client: Client,
    conditions: list[str],
    *,
    issued_on: date | None = None,
    expires_on: date | None = None,
    **overrides: Any,
) -> PhysicianClearance:
    """A clearance by Dr Test for the given condition codes, valid for a year from today by default."""
    issued = issued_on or timezone.localdate()
    clearance = PhysicianClearance.objects.create(
        client=client,
        physician_name=overrides.pop("physician_name", "Dr Test"),
        issued_on=issued,
        expires_on=expires_on or issued + timedelta(days=365),
        **overrides,
    )
    clearance.conditions.set(ContraindicationRule.objects.filter(condition__in=conditions))
    return clearance


def make_health_update(client: Client, **overrides: Any) -> HealthUpdate:
    fields: dict[str, Any] = {"changed": False}
    fields.update(overrides)
    return HealthUpdate.objects.create(client=client, **fields)


def back_office_client(user: Any) -> Any:
    """A test client logged in as `user` with the admin opened to them (is_staff)."""
    from conftest import login_client

    user.is_staff = True
    user.save(update_fields=["is_staff"])
    return login_client(user)


def rules_changelist_post(rules: list[Any], **changes: Any) -> dict[str, Any]:
    """The changelist's list_editable form, with `changes` applied to the rule of that condition."""
    data: dict[str, Any] = {
        "form-TOTAL_FORMS": str(len(rules)),
        "form-INITIAL_FORMS": str(len(rules)),
        "form-MIN_NUM_FORMS": "0",
        "form-MAX_NUM_FORMS": "1000",
        "_save": "Save",
    }
    for i, rule in enumerate(rules):
        values = {
            "id": rule.pk,
            "outcome": rule.outcome,
            "action": rule.action,
            "pressure_cap": "" if rule.pressure_cap is None else rule.pressure_cap,
            "is_active": "on" if rule.is_active else "",
        }
        values.update(changes.get(rule.condition, {}))
        for key, value in values.items():
            if key == "is_active" and not value:
                continue
            data[f"form-{i}-{key}"] = value
    return data
