"""Every page, walked with real records behind it: who is let in, who is refused.

Each URL pattern of the site has an entry in `ROUTES` (or in `PUBLIC`, or is the back
office's): how to fill its parameters from a world of real records, and which roles may use
it. Every role not listed must get 403 on GET and POST, never a 404 that a missing record
could explain; every role listed must get neither 403 nor 404, which proves the record behind
the URL exists; anonymous visitors are sent to the login page. A route added without an entry
fails `test_every_route_has_an_entry`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from clients.models import IntakeSource
from clients.tests.builders import make_clearance, make_client, make_intake
from clinic.imports.models import ImportRun
from clinic.integrations.services import create_key, register_endpoint
from clinic.kernel.roles import Role, roles_of
from clinic.tests.builders import future_day, make_closure, make_time_off
from clinic.waitlist.models import WaitlistEntry
from conftest import login_client
from treatments.models import Amendment, HomeCareHandout
from treatments.tests.builders import add_point, make_attended_booking, make_note, make_protocol, sign

# URL names reachable without a staff login, and why.
PUBLIC = {
    "login": "the login page itself",
    "logout": "POST-only; logging out while logged out is harmless",
    "admin:login": "the back office's own login page",
    "admin:logout": "POST-only; logging out while logged out is harmless",
    "admin:password_reset": "not enabled, listed for completeness",
    "password_reset": "a forgotten password can't require a login",
    "password_reset_done": "part of the reset flow",
    "password_reset_confirm": "part of the reset flow",
    "password_reset_complete": "part of the reset flow",
    # The client's own intake link: a client has no account; the token is the credential.
    "clients:public_intake": "online intake, guarded by an unguessable one-time token",
    "clients:public_intake_form": "the questionnaire of the link whose token this session opened",
    # A freed time offered from the waitlist: the client has no account; the token is the credential.
    "waitlist:claim": "waitlist claim link, guarded by an unguessable one-time token",
    "waitlist:claim_confirm": "the claim page of the link whose token this session opened",
    # Online booking (clinic.online): clients have no account. The steps hold only what this
    # session chose; an emailed code proves the address before anything is booked.
    "online:start": "public online booking: choose a treatment and a day",
    "online:times": "public online booking: the free times, then keep one in this session",
    "online:details": "public online booking: the details of the time this session chose",
    "online:code": "public online booking: the code emailed to the address this session typed",
    "online:waitlist": "public: join the waitlist, where the manager allows it",
    "online:waitlist_code": "public: the code emailed to the address this session typed",
    # A booking's private link: the token is the credential (hashed, expires with the booking).
    "online:manage_link": "an online booking's manage link, guarded by an unguessable token",
    "online:manage": "the booking of the manage link whose token this session opened",
    # Calendar apps subscribe without a session; the secret token is the credential.
    "ical_feed": "iCalendar feed, guarded by a secret revocable token",
}

MANAGER, PRACTITIONER, RECEPTION, OUTSIDER = "manager", "practitioner", "reception", "outsider"
ROLES = (MANAGER, PRACTITIONER, RECEPTION, OUTSIDER)
ANYONE_LOGGED_IN = frozenset(ROLES)
STAFF = frozenset({MANAGER, PRACTITIONER, RECEPTION})
CLINICAL = frozenset({MANAGER, PRACTITIONER})
DESK = frozenset({MANAGER, RECEPTION})
MANAGER_ONLY = frozenset({MANAGER})
# A draft note changes only through its author (the world's practitioner): a manager is refused.
AUTHOR_ONLY = frozenset({PRACTITIONER})
# The world's practitioner reaches their own feed settings; a manager reaches everyone's.
SELF_OR_MANAGER = frozenset({MANAGER, PRACTITIONER})


@dataclass(frozen=True)
class Route:
    allowed: frozenset[str]
    kwargs: Callable[[Any], dict[str, Any]] = lambda w: {}


def _client(w):
    return {"pk": w.client.pk}


def _booking(w):
    return {"pk": w.booking.pk}


def _draft(w):
    return {"pk": w.draft.pk}


def _signed(w):
    return {"pk": w.signed.pk}


def _practitioner(w):
    return {"pk": w.practitioner.pk}


ROUTES: dict[str, Route] = {
    "home": Route(STAFF),
    "desk": Route(DESK),
    "my_day": Route(CLINICAL),
    "overview": Route(MANAGER_ONLY),
    # Reports over a period, and their CSV files: managers only.
    "reports": Route(MANAGER_ONLY),
    "report": Route(MANAGER_ONLY, lambda w: {"name": "utilisation"}),
    "report_csv": Route(MANAGER_ONLY, lambda w: {"name": "attendance"}),
    # Who opened which record: managers only.
    "access:user_activity": Route(MANAGER_ONLY, lambda w: {"user_id": w.practitioner.user_id}),
    "access:client_events": Route(MANAGER_ONLY, lambda w: {"client_id": w.client.pk}),
    # A user's own account.
    "password_change": Route(ANYONE_LOGGED_IN),
    "password_change_done": Route(ANYONE_LOGGED_IN),
    # Two-factor sign-in: every member of staff may set it up and see it; outsiders may not.
    "twofactor:security": Route(STAFF),
    "twofactor:verify": Route(STAFF),
    "twofactor:enrol": Route(STAFF),
    "twofactor:backup_codes": Route(STAFF),
    "twofactor:regenerate_backup_codes": Route(STAFF),
    # Front desk: calendar and bookings.
    "clinic:day": Route(STAFF),
    "clinic:week": Route(STAFF, lambda w: {"practitioner_id": w.practitioner.pk}),
    "clinic:week_all": Route(STAFF),
    "clinic:day_sheet": Route(STAFF),
    "clinic:client_search": Route(STAFF),
    "clinic:booking_new": Route(STAFF),
    "clinic:find_slots": Route(STAFF),
    "clinic:course_new": Route(STAFF),
    "clinic:booking_detail": Route(STAFF, _booking),
    "clinic:booking_move": Route(STAFF, _booking),
    "clinic:booking_cancel": Route(STAFF, _booking),
    "clinic:booking_note": Route(STAFF, _booking),
    "clinic:booking_status": Route(STAFF, lambda w: {"pk": w.booking.pk, "action": "completed"}),
    # Schedules: working hours and closures for managers; time off, each practitioner their own.
    "clinic:schedules": Route(MANAGER_ONLY),
    "clinic:working_hours": Route(MANAGER_ONLY, lambda w: {"practitioner_id": w.practitioner.pk}),
    "clinic:closures": Route(MANAGER_ONLY),
    "clinic:closure_new": Route(MANAGER_ONLY),
    "clinic:closure_edit": Route(MANAGER_ONLY, lambda w: {"pk": w.closure.pk}),
    "clinic:closure_delete": Route(MANAGER_ONLY, lambda w: {"pk": w.closure.pk}),
    "clinic:time_off": Route(SELF_OR_MANAGER, lambda w: {"practitioner_id": w.practitioner.pk}),
    "clinic:time_off_edit": Route(SELF_OR_MANAGER, lambda w: {"pk": w.time_off.pk}),
    "clinic:time_off_delete": Route(SELF_OR_MANAGER, lambda w: {"practitioner_id": w.practitioner.pk}),
    "clinic:my_time_off": Route(CLINICAL),
    # Practitioners' calendar feeds.
    "practitioners:feed_settings": Route(SELF_OR_MANAGER, _practitioner),
    "practitioners:feed_regenerate": Route(SELF_OR_MANAGER, _practitioner),
    "practitioners:feed_revoke": Route(SELF_OR_MANAGER, _practitioner),
    "practitioners:feed_privacy": Route(SELF_OR_MANAGER, _practitioner),
    # Client records: contact details for the desk, health for clinicians.
    "clients:list": Route(STAFF),
    "clients:create": Route(STAFF),
    "clients:detail": Route(STAFF, _client),
    "clients:edit": Route(STAFF, _client),
    "clients:archive": Route(STAFF, _client),
    "clients:restore": Route(STAFF, _client),
    "clients:health_update": Route(STAFF, _client),
    "clients:send_intake_link": Route(STAFF, _client),
    "online:confirm": Route(STAFF, lambda w: {"pk": w.booking.pk}),
    "online:settings": Route(MANAGER_ONLY),
    "clients:intakes_to_review": Route(CLINICAL),
    "clients:intake_new": Route(CLINICAL, _client),
    "clients:intake_detail": Route(CLINICAL, lambda w: {"pk": w.client.pk, "intake_pk": w.intake.pk}),
    "clients:intake_review": Route(CLINICAL, lambda w: {"pk": w.client.pk, "intake_pk": w.intake.pk}),
    "clients:clearance_new": Route(CLINICAL, _client),
    "clients:clearance_letter": Route(
        CLINICAL, lambda w: {"pk": w.client.pk, "clearance_pk": w.clearance.pk}
    ),
    # Treatment notes, charts and plans.
    "treatments:point_search": Route(CLINICAL),
    "treatments:booking_note": Route(CLINICAL, lambda w: {"booking_id": w.booking.pk}),
    "treatments:note": Route(CLINICAL, _signed),
    "treatments:amendment_add": Route(CLINICAL, _signed),
    "treatments:chart": Route(CLINICAL, lambda w: {"client_id": w.client.pk}),
    "treatments:plan_create": Route(CLINICAL, lambda w: {"client_id": w.client.pk}),
    # The client's complete record on request (a zip): managers only, POST only.
    "treatments:client_export": Route(MANAGER_ONLY, lambda w: {"client_id": w.client.pk}),
    "treatments:note_autosave": Route(AUTHOR_ONLY, _draft),
    "treatments:note_update": Route(AUTHOR_ONLY, _draft),
    "treatments:application_add": Route(AUTHOR_ONLY, _draft),
    "treatments:application_remove": Route(
        AUTHOR_ONLY, lambda w: {"pk": w.draft.pk, "application_id": w.application.pk}
    ),
    "treatments:quick_preview": Route(AUTHOR_ONLY, _draft),
    "treatments:quick_add": Route(AUTHOR_ONLY, _draft),
    "treatments:copy_last": Route(AUTHOR_ONLY, _draft),
    "treatments:note_sign": Route(AUTHOR_ONLY, _draft),
    "treatments:protocol_apply": Route(AUTHOR_ONLY, _draft),
    # Protocols: the shared one is the clinic's (its owner and managers change it); a private one
    # is its practitioner's alone.
    "treatments:protocols": Route(CLINICAL),
    "treatments:protocol_create": Route(CLINICAL),
    "treatments:protocol_edit": Route(CLINICAL, lambda w: {"pk": w.shared_protocol.pk}),
    "treatments:protocol_delete": Route(AUTHOR_ONLY, lambda w: {"pk": w.private_protocol.pk}),
    # Home-practice handouts are clinical content.
    "treatments:handout": Route(CLINICAL, _signed),
    "treatments:handout_make": Route(CLINICAL, _signed),
    "treatments:handout_file": Route(CLINICAL, lambda w: {"handout_id": w.handout.pk}),
    "treatments:handout_email": Route(CLINICAL, lambda w: {"handout_id": w.handout.pk}),
    # The waitlist: the desk's work (reception and managers); practitioners are not shown it.
    "waitlist:list": Route(DESK),
    "waitlist:new": Route(DESK),
    "waitlist:withdraw": Route(DESK, lambda w: {"pk": w.entry.pk}),
    "waitlist:offer": Route(DESK),
    # Other systems' API keys and webhooks: managers only.
    "integrations:api_keys": Route(MANAGER_ONLY),
    "integrations:api_key_revoke": Route(MANAGER_ONLY, lambda w: {"pk": w.api_key.pk}),
    "integrations:webhooks": Route(MANAGER_ONLY),
    "integrations:webhook_disable": Route(MANAGER_ONLY, lambda w: {"pk": w.endpoint.pk}),
    "integrations:webhook_retry": Route(MANAGER_ONLY, lambda w: {"pk": w.endpoint.pk}),
    # Moving a clinic in from CSV files, and its CSV exports: managers only.
    "imports:start": Route(MANAGER_ONLY),
    "imports:mapping": Route(MANAGER_ONLY, lambda w: {"pk": w.import_run.pk}),
    "imports:report": Route(MANAGER_ONLY, lambda w: {"pk": w.import_run.pk}),
    "imports:confirm": Route(MANAGER_ONLY, lambda w: {"pk": w.import_run.pk}),
    "imports:discard": Route(MANAGER_ONLY, lambda w: {"pk": w.import_run.pk}),
    "imports:export_clients": Route(MANAGER_ONLY),
    "imports:export_bookings": Route(MANAGER_ONLY),
}
# The REST API (/api/v1/) has no session: its keys are the credential, and every operation's
# refusals are walked through its published schema in clinic/integrations/tests/test_api_access.py.
API_NAMESPACE = "api-v1:"


def _walk(resolver: URLResolver, prefix: str = "", namespace: str = ""):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = namespace
            if entry.namespace:
                ns = f"{namespace}{entry.namespace}:"
            yield from _walk(entry, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), f"{namespace}{entry.name or '<unnamed>'}"


ALL_PATTERNS = sorted(set(_walk(get_resolver())))
ADMIN_PATTERNS = [(p, n) for p, n in ALL_PATTERNS if n.startswith("admin:") and n not in PUBLIC]
APP_ROUTES = sorted(ROUTES)


def _admin_path(pattern: str) -> str:
    """A concrete back-office path: the patterns are regexes and routes of the admin's own."""
    path = pattern.replace("(?P<url>.*)", "no-such-page/")
    path = re.sub(r"\(\?P<app_label>[^)]*\)", "clients", path)
    path = re.sub(r"<path:object_id>|<int:\w+>", "1", path)
    path = re.sub(r"<\w+:?\w*>", "x", path)
    path = path.replace("^", "").replace("$", "").replace("\\Z", "").replace("\\", "")
    return "/" + path


