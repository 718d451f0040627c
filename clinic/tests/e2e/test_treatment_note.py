"""A practitioner charts a six-point session with the keyboard alone, sees the names, and signs.

Keyboard only: focus, typing and key presses; no mouse clicks.
"""

from __future__ import annotations

import importlib
import re

import pytest
from django.apps import apps
from playwright.sync_api import expect

from clients.tests.builders import make_client
from clinic.kernel.roles import Role
from clinic.tests.e2e.conftest import assert_accessible, login_through_form
from conftest import TEST_PASSWORD, make_practitioner, make_user
from treatments.models import NoteStatus, Point, TreatmentNote
from treatments.tests.builders import add_point, make_attended_booking


@pytest.fixture(autouse=True)
def catalogue(transactional_db):
    """The point catalogue and techniques come from data migrations; a transactional test that ran
    before this one flushed them, so load them again the way the migrations do."""
    if not Point.objects.exists():
        importlib.import_module("treatments.migrations.0002_load_point_catalogue").load_catalogue(apps, None)
        importlib.import_module("treatments.migrations.0003_seed_techniques").seed(apps, None)


QUICK_LINE = "LI4 both 60s static; UB23 L 90s p3; Zu San Li R 2m knead; GB39 L 60s; P6 both 45s; Du20 30s"
EXPECTED = [
    ("LI4", "Hegu"),
    ("BL23", "Shenshu"),
    ("ST36", "Zusanli"),
    ("GB39", "Xuanzhong"),
    ("PC6", "Neiguan"),
    ("GV20", "Baihui"),
]


def _press(page, locator, key: str = "Enter") -> None:
    locator.focus()
    page.keyboard.press(key)


def _submit(page, button) -> None:
    """Press Enter on a submit button and wait for the page that answers."""
    with page.expect_navigation():
        _press(page, button)


def test_six_point_session_through_the_quick_line_then_signed(page, live_server):
    user = make_user(role=Role.PRACTITIONER, username="amara", first_name="Amara", last_name="Okafor")
    practitioner = make_practitioner(user=user)
    booking = make_attended_booking(practitioner, client=make_client(first_name="Nadia", last_name="Park"))
    page.on("dialog", lambda dialog: dialog.accept())  # the "sign and lock?" confirmation

    login_through_form(page, "amara", TEST_PASSWORD)
    # From the booking page, as the day's work starts: the note is one link away, by keyboard.
    page.goto(f"/clinic/bookings/{booking.pk}/")
    with page.expect_navigation():
        _press(page, page.get_by_role("link", name="Treatment note"))
    assert page.url.endswith(f"/treatments/bookings/{booking.pk}/note/")
    _submit(page, page.get_by_role("button", name="Start the note"))
    assert re.search(r"/treatments/notes/\d+/$", page.url)

    # The quick line, typed; Ctrl+Enter asks for the preview.
    page.get_by_label("Quick line").focus()
    page.keyboard.type(QUICK_LINE)
    page.keyboard.press("Control+Enter")
    preview = page.locator("#quick-preview table")
    preview.wait_for()
    resolved = preview.locator("td.resolved-point").all_inner_texts()
    assert [tuple(text.split()[:2]) for text in resolved] == EXPECTED
    assert "Union Valley" in resolved[0]

    _submit(page, page.get_by_role("button", name="Add 6 points to the note"))
    rows = page.locator("#applications tbody tr")
    assert rows.count() == 6
    assert "Shenshu" in rows.nth(1).inner_text()

    # The SOAP fields, by keyboard: focus and type, then save the draft.
    page.get_by_label("S: subjective").focus()
    page.keyboard.type("Low back ache after gardening.")
    page.get_by_label("Pain before (0-10)").focus()
    page.keyboard.type("6")
    page.get_by_label("Pain after (0-10)").focus()
    page.keyboard.type("3")
    _submit(page, page.get_by_role("button", name="Save draft"))
    page.get_by_text("Note saved.").wait_for()
    assert_accessible(page)

    _submit(page, page.get_by_role("button", name="Sign and lock the note"))
    page.get_by_text("Note signed.").wait_for()

    assert page.locator("#note-status").inner_text() == "Signed"
    assert page.get_by_role("button", name="Save draft").count() == 0
    note = TreatmentNote.objects.get(booking=booking)
    assert note.status == NoteStatus.SIGNED and note.signed_by == user
    assert note.pain_before == 6 and note.pain_after == 3
    assert [a.point.code for a in note.applications.select_related("point")] == [c for c, _ in EXPECTED]
    assert_accessible(page)


