"""Home-care points are held to the client's cautions like the session's points (issue #8).

The check is in the service that writes them, so a crafted POST (or any other caller) meets it
too: a point a caution applies to is refused unless a reason is recorded, and the cautions and
the reason are kept on the note.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from clients.tests.builders import make_client, make_intake
from treatments import services
from treatments.models import Point, PointCaution
from treatments.tests.builders import add_point, make_note, make_pregnant_client, sign

pytestmark = pytest.mark.django_db


@pytest.fixture
def pregnant_note(practitioner):
    return make_note(practitioner, client=make_pregnant_client())


def _save(client, note, **posted):
    return client.post(reverse("treatments:note_update", args=[note.pk]), posted)


def test_li4_as_home_care_for_a_pregnant_client_needs_a_reason(pregnant_note, practitioner_client):
    refused = _save(practitioner_client, pregnant_note, subjective="Tired", home_care="LI4, ST36")
    page = refused.content.decode()
    assert refused.status_code == 400
    assert "Pregnancy: LI4 is a point to avoid" in page and "Give a reason" in page
    assert 'value="LI4, ST36"' in page  # the input is kept
    pregnant_note.refresh_from_db()
    assert not pregnant_note.home_care_points.exists() and pregnant_note.subjective == ""

    accepted = _save(
        practitioner_client,
        pregnant_note,
        subjective="Tired",
        home_care="LI4, ST36",
        home_care_reason="Term reached; midwife asked for labour support at home",
    )
    assert accepted.status_code == 302
    pregnant_note.refresh_from_db()
    assert {p.code for p in pregnant_note.home_care_points.all()} == {"LI4", "ST36"}
    assert "LI4" in pregnant_note.home_care_cautions
    assert pregnant_note.home_care_reason.startswith("Term reached")

    sign(pregnant_note)
    page = practitioner_client.get(pregnant_note.get_absolute_url()).content.decode()
    assert "caution overridden: Term reached" in page


def test_every_point_to_avoid_in_pregnancy_is_held_by_the_service(pregnant_note):
    codes = PointCaution.objects.filter(condition="pregnancy").values_list("point__code", flat=True)
    assert len(codes) >= 5
    for code in codes:
        with pytest.raises(services.HomeCareNeedsReason, match=code):
            services.update_note(
                note_id=pregnant_note.pk,
                user=pregnant_note.practitioner.user,
                fields={},
                home_care_points=[Point.objects.get(code=code)],
            )
    pregnant_note.refresh_from_db()
    assert not pregnant_note.home_care_points.exists()


def test_a_point_never_pressed_or_in_a_local_condition_needs_a_reason_too(practitioner):
    client = make_client()
    make_intake(client, sites=[{"condition": "varicose_veins", "region": "lower_leg", "side": "left"}])
    note = make_note(practitioner, client=client)
    for code in ("CV8", "ST36", "GB39"):
        with pytest.raises(services.HomeCareNeedsReason):
            services.update_note(
                note_id=note.pk,
                user=practitioner.user,
                fields={},
                home_care_points=[Point.objects.get(code=code)],
            )
    services.update_note(
        note_id=note.pk, user=practitioner.user, fields={}, home_care_points=[Point.objects.get(code="LI4")]
    )
    note.refresh_from_db()
    assert note.home_care_cautions == "" and note.home_care_reason == ""


def test_without_a_caution_no_reason_is_asked_and_none_is_kept(note, practitioner_client):
    response = _save(practitioner_client, note, home_care="LI4, SP6", home_care_reason="not needed")
    assert response.status_code == 302
    note.refresh_from_db()
    assert {p.code for p in note.home_care_points.all()} == {"LI4", "SP6"}
    assert note.home_care_cautions == "" and note.home_care_reason == ""


def test_a_bare_b_home_care_point_is_not_guessed(note, practitioner_client):
    response = _save(practitioner_client, note, home_care="B47")
    page = response.content.decode()
    assert response.status_code == 400
    assert "BL47" in page and "BL52" in page
    assert not note.home_care_points.exists()


def test_the_database_refuses_home_care_cautions_without_a_reason(note):
    from django.db import IntegrityError, transaction

    note.home_care_cautions = "Pregnancy: LI4 is a point to avoid."
    with pytest.raises(IntegrityError), transaction.atomic():
        note.save()


def _signable(note):
    add_point(note, "ST36")
    return {"subjective": "Tired, low back 5/10", "home_care": "LI4"}


def test_signing_holds_home_care_points_to_the_cautions_too(pregnant_note, practitioner_client):
    posted = _signable(pregnant_note)
    url = reverse("treatments:note_sign", args=[pregnant_note.pk])
    refused = practitioner_client.post(url, posted)
    assert refused.status_code == 400
    assert "Give a reason" in refused.content.decode()
    pregnant_note.refresh_from_db()
    assert not pregnant_note.is_signed and not pregnant_note.home_care_points.exists()

    signed = practitioner_client.post(url, {**posted, "home_care_reason": "Midwife's request at term"})
    assert signed.status_code == 302
    pregnant_note.refresh_from_db()
    assert pregnant_note.is_signed and pregnant_note.home_care_reason == "Midwife's request at term"
    assert [p.code for p in pregnant_note.home_care_points.all()] == ["LI4"]


def test_autosave_holds_home_care_points_to_the_cautions_too(pregnant_note, practitioner_client):
    url = reverse("treatments:note_autosave", args=[pregnant_note.pk])
    refused = practitioner_client.post(url, _signable(pregnant_note))
    assert refused.status_code == 400
    assert "Not saved" in refused.content.decode() and "LI4" in refused.content.decode()
    pregnant_note.refresh_from_db()
    assert not pregnant_note.home_care_points.exists()
