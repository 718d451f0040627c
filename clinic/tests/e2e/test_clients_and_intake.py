"""A new client, end to end in a real browser: reception adds the record (after a refused first
try), emails the online intake link; the client answers from a fresh browser with no login; a
practitioner sees the findings while reception sees only the status and what to do."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from django.core import mail
from django.utils import timezone

from clients.models import Client, Intake, IntakeSource
from clinic.kernel.roles import Role
from clinic.tests.e2e.conftest import answer_intake_no, assert_accessible, login_through_form
from conftest import TEST_PASSWORD, make_practitioner, make_user, run_outbox_worker

LINK = re.compile(r"/clients/intake/[^/\s]+/")


@contextmanager
def _fresh_tab(browser, live_server) -> Iterator[Any]:
    """A tab in a browser context of its own: no cookies, no session shared with `page`."""
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    try:
        yield context.new_page()
    finally:
        context.close()


def test_reception_adds_a_client_who_answers_online_and_the_practitioner_sees_the_findings(
    browser, page, live_server, transactional_db
):
    make_user(role=Role.RECEPTION, username="riley", first_name="Riley", last_name="Chen")
    make_practitioner(
        user=make_user(role=Role.PRACTITIONER, username="amara", first_name="Amara", last_name="Okafor")
    )
    mail.outbox.clear()

    # Reception opens Clients and the form.
    login_through_form(page, "riley", TEST_PASSWORD)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Clients").click()
    page.get_by_role("link", name="Add a client").click()
    page.get_by_label("First name").fill("Maya")
    page.get_by_label("Last name").fill("Lindqvist")
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    page.get_by_label("Date of birth").fill(tomorrow)
    page.get_by_label("Email", exact=True).fill("maya.lindqvist@")
    page.get_by_role("button", name="Add client").click()

    # Refused: the field errors, the typed values kept, nothing saved.
    page.get_by_text("Please correct the fields marked below.").wait_for()
    assert page.get_by_text("The date of birth can't be in the future.").is_visible()
    assert page.get_by_text("Enter a valid email address.").is_visible()
    assert page.get_by_label("First name").input_value() == "Maya"
    assert page.get_by_label("Date of birth").input_value() == tomorrow
    assert page.get_by_label("Email", exact=True).input_value() == "maya.lindqvist@"
    assert not Client.objects.filter(last_name="Lindqvist").exists()
    assert_accessible(page)

    # Fixed: the client page, with the screening status and no clinical content.
    page.get_by_label("Date of birth").fill("1990-04-12")
    page.get_by_label("Email", exact=True).fill("maya.lindqvist@example.com")
    page.get_by_role("button", name="Add client").click()
    page.wait_for_url(re.compile(r"/clients/\d+/$"))
    client = Client.objects.get(last_name="Lindqvist")
    assert page.get_by_role("heading", name="Screening: no intake yet").is_visible()
    assert page.get_by_role("heading", name="Intake history").count() == 0
    assert page.get_by_role("heading", name="Physician clearances").count() == 0

    page.get_by_role("button", name="Email the intake link").click()
    page.get_by_text("Intake link on its way to maya.lindqvist@example.com").wait_for()
    run_outbox_worker()  # the background worker sends it
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["maya.lindqvist@example.com"]
    link = LINK.search(str(mail.outbox[0].body)).group(0)
    reception_page_url = page.url

    # The client, in a fresh browser context with no session, answers the questionnaire.
    with _fresh_tab(browser, live_server) as tab:
        tab.goto(link)
        tab.get_by_role("heading", name=re.compile("^Hello Maya")).wait_for()
        # The token was traded for the session at the first hop: the address bar no longer has it.
        assert tab.url.endswith("/clients/intake/form/")
        assert_accessible(tab)
        # No answer is chosen in advance: the client answers each question (here "no"), by keyboard.
        answer_intake_no(tab)
        tab.locator('input[name="pregnant"][value="yes"]').press("Space")
        tab.locator('input[name="pregnancy_high_risk"][value="no"]').check()
        tab.get_by_label("Pregnancy weeks").fill("20")
        tab.get_by_label("I consent to treatment").check()
        tab.get_by_label("Your full name (signature)").fill("Maya Lindqvist")
        tab.get_by_role("button", name="Send my answers").click()
        tab.get_by_role("heading", name="Thank you, Maya").wait_for()

        # The link works once: opening it again explains, politely.
        tab.goto(link)
        tab.get_by_role("heading", name="This form has already been sent").wait_for()
        assert "Thank you: the clinic has your answers." in tab.content()

    intake = Intake.objects.get(client=client)
    assert intake.source == IntakeSource.ONLINE and intake.needs_review
    assert intake.pregnant and intake.pregnancy_weeks == 20

    # Reception's view of the same page: status and action, nothing clinical.
    page.goto(reception_page_url)
    banner = page.get_by_role("region", name=re.compile("^Screening"))
    assert "Needs a doctor's clearance" in banner.inner_text()
    assert "Needs a doctor's letter before treatment." in banner.inner_text()
    assert "pregnan" not in page.content().lower()

    # The practitioner, in a session of their own: the intake to review and the findings.
    with _fresh_tab(browser, live_server) as prac:
        login_through_form(prac, "amara", TEST_PASSWORD)
        prac.goto("/clients/intakes/to-review/")
        prac.get_by_role("link", name=re.compile("Maya|Lindqvist")).first.click()
        prac.wait_for_url(re.compile(rf"/clients/{client.pk}/intakes/{intake.pk}/$"))
        assert prac.get_by_role("button", name=re.compile("reviewed", re.I)).is_visible()
        assert_accessible(prac)
        prac.goto(f"/clients/{client.pk}/")
        banner = prac.get_by_role("region", name=re.compile("^Screening"))
        assert "Needs a doctor's clearance" in banner.inner_text()
        assert banner.get_by_role("cell", name="Pregnancy", exact=True).is_visible()
        assert prac.get_by_text("Needs practitioner review").is_visible()
        assert_accessible(prac)