# -- The world: one real record behind every parameter ------------------------------------------


@pytest.fixture
def world(db, settings, tmp_path, manager, practitioner, receptionist, outsider):
    settings.MEDIA_ROOT = tmp_path
    client = make_client(last_name="Walker")
    intake = make_intake(client, source=IntakeSource.ONLINE, needs_review=True)
    clearance = make_clearance(client, ["pregnancy"], letter_content_type="application/pdf")
    clearance.letter.save("letter.pdf", ContentFile(b"%PDF-1.4\n"))
    # Attended, with no note yet: the booking pages, and a note that can be started.
    booking = make_attended_booking(practitioner, client=client)
    draft = make_note(practitioner, client=client)
    application = add_point(draft, "LI4")
    signed = make_note(practitioner, client=client, subjective="Low back ache.")
    add_point(signed, "BL23")
    sign(signed)
    Amendment.objects.create(note=signed, text="BL23 was held 90 s.", reason="Typo", author=practitioner.user)
    # Far enough ahead to be changed or deleted, and over no booking.
    time_off = make_time_off(practitioner, future_day(weeks=20, weekday=2), reason="Course")
    closure = make_closure(future_day(weeks=21, weekday=0), reason="Bank holiday")
    entry = WaitlistEntry.objects.create(client=client, service=booking.service, from_date=future_day())
    api_key, _raw = create_key(name="Website", scopes=["bookings"], by=manager)
    endpoint, _secret = register_endpoint(
        name="Site", url="https://site.example/h", events=["booking.created"], by=manager
    )
    shared_protocol = make_protocol(practitioner, name="Clinic low back", shared=True)
    private_protocol = make_protocol(practitioner, name="My low back")
    handout = HomeCareHandout(note=signed, points="BL23", created_by=practitioner.user)
    handout.pdf.save("handout.pdf", ContentFile(b"%PDF-1.7\n"), save=False)
    handout.save()
    import_run = ImportRun.objects.create(
        created_by=manager,
        clients_name="clients.csv",
        clients_text="First name,Last name,Date of birth\nAnn,Smith,1980-01-02\n",
        clients_mapping=["first_name", "last_name", "date_of_birth"],
    )
    return SimpleNamespace(
        api_key=api_key,
        endpoint=endpoint,
        shared_protocol=shared_protocol,
        private_protocol=private_protocol,
        handout=handout,
        entry=entry,
        import_run=import_run,
        time_off=time_off,
        closure=closure,
        client=client,
        intake=intake,
        clearance=clearance,
        booking=booking,
        draft=draft,
        application=application,
        signed=signed,
        practitioner=practitioner,
        users={
            MANAGER: manager,
            PRACTITIONER: practitioner.user,
            RECEPTION: receptionist,
            OUTSIDER: outsider,
        },
    )


