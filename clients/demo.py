"""Demo clients covering every screening state. Idempotent: running it again changes nothing."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from clients.models import (
    CONSENT_TEXT_VERSION,
    Client,
    ContraindicationRule,
    HealthUpdate,
    Intake,
    IntakeSite,
    PhysicianClearance,
)
from clients.services import save_client

# first, last, preferred, born, phone, email, answers (None: no intake), sites, intake age (days)
DEMO_CLIENTS: list[tuple[str, str, str, date, str, str, dict[str, Any] | None, list[dict], int]] = [
    (
        "Amelia",
        "Brown",
        "",
        date(1985, 3, 14),
        "+442079460101",
        "amelia.brown@example.com",
        {"pressure_preference": 3},
        [],
        20,
    ),
    (
        "Zoë",
        "Ångström",
        "Zo",
        date(1991, 7, 2),
        "+442079460102",
        "zoe.angstrom@example.com",
        {"pregnant": True, "pregnancy_weeks": 18},
        [],
        10,
    ),
    (
        "Priya",
        "Shah",
        "",
        date(1988, 11, 23),
        "+442079460103",
        "priya.shah@example.com",
        {"pregnant": True, "pregnancy_weeks": 24},
        [],
        30,
    ),
    (
        "George",
        "O'Connell",
        "",
        date(1956, 5, 9),
        "+442079460104",
        "george.oconnell@example.com",
        {"blood_pressure": "controlled"},
        [{"condition": "varicose_veins", "region": "lower_leg", "side": "left"}],
        40,
    ),
    (
        "Margaret",
        "Nwosu",
        "Maggie",
        date(1949, 1, 30),
        "+442079460105",
        "m.nwosu@example.com",
        {"blood_thinners": True, "medications": "Warfarin"},
        [],
        15,
    ),
    (
        "Tomás",
        "García",
        "",
        date(1979, 9, 17),
        "+442079460106",
        "tomas.garcia@example.com",
        {"fever_or_illness_today": True},
        [],
        0,
    ),
    (
        "Hannah",
        "Fischer",
        "",
        date(1972, 4, 5),
        "+442079460107",
        "hannah.fischer@example.com",
        {"allergy_oils": True},
        [],
        500,
    ),
    ("Daniel", "Kim", "Dan", date(1995, 12, 1), "+442079460108", "daniel.kim@example.com", None, [], 0),
    (
        "Fatima",
        "Rahman",
        "",
        date(1966, 8, 12),
        "+442079460109",
        "fatima.rahman@example.com",
        {"diabetes": True, "numbness_or_neuropathy": True},
        [],
        60,
    ),
    (
        "Oliver",
        "Smith",
        "Ollie",
        date(1983, 6, 21),
        "+442079460110",
        "oliver.smith@example.com",
        {},
        [{"condition": "surgery", "region": "knee", "side": "right", "days_ago": 20}],
        5,
    ),
    (
        "Chloé",
        "Dubois",
        "",
        date(2000, 2, 29),
        "+442079460111",
        "chloe.dubois@example.com",
        {"osteoporosis": "mild", "long_term_steroids": True},
        [],
        90,
    ),
    (
        "Samuel",
        "Adeyemi",
        "Sam",
        date(1990, 10, 10),
        "+442079460112",
        "",
        {"heart_condition": "stable"},
        [],
        120,
    ),
]
# Clients with a doctor's letter on file: (last name, conditions, days since issue, valid days)
DEMO_CLEARANCES = [("Shah", ["pregnancy"], 14, 180)]


def seed(stdout: Any) -> None:
    today = timezone.localdate()
    rules = {rule.condition: rule for rule in ContraindicationRule.objects.all()}
    made = 0
    for first, last, preferred, born, phone, email, answers, sites, age in DEMO_CLIENTS:
        client = Client.objects.filter(first_name=first, last_name=last, date_of_birth=born).first()
        if client is None:
            client = Client(first_name=first, last_name=last, date_of_birth=born)
            made += 1
        wanted = {"preferred_name": preferred, "phone": phone, "email": email, "email_reminders": bool(email)}
        if answers is not None and client.consent_to_treatment_at is None:
            wanted["consent_to_treatment_at"] = timezone.now() - timedelta(days=age)
            wanted["consent_text_version"] = CONSENT_TEXT_VERSION
        if client.pk is None or any(getattr(client, k) != v for k, v in wanted.items()):
            # Saved only when something differs, so a second run adds no history rows either.
            for name, value in wanted.items():
                setattr(client, name, value)
            save_client(client=client, consents=client.consent_to_treatment_at is not None)
        if answers is None or client.intakes.exists():
            continue
        intake = Intake.objects.create(
            client=client,
            taken_on=today - timedelta(days=age),
            consent_signed=True,
            consent_signature=f"{first} {last}",
            consent_text_version=CONSENT_TEXT_VERSION,
            **answers,
        )
        for site in sites:
            site = dict(site)
            days_ago = site.pop("days_ago", None)
            occurred = today - timedelta(days=days_ago) if days_ago is not None else None
            IntakeSite.objects.create(intake=intake, occurred_on=occurred, **site)
        if 0 < age < 30:
            HealthUpdate.objects.create(client=client, changed=False, recorded_on=today)
    for last, codes, since, valid in DEMO_CLEARANCES:
        client = Client.objects.filter(last_name=last).first()
        if client is None or client.clearances.exists():
            continue
        issued = today - timedelta(days=since)
        clearance = PhysicianClearance.objects.create(
            client=client,
            physician_name="Dr Helen Marsh",
            physician_contact="Riverside Surgery, 020 7946 0000",
            issued_on=issued,
            expires_on=issued + timedelta(days=valid),
        )
        clearance.conditions.set([rules[code] for code in codes if code in rules])
    stdout.write(f"Clients: {made} new demo clients ({len(DEMO_CLIENTS)} in the demo).")