def test_the_picker_takes_a_point_with_the_arrow_keys(page, live_server):
    user = make_user(role=Role.PRACTITIONER, username="kenji")
    practitioner = make_practitioner(user=user)
    booking = make_attended_booking(practitioner)
    note = TreatmentNote.objects.create(
        booking=booking, client=booking.client, practitioner=practitioner, service_date=booking.local_date
    )

    login_through_form(page, "kenji", TEST_PASSWORD)
    page.goto(f"/treatments/notes/{note.pk}/")
    summary = page.locator("summary", has_text="Add one point with the picker")
    _press(page, summary)  # opens the <details>
    page.get_by_role("combobox", name="Point").focus()
    page.keyboard.type("shen")
    page.locator("#point-suggestions [data-code=HT7]").wait_for()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    assert page.get_by_role("combobox", name="Point").input_value() == "HT7"

    _submit(page, page.get_by_role("button", name="Add point"))
    page.get_by_text("HT7 Shenmen (Spirit Gate) added.").wait_for()
    assert note.applications.get().point.code == "HT7"
    assert_accessible(page)


def test_a_refused_quick_line_shows_its_message_in_place(page, live_server):
    user = make_user(role=Role.PRACTITIONER, username="lucia")
    practitioner = make_practitioner(user=user)
    booking = make_attended_booking(practitioner)
    note = TreatmentNote.objects.create(
        booking=booking, client=booking.client, practitioner=practitioner, service_date=booking.local_date
    )

    login_through_form(page, "lucia", TEST_PASSWORD)
    page.goto(f"/treatments/notes/{note.pk}/")
    quick_line = page.get_by_label("Quick line")
    # Past the 2000-character limit by pasting (the field's maxlength stops typing).
    quick_line.evaluate("(el) => { el.removeAttribute('maxlength'); el.value = 'LI4 L; '.repeat(400); }")
    quick_line.focus()
    page.keyboard.press("Control+Enter")

    page.locator("#quick-preview .alert-danger").wait_for()
    assert "at most 2000 characters" in page.locator("#quick-preview").inner_text()
    assert note.applications.count() == 0


def _draft_with_a_point(username: str) -> TreatmentNote:
    practitioner = make_practitioner(user=make_user(role=Role.PRACTITIONER, username=username))
    booking = make_attended_booking(practitioner)
    note = TreatmentNote.objects.create(
        booking=booking, client=booking.client, practitioner=practitioner, service_date=booking.local_date
    )
    add_point(note, "LI4")
    return note


def test_text_typed_and_signed_without_saving_is_in_the_signed_note(page, live_server):
    note = _draft_with_a_point("amara")
    page.on("dialog", lambda dialog: dialog.accept())  # the "sign and lock?" confirmation
    # No autosave reaches the server: the text can only arrive with the signature.
    page.route("**/autosave/", lambda route: route.abort())

    login_through_form(page, "amara", TEST_PASSWORD)
    page.goto(f"/treatments/notes/{note.pk}/")
    page.get_by_label("S: subjective").focus()
    page.keyboard.type("Headache eased within ten minutes.")
    _submit(page, page.get_by_role("button", name="Sign and lock the note"))
    page.get_by_text("Note signed.").wait_for()

    note.refresh_from_db()
    assert note.status == NoteStatus.SIGNED
    assert note.subjective == "Headache eased within ten minutes."
    assert "Headache eased within ten minutes." in page.locator(".note-body").inner_text()


def test_the_draft_saves_itself_while_typing_and_says_so(page, live_server):
    note = _draft_with_a_point("kenji")
    status = page.locator("#autosave-status")

    login_through_form(page, "kenji", TEST_PASSWORD)
    page.goto(f"/treatments/notes/{note.pk}/")
    assert status.inner_text().strip() == ""
    page.get_by_label("O: objective").focus()
    page.keyboard.type("Tight upper trapezius, left worse.")

    expect(status).to_have_text(re.compile(r"^\s*Saved at \d\d:\d\d\s*$"))
    note.refresh_from_db()
    assert note.objective == "Tight upper trapezius, left worse." and note.status == NoteStatus.DRAFT
    assert_accessible(page)

    # A value the server refuses: the reason is shown, and what was typed stays in the fields.
    page.get_by_label("Pain before (0-10)").focus()
    page.keyboard.type("12")
    expect(status).to_have_text(re.compile(r"^\s*Not saved: Pain before \(0-10\): .*than or equal to 10"))
    assert page.get_by_label("Pain before (0-10)").input_value() == "12"
    assert page.get_by_label("O: objective").input_value() == "Tight upper trapezius, left worse."
    note.refresh_from_db()
    assert note.pain_before is None
    assert_accessible(page)
