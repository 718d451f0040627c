"""Who is asking: a signed-in page reads the user, their roles and their second factor in one
statement (clinic.kernel.identity), and every change to them counts from the next request."""

from __future__ import annotations

import pytest
from asgiref.sync import async_to_sync
from django.contrib.auth.models import Group
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.test import Client as HttpClient
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from clinic.bench.urls import BARE_PATH
from clinic.kernel.identity import UserBackend, VerifiedDeviceMiddleware
from clinic.kernel.roles import Role, roles_of
from conftest import TEST_PASSWORD, login_client, make_user

pytestmark = pytest.mark.django_db

VERIFY = reverse("twofactor:verify")
ENROL = reverse("twofactor:enrol")
LOGIN = reverse("login")


def role_group(role: str) -> Group:
    return Group.objects.get_or_create(name=role)[0]


def session_device(http: HttpClient) -> StaticDevice:
    """The device that verified the test client's session (conftest's login_client)."""
    return StaticDevice.objects.get(user_id=http.session["_auth_user_id"], name="test sign-in")


def with_app(user) -> TOTPDevice:
    """An authenticator app besides the sign-in device: without a verified session, the user is
    asked for its code (rather than to enrol one)."""
    return TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)


# -- One statement --------------------------------------------------------------------------


@pytest.mark.urls("clinic.bench.urls")
def test_a_signed_in_page_reads_who_is_asking_in_one_statement_after_the_session(manager):
    http = login_client(manager)
    with CaptureQueriesContext(connection) as captured:
        response = http.get(f"/{BARE_PATH}")
    assert response.status_code == 200
    statements = [q["sql"] for q in captured.captured_queries]
    # The session; the user with their roles and whether the session's device is theirs and
    # confirmed; then the view's transaction (ATOMIC_REQUESTS: a savepoint in a test).
    assert len(statements) == 4, statements
    session, user, savepoint, release = statements
    assert '"django_session"' in session
    assert user.startswith("SELECT") and '"auth_user"' in user
    assert '"auth_group"' in user and '"otp_static_staticdevice"' in user
    assert savepoint.startswith("SAVEPOINT") and release.startswith("RELEASE")
    # What the page knew, without another statement.
    asker = response.wsgi_request.user
    with CaptureQueriesContext(connection) as later:
        assert asker.is_verified()
        assert roles_of(asker) == {Role.MANAGER}
    assert later.captured_queries == []


def test_the_device_is_loaded_only_when_its_fields_are_read(practitioner):
    http = login_client(practitioner.user)
    expected = session_device(http)
    response = http.get(reverse("my_day"))
    assert response.status_code == 200
    device = response.wsgi_request.user.otp_device
    with CaptureQueriesContext(connection) as loading:
        assert isinstance(device, StaticDevice)
        assert (device.pk, device.user_id) == (expected.pk, practitioner.user.pk)
    assert len(loading.captured_queries) == 1  # read now, and only now


def test_the_backend_gives_the_roles_without_a_session(manager, receptionist, outsider):
    boss = make_user(username="root", is_superuser=True)
    backend = UserBackend()
    with CaptureQueriesContext(connection) as captured:
        users = [backend.get_user(u.pk) for u in (manager, receptionist, outsider, boss)]
        roles = [roles_of(u) for u in users]
    assert roles == [{Role.MANAGER}, {Role.RECEPTION}, set(), {Role.MANAGER}]
    assert len(captured.captured_queries) == 4
    assert backend.get_user(10**9) is None
    assert roles_of(async_to_sync(backend.aget_user)(receptionist.pk)) == {Role.RECEPTION}


# -- Roles ----------------------------------------------------------------------------------


def test_a_role_removed_or_added_in_the_database_counts_from_the_next_request(receptionist):
    http = login_client(receptionist)
    assert http.get(reverse("desk")).status_code == 200
    assert http.get(reverse("overview")).status_code == 403

    receptionist.groups.clear()
    assert http.get(reverse("desk")).status_code == 403

    receptionist.groups.add(role_group(Role.MANAGER))
    assert http.get(reverse("overview")).status_code == 200
    assert http.get(reverse("desk")).status_code == 200


def test_a_superuser_is_a_manager_whatever_their_groups(db):
    boss = make_user(username="root", is_superuser=True)
    assert login_client(boss).get(reverse("overview")).status_code == 200


@pytest.mark.parametrize("name", ["Reception,Manager", "Manager ", "manager", "Friends"])
def test_only_a_group_named_exactly_as_a_role_gives_it(outsider, name):
    outsider.groups.add(Group.objects.create(name=name))
    http = login_client(outsider)
    assert http.get(reverse("desk")).status_code == 403
    assert http.get(reverse("overview")).status_code == 403


def test_several_roles_all_count(receptionist):
    receptionist.groups.add(role_group(Role.PRACTITIONER))
    response = login_client(receptionist).get(reverse("desk"))
    assert response.status_code == 200
    assert roles_of(response.wsgi_request.user) == {Role.RECEPTION, Role.PRACTITIONER}


