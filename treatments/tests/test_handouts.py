"""The home-practice handout: the client's home-care points on a one-page print view and PDF,
kept with the note and emailed through the outbox; caution points only with an override."""

from __future__ import annotations

import io
import os

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from pypdf import PdfReader

from clients.screening import screening_for
from clients.tests.builders import make_client, make_intake
from clinic.kernel.outbox.models import Message
from conftest import run_outbox_worker
from treatments import handouts, services
from treatments.catalogue import current_catalogue
from treatments.models import HomeCareHandout, Point, PointGuide, TreatmentPlan
from treatments.tests.builders import make_note, make_pregnant_client

pytestmark = pytest.mark.django_db


def _pdf_missing() -> str | None:
    try:
        handouts.weasyprint_module()
    except handouts.PdfUnavailable as error:
        return str(error)
    return None


# Making a PDF needs pango; CI installs it and sets REQUIRE_PDF, so these tests never skip there.
needs_pdf = pytest.mark.skipif(
    bool(_pdf_missing()) and not os.environ.get("REQUIRE_PDF"),
    reason="WeasyPrint's system libraries (pango) are not installed here",
)


def _set_home_care(note, codes, reason=""):
    services.update_note(
        note_id=note.pk,
        user=note.practitioner.user,
        fields={"plan": "Press the points morning and evening for two weeks."},
        home_care_points=list(Point.objects.filter(code__in=codes)),
        home_care_reason=reason,
    )
    note.refresh_from_db()
    return note


def _build(note):
    return handouts.build_handout(
        note,
        catalogue=current_catalogue(),
        screening=screening_for(note.client),
        plan=handouts.current_plan(note),
    )


def _pdf_source(note) -> str:
    """The HTML the PDF is printed from."""
    return render_to_string("treatments/handout_pdf.html", handouts.handout_context(_build(note)))


def test_the_handout_has_each_point_with_where_and_how_and_the_routine(practitioner):
    note = _set_home_care(
        make_note(practitioner, client=make_client(email="ana@example.org")), ["BL23", "GB39", "PC6"]
    )
    TreatmentPlan.objects.create(
        client=note.client,
        goal="Less back pain",
        planned_sessions=6,
        started_on=note.service_date,
        created_by=practitioner.user,
    )
    html = _pdf_source(note)
    for code in ("BL23", "GB39", "PC6"):
        assert f'id="handout-point-{code}"' in html
    assert "slide your thumbs in until they are two finger widths" in html  # BL23's own words
    assert "Press the points morning and evening for two weeks." in html
    assert "Your treatment plan: Less back pain (6 sessions" in html
    assert html.count('class="body-dot"') == 6  # three paired points, both sides, numbered
    assert (
        "caution"
        not in html.split('<div class="handout">')[1].split('<section class="handout-cautions">')[0].lower()
    )


def test_a_pregnancy_caution_point_is_on_the_handout_only_with_the_recorded_override_and_marked(practitioner):
    note = _set_home_care(
        make_note(practitioner, client=make_pregnant_client()),
        ["LI4", "ST36"],
        reason="Due date passed; midwife agrees",
    )
    html = _pdf_source(note)
    assert 'id="handout-point-LI4"' in html and 'id="handout-point-ST36"' in html
    li4 = html.split('id="handout-point-LI4"')[1].split("</li>")[0]
    assert "Caution: Pregnancy: LI4 is a point to avoid." in li4 and "Never during pregnancy" in li4
    assert html.count('class="body-dot caution"') == 2  # LI4 on both hands, in red
    assert "at most 3 on a scale where 5 is very firm" in html  # the client's pressure cap


def test_a_caution_point_without_an_override_is_left_off_and_the_practitioner_told(
    practitioner, practitioner_client
):
    client = make_client()
    note = _set_home_care(make_note(practitioner, client=client), ["SP6", "ST36"])  # no caution then
    make_intake(client, pregnant=True, pregnancy_weeks=12)  # pregnant since the home care was set
    html = _pdf_source(note)
    assert 'id="handout-point-SP6"' not in html and "SP6" not in html
    assert 'id="handout-point-ST36"' in html
    page = practitioner_client.get(reverse("treatments:handout", args=[note.pk])).content.decode()
    assert (
        'id="handout-left-out"' in page
        and "<strong>SP6</strong>: Pregnancy: SP6 is a point to avoid." in page
    )


def test_a_point_in_a_region_to_avoid_is_left_off_without_an_override(practitioner):
    client = make_client()
    note = _set_home_care(make_note(practitioner, client=client), ["GB39", "PC6"])
    make_intake(client, sites=[{"condition": "varicose_veins", "region": "lower_leg", "side": "both"}])
    built = _build(note)
    assert [p.point.code for p in built.points] == ["PC6"]
    assert [item.point.code for item in built.left_out] == ["GB39"]


