"""Writes of the clients app that touch several rows or send mail."""

from __future__ import annotations

import secrets
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q, QuerySet
from django.db.models.functions import Upper
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from clients.forms import ANSWER_FIELDS
from clients.models import (
    CONSENT_TEXT_VERSION,
    Client,
    ContraindicationRule,
    HealthUpdate,
    Intake,
    IntakeLink,
    IntakeSite,
    IntakeSource,
    PhysicianClearance,
    SiteRow,
    hash_token,
)
from clients.search import search_name_for, search_text_for
from clinic.kernel.outbox.services import write_message
from clinic.kernel.roles import is_clinician


def fill_search_columns(client: Client) -> None:
    client.search_name = search_name_for(
        first_name=client.first_name, last_name=client.last_name, preferred_name=client.preferred_name
    )
    client.search_text = search_text_for(
        first_name=client.first_name,
        last_name=client.last_name,
        preferred_name=client.preferred_name,
        email=client.email,
        phone=client.phone,
    )


def _ready_to_save(client: Client, *, consents: bool) -> None:
    """What every save of a client sets first: the consent to treatment as ticked (stamped
    when first given, cleared when withdrawn) and the folded search columns."""
    if consents:
        client.record_consent(at=timezone.now())
    else:
        client.withdraw_consent()
    fill_search_columns(client)


@transaction.atomic
def save_client(*, client: Client, consents: bool) -> Client:
    """Save a new or edited client with its folded search columns brought up to date, and the
    consent to treatment as ticked (stamped when first given, cleared when withdrawn)."""
    _ready_to_save(client, consents=consents)
    client.save()
    return client


@transaction.atomic
def save_new_clients(*, clients: Sequence[Client], consents: bool, by: User | None = None) -> list[Client]:
    """`save_client` for many new clients at once (an import): the same fields set on each,
    then inserted together with their history rows (ids set on the instances)."""
    for client in clients:
        if client.pk:
            raise ValueError("save_new_clients only adds clients; save an edit with save_client.")
        _ready_to_save(client, consents=consents)
    saved: list[Client] = bulk_create_with_history(list(clients), Client, batch_size=1000, default_user=by)
    return saved


def possible_duplicates(*, client: Client) -> QuerySet[Client]:
    """Existing clients who look like this one: same name and date of birth, same email or phone."""
    match = Q(
        date_of_birth=client.date_of_birth,
        first_name__iexact=client.first_name,
        last_name__iexact=client.last_name,
    )
    if client.email:
        match |= Q(email__iexact=client.email)
    if client.phone:
        match |= Q(phone=client.phone)
    found = Client.objects.filter(match)
    if client.pk:
        found = found.exclude(pk=client.pk)
    return found.order_by(*_DUPLICATE_ORDER)[:5]


_DUPLICATE_ORDER = ("last_name", "first_name", "id")


def _duplicate_keys(client: Client) -> list[tuple[str, Any]]:
    """What `possible_duplicates` matches a client on, as keys: the name (case aside) with
    the date of birth, the email (case aside), the phone."""
    keys: list[tuple[str, Any]] = [
        ("born", (client.first_name.upper(), client.last_name.upper(), client.date_of_birth))
    ]
    if client.email:
        keys.append(("email", client.email.upper()))
    if client.phone:
        keys.append(("phone", client.phone))
    return keys