def _path(name: str, world: Any) -> str:
    return reverse(name, kwargs=ROUTES[name].kwargs(world))


# -- The table covers the site ---------------------------------------------------------------------


def test_every_route_has_an_entry():
    names = {name for _pattern, name in ALL_PATTERNS if not name.startswith(("admin:", API_NAMESPACE))}
    names -= set(PUBLIC)
    assert names - set(ROUTES) == set(), "new routes: say in ROUTES who may use them"
    assert set(ROUTES) - names == set(), "ROUTES lists routes that no longer exist"


def test_the_walk_finds_the_pages_we_know():
    names = {name for _p, name in ALL_PATTERNS}
    assert {"home", "desk", "my_day", "overview", "login", "admin:index"} <= names


def test_the_worlds_users_hold_the_roles_they_stand_for(world):
    expected = {MANAGER: {Role.MANAGER}, PRACTITIONER: {Role.PRACTITIONER}, RECEPTION: {Role.RECEPTION}}
    for who, user in world.users.items():
        assert roles_of(user) == expected.get(who, set()), who


def test_public_pages_open_without_login(client, db):
    for name in ("login", "password_reset"):
        assert client.get(reverse(name)).status_code == 200


# -- Who gets in --------------------------------------------------------------------------------


@pytest.mark.parametrize("name", APP_ROUTES)
def test_anonymous_visitor_is_sent_to_login(client, world, name):
    path = _path(name, world)
    for method in (client.get, client.post):
        response = method(path)
        assert response.status_code == 302, (
            f"{method.__name__.upper()} {path} answered {response.status_code}"
        )
        assert response["Location"].startswith(reverse("login")), path


