"""NUL characters and undecodable text are answered 400 with a clear message, never a 500.

A fuzz walk goes through every URL pattern as each staff role: every query-string name a view
reads (found in the source, on the pages' forms and htmx attributes, plus generic names) set to a
NUL, an invalid UTF-8 escape and an encoded lone surrogate; and every field of every form that
posts to the page, url-encoded and multipart. Run it on PostgreSQL too (DATABASE_URL=postgres://...):
there a NUL that reached a query was a 500.
"""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
from django.test import Client as HttpClient
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone

from clients.models import IntakeLink, hash_token
from clients.tests.builders import make_clearance, make_client, make_intake
from clinic.kernel.hygiene import BadInput, check_urlencoded
from clinic.tests.builders import future_day, local, make_booking
from clinic.tests.test_url_access import ALL_PATTERNS
from clinic.waitlist.models import WaitlistEntry
from conftest import login_client
from treatments.tests.builders import add_point, make_note

ROOT = Path(__file__).resolve().parents[2]

# Percent-encoded, as a browser or a crafted link would send them.
BAD_VALUES = {
    "NUL": "ab%00cd",
    "invalid UTF-8": "ab%FFcd",
    "lone surrogate": "%ED%A0%80",
}
# Names any view might read, beyond those found below.
GENERIC_NAMES = {"q", "page", "next", "date", "id", "pk", "token", "session_1"}


# Read directly from request.GET / request.POST: `.get("name")`, `_carried(request.POST, "name")`,
# `"name" in request.POST`.
READ = re.compile(r"""(?:GET|POST)\b[.\w(]{0,6}[, ]{0,2}\(?["'](\w+)["']|["'](\w+)["']\s+in\s+request\.""")


def names_read_in(module: str) -> set[str]:
    """The request fields a module of the apps reads past its forms."""
    path = ROOT / (module.replace(".", "/") + ".py")
    if not path.exists() or module.split(".")[0] not in ("clinic", "clients", "practitioners", "treatments"):
        return set()
    return {a or b for a, b in READ.findall(path.read_text())}


class FormFields(HTMLParser):
    """The field names each form or htmx element of a page sends, by the path they go to."""

    def __init__(self, page: str) -> None:
        super().__init__()
        self.page = page
        self.fields: dict[str, set[str]] = defaultdict(set)
        self._forms: list[list[str]] = []

    def _targets(self, attrs: dict[str, str | None]) -> list[str]:
        found = [attrs[a] or "" for a in ("action", "hx-post", "hx-get") if a in attrs]
        return [urlsplit(t).path or self.page for t in found]

    def handle_starttag(self, tag: str, attr_list: list[tuple[str, str | None]]) -> None:
        attrs = dict(attr_list)
        if tag == "form":
            self._forms.append(self._targets(attrs) or [self.page])
            return
        name = attrs.get("name")
        if tag in ("input", "select", "textarea", "button") and name:
            for target in [t for form in self._forms for t in form] + self._targets(attrs):
                self.fields[target].add(name)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form" and self._forms:
            self._forms.pop()


@pytest.fixture
def world(manager, practitioner, receptionist, service, room):
    """One of each record a URL names, reachable by every staff role."""
    client = make_client()
    intake = make_intake(client)
    clearance = make_clearance(client, [])
    booking = make_booking(
        practitioner=practitioner, service=service, room=room, client=client, start=local(future_day(), 10)
    )
    note = make_note(practitioner, client=client)
    application = add_point(note, "LI4")
    token = "intake-token-for-the-fuzz-walk-0123456789"
    IntakeLink.objects.create(
        client=client,
        token_hash=hash_token(token),
        sent_to=client.email,
        expires_at=timezone.now() + timedelta(days=7),
    )
    feed_token = practitioner.regenerate_ical_token()
    entry = WaitlistEntry.objects.create(client=client, service=service, from_date=future_day())
    manager.is_staff = True
    manager.save(update_fields=["is_staff"])
    kwargs = {
        "clients:": {"pk": client.pk, "intake_pk": intake.pk, "clearance_pk": clearance.pk, "token": token},
        "clinic:": {"pk": booking.pk, "practitioner_id": practitioner.pk, "action": "arrived"},
        "practitioners:": {"pk": practitioner.pk},
        "waitlist:": {"pk": entry.pk, "token": "waitlist-token-for-the-fuzz-walk"},
        "treatments:": {
            "pk": note.pk,
            "booking_id": note.booking_id,
            "application_id": application.pk,
            "client_id": client.pk,
        },
        "": {"token": feed_token, "uidb64": "MQ", "token_": "x"},
    }
    users = {"manager": manager, "practitioner": practitioner.user, "reception": receptionist}
    return kwargs, users


def _example_path(pattern: str) -> str:
    """A route or the admin's regex as a concrete path, parameters filled with plausible values."""
    path = re.sub(r"<int:\w+>", "1", pattern)
    path = re.sub(r"<uuid:\w+>", "00000000-0000-0000-0000-000000000001", path)
    path = re.sub(r"<(?:str|slug|path):?\w*>", "x", path)
    path = re.sub(r"<\w+>", "x", path)
    path = path.replace("^", "").replace("$", "").replace("\\Z", "")
    path = path.replace("(?P<url>.*)", "no-such-page/")
    path = re.sub(r"\(\?P<\w+>[^)]*\)", "1", path)
    path = re.sub(r"\([^)]*\)", "", path)
    path = path.replace("\\", "")
    return "/" + path


