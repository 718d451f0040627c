"""Every page asks for a login, except the few that must work without one."""

from __future__ import annotations

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

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
    # Calendar apps subscribe without a session; the secret token is the credential.
    "ical_feed": "iCalendar feed, guarded by a secret revocable token",
}


def _walk(resolver: URLResolver, prefix: str = "", namespace: str = ""):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = namespace
            if entry.namespace:
                ns = f"{namespace}{entry.namespace}:"
            yield from _walk(entry, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), f"{namespace}{entry.name or '<unnamed>'}"


def _example_path(pattern: str) -> str:
    """Turn a route or regex into a concrete path, filling parameters with plausible values."""
    path = re.sub(r"<int:\w+>", "1", pattern)
    path = re.sub(r"<uuid:\w+>", "00000000-0000-0000-0000-000000000001", path)
    path = re.sub(r"<(?:str|slug|path):?\w*>", "x", path)
    path = re.sub(r"<\w+>", "x", path)
    # Regex patterns (the admin's): strip anchors and fill groups.
    path = path.replace("^", "").replace("$", "").replace("\\Z", "")
    path = path.replace("(?P<url>.*)", "no-such-page/")
    path = re.sub(r"\(\?P<\w+>[^)]*\)", "1", path)
    path = re.sub(r"\([^)]*\)", "", path)
    path = path.replace("\\", "")
    return "/" + path


ALL_PATTERNS = sorted(set(_walk(get_resolver())))
PRIVATE_PATTERNS = [(p, n) for p, n in ALL_PATTERNS if n not in PUBLIC]


def test_the_walk_finds_the_pages_we_know():
    names = {name for _p, name in ALL_PATTERNS}
    assert {"home", "desk", "my_day", "overview", "login", "admin:index"} <= names


def test_public_pages_open_without_login(client, db):
    for name in ("login", "password_reset"):
        assert client.get(reverse(name)).status_code == 200


@pytest.mark.parametrize(("pattern", "name"), PRIVATE_PATTERNS, ids=[p for p, _n in PRIVATE_PATTERNS])
def test_anonymous_visitor_is_sent_to_login(client, db, pattern, name):
    path = _example_path(pattern)
    response = client.get(path)
    if name and name.startswith("admin:"):
        # The admin has its own login page; anything but a redirect there (or a 404 for an
        # object that doesn't exist behind the login) would be a leak.
        assert response.status_code in (302, 404), path
        if response.status_code == 302:
            assert "/admin/login/" in response["Location"], path
        return
    assert response.status_code == 302, f"{path} answered {response.status_code}"
    assert response["Location"].startswith("/accounts/login/"), path


# Pages a logged-in user without a role may still use: their own account.
OWN_ACCOUNT = {"password_change", "password_change_done"}


@pytest.mark.parametrize(("pattern", "name"), PRIVATE_PATTERNS, ids=[p for p, _n in PRIVATE_PATTERNS])
def test_outsider_gets_nothing_from_any_page(outsider_client, pattern, name):
    """A logged-in account with no role is refused everywhere (GET and POST), never served."""
    if name in OWN_ACCOUNT:
        assert outsider_client.get(_example_path(pattern)).status_code == 200
        return
    path = _example_path(pattern)
    for method in (outsider_client.get, outsider_client.post):
        response = method(path)
        if name.startswith("admin:"):
            # Not admin staff: the back office sends them to its own login page.
            assert response.status_code in (302, 404), f"{method.__name__.upper()} {path}"
            if response.status_code == 302:
                assert "/admin/login/" in response["Location"]
            continue
        assert response.status_code in (403, 404, 405), (
            f"{method.__name__.upper()} {path} answered {response.status_code}"
        )
