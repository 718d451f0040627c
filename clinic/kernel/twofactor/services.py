"""The second factor's writes: enrol an authenticator app, check a code, issue backup codes,
reset a user's devices. Every code check goes through django-otp's throttled verification."""

from __future__ import annotations

import re
from base64 import b32encode
from dataclasses import dataclass
from io import BytesIO
from typing import Any

import qrcode  # type: ignore[import-untyped]  # (types-qrcode not installed)
import qrcode.image.svg  # type: ignore[import-untyped]
import structlog
from django.db import transaction
from django_otp import verify_token
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

log = structlog.get_logger(__name__)

BACKUP_CODE_COUNT = 10
APP_DEVICE_NAME = "Authenticator app"
BACKUP_DEVICE_NAME = "Backup codes"
SIX_DIGITS = re.compile(r"^\d{6}$")


@dataclass(frozen=True)
class CodeCheck:
    device: Any | None
    error: str = ""


def normalise(code: str) -> str:
    """What people type: spaces and dashes between groups, any case."""
    return re.sub(r"[\s-]", "", code or "").lower()


def app_device(user: Any) -> TOTPDevice | None:
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).first()


def backup_device(user: Any) -> StaticDevice | None:
    return StaticDevice.objects.devices_for_user(user, confirmed=True).first()


def pending_app_device(user: Any) -> TOTPDevice:
    """The unconfirmed authenticator being set up (the same secret until it is confirmed)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name=APP_DEVICE_NAME, confirmed=False)


def secret_text(device: TOTPDevice) -> str:
    """The secret as an authenticator app takes it by hand: base32, in groups of four."""
    b32 = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(b32[i : i + 4] for i in range(0, len(b32), 4))


def qr_svg(device: TOTPDevice) -> str:
    """The otpauth:// address as an inline SVG: drawn here, no image fetched from anywhere."""
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=12)
    out = BytesIO()
    image.save(out)
    svg = out.getvalue().decode()
    return svg[svg.index("<svg") :]  # without the XML declaration


def _throttled(device: Any) -> str:
    allowed, _data = device.verify_is_allowed()
    if allowed:
        return ""
    return "Too many wrong codes in a row: wait a few seconds, then try the newest code."


def check_code(user: Any, code: str) -> CodeCheck:
    """Six digits are the authenticator's code; anything else is tried as a backup code (which
    then stops working). Each device's own throttling applies: after a wrong code, the next try
    must wait 1, 2, 4... seconds, whatever the code."""
    token = normalise(code)
    if not token:
        return CodeCheck(None, "Enter the six-digit code from your app, or a backup code.")
    device = app_device(user) if SIX_DIGITS.match(token) else backup_device(user)
    if device is None:
        return CodeCheck(None, "That code is not right. Check it and try again.")
    throttled = _throttled(device)
    if throttled:
        return CodeCheck(None, throttled)
    verified = verify_token(user, device.persistent_id, token)
    if verified is None:
        log.info("two_factor_code_refused", user_id=user.pk, device=device.persistent_id)
        return CodeCheck(None, "That code is not right. Check it and try again.")
    return CodeCheck(verified)


def confirm_app_device(device: TOTPDevice, code: str) -> str:
    """Confirm a new authenticator with its first code; '' when confirmed, else why not."""
    token = normalise(code)
    if not SIX_DIGITS.match(token):
        return "Enter the six-digit code your app shows for this clinic."
    with transaction.atomic():
        locked = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        throttled = _throttled(locked)
        if throttled:
            return throttled
        if not locked.verify_token(token):
            return "That code is not right. Check the app's clock and try the newest code."
        locked.confirmed = True
        locked.save(update_fields=["confirmed"])
        # Any other authenticator left half set up is dropped.
        TOTPDevice.objects.filter(user=device.user, confirmed=False).delete()
    device.refresh_from_db()
    log.info("two_factor_enrolled", user_id=device.user_id)
    return ""


@transaction.atomic
def new_backup_codes(user: Any) -> list[str]:
    """Ten fresh single-use codes; any earlier ones stop working."""
    device, _ = StaticDevice.objects.get_or_create(
        user=user, name=BACKUP_DEVICE_NAME, defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    log.info("two_factor_backup_codes_issued", user_id=user.pk)
    return codes


def backup_codes_left(user: Any) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


@transaction.atomic
def reset_two_factor(user: Any, *, by: Any) -> int:
    """Delete every device of the user: at the next sign-in they enrol afresh. Returns how many."""
    removed = 0
    for model in (TOTPDevice, StaticDevice):
        count, _ = model.objects.filter(user=user).delete()
        removed += count
    log.warning("two_factor_reset", user_id=user.pk, by_user_id=by.pk)
    return removed