@pytest.mark.parametrize("name", APP_ROUTES)
def test_roles_without_access_are_refused(world, name):
    """Every role not allowed gets 403: the record exists, so a 404 would hide a missing check.

    A POST is always refused with 403. A GET is too, except on a POST-only page whose check is
    on the record (a manager and another's draft): that GET is answered 405 and serves nothing.
    """
    path = _path(name, world)
    refused = [role for role in ROLES if role not in ROUTES[name].allowed]
    for role in refused:
        http = login_client(world.users[role])
        posted = http.post(path).status_code
        assert posted == 403, f"{role}: POST {path} answered {posted}"
        got = http.get(path).status_code
        assert got in (403, 405), f"{role}: GET {path} answered {got}"


@pytest.mark.parametrize("name", APP_ROUTES)
def test_roles_with_access_reach_the_record(world, name):
    """Allowed roles are neither refused nor told the record is missing. A POST-only page (405 to
    a GET) is posted to, empty: a form error or a conflict is fine, a refusal is not."""
    path = _path(name, world)
    for role in sorted(ROUTES[name].allowed):
        http = login_client(world.users[role])
        response = http.get(path)
        if response.status_code == 405:
            response = http.post(path)
        assert response.status_code not in (403, 404), f"{role}: {path} answered {response.status_code}"


