"""Acceptance 4 and safety at the point: cautions for this client flag a point as it is entered."""

from __future__ import annotations

import pytest
from django.urls import reverse

from clients.screening import Finding, ScreeningResult
from clients.tests.builders import make_client, make_intake
from treatments import safety
from treatments.models import PointApplication
from treatments.tests.builders import make_note, make_pregnant_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def pregnant_note(practitioner):
    return make_note(practitioner, client=make_pregnant_client())


def test_entering_li4_for_a_pregnant_client_shows_the_warning(pregnant_note, practitioner_client):
    response = practitioner_client.post(
        reverse("treatments:quick_preview", args=[pregnant_note.pk]), {"text": "LI4 both 60s; ST36 L"}
    )
    page = response.content.decode()
    assert "Pregnancy: LI4 is a point to avoid" in page
    assert 'name="reason-1"' in page and 'name="reason-2"' not in page


def test_saving_li4_without_a_reason_is_refused(pregnant_note, practitioner_client):
    response = practitioner_client.post(
        reverse("treatments:quick_add", args=[pregnant_note.pk]),
        {"text": "LI4 both 60s; ST36 L", "reason-1": " "},
    )
    assert response.status_code == 400
    assert "give the reasons asked for" in response.content.decode()
    assert not PointApplication.objects.exists()


def test_with_a_reason_it_saves_and_the_reason_shows_in_the_chart(pregnant_note, practitioner_client):
    reason = "Client at 41 weeks, midwife asked for labour support"
    response = practitioner_client.post(
        reverse("treatments:quick_add", args=[pregnant_note.pk]),
        {"text": "LI4 both 60s; ST36 L", "reason-1": reason},
    )
    assert response.status_code == 302
    li4 = pregnant_note.applications.get(point__code="LI4")
    assert li4.override_reason == reason
    assert "Pregnancy" in li4.cautions_shown
    assert pregnant_note.applications.get(point__code="ST36").override_reason == ""

    chart = practitioner_client.get(
        reverse("treatments:chart", args=[pregnant_note.client_id])
    ).content.decode()
    assert reason in chart


def test_the_picker_form_also_needs_the_reason(pregnant_note, practitioner_client):
    url = reverse("treatments:application_add", args=[pregnant_note.pk])
    refused = practitioner_client.post(url, {"point": "Hegu", "side": "both"})
    assert refused.status_code == 400
    page = refused.content.decode()
    assert "Pregnancy: LI4 is a point to avoid" in page and "give a reason to go ahead" in page
    assert not PointApplication.objects.exists()

    accepted = practitioner_client.post(
        url, {"point": "Hegu", "side": "both", "override_reason": "Labour prep"}
    )
    assert accepted.status_code == 302
    assert pregnant_note.applications.get().override_reason == "Labour prep"


def test_the_database_refuses_a_caution_without_a_reason(note):
    from django.db import IntegrityError, transaction

    from treatments.models import Point

    with pytest.raises(IntegrityError), transaction.atomic():
        PointApplication.objects.create(
            note=note, point=Point.objects.get(code="LI4"), cautions_shown="Pregnancy"
        )


def test_a_point_never_pressed_is_flagged_for_every_client(note, practitioner_client):
    response = practitioner_client.post(reverse("treatments:quick_preview", args=[note.pk]), {"text": "CV8"})
    assert "CV8 is not pressed" in response.content.decode()


def test_a_local_condition_flags_points_in_its_region_on_its_side(practitioner, practitioner_client):
    client = make_client()
    make_intake(client, sites=[{"condition": "varicose_veins", "region": "lower_leg", "side": "left"}])
    note = make_note(practitioner, client=client)

    page = practitioner_client.post(
        reverse("treatments:quick_preview", args=[note.pk]), {"text": "ST36 L; ST36 R; ST36 both; LI4 L"}
    ).content.decode()

    assert 'name="reason-1"' in page  # left lower leg
    assert 'name="reason-2"' not in page  # right side is clear
    assert 'name="reason-3"' in page  # both sides reach the left
    assert 'name="reason-4"' not in page  # the hand is another region


# -- The rules themselves, without the database's screening -------------------------------------


class _Point:
    def __init__(self, code: str, region: str, midline: bool = False) -> None:
        self.code, self.region, self.midline = code, region, midline


def _screening(*findings: Finding) -> ScreeningResult:
    return ScreeningResult(status="caution", findings=findings, has_intake=True)


def _local(side: str, region: str = "lower_back") -> Finding:
    return Finding(
        condition="new_scar", label="New scar", kind="local", outcome="caution", regions=(region,), side=side
    )


@pytest.mark.parametrize(
    ("finding_side", "point", "side", "flagged"),
    [
        ("left", _Point("BL23", "lower_back"), "left", True),
        ("left", _Point("BL23", "lower_back"), "both", True),
        ("left", _Point("BL23", "lower_back"), "right", False),
        ("left", _Point("GV4", "lower_back", midline=True), "midline", True),
        ("right", _Point("BL23", "lower_back"), "left", False),
        ("both", _Point("BL23", "lower_back"), "right", True),
        ("", _Point("BL23", "lower_back"), "left", True),
        ("left", _Point("LI4", "hand"), "left", False),
    ],
)
def test_local_condition_rules(finding_side, point, side, flagged):
    flags = safety.flags_for(
        point, side=side, pressure=None, cautions=(), screening=_screening(_local(finding_side))
    )
    assert safety.needs_reason(flags) is flagged


def test_points_to_avoid_from_a_finding_are_flagged_without_a_caution_row():
    finding = Finding(
        condition="custom", label="Custom rule", kind="relative", outcome="caution", points_to_avoid=("ST36",)
    )
    flags = safety.flags_for(
        _Point("ST36", "lower_leg"), side="left", pressure=None, cautions=(), screening=_screening(finding)
    )
    assert [f.message for f in flags] == ["Custom rule: ST36 is a point to avoid."]


def test_pressure_above_a_point_cap_or_the_screening_cap_needs_a_reason():
    from treatments.models import CautionKind, PointCaution

    gentle = [PointCaution(kind=CautionKind.GENTLE_ONLY)]
    bl1 = _Point("BL1", "face")
    assert not safety.needs_reason(
        safety.flags_for(bl1, side="left", pressure=2, cautions=gentle, screening=None)
    )
    assert safety.needs_reason(
        safety.flags_for(bl1, side="left", pressure=3, cautions=gentle, screening=None)
    )
    capped = Finding(
        condition="blood_thinners", label="Blood thinners", kind="relative", outcome="caution", pressure_cap=2
    )
    st36 = _Point("ST36", "lower_leg")
    assert safety.needs_reason(
        safety.flags_for(st36, side="left", pressure=4, cautions=(), screening=_screening(capped))
    )
    unknown = safety.flags_for(st36, side="left", pressure=None, cautions=(), screening=_screening(capped))
    assert unknown and not safety.needs_reason(unknown)  # a reminder, not a block


def test_the_note_page_names_the_regions_of_a_local_finding(practitioner, practitioner_client):
    client = make_client()
    make_intake(client, sites=[{"condition": "varicose_veins", "region": "lower_leg", "side": "left"}])
    note = make_note(practitioner, client=client)
    page = practitioner_client.get(reverse("treatments:note", args=[note.pk])).content.decode()
    assert "Region: Lower leg (calf and shin) (left)" in page
