"""API keys and webhooks, for managers. A new key or secret is shown once, on the answer to
the POST that made it (never stored to show again, so never redirected to)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Case, OuterRef, Subquery, Value, When
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from clinic.integrations.forms import ApiKeyForm, WebhookForm
from clinic.integrations.models import ApiKey, Delivery, DeliveryStatus, WebhookEndpoint
from clinic.integrations.services import (
    create_key,
    disable_endpoint,
    register_endpoint,
    retry_deliveries,
    revoke_key,
)
from clinic.kernel.http import AuthenticatedHttpRequest
from clinic.kernel.roles import manager_required


def _keys_page(
    request: AuthenticatedHttpRequest, form: ApiKeyForm, status: int = 200, **extra: Any
) -> HttpResponse:
    keys = list(ApiKey.objects.select_related("created_by"))
    return render(request, "integrations/api_keys.html", {"form": form, "keys": keys, **extra}, status=status)


@manager_required
def api_keys(request: AuthenticatedHttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _keys_page(request, ApiKeyForm())
    form = ApiKeyForm(request.POST)
    if not form.is_valid():
        return _keys_page(request, form, status=400)
    key, raw = create_key(name=form.cleaned_data["name"], scopes=form.cleaned_data["scopes"], by=request.user)
    return _keys_page(request, ApiKeyForm(), status=201, new_key=key, raw_key=raw)


@manager_required
@require_POST
def api_key_revoke(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    key = get_object_or_404(ApiKey, pk=pk)
    if revoke_key(key=key, by=request.user):
        messages.success(request, f"The key “{key.name}” is revoked: calls with it are refused from now on.")
    else:
        messages.info(request, f"The key “{key.name}” was already revoked.")
    return redirect("integrations:api_keys")


def _webhooks_page(
    request: AuthenticatedHttpRequest, form: WebhookForm, status: int = 200, **extra: Any
) -> HttpResponse:
    # Each endpoint with its newest delivery's state, in one query (a subquery per column).
    newest = Delivery.objects.filter(endpoint=OuterRef("pk")).order_by("-id")
    endpoints = list(
        WebhookEndpoint.objects.annotate(
            last_status=Subquery(newest.values("status")[:1]),
            last_code=Subquery(newest.values("last_status_code")[:1]),
            last_error=Subquery(newest.values("last_error")[:1]),
            last_attempt=Subquery(newest.values("last_attempt_at")[:1]),
            last_event=Subquery(newest.values("event__kind")[:1]),
        ).annotate(
            last_status_label=Case(
                *(When(last_status=value, then=Value(label)) for value, label in DeliveryStatus.choices),
                default=Value(""),
            )
        )
    )
    context = {"form": form, "endpoints": endpoints, **extra}
    return render(request, "integrations/webhooks.html", context, status=status)


@manager_required
def webhooks(request: AuthenticatedHttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _webhooks_page(request, WebhookForm())
    form = WebhookForm(request.POST)
    if not form.is_valid():
        return _webhooks_page(request, form, status=400)
    data = form.cleaned_data
    endpoint, secret = register_endpoint(
        name=data["name"], url=data["url"], events=data["events"], by=request.user
    )
    return _webhooks_page(request, WebhookForm(), status=201, new_endpoint=endpoint, secret=secret)


@manager_required
@require_POST
def webhook_disable(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    endpoint = get_object_or_404(WebhookEndpoint, pk=pk)
    if disable_endpoint(endpoint=endpoint):
        messages.success(request, f"“{endpoint.name}” is switched off: no new events go to it.")
    else:
        messages.info(request, f"“{endpoint.name}” was already switched off.")
    return redirect("integrations:webhooks")


@manager_required
@require_POST
def webhook_retry(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    endpoint = get_object_or_404(WebhookEndpoint, pk=pk)
    count = retry_deliveries(endpoint=endpoint)
    if count:
        messages.success(request, f"{count} event(s) for “{endpoint.name}” will be sent again now.")
    else:
        messages.info(request, f"Nothing to send again to “{endpoint.name}”: no failed delivery.")
    return redirect("integrations:webhooks")
