"""The back office: a clinic adds its own points (trigger, ear) with unique codes; techniques are editable."""

from __future__ import annotations

import pytest
from django.urls import reverse

from clients.tests.builders import back_office_client
from treatments.models import Point, PointKind, Technique

pytestmark = pytest.mark.django_db


@pytest.fixture
def back_office(manager):
    return back_office_client(manager)


def _point_form(**fields):
    data = {
        "code": "TP-QL1",
        "kind": PointKind.TRIGGER,
        "channel": "",
        "number": "",
        "pinyin": "",
        "english": "Quadratus lumborum 1",
        "aliases": "",
        "is_active": "on",
        "region": "lower_back",
        "location": "Lateral to the erector spinae at L3.",
        "alt_location": "",
        "cautions-TOTAL_FORMS": "0",
        "cautions-INITIAL_FORMS": "0",
    }
    data.update(fields)
    return data


def test_a_clinic_adds_a_trigger_point_and_it_resolves_at_once(back_office):
    response = back_office.post(reverse("admin:treatments_point_add"), _point_form())
    assert response.status_code == 302
    assert Point.objects.resolve("tp ql1").english == "Quadratus lumborum 1"


def test_codes_are_unique(back_office):
    back_office.post(reverse("admin:treatments_point_add"), _point_form())
    response = back_office.post(reverse("admin:treatments_point_add"), _point_form(english="Another"))
    assert response.status_code == 200
    assert "already exists" in response.content.decode()
    assert Point.objects.filter(code="TP-QL1").count() == 1


def test_an_alias_may_not_take_another_points_code(back_office):
    response = back_office.post(reverse("admin:treatments_point_add"), _point_form(aliases="BL23"))
    assert response.status_code == 200
    assert not Point.objects.filter(code="TP-QL1").exists()


def test_a_who_point_needs_channel_and_number(back_office):
    response = back_office.post(reverse("admin:treatments_point_add"), _point_form(kind=PointKind.WHO))
    assert response.status_code == 200
    assert not Point.objects.filter(code="TP-QL1").exists()


def test_point_search_in_the_admin(back_office):
    page = back_office.get(reverse("admin:treatments_point_changelist"), {"q": "Shenshu"}).content.decode()
    assert "BL23" in page


def test_a_technique_short_name_cannot_stand_for_two_techniques(back_office):
    response = back_office.post(
        reverse("admin:treatments_technique_add"),
        {
            "name": "Thumb walking",
            "chinese_name": "",
            "short_names": "walk knead",
            "description": "",
            "order": "11",
            "is_active": "on",
        },
    )
    assert response.status_code == 200
    assert "knead already stands for Kneading" in response.content.decode()
    assert not Technique.objects.filter(name="Thumb walking").exists()
