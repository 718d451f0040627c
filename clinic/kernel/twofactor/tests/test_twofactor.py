"""Two-factor sign-in: who is asked, enrolment, the verify step, backup codes, the back office.

Codes are computed here from the device's secret with django-otp's own TOTP function, as an
authenticator app would compute them. Throttling is made long (OTP_TOTP_THROTTLE_FACTOR) where a
test relies on it, so no test depends on how fast it runs.
"""

from __future__ import annotations

import re
import time
from base64 import b32decode
from datetime import timedelta

import pytest
from django.contrib.admin.models import LogEntry
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import TOTP, totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from clinic.kernel.twofactor import services
from conftest import TEST_PASSWORD, login_client, make_user

VERIFY = reverse("twofactor:verify")
ENROL = reverse("twofactor:enrol")
NEW_PASSWORD = "a-brand-new-long-password-7"


def code_for(device: TOTPDevice) -> str:
    """The app's code now, or the next one if this time step's was already used (django-otp
    refuses a code twice: a person would wait for the next)."""
    clock = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    clock.time = time.time()
    ahead = max(0, device.last_t + 1 - clock.t())
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift + ahead):06d}"


def wrong_code(device: TOTPDevice) -> str:
    right = {code_for(device)} | {
        f"{totp(device.bin_key, drift=d):06d}" for d in range(-device.tolerance - 1, device.tolerance + 2)
    }
    return next(c for c in ("000000", "111111", "222222", "333333") if c not in right)


def enrolled(user) -> tuple[TOTPDevice, list[str]]:
    device = TOTPDevice.objects.create(user=user, name=services.APP_DEVICE_NAME, confirmed=True)
    return device, services.new_backup_codes(user)


def password_signed_in(user) -> HttpClient:
    """Through the sign-in form: the password step only."""
    http = HttpClient()
    response = http.post(reverse("login"), {"username": user.username, "password": TEST_PASSWORD})
    assert response.status_code == 302, response.content
    return http


@pytest.fixture
def prac(practitioner):
    return practitioner.user


# -- Who is asked -----------------------------------------------------------------------------


def test_required_by_default(settings):
    assert settings.TWO_FACTOR_REQUIRED is True  # nothing in the test environment relaxes it