class DuplicateFinder:
    """`possible_duplicates`' first answer for many new clients, in a few queries: the
    existing clients sharing a key with any of them are read at once (in chunks), and the
    clients added with `add` (earlier rows of one import) are matched as well.

    Order as `possible_duplicates`': by last name, first name, then id (a client being added
    comes after the existing ones, as its id will)."""

    CHUNK = 500

    def __init__(self, clients: Sequence[Client]) -> None:
        self._by_key: dict[tuple[str, Any], list[tuple[tuple[Any, ...], Client]]] = defaultdict(list)
        self._added = 0
        found: dict[int, Client] = {}
        for n in range(0, len(clients), self.CHUNK):
            part = clients[n : n + self.CHUNK]
            match = Q(
                date_of_birth__in={c.date_of_birth for c in part},
                last_upper__in={c.last_name.upper() for c in part},
            )
            if emails := {c.email.upper() for c in part if c.email}:
                match |= Q(email_upper__in=emails)
            if phones := {c.phone for c in part if c.phone}:
                match |= Q(phone__in=phones)
            rows = Client.objects.annotate(last_upper=Upper("last_name"), email_upper=Upper("email"))
            found.update((c.pk, c) for c in rows.filter(match).order_by())
        for client in found.values():
            self._index(client, (client.last_name, client.first_name, 0, client.pk))

    def _index(self, client: Client, rank: tuple[Any, ...]) -> None:
        for key in _duplicate_keys(client):
            self._by_key[key].append((rank, client))

    def first_match(self, client: Client) -> Client | None:
        ranked = [item for key in _duplicate_keys(client) for item in self._by_key.get(key, ())]
        ranked = [item for item in ranked if item[1] is not client]
        return min(ranked, key=lambda item: item[0])[1] if ranked else None

    def add(self, client: Client) -> None:
        """A client about to be created: matched from now on, after the existing clients."""
        self._added += 1
        self._index(client, (client.last_name, client.first_name, 1, self._added))


def previous_answers(client: Client) -> tuple[dict[str, Any], list[SiteRow]]:
    """The newest intake's answers and sites, to prefill a new intake."""
    intake = client.intakes.newest_first().prefetch_related("sites").first()
    if intake is None:
        return {}, []
    answers = {name: getattr(intake, name) for name in ANSWER_FIELDS}
    sites: list[SiteRow] = [
        {
            "condition": s.condition,
            "region": s.region,
            "side": s.side,
            "occurred_on": s.occurred_on,
            "note": s.note,
        }
        for s in intake.sites.all()
    ]
    return answers, sites


def _save_sites(intake: Intake, sites: Sequence[SiteRow]) -> None:
    for site in sites:
        IntakeSite.objects.create(intake=intake, **site)


@transaction.atomic
def record_intake(
    *,
    client: Client,
    answers: Mapping[str, Any],
    sites: Sequence[SiteRow],
    by: User,
    health_update: HealthUpdate | None = None,
) -> Intake:
    """A new intake taken by staff (every intake is kept; the newest counts).

    It counts as reviewed at once: only clinicians may take one (views.intake_new is
    clinician-only; reception's "something changed" answer leads to no intake), and the
    clinician goes through every answer with the client while taking it.
    """
    if not is_clinician(by):
        raise PermissionDenied("Only practitioners and managers take health intakes.")
    intake = Intake(client=client, recorded_by=by, source=IntakeSource.STAFF, needs_review=False, **answers)
    if intake.consent_signed:
        intake.consent_text_version = CONSENT_TEXT_VERSION
    intake.save()
    _save_sites(intake, sites)
    if intake.consent_signed and client.consent_to_treatment_at is None:
        client.record_consent(at=timezone.now())
        client.save(update_fields=["consent_to_treatment_at", "consent_text_version", "updated_at"])
    if health_update is not None and health_update.client_id == client.pk:
        health_update.new_intake = intake
        health_update.save(update_fields=["new_intake"])
    return intake


@transaction.atomic
def record_health_update(*, client: Client, changed: bool, note: str, by: User) -> HealthUpdate:
    return HealthUpdate.objects.create(
        client=client, changed=changed, note=note, recorded_by=by, recorded_on=timezone.localdate()
    )


@transaction.atomic
def record_clearance(
    *, client: Client, fields: Mapping[str, Any], conditions: Iterable[ContraindicationRule], by: User
) -> PhysicianClearance:
    """A doctor's clearance for some conditions, with its letter (if any) kept private."""
    clearance = PhysicianClearance(client=client, recorded_by=by, **fields)
    if not clearance.letter:
        clearance.letter_content_type = ""
    clearance.save()
    clearance.conditions.set(conditions)
    return clearance


@transaction.atomic
def review_intake(*, intake: Intake, by: User) -> Intake:
    """A clinician has read an intake the client sent online: from now on screening counts it
    as it counts a staff intake (until then it could only make the status stricter)."""
    if not is_clinician(by):
        raise PermissionDenied("Only practitioners and managers review health intakes.")
    intake.mark_reviewed(by)
    return intake


def intake_link_url(token: str) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("clients:public_intake", args=[token])


