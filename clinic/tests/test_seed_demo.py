"""`seed_demo` builds the demo clinic and can run again without duplicating anything."""

from __future__ import annotations

from io import StringIO

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

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


@pytest.fixture(autouse=True)
def _development(settings):
    """The demo runs only in development (`make demo` sets DEBUG=1)."""
    settings.DEBUG = True


def test_seed_demo_refuses_to_run_with_debug_off(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG=1"):
        call_command("seed_demo", stdout=StringIO())
    assert not get_user_model().objects.exists()


def test_seed_demo_never_changes_an_existing_password(db):
    User = get_user_model()
    User.objects.create_user(username="manager", password="the-managers-own-password")
    call_command("seed_demo", stdout=StringIO())
    manager = User.objects.get(username="manager")
    assert manager.check_password("the-managers-own-password")
    assert not manager.check_password(DEMO_PASSWORD)
    assert User.objects.get(username="amara").check_password(DEMO_PASSWORD)


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