def test_a_practitioner_without_a_device_is_sent_to_enrol_after_the_password(prac):
    http = HttpClient()
    response = http.post(
        reverse("login"), {"username": prac.username, "password": TEST_PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0].startswith(ENROL)
    assert response.status_code == 200
    page = http.get(reverse("clients:list"))
    assert page.status_code == 302
    assert page["Location"] == f"{ENROL}?next=%2Fclients%2F"


@pytest.mark.parametrize(
    "path", ["/my-day/", "/clients/", "/treatments/points/", "/admin/", "/admin/auth/user/"]
)
def test_an_unverified_clinician_is_sent_to_the_code_from_every_page(prac, path):
    enrolled(prac)
    http = password_signed_in(prac)
    response = http.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith(VERIFY + "?next=")


def test_an_unverified_manager_cannot_reach_the_back_office(manager):
    manager.is_staff = True
    manager.save()
    enrolled(manager)
    http = password_signed_in(manager)
    for path in ("/admin/", "/admin/auth/user/", "/admin/clinic/booking/"):
        assert http.get(path)["Location"].startswith(VERIFY), path
        assert http.post(path).status_code == 302, path


def test_an_htmx_request_is_told_to_move_the_whole_page(prac):
    enrolled(prac)
    http = password_signed_in(prac)
    response = http.get(reverse("clients:list"), HTTP_HX_REQUEST="true")
    assert response["HX-Redirect"] == VERIFY


def test_the_back_office_signs_in_through_the_apps_sign_in(client, db):
    response = client.get("/admin/login/?next=/admin/clinic/room/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/admin/clinic/room/"


def test_a_superuser_without_a_role_group_is_asked_too(db):
    boss = make_user(username="root", is_superuser=True, is_staff=True)
    http = password_signed_in(boss)
    assert http.get("/admin/")["Location"].startswith(ENROL)


def test_reception_is_not_forced_but_may_enrol(receptionist):
    http = password_signed_in(receptionist)
    assert http.get(reverse("desk")).status_code == 200
    page = http.get(reverse("twofactor:security"))
    assert b"optional for your role" in page.content

    device = services.pending_app_device(receptionist)
    http.get(ENROL)
    assert http.post(ENROL, {"code": code_for(device)}).status_code == 302
    # Once enrolled, reception's next sign-in asks for a code as well.
    again = password_signed_in(receptionist)
    assert again.get(reverse("desk"))["Location"].startswith(VERIFY)


def test_the_setting_relaxes_the_requirement_but_not_for_those_who_enrolled(
    settings, prac, other_practitioner
):
    settings.TWO_FACTOR_REQUIRED = False
    assert password_signed_in(prac).get(reverse("my_day")).status_code == 200
    # Not staff: the back office's own refusal, not the second step.
    assert password_signed_in(prac).get("/admin/")["Location"].startswith("/admin/login/")
    enrolled(other_practitioner.user)
    assert password_signed_in(other_practitioner.user).get(reverse("my_day"))["Location"].startswith(VERIFY)


# -- Enrolment ----------------------------------------------------------------------------------


def test_enrolment_shows_a_drawn_qr_code_and_the_secret_then_confirms_with_a_code(prac):
    http = password_signed_in(prac)
    page = http.get(ENROL)
    assert page.status_code == 200
    html = page.content.decode()
    assert "<svg" in html and "<img" not in html  # drawn inline: no request leaves the page
    secret = re.search(r'data-otp-secret="([A-Z2-7 ]+)"', html).group(1)
    device = TOTPDevice.objects.get(user=prac, confirmed=False)
    assert b32decode(secret.replace(" ", "")) == device.bin_key

    response = http.post(ENROL, {"code": code_for(device), "next": "/my-day/"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("twofactor:backup_codes"))
    device.refresh_from_db()
    assert device.confirmed

    codes_page = http.get(response["Location"])
    codes = re.findall(r'<li class="col">(\w+)</li>', codes_page.content.decode())
    assert len(codes) == 10
    assert set(codes) == set(StaticToken.objects.filter(device__user=prac).values_list("token", flat=True))
    assert b'href="/my-day/"' in codes_page.content
    # Shown once.
    assert http.get(reverse("twofactor:backup_codes"))["Location"] == reverse("twofactor:security")
    # The session is verified.
    assert http.get(reverse("my_day")).status_code == 200


def test_a_wrong_code_at_enrolment_is_refused_next_to_the_field(prac):
    http = password_signed_in(prac)
    http.get(ENROL)
    device = TOTPDevice.objects.get(user=prac, confirmed=False)
    response = http.post(ENROL, {"code": wrong_code(device)})
    assert response.status_code == 400
    assert b"That code is not right" in response.content
    assert b"data-otp-secret" in response.content  # the same secret, still on the page
    device.refresh_from_db()
    assert not device.confirmed and device.throttling_failure_count == 1
    assert http.post(ENROL, {"code": "12ab"}).status_code == 400


def test_an_unverified_session_cannot_add_a_second_authenticator(prac):
    enrolled(prac)
    http = password_signed_in(prac)
    assert http.get(ENROL)["Location"] == VERIFY
    assert http.post(ENROL, {"code": "123456"})["Location"] == VERIFY
    assert TOTPDevice.objects.filter(user=prac).count() == 1


# -- The code after the password ----------------------------------------------------------------


def test_the_right_code_lets_the_user_in(prac):
    device, _codes = enrolled(prac)
    http = password_signed_in(prac)
    response = http.post(VERIFY, {"code": code_for(device), "next": "/clients/"})
    assert response.status_code == 302 and response["Location"] == "/clients/"
    assert http.get(reverse("my_day")).status_code == 200


def test_a_wrong_code_is_400_with_a_message_and_throttled(prac, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 3600  # the wait after a wrong code: an hour, here
    device, _codes = enrolled(prac)
    http = password_signed_in(prac)
    response = http.post(VERIFY, {"code": wrong_code(device)})
    assert response.status_code == 400
    assert b"That code is not right" in response.content
    assert b'id="error_1_id_code"' in response.content  # beside the field (crispy's error id)
    # Even the right code is refused while the device is throttled.
    throttled = http.post(VERIFY, {"code": code_for(device)})
    assert throttled.status_code == 400
    assert b"Too many wrong codes" in throttled.content
    assert http.get(reverse("my_day"))["Location"].startswith(VERIFY)
    # Once the wait is over, the right code works.
    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_timestamp=timezone.now() - timedelta(hours=2)
    )
    assert http.post(VERIFY, {"code": code_for(device)}).status_code == 302


def test_an_empty_or_odd_code_is_a_400_not_a_500(prac):
    enrolled(prac)
    http = password_signed_in(prac)
    assert http.post(VERIFY, {"code": ""}).status_code == 400
    assert http.post(VERIFY, {"code": "x" * 40}).status_code == 400


def test_a_backup_code_works_once(prac):
    _device, codes = enrolled(prac)
    first = password_signed_in(prac)
    assert first.post(VERIFY, {"code": codes[0].upper()}).status_code == 302
    assert first.get(reverse("my_day")).status_code == 200
    assert StaticToken.objects.filter(device__user=prac).count() == 9

    second = password_signed_in(prac)
    response = second.post(VERIFY, {"code": codes[0]})
    assert response.status_code == 400
    assert b"That code is not right" in response.content


def test_the_verify_page_needs_the_password_first(client, db):
    assert client.get(VERIFY)["Location"].startswith(reverse("login"))


def test_a_wrong_password_still_counts_towards_the_lock_out(client, prac, settings):
    enrolled(prac)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": prac.username, "password": "nope"})
    assert (
        client.post(reverse("login"), {"username": prac.username, "password": TEST_PASSWORD}).status_code
        == 429
    )


# -- The security page ------------------------------------------------------------------------


def test_the_security_page_shows_the_status(prac):
    http = login_client(prac)
    assert b"Off: your role needs it" in http.get(reverse("twofactor:security")).content
    enrolled(prac)
    assert b"10 backup codes left" in http.get(reverse("twofactor:security")).content


def test_new_backup_codes_need_a_fresh_code_from_the_app(prac):
    device, old = enrolled(prac)
    http = login_client(prac)
    url = reverse("twofactor:regenerate_backup_codes")
    refused = http.post(url, {"code": wrong_code(device)})
    assert refused.status_code == 400 and b"That code is not right" in refused.content
    assert http.post(url, {"code": old[0]}).status_code == 400  # a backup code is not enough
    assert StaticToken.objects.filter(device__user=prac, token=old[1]).exists()

    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0)
    device.refresh_from_db()
    response = http.post(url, {"code": code_for(device)})
    assert response.status_code == 302
    new = re.findall(r'<li class="col">(\w+)</li>', http.get(response["Location"]).content.decode())
    assert len(new) == 10 and not set(new) & set(old)
    assert not StaticToken.objects.filter(device__user=prac, token__in=old).exists()


# -- The back office: a manager resets a lost phone ---------------------------------------------


def test_a_manager_resets_a_practitioners_two_factor_and_it_is_logged(manager, prac):
    manager.is_staff = True
    manager.save()
    enrolled(prac)
    victim_session = password_signed_in(prac)
    response = login_client(manager).post(
        reverse("admin:auth_user_changelist"),
        {"action": "reset_two_factor", "_selected_action": [prac.pk]},
    )
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=prac).exists()
    assert not StaticDevice.objects.filter(user=prac).exclude(name="test sign-in").exists()
    entry = LogEntry.objects.get(object_id=str(prac.pk))
    assert entry.user == manager and "two-factor" in entry.get_change_message()
    # At the next sign-in the practitioner sets it up afresh.
    assert victim_session.get(reverse("my_day"))["Location"].startswith(ENROL)


def test_a_manager_cannot_reset_a_superusers_two_factor(manager):
    manager.is_staff = True
    manager.save()
    boss = make_user(username="root", is_superuser=True, is_staff=True)
    enrolled(boss)
    login_client(manager).post(
        reverse("admin:auth_user_changelist"), {"action": "reset_two_factor", "_selected_action": [boss.pk]}
    )
    assert TOTPDevice.objects.filter(user=boss).exists()


def test_a_reset_session_with_a_deleted_device_is_no_longer_verified(prac):
    http = login_client(prac)
    assert http.get(reverse("my_day")).status_code == 200
    services.reset_two_factor(prac, by=prac)
    assert http.get(reverse("my_day"))["Location"].startswith(ENROL)


# -- Passwords ----------------------------------------------------------------------------------


def test_a_password_change_ends_the_other_verified_sessions(prac):
    phone, desk = login_client(prac), login_client(prac)
    assert desk.get(reverse("my_day")).status_code == 200
    response = phone.post(
        reverse("password_change"),
        {"old_password": TEST_PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert phone.get(reverse("my_day")).status_code == 200
    assert desk.get(reverse("my_day"))["Location"].startswith(reverse("login"))


def test_an_outsider_has_no_security_page(outsider):
    assert login_client(outsider).get(reverse("twofactor:security")).status_code == 403
