"""`seed_demo` builds the demo clinic and can run again without duplicating anything."""

from __future__ import annotations

from io import StringIO

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command

from clinic.kernel.roles import Role, primary_role
from clinic.management.commands.seed_demo import DEMO_PASSWORD, DEMO_STAFF
from practitioners.models import Practitioner


def _counts() -> dict[str, int]:
    return {
        m._meta.label: m._default_manager.count()
        for label in ("clinic", "practitioners", "clients", "treatments")
        for m in apps.get_app_config(label).get_models()
        if not m.__name__.startswith("Historical")
    }


def test_seed_demo_creates_logins_and_is_idempotent(db):
    out = StringIO()
    call_command("seed_demo", stdout=out)
    first = _counts()
    call_command("seed_demo", stdout=StringIO())
    assert _counts() == first

    User = get_user_model()
    for username, _first, _last, role, practitioner in DEMO_STAFF:
        user = User.objects.get(username=username)
        assert user.check_password(DEMO_PASSWORD)
        assert primary_role(user) == role
        assert (username in out.getvalue()) and (DEMO_PASSWORD in out.getvalue())
        assert Practitioner.objects.filter(user=user).exists() == bool(practitioner)
    assert User.objects.get(username="manager").is_staff
    assert Practitioner.objects.count() == 3
    assert Role.RECEPTION in out.getvalue()


def test_demo_logins_work_through_the_login_form(client, db):
    call_command("seed_demo", stdout=StringIO())
    response = client.post("/accounts/login/", {"username": "reception", "password": DEMO_PASSWORD})
    assert response.status_code == 302