@transaction.atomic
def new_intake_link(*, client: Client, by: User | None) -> tuple[IntakeLink, str]:
    """A fresh intake link and its token (to put in an email once, never stored): the client's
    older unused links are revoked first. `by` None: the client asked for it (online booking)."""
    if not client.email:
        raise ValueError("The client has no email address.")
    for older in client.intake_links.filter(used_at__isnull=True, expires_at__gt=timezone.now()):
        older.revoke()
    token = secrets.token_urlsafe(32)
    link = IntakeLink.objects.create(
        client=client,
        token_hash=hash_token(token),
        sent_to=client.email,
        created_by=by,
        expires_at=timezone.now() + timedelta(days=settings.INTAKE_LINK_VALID_DAYS),
    )
    return link, token


@transaction.atomic
def send_intake_link(*, client: Client, by: User) -> IntakeLink:
    """Email the client a one-time link to the questionnaire, through the outbox.

    The token (256 random bits) is kept only as its SHA-256 on the link; the email carrying it
    waits in the outbox (marked sensitive: hidden in the back office, its body wiped once sent)
    and a worker sends it after this transaction commits, so the request never waits on the
    mail server. The client's older unused links are revoked first (their records stay): only
    the newest email opens the questionnaire.
    """
    link, token = new_intake_link(client=client, by=by)
    context = {
        "client": client,
        "url": intake_link_url(token),
        "expires_at": link.expires_at,
        "clinic_name": settings.CLINIC_NAME,
    }
    subject = render_to_string("clients/email/intake_link_subject.txt", context).strip()
    body = render_to_string("clients/email/intake_link.txt", context)
    write_message(
        key=f"intake-link:{link.pk}",
        kind="intake link",
        topic=f"client:{client.pk}",
        recipient=client.email,
        subject=subject,
        body=body,
        sensitive=True,
    )
    return link


def open_intake_link(token: str) -> tuple[IntakeLink | None, str]:
    """The link behind a token and its state: "ok", "used", "expired" or "unknown"."""
    if not token or len(token) > 100:
        return None, "unknown"
    return _with_state(IntakeLink.objects.for_token(token).select_related("client").first())


def open_granted_link(link_id: int) -> tuple[IntakeLink | None, str]:
    """The link a session was granted when its token was opened, checked again on each page
    (it may have been used, revoked or have expired since)."""
    return _with_state(IntakeLink.objects.filter(pk=link_id).select_related("client").first())


def _with_state(link: IntakeLink | None) -> tuple[IntakeLink | None, str]:
    if link is None:
        return None, "unknown"
    if link.is_used:
        return link, "used"
    if link.is_expired():
        return link, "expired"
    return link, "ok"


class LinkUnavailable(Exception):
    """The link was used (or expired) between opening the form and submitting it."""


@transaction.atomic
def submit_online_intake(*, link: IntakeLink, answers: Mapping[str, Any], sites: Sequence[SiteRow]) -> Intake:
    """Store what the client sent as an intake that a practitioner must review; the link dies."""
    now = timezone.now()
    # One conditional UPDATE: of two submissions racing, only one finds the link unused.
    claimed = IntakeLink.objects.filter(pk=link.pk, used_at__isnull=True, expires_at__gt=now).update(
        used_at=now
    )
    if not claimed:
        raise LinkUnavailable
    client = link.client
    intake = Intake(
        client=client,
        source=IntakeSource.ONLINE,
        needs_review=True,
        **{**answers, "taken_on": timezone.localdate()},
    )
    intake.consent_text_version = CONSENT_TEXT_VERSION
    intake.save()
    _save_sites(intake, sites)
    IntakeLink.objects.filter(pk=link.pk).update(intake=intake)
    client.record_consent(at=now, renew=True)  # the client has just signed the consent online
    client.save(update_fields=["consent_to_treatment_at", "consent_text_version", "updated_at"])
    return intake


def revoke_intake_links(links: QuerySet[IntakeLink]) -> int:
    """Close the still-open links among these (each change kept in the link's history)."""
    open_links = list(links.filter(used_at__isnull=True, expires_at__gt=timezone.now()))
    for link in open_links:
        link.revoke()
    return len(open_links)
