"""Load the demo clinic: staff logins first, then each app's own demo data."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from clients import demo as clients_demo
from clinic import demo as clinic_demo
from clinic.kernel.roles import Role, sync_role_permissions
from practitioners.models import Practitioner
from treatments import demo as treatments_demo

# Demo logins; each password is shown on the console and in the README. Demo only.
DEMO_PASSWORD = "demo-clinic-2026"  # noqa: S105 - a published demo password, not a secret
DEMO_STAFF = [
    # username, first, last, role, practitioner (display name, credentials, colour) or None
    ("manager", "Morgan", "Hale", Role.MANAGER, None),
    ("amara", "Amara", "Okafor", Role.PRACTITIONER, ("Amara Okafor", "Dipl. Acupressure", "#2f5d50")),
    ("kenji", "Kenji", "Sato", Role.PRACTITIONER, ("Kenji Sato", "Shiatsu practitioner", "#7a4e9c")),
    ("lucia", "Lucía", "Fernández", Role.PRACTITIONER, ("Lucía Fernández", "RMT", "#b5651d")),
    ("reception", "Riley", "Chen", Role.RECEPTION, None),
]

# Each app's demo data (`seed(stdout)`), in the order the layers build on each other. This
# command composes every app, so it sits above them all (clinic/tests/test_import_layers.py).
DEMO_SEEDS = [clients_demo.seed, clinic_demo.seed, treatments_demo.seed]


class Command(BaseCommand):
    help = (
        "Create or refresh the demo clinic: a manager, three practitioners and a receptionist "
        "(the demo password is set on accounts it creates, never on existing ones), then each "
        "app's demo data. Safe to run again: it updates what exists and adds what is missing. "
        "Prints the demo logins. Runs only with DEBUG=1."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        # The demo logins have a published password: never on a production database.
        if not settings.DEBUG:
            raise CommandError(
                "seed_demo creates logins with a published password and runs only with DEBUG=1 "
                "(development). `make demo` and `make run` set it."
            )
        with transaction.atomic():
            sync_role_permissions()
            created = self._seed_staff()
            for seed in DEMO_SEEDS:
                seed(self.stdout)
        self.stdout.write(self.style.SUCCESS(f"Demo clinic ready ({created} new staff accounts)."))
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for username, first, last, role, _p in DEMO_STAFF:
            self.stdout.write(f"  {role:<13} {username:<10} ({first} {last})")

    def _seed_staff(self) -> int:
        User = get_user_model()
        created_count = 0
        for username, first, last, role, practitioner in DEMO_STAFF:
            user, created = User.objects.get_or_create(
                username=username,
                defaults={"first_name": first, "last_name": last, "email": f"{username}@clinic.example"},
            )
            created_count += created
            if created:  # an existing account keeps its own password
                user.set_password(DEMO_PASSWORD)
            # Managers run the back office (the Django admin).
            user.is_staff = role == Role.MANAGER
            user.save()
            user.groups.set([Group.objects.get(name=role)])
            if practitioner:
                name, credentials, colour = practitioner
                Practitioner.objects.update_or_create(
                    user=user,
                    defaults={"display_name": name, "credentials": credentials, "colour": colour},
                )
        return created_count
