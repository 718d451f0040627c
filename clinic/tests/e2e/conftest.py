"""Browser fixtures: Debian's Chromium driven by Playwright against pytest-django's live_server.

Playwright cannot download its own browser here, so it launches /usr/bin/chromium. Where no
Chromium is installed the browser tests skip with that reason (a fresh laptop); CI installs it.
On failure a screenshot is saved under test-artifacts/.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from django_otp.plugins.otp_static.models import StaticToken

from clients.forms import FOLLOW_UPS, HEALTH_CHOICES, HEALTH_YES_NO

# Playwright's sync API runs an event loop; Django refuses ORM calls from such a thread unless
# told this is fine (it is: the test drives the browser, the live server serves from its own).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "/e2e/" in str(item.path):
            item.add_marker(pytest.mark.e2e)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    outcome = yield
    report = outcome.get_result()
    if report.when == "call":
        item.stash[_FAILED_KEY] = report.failed


_FAILED_KEY = pytest.StashKey[bool]()


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        reason = f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail(reason + "; REQUIRE_BROWSER is set, so browser tests may not skip")
        pytest.skip(reason)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - requirements-dev.txt installs it
        pytest.skip("playwright is not installed (pip install -r requirements-dev.txt)")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(django_db_setup, browser, live_server, request: pytest.FixtureRequest):
    """A fresh browser tab (tablet-sized) whose relative URLs go to the live server.

    `django_db_setup` comes first so the test database outlives the live server: torn down
    the other way round, PostgreSQL refuses to drop a database the server still holds open.
    """
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    tab = context.new_page()
    yield tab
    if request.node.stash.get(_FAILED_KEY, False):
        ARTIFACTS.mkdir(exist_ok=True)
        safe = request.node.nodeid.replace("/", "_").replace(":", "_")
        tab.screenshot(path=str(ARTIFACTS / f"{safe}.png"), full_page=True)
    context.close()


def login_through_form(page, username: str, password: str, *, second_step: bool = True) -> None:
    """Sign in through the real login form, as a person would (and, unless told not to, past
    the two-factor step)."""
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    if second_step:
        pass_second_step(page, username)


def pass_second_step(page, username: str) -> None:
    """Two-factor sign-in is on: a clinician's first sign-in sets up an authenticator (the
    secret read off the page, its code computed here), a later one gives a backup code issued
    for the test. Reception without a device goes straight through."""
    from django.contrib.auth import get_user_model
    from django_otp.plugins.otp_static.models import StaticDevice

    if "/accounts/security/enrol/" in page.url:
        page.get_by_role("textbox", name="Code").fill(
            totp_code(page.locator("[data-otp-secret]").get_attribute("data-otp-secret"))
        )
        page.get_by_role("button", name="Confirm").click()
        page.get_by_role("link", name="I have kept them, continue").click()
        page.wait_for_load_state()
    elif "/accounts/security/verify/" in page.url:
        user = get_user_model().objects.get(username=username)
        device, _ = StaticDevice.objects.get_or_create(user=user, name="e2e", defaults={"confirmed": True})
        token = device.token_set.create(token=StaticToken.random_token()).token
        page.get_by_role("textbox", name="Code").fill(token)
        page.get_by_role("button", name="Verify").click()
        page.wait_for_load_state()


def totp_code(secret: str | None, *, step_ahead: int = 0) -> str:
    """The code an authenticator app shows for a base32 secret (as typed, spaces and all)."""
    from base64 import b32decode

    from django_otp.oath import totp

    assert secret
    key = b32decode(secret.replace(" ", "").upper() + "=" * (-len(secret.replace(" ", "")) % 8))
    return f"{totp(key, drift=step_ahead):06d}"


def assert_accessible(page) -> None:
    """axe-core finds no serious or critical violation on the page as it stands."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    bad = [v for v in results.response["violations"] if v.get("impact") in ("serious", "critical")]
    assert not bad, "axe-core violations:\n" + "\n".join(
        f"- {v['id']} ({v['impact']}): {v['help']} -> "
        + ", ".join(str(n.get("target")) for n in v.get("nodes", [])[:5])
        for v in bad
    )


def answer_intake_no(page) -> None:
    """On the online intake form: "no" to each yes/no question and the first choice of each
    other one, follow-up questions left alone (nothing is chosen in advance on the form)."""
    for name in HEALTH_YES_NO:
        if name not in FOLLOW_UPS:
            page.locator(f'input[name="{name}"][value="no"]').check()
    for name in HEALTH_CHOICES:
        if name not in FOLLOW_UPS:
            page.locator(f'input[name="{name}"]').first.check()