def concrete_path(pattern: str, name: str, kwargs: dict[str, dict[str, object]]) -> str:
    if name.startswith("admin:") or name == "<unnamed>":
        return _example_path(pattern)
    namespace = name.rpartition(":")[0] + ":" if ":" in name else ""
    wanted = re.findall(r"<(?:\w+:)?(\w+)>", pattern)
    values = kwargs.get(namespace, {})
    if not all(arg in values for arg in wanted):
        return _example_path(pattern)
    return reverse(name, kwargs={arg: values[arg] for arg in wanted})


def collect_fields(http: HttpClient, paths: list[str]) -> dict[str, set[str]]:
    """Open every page and gather what its forms send, by target path."""
    fields: dict[str, set[str]] = defaultdict(set)
    for path in paths:
        variants: tuple[dict[str, str], ...] = (
            ({},) if path.startswith("/admin/") else ({}, {"HX-Request": "true"})
        )
        for headers in variants:
            response = http.get(path, headers=headers)
            if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
                continue
            parser = FormFields(path)
            parser.feed(response.content.decode())
            for target, names in parser.fields.items():
                fields[target] |= names
    return fields


def test_the_checker_reads_every_pair_of_a_query_string():
    check_urlencoded(b"a=1&b=caf%C3%A9&c=+x+&d", "query")
    for raw in (b"a=1&b=2&zz=%00", b"a=1&b=%FF", b"a=%ED%A0%80", b"%00=1", b"a=\xff"):
        with pytest.raises(BadInput):
            check_urlencoded(raw, "query")


def test_the_walk_finds_the_names_views_read():
    assert {"client_search", "q", "next", "confirm"} <= names_read_in("clinic.booking_views")
    assert {"q", "point", "note", "reason", "reading"} <= names_read_in("treatments.views")
    assert {"update", "page"} <= names_read_in("clients.views")


def test_the_client_picker_answers_400_with_the_field_named(reception_client):
    response = reception_client.get("/clinic/clients/search/?client_search=ab%00cd")
    assert response.status_code == 400
    assert "NUL character" in response.content.decode()
    assert "client_search" in response.content.decode()
    assert "<nav" in response.content.decode()  # the site's layout


def test_htmx_gets_the_message_alone(reception_client):
    response = reception_client.get("/clinic/clients/search/?client_search=%ff", HTTP_HX_REQUEST="true")
    assert response.status_code == 400
    assert "not valid UTF-8" in response.content.decode()
    assert "<nav" not in response.content.decode()


def test_a_poisoned_session_cookie_is_refused_before_the_database(client, db):
    client.cookies["sessionid"] = "abc\x00def"
    assert client.get("/desk/").status_code == 400


def test_a_nul_in_a_multipart_file_name_is_refused(manager_client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("letter\x00.pdf", b"%PDF-1.4", content_type="application/pdf")
    assert manager_client.post("/clients/new/", {"letter": upload}).status_code == 400


def test_clean_input_still_reaches_the_view(reception_client):
    assert reception_client.get("/clinic/clients/search/?client_search=caf%C3%A9").status_code == 200


# The back office's own query-string names (search, ordering, page, filters, pop-ups).
ADMIN_NAMES = {"q", "o", "p", "e", "_changelist_filters", "_popup", "_to_field"}


def names_for(path: str, fields: dict[str, set[str]]) -> set[str]:
    """What the view behind `path` reads: its module's direct reads, its forms' fields, generic names."""
    try:
        module = getattr(resolve(urlsplit(path).path).func, "__module__", "")
    except Resolver404:
        module = ""
    names = ADMIN_NAMES if path.startswith("/admin/") else names_read_in(module)
    return names | fields.get(path, set()) | GENERIC_NAMES


@pytest.mark.parametrize("role", ["manager", "practitioner", "reception"])
def test_no_bad_value_anywhere_gives_a_500(world, role):
    kwargs, users = world
    http = login_client(users[role])
    patterns = [(p, n) for p, n in ALL_PATTERNS if n not in ("logout", "admin:logout")]
    # The back office's pages are many and alike, and open to the manager only: walked as the manager.
    paths = sorted(
        {concrete_path(p, n, kwargs) for p, n in patterns if role == "manager" or not n.startswith("admin:")}
    )
    fields = collect_fields(http, paths)
    failures = []
    requests = 0

    def expect_400(what: str, response) -> None:
        nonlocal requests
        requests += 1
        if response.status_code != 400:
            failures.append(f"{what} answered {response.status_code}")

    nul, *others = BAD_VALUES.values()
    for path in paths:
        # Each name alone with a NUL; then every name at once with each undecodable value.
        get_names = sorted(names_for(path, fields))
        for name in get_names:
            expect_400(f"GET {path}?{name}={nul}", http.get(f"{path}?ok=1&{quote(name)}={nul}"))
        for value in others:
            query = "&".join(f"{quote(name)}={value}" for name in get_names)
            expect_400(f"GET {path} with every name ={value}", http.get(f"{path}?{query}"))
        post_names = sorted(fields.get(path, set()) | {"next", "reason"})
        form = "application/x-www-form-urlencoded"
        for name in post_names:
            response = http.post(path, f"ok=1&{quote(name)}={nul}", content_type=form)
            expect_400(f"POST {path} {name}={nul}", response)
        for value in others:
            body = "&".join(f"{quote(name)}={value}" for name in post_names)
            expect_400(f"POST {path} with every field ={value}", http.post(path, body, content_type=form))
        # Multipart, as file-upload forms send: a NUL in every field at once.
        expect_400(f"POST multipart {path}", http.post(path, dict.fromkeys(post_names, "ab\x00cd")))
    assert not failures, "\n".join(failures)
    assert requests > 500
