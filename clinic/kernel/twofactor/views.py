"""The second step after the password, enrolment, and the account's security page."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp import user_has_device

from clinic.kernel.http import AuthenticatedHttpRequest
from clinic.kernel.roles import staff_required
from clinic.kernel.twofactor import services
from clinic.kernel.twofactor.forms import CodeForm
from clinic.kernel.twofactor.policy import required_by_role

# The backup codes just issued, shown once by the next page and then forgotten.
FRESH_CODES = "twofactor_fresh_codes"
VERIFY_HELP = "The six-digit code your authenticator app shows now, or one of your backup codes."


def _next_url(request: AuthenticatedHttpRequest) -> str:
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if wanted and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return reverse(settings.LOGIN_REDIRECT_URL)


@never_cache
@staff_required
def verify(request: AuthenticatedHttpRequest) -> HttpResponse:
    if request.user.is_verified():  # type: ignore[attr-defined]
        return HttpResponseRedirect(_next_url(request))
    if not user_has_device(request.user):
        return redirect(_with_next("twofactor:enrol", _next_url(request)))
    form = CodeForm(request.POST or None, help_text=VERIFY_HELP)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            check = services.check_code(request.user, form.cleaned_data["code"])
            if check.device is not None:
                otp_login(request, check.device)
                left = services.backup_codes_left(request.user)
                if check.device.persistent_id.startswith("otp_static") and left < 4:
                    messages.warning(
                        request, f"{left} backup codes left: make new ones on your security page."
                    )
                return HttpResponseRedirect(_next_url(request))
            form.add_error("code", check.error)
        status = 400
    return render(request, "twofactor/verify.html", {"form": form, "next": _next_url(request)}, status=status)


def _with_next(view: str, next_url: str) -> str:
    return reverse(view) + "?" + urlencode({"next": next_url})


@never_cache
@staff_required
def enrol(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Set up an authenticator: its QR code and secret, confirmed by its first code.

    Only a user with no device yet, or one already verified in this session: an unverified
    session must not be able to add a second way in."""
    verified = request.user.is_verified()  # type: ignore[attr-defined]
    if services.app_device(request.user) is not None:
        return redirect("twofactor:security" if verified else "twofactor:verify")
    if not verified and user_has_device(request.user):
        return redirect("twofactor:verify")
    device = services.pending_app_device(request.user)
    form = CodeForm(request.POST or None, help_text="The six-digit code the app now shows for this clinic.")
    status = 200
    if request.method == "POST":
        if form.is_valid():
            error = services.confirm_app_device(device, form.cleaned_data["code"])
            if not error:
                otp_login(request, device)
                request.session[FRESH_CODES] = services.new_backup_codes(request.user)
                return redirect(_with_next("twofactor:backup_codes", _next_url(request)))
            form.add_error("code", error)
        status = 400
    context = {
        "form": form,
        "secret": services.secret_text(device),
        "qr_svg": services.qr_svg(device),
        "required": required_by_role(request.user),
        "next": _next_url(request),
    }
    return render(request, "twofactor/enrol.html", context, status=status)


@never_cache
@staff_required
def backup_codes(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The codes just made, once: reloading the page shows them no more."""
    codes = request.session.pop(FRESH_CODES, None)
    if not codes:
        return redirect("twofactor:security")
    return render(request, "twofactor/backup_codes.html", {"codes": codes, "next": _next_url(request)})


@never_cache
@staff_required
def security(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _security_page(request, CodeForm(help_text="A code from your authenticator app."))


def _security_page(request: AuthenticatedHttpRequest, form: CodeForm, status: int = 200) -> HttpResponse:
    device = services.app_device(request.user)
    context = {
        "device": device,
        "codes_left": services.backup_codes_left(request.user) if device else 0,
        "required": required_by_role(request.user),
        "form": form,
    }
    return render(request, "twofactor/security.html", context, status=status)


@never_cache
@staff_required
@require_POST
def regenerate_backup_codes(request: AuthenticatedHttpRequest) -> HttpResponse:
    """New backup codes, for a fresh code from the app (a borrowed, signed-in browser is not enough)."""
    form = CodeForm(request.POST, help_text="A code from your authenticator app.")
    device = services.app_device(request.user)
    if device is None:
        form.add_error(None, "Set up an authenticator app first.")
        return _security_page(request, form, status=400)
    if form.is_valid():
        code = services.normalise(form.cleaned_data["code"])
        if not services.SIX_DIGITS.match(code):
            form.add_error("code", "Enter the six-digit code from your authenticator app.")
        else:
            check = services.check_code(request.user, code)
            if check.device is not None:
                request.session[FRESH_CODES] = services.new_backup_codes(request.user)
                return redirect(_with_next("twofactor:backup_codes", reverse("twofactor:security")))
            form.add_error("code", check.error)
    return _security_page(request, form, status=400)
