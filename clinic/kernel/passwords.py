"""Forgotten passwords: the reset email leaves through the outbox, and requests are rate-limited.

The link in the email is a credential, so the message is marked sensitive (never shown in the
back office, its body wiped once sent). Requests are counted per client address and per typed
email address within a window (`PASSWORD_RESET_WINDOW_MINUTES`): past either limit the form
answers 429 and sends nothing. The count for an address that matches no account is kept the same
way, so the answer tells nobody whether an account exists.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.views import PasswordResetView
from django.core.cache import cache
from django.http import HttpResponse
from django.template import loader

from clinic.kernel.addresses import client_address
from clinic.kernel.outbox.services import write_message

TOO_MANY = (
    "Too many reset requests for this address. For your account's safety no more links are sent "
    "for a while: try again in an hour, or ask the clinic manager."
)


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:32]


class OutboxPasswordResetForm(PasswordResetForm):
    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
        body = loader.render_to_string(email_template_name, context)
        write_message(
            # One message per link: the token is in the key only as a digest.
            key=f"password-reset:{context['user'].pk}:{_digest(context['uid'] + context['token'])}",
            kind="password reset",
            recipient=to_email,
            subject=subject,
            body=body,
            sensitive=True,
        )


def _counters(request: Any, email: str) -> list[tuple[str, int]]:
    return [
        (f"password-reset:address:{client_address(request)}", settings.PASSWORD_RESET_LIMIT_PER_ADDRESS),
        (
            f"password-reset:account:{_digest(email.strip().lower())}",
            settings.PASSWORD_RESET_LIMIT_PER_ACCOUNT,
        ),
    ]


def reset_allowed(request: Any, email: str) -> bool:
    """Count this request unless the address or the account is over its limit already."""
    counters = _counters(request, email)
    if any((cache.get(key) or 0) >= limit for key, limit in counters):
        return False
    window = settings.PASSWORD_RESET_WINDOW_MINUTES * 60
    for key, _limit in counters:
        cache.add(key, 0, timeout=window)  # starts the window; no-op when it runs already
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=window)
    return True


class ThrottledPasswordResetView(PasswordResetView):
    form_class = OutboxPasswordResetForm

    def form_valid(self, form: Any) -> HttpResponse:
        if not reset_allowed(self.request, form.cleaned_data["email"]):
            form.add_error("email", TOO_MANY)
            response = self.form_invalid(form)
            response.status_code = 429
            return response
        # The email names the clinic, not the host name the request came to.
        self.extra_email_context = {"site_name": settings.CLINIC_NAME}
        return super().form_valid(form)