@needs_pdf
def test_the_pdf_is_made_kept_with_the_note_and_emailed_once(practitioner, practitioner_client, mailoutbox):
    note = _set_home_care(
        make_note(practitioner, client=make_pregnant_client(email="mei@example.org")),
        ["LI4", "BL23"],
        reason="Term; midwife agrees",
    )
    made = practitioner_client.post(reverse("treatments:handout_make", args=[note.pk]))
    assert made.status_code == 302
    row = HomeCareHandout.objects.get(note=note)
    assert row.points == "BL23 LI4" and row.left_out == ""
    with row.pdf.open("rb") as handle:
        pdf = handle.read()
    assert pdf.startswith(b"%PDF") and len(pdf) > 2000

    download = practitioner_client.get(reverse("treatments:handout_file", args=[row.pk]))
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content).startswith(b"%PDF")

    for _ in range(2):  # a double click: one message, one email
        sent = practitioner_client.post(reverse("treatments:handout_email", args=[row.pk]))
        assert sent.status_code == 302
    message = Message.objects.get(kind="handout")
    assert message.recipient == "mei@example.org"
    [(filename, content, mimetype)] = message.attachment_tuples()
    assert filename == "home-practice.pdf" and mimetype == "application/pdf" and content == pdf

    run_outbox_worker()
    assert len(mailoutbox) == 1
    email = mailoutbox[0]
    assert email.to == ["mei@example.org"] and "home-practice" in email.subject.lower()
    assert email.attachments[0][0] == "home-practice.pdf" and email.attachments[0][1] == pdf


def _opening(text: str, words: int = 6) -> str:
    return " ".join(text.split()[:words])


@needs_pdf
def test_the_pdfs_text_has_the_clients_points_and_their_how_to_but_not_a_caution_point_left_off(
    practitioner,
):
    client = make_client()
    note = _set_home_care(make_note(practitioner, client=client), ["BL23", "PC6", "SP6"])
    make_intake(client, pregnant=True, pregnancy_weeks=12)  # SP6 now a caution, with no override
    row = services.make_handout(
        note_id=note.pk,
        user=practitioner.user,
        catalogue=current_catalogue(),
        screening=screening_for(client),
    )
    assert row.points == "BL23 PC6" and row.left_out == "SP6"
    with row.pdf.open("rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())

    for code in ("BL23", "PC6"):
        guide = PointGuide.objects.get(point__code=code)
        assert code in text
        assert _opening(guide.how_to_find) in text and _opening(guide.how_to_press) in text, code
    sp6 = PointGuide.objects.get(point__code="SP6")
    assert "SP6" not in text and _opening(sp6.how_to_find) not in text


@needs_pdf
def test_a_client_without_an_email_address_gets_a_clear_refusal(practitioner, practitioner_client):
    note = _set_home_care(make_note(practitioner, client=make_client(email="")), ["ST36"])
    practitioner_client.post(reverse("treatments:handout_make", args=[note.pk]))
    row = HomeCareHandout.objects.get(note=note)
    response = practitioner_client.post(reverse("treatments:handout_email", args=[row.pk]))
    assert response.status_code == 409 and "no email address on file" in response.content.decode()
    assert not Message.objects.filter(kind="handout").exists()


def test_no_pdf_without_a_point_to_put_on_it(note, practitioner_client):
    response = practitioner_client.post(reverse("treatments:handout_make", args=[note.pk]))
    assert (
        response.status_code == 409 and "No home-care point to put on a handout" in response.content.decode()
    )
    assert not HomeCareHandout.objects.exists()


@pytest.mark.parametrize("who", ["outsider_client", "reception_client", "client"])
@needs_pdf
def test_outsiders_reception_and_anonymous_visitors_are_refused(request, who, practitioner):
    note = _set_home_care(make_note(practitioner, client=make_client(email="x@example.org")), ["ST36"])
    row = services.make_handout(
        note_id=note.pk, user=practitioner.user, catalogue=current_catalogue(), screening=None
    )
    http = request.getfixturevalue(who)
    for method, url in (
        ("get", reverse("treatments:handout", args=[note.pk])),
        ("post", reverse("treatments:handout_make", args=[note.pk])),
        ("get", reverse("treatments:handout_file", args=[row.pk])),
        ("post", reverse("treatments:handout_email", args=[row.pk])),
    ):
        response = getattr(http, method)(url)
        if who == "client":
            assert response.status_code == 302 and response["Location"].startswith("/accounts/login/"), url
        else:
            assert response.status_code == 403, (who, url)
    assert HomeCareHandout.objects.count() == 1 and not Message.objects.filter(kind="handout").exists()


@needs_pdf
def test_a_handout_of_seven_points_prints_on_one_page(practitioner):
    codes = ["LI4", "BL23", "GB39", "PC6", "BL52", "ST36", "GV20"]
    note = _set_home_care(
        make_note(practitioner, client=make_pregnant_client()), codes, reason="Term; midwife agrees"
    )
    assert len(handouts.weasyprint_module().HTML(string=_pdf_source(note)).render().pages) == 1


def test_without_weasyprints_libraries_making_a_pdf_is_refused_with_the_reason(
    practitioner, practitioner_client, monkeypatch
):
    def missing():
        raise handouts.PdfUnavailable("PDF handouts cannot be made on this server: pango is missing.")

    monkeypatch.setattr(handouts, "weasyprint_module", missing)
    note = _set_home_care(make_note(practitioner), ["BL23"])
    response = practitioner_client.post(reverse("treatments:handout_make", args=[note.pk]))
    assert response.status_code == 409
    assert "pango is missing" in response.content.decode()
    assert not HomeCareHandout.objects.exists()
    # The print view does not need it.
    assert practitioner_client.get(reverse("treatments:handout", args=[note.pk])).status_code == 200