def test_reception_is_refused_every_clinical_page(world):
    """Spelled out, as the privacy rule it is: intake answers, doctors' letters, notes, charts."""
    for name in (
        "clients:intake_detail",
        "clients:intake_new",
        "clients:intakes_to_review",
        "clients:clearance_letter",
        "treatments:note",
        "treatments:chart",
    ):
        assert RECEPTION not in ROUTES[name].allowed, name
        assert login_client(world.users[RECEPTION]).get(_path(name, world)).status_code == 403, name


# -- The back office ---------------------------------------------------------------------------


@pytest.mark.parametrize(("pattern", "name"), ADMIN_PATTERNS, ids=[p for p, _n in ADMIN_PATTERNS])
def test_the_back_office_sends_anyone_without_admin_access_to_its_login(client, world, pattern, name):
    """Anonymous visitors and staff without back-office access (is_staff) go to its login page,
    before any record is looked up."""
    path = _admin_path(pattern)
    clients = {"anonymous": client, OUTSIDER: login_client(world.users[OUTSIDER])}
    clients[RECEPTION] = login_client(world.users[RECEPTION])
    for who, http in clients.items():
        for method in (http.get, http.post):
            response = method(path)
            assert response.status_code == 302, f"{who}: {method.__name__.upper()} {path}"
            assert response["Location"].startswith(reverse("admin:login")), f"{who}: {path}"
