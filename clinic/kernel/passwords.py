"""Forgotten passwords: the reset email leaves through the outbox, and requests are rate-limited.

The link in the email is a credential, so the message is marked sensitive (never shown in the
back office, its body wiped once sent). Requests are counted per client address and per typed
email address within a window (`PASSWORD_RESET_WINDOW_MINUTES`): past either limit the form
answers 429 and sends nothing. The count for an address that matches no account is kept the same
way, so the answer tells nobody whether an account exists.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.views import PasswordResetView
from django.http import HttpResponse
from django.template import loader

from clinic.kernel import throttle
from clinic.kernel.outbox.services import write_message

TOO_MANY = (
    "Too many reset requests for this address. For your account's safety no more links are sent "
    "for a while: try again in an hour, or ask the clinic manager."
)


_digest = throttle.digest


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


def reset_allowed(request: Any, email: str) -> bool:
    """Count this request unless the address or the account is over its limit already."""
    return throttle.allow(
        request,
        "password-reset",
        email=email,
        per_address=settings.PASSWORD_RESET_LIMIT_PER_ADDRESS,
        per_email=settings.PASSWORD_RESET_LIMIT_PER_ACCOUNT,
        window=settings.PASSWORD_RESET_WINDOW_MINUTES * 60,
    )


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
