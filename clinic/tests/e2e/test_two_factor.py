"""A practitioner sets up two-factor sign-in in a real browser, then signs in with the app's
code and with a backup code, each as a person would: the secret is read off the page and the
code computed here, as an authenticator app computes it."""

from __future__ import annotations

import re
import time

from django_otp.plugins.otp_totp.models import TOTPDevice

from clinic.kernel.roles import Role
from clinic.tests.e2e.conftest import assert_accessible, login_through_form, totp_code
from conftest import TEST_PASSWORD, make_practitioner, make_user


def sign_out(page) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("button", name="Amara Okafor").click()
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(r"/accounts/login/"))


def next_code(secret: str) -> str:
    """The app's current code, or the next one if this one was just used (a second use of the
    same code is refused, so a person would wait for the next)."""
    device = TOTPDevice.objects.get(user__username="amara")
    ahead = 1 if device.last_t >= _current_step(device) else 0
    return totp_code(secret, step_ahead=ahead)


def _current_step(device) -> int:
    return int((time.time() - device.t0) // device.step)


def verify_with(page, code: str) -> None:
    page.get_by_role("textbox", name="Code").fill(code)
    page.get_by_role("button", name="Verify").click()
    page.wait_for_load_state()


def test_practitioner_enrols_then_signs_in_with_app_and_backup_codes(
    page, live_server, transactional_db, settings
):
    # django-otp makes the next try wait 1 s after a wrong code; the wrong-then-right sequence
    # below would otherwise depend on the test's speed (the throttle has its own test).
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    settings.OTP_STATIC_THROTTLE_FACTOR = 0
    make_practitioner(
        user=make_user(role=Role.PRACTITIONER, username="amara", first_name="Amara", last_name="Okafor")
    )

    # First sign-in: the password, then the set-up page.
    login_through_form(page, "amara", TEST_PASSWORD, second_step=False)
    assert "/accounts/security/enrol/" in page.url
    assert page.locator(".twofactor-qr svg").is_visible()
    assert_accessible(page)
    secret = page.locator("#otp-secret").inner_text()
    page.get_by_role("textbox", name="Code").fill(totp_code(secret))
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_url(re.compile(r"/accounts/security/backup-codes/"))
    codes = page.locator("#backup-codes li").all_inner_texts()
    assert len(codes) == 10
    page.get_by_role("link", name="I have kept them, continue").click()
    page.wait_for_url(re.compile(r"/my-day/$"))
    sign_out(page)

    # A wrong code is refused; the right one lets her in.
    login_through_form(page, "amara", TEST_PASSWORD, second_step=False)
    assert "/accounts/security/verify/" in page.url
    verify_with(page, "000000" if next_code(secret) != "000000" else "111111")
    assert "/accounts/security/verify/" in page.url
    assert page.get_by_text("That code is not right").is_visible()
    page.goto("/my-day/")
    assert "/accounts/security/verify/" in page.url  # nothing else opens meanwhile
    verify_with(page, next_code(secret))
    assert re.search(r"/my-day/$", page.url)
    sign_out(page)

    # A backup code works once.
    login_through_form(page, "amara", TEST_PASSWORD, second_step=False)
    verify_with(page, codes[0])
    assert re.search(r"/my-day/$", page.url)
    sign_out(page)
    login_through_form(page, "amara", TEST_PASSWORD, second_step=False)
    verify_with(page, codes[0])
    assert "/accounts/security/verify/" in page.url
    assert page.get_by_text("That code is not right").is_visible()