# -- The session's second factor ------------------------------------------------------------


def test_a_deleted_device_no_longer_verifies_the_session(practitioner):
    with_app(practitioner.user)
    http = login_client(practitioner.user)
    assert http.get(reverse("my_day")).status_code == 200
    session_device(http).delete()
    assert http.get(reverse("my_day"))["Location"].startswith(VERIFY)
    assert DEVICE_ID_SESSION_KEY not in http.session  # forgotten, as django-otp does


def test_an_unconfirmed_device_no_longer_verifies_the_session(practitioner):
    with_app(practitioner.user)
    http = login_client(practitioner.user)
    assert http.get(reverse("my_day")).status_code == 200
    StaticDevice.objects.filter(pk=session_device(http).pk).update(confirmed=False)
    assert http.get(reverse("my_day"))["Location"].startswith(VERIFY)
    assert DEVICE_ID_SESSION_KEY not in http.session


def test_another_users_device_does_not_verify_the_session(practitioner, other_practitioner):
    with_app(practitioner.user)
    http = login_client(practitioner.user, verified=False)
    theirs = StaticDevice.objects.create(user=other_practitioner.user, name="theirs", confirmed=True)
    session = http.session
    session[DEVICE_ID_SESSION_KEY] = theirs.persistent_id
    session.save()
    assert http.get(reverse("my_day"))["Location"].startswith(VERIFY)
    assert DEVICE_ID_SESSION_KEY not in http.session


def test_a_device_given_to_another_user_no_longer_verifies_the_session(practitioner, other_practitioner):
    with_app(practitioner.user)
    http = login_client(practitioner.user)
    assert http.get(reverse("my_day")).status_code == 200
    StaticDevice.objects.filter(pk=session_device(http).pk).update(user=other_practitioner.user)
    assert http.get(reverse("my_day"))["Location"].startswith(VERIFY)


@pytest.mark.parametrize(
    "device_id",
    [
        "",
        "nonsense",
        "otp_static.staticdevice/x",
        "otp_static.staticdevice/999999",
        "auth.user/1",  # a model, but not a device
        "no.such/1",
    ],
)
def test_a_device_id_naming_no_device_verifies_nothing_and_is_forgotten(practitioner, device_id):
    with_app(practitioner.user)
    http = login_client(practitioner.user, verified=False)
    session = http.session
    session[DEVICE_ID_SESSION_KEY] = device_id
    session.save()
    assert http.get(reverse("my_day"))["Location"].startswith(VERIFY)
    assert DEVICE_ID_SESSION_KEY not in http.session


def test_a_legacy_device_id_still_verifies(practitioner):
    """django-otp once stored full import paths; it still reads them, and so does this."""
    http = login_client(practitioner.user)
    device = session_device(http)
    session = http.session
    session[DEVICE_ID_SESSION_KEY] = f"django_otp.plugins.otp_static.models.StaticDevice/{device.pk}"
    session.save()
    assert http.get(reverse("my_day")).status_code == 200


def test_a_user_loaded_before_the_middleware_is_checked_as_django_otp_checks_it(practitioner):
    """No verdict from the backend (the user came some other way): django-otp's own look-up."""
    user = practitioner.user
    mine = StaticDevice.objects.create(user=user, name="mine", confirmed=True)
    seen: dict[str, object] = {}

    def view(request: HttpRequest) -> HttpResponse:
        seen["verified"] = request.user.is_verified()
        seen["device"] = request.user.otp_device
        return HttpResponse()

    for device, verified in ((mine, True), (StaticDevice(pk=10**6), False)):
        request = RequestFactory().get("/")
        request.session = SessionStore()
        request.session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        request.user = type(user).objects.get(pk=user.pk)
        VerifiedDeviceMiddleware(view)(request)
        assert seen["verified"] is verified
        assert seen["device"] == (mine if verified else None)
        assert (DEVICE_ID_SESSION_KEY in request.session) is verified


# -- Who may still sign in --------------------------------------------------------------------


def test_an_inactive_user_is_signed_out(practitioner):
    http = login_client(practitioner.user)
    assert http.get(reverse("my_day")).status_code == 200
    type(practitioner.user).objects.filter(pk=practitioner.user.pk).update(is_active=False)
    response = http.get(reverse("my_day"))
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)


def test_a_password_changed_elsewhere_signs_out_every_session(practitioner):
    user = practitioner.user
    phone, desk = login_client(user), login_client(user)
    assert desk.get(reverse("my_day")).status_code == 200
    user.set_password(TEST_PASSWORD + "-new")
    user.save()
    for http in (phone, desk):
        response = http.get(reverse("my_day"))
        assert response.status_code == 302 and response["Location"].startswith(LOGIN)
        assert "_auth_user_id" not in http.session  # flushed, as Django does
