"""Protocols: saved point sets, private or shared, applied to a draft in one action with every
point held to the client's cautions as if added by hand."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clients.screening import screening_for
from clients.tests.builders import back_office_client
from treatments import services
from treatments.catalogue import current_catalogue
from treatments.models import PointApplication, Protocol
from treatments.tests.builders import add_point, make_note, make_pregnant_client, make_protocol

pytestmark = pytest.mark.django_db


@pytest.fixture
def pregnant_note(practitioner):
    return make_note(practitioner, client=make_pregnant_client())


def _apply(note, protocol, **reasons_and_skips):
    return services.apply_protocol(
        note_id=note.pk,
        user=note.practitioner.user,
        protocol_id=protocol.pk,
        reasons=reasons_and_skips.get("reasons", {}),
        skip=reasons_and_skips.get("skip", ()),
        catalogue=current_catalogue(),
        screening=screening_for(note.client),
    )


# -- The service --------------------------------------------------------------------------------


def test_a_protocol_is_added_in_order_with_its_settings(note):
    protocol = make_protocol(note.practitioner)
    added = _apply(note, protocol)
    assert [(a.point.code, a.side, a.duration_seconds, a.pressure) for a in added] == [
        ("BL23", "both", 60, None),
        ("LI4", "both", 60, None),
        ("ST36", "right", 90, 3),
    ]
    assert added[0].technique is not None and added[0].technique.name.startswith("Static")
    assert all(a.cautions_shown == "" and a.override_reason == "" for a in added)


def test_a_pregnancy_caution_point_asks_for_a_reason_and_nothing_is_added(pregnant_note):
    protocol = make_protocol(pregnant_note.practitioner)
    with pytest.raises(services.ProtocolNeedsReasons) as refused:
        _apply(pregnant_note, protocol)
    assert [p.item.point.code for p in refused.value.pending] == ["LI4"]
    assert any("Pregnancy" in f.message for f in refused.value.pending[0].flags)
    assert not pregnant_note.applications.exists()


def test_with_a_reason_the_caution_and_the_reason_are_kept_as_for_a_point_added_by_hand(pregnant_note):
    protocol = make_protocol(pregnant_note.practitioner)
    li4 = protocol.items.get(point__code="LI4")
    _apply(pregnant_note, protocol, reasons={li4.pk: "Doctor's clearance; light hold only"})
    row = pregnant_note.applications.get(point__code="LI4")
    assert "LI4" in row.cautions_shown and row.override_reason == "Doctor's clearance; light hold only"
    assert pregnant_note.applications.get(point__code="BL23").cautions_shown == ""


def test_a_point_left_out_on_purpose_is_not_added(pregnant_note):
    protocol = make_protocol(pregnant_note.practitioner)
    li4 = protocol.items.get(point__code="LI4")
    added = _apply(pregnant_note, protocol, skip=[li4.pk])
    assert [a.point.code for a in added] == ["BL23", "ST36"]


def test_a_pressure_above_the_clients_cap_needs_a_reason_too(practitioner):
    note = make_note(practitioner, client=make_pregnant_client())  # pregnancy caps pressure at 3
    protocol = make_protocol(practitioner, line="ST36 R 60s p5")
    with pytest.raises(services.ProtocolNeedsReasons):
        _apply(note, protocol)


def test_another_practitioners_private_protocol_cannot_be_applied(note, other_practitioner):
    private = make_protocol(other_practitioner)
    with pytest.raises(services.NoteError, match="not one of yours"):
        _apply(note, private)
    assert not note.applications.exists()


def test_a_signed_note_takes_no_protocol(note):
    protocol = make_protocol(note.practitioner)
    add_point(note, "GB39")
    note.subjective = "Better"
    note.save()
    services.sign_note(note_id=note.pk, user=note.practitioner.user)
    with pytest.raises(services.NoteLocked):
        _apply(note, protocol)


def test_only_the_owner_or_a_manager_for_a_shared_one_changes_a_protocol(
    practitioner, other_practitioner, manager
):
    private = make_protocol(practitioner)
    shared = make_protocol(practitioner, name="Neck", shared=True)
    step = services.ProtocolStep(point=private.items.first().point, side="both")
    for user, protocol in (
        (other_practitioner.user, private),
        (other_practitioner.user, shared),
        (manager, private),
    ):
        with pytest.raises(PermissionDenied):
            services.save_protocol(
                user=user, protocol_id=protocol.pk, name="x", description="", shared=True, steps=[step]
            )
    services.save_protocol(
        user=manager, protocol_id=shared.pk, name="Neck (clinic)", description="", shared=True, steps=[step]
    )
    shared.refresh_from_db()
    assert shared.name == "Neck (clinic)" and shared.items.count() == 1


# -- The pages ----------------------------------------------------------------------------------


def test_a_practitioner_saves_a_private_protocol_from_a_quick_line(practitioner, practitioner_client):
    response = practitioner_client.post(
        reverse("treatments:protocol_create"),
        {
            "name": "Low back",
            "description": "",
            "points": "UB23 both 60s static; BL40 both 60s; GB30 L 90s p3",
        },
    )
    assert response.status_code == 302
    protocol = Protocol.objects.get()
    assert protocol.owner == practitioner and not protocol.shared
    assert [i.point.code for i in protocol.items.all()] == ["BL23", "BL40", "GB30"]


def test_bad_points_are_refused_next_to_the_field_with_the_input_kept(practitioner_client):
    response = practitioner_client.post(
        reverse("treatments:protocol_create"), {"name": "Low back", "points": "BL23 both; XQ99 L; B47 both"}
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "Entry 2 (“XQ99 L”): no such point." in page
    assert "Entry 3 (“B47 both”): could be BL47 or BL52; write the WHO code you mean." in page
    assert "BL23 both; XQ99 L; B47 both" in page
    assert not Protocol.objects.exists()


def test_a_manager_who_is_not_a_practitioner_keeps_only_shared_protocols(manager_client):
    response = manager_client.post(
        reverse("treatments:protocol_create"), {"name": "Neck", "points": "GB20 both"}
    )
    assert response.status_code == 400
    assert "Only a practitioner keeps a private protocol" in response.content.decode()
    response = manager_client.post(
        reverse("treatments:protocol_create"), {"name": "Neck", "points": "GB20 both", "shared": "on"}
    )
    assert response.status_code == 302
    assert Protocol.objects.get().shared and Protocol.objects.get().owner is None


def test_private_protocols_are_hidden_from_others_and_shared_ones_listed_for_all(
    practitioner, other_practitioner_client, manager_client
):
    make_protocol(practitioner, name="Mine only")
    shared = make_protocol(practitioner, name="Clinic neck", shared=True)
    private = Protocol.objects.get(name="Mine only")
    page = other_practitioner_client.get(reverse("treatments:protocols")).content.decode()
    assert "Clinic neck" in page and "Mine only" not in page
    assert (
        other_practitioner_client.get(reverse("treatments:protocol_edit", args=[private.pk])).status_code
        == 403
    )
    # Shared: seen by another practitioner, but changed only by its owner or a manager.
    assert (
        other_practitioner_client.get(reverse("treatments:protocol_edit", args=[shared.pk])).status_code
        == 403
    )
    assert (
        other_practitioner_client.post(reverse("treatments:protocol_delete", args=[shared.pk])).status_code
        == 403
    )
    assert manager_client.get(reverse("treatments:protocol_edit", args=[shared.pk])).status_code == 200
    assert manager_client.post(reverse("treatments:protocol_delete", args=[private.pk])).status_code == 403
    assert manager_client.post(reverse("treatments:protocol_delete", args=[shared.pk])).status_code == 302
    assert list(Protocol.objects.values_list("name", flat=True)) == ["Mine only"]


def test_the_edit_page_shows_the_points_as_a_quick_line_and_saves_changes(practitioner, practitioner_client):
    protocol = make_protocol(practitioner)
    url = reverse("treatments:protocol_edit", args=[protocol.pk])
    assert (
        "BL23 both 60s static; LI4 both 60s; ST36 right 90s p3"
        in practitioner_client.get(url).content.decode()
    )
    response = practitioner_client.post(
        url, {"name": "Low back 2", "points": "BL23 both 60s static; GV4 45s"}
    )
    assert response.status_code == 302
    assert [(i.point.code, i.side) for i in protocol.items.all()] == [("BL23", "both"), ("GV4", "midline")]


def test_the_list_runs_a_fixed_number_of_queries(practitioner, practitioner_client):
    def count() -> int:
        practitioner_client.get(reverse("treatments:protocols"))
        with CaptureQueriesContext(connection) as queries:
            assert practitioner_client.get(reverse("treatments:protocols")).status_code == 200
        return len(queries)

    make_protocol(practitioner, name="One")
    few = count()
    for n in range(5):
        make_protocol(practitioner, name=f"More {n}", shared=bool(n % 2))
    assert count() == few


def test_applying_on_the_note_page_asks_for_each_caution_reason_then_adds_all(
    pregnant_note, practitioner_client
):
    protocol = make_protocol(pregnant_note.practitioner)
    li4 = protocol.items.get(point__code="LI4")
    url = reverse("treatments:protocol_apply", args=[pregnant_note.pk])

    asked = practitioner_client.post(url, {"protocol": protocol.pk})
    page = asked.content.decode()
    assert asked.status_code == 400
    assert f'name="reason-{li4.pk}"' in page and f'name="skip-{li4.pk}"' in page
    assert "Nothing was added yet" in page and "Pregnancy: LI4 is a point to avoid" in page
    assert not pregnant_note.applications.exists()

    done = practitioner_client.post(
        url, {"protocol": protocol.pk, f"reason-{li4.pk}": "Cleared by her midwife"}
    )
    assert done.status_code == 302
    assert [a.point.code for a in PointApplication.objects.filter(note=pregnant_note)] == [
        "BL23",
        "LI4",
        "ST36",
    ]
    assert pregnant_note.applications.get(point__code="LI4").override_reason == "Cleared by her midwife"


def test_a_protocol_not_visible_to_the_user_is_a_field_error(note, other_practitioner, practitioner_client):
    private = make_protocol(other_practitioner)
    response = practitioner_client.post(
        reverse("treatments:protocol_apply", args=[note.pk]), {"protocol": private.pk}
    )
    assert response.status_code == 400 and "Select a valid choice" in response.content.decode()
    assert not note.applications.exists()


def test_only_the_notes_author_applies_a_protocol(note, other_practitioner_client, other_practitioner):
    protocol = make_protocol(other_practitioner)
    response = other_practitioner_client.post(
        reverse("treatments:protocol_apply", args=[note.pk]), {"protocol": protocol.pk}
    )
    assert response.status_code == 403 and not note.applications.exists()


# -- The admin: the same form and service --------------------------------------------------------


def _admin_post(protocol: Protocol, **fields: str) -> dict[str, str]:
    """The change form as posted: the fields and the read-only items inline's management form."""
    ids = list(protocol.items.values_list("pk", flat=True))
    data = {
        "items-TOTAL_FORMS": str(len(ids)),
        "items-INITIAL_FORMS": str(len(ids)),
        "items-MIN_NUM_FORMS": "0",
    }
    data["items-MAX_NUM_FORMS"] = "1000"
    for n, pk in enumerate(ids):
        data[f"items-{n}-id"] = str(pk)
        data[f"items-{n}-protocol"] = str(protocol.pk)
    return data | {"description": ""} | fields


def test_the_admin_edits_through_the_protocol_form_and_service(practitioner, manager):
    back_office = back_office_client(manager)
    shared = make_protocol(practitioner, name="Clinic neck", shared=True)
    url = reverse("admin:treatments_protocol_change", args=[shared.pk])
    refused = back_office.post(url, _admin_post(shared, name="Clinic neck", shared="on", points="XQ99 both"))
    assert refused.status_code == 200 and "no such point" in refused.content.decode()
    saved = back_office.post(
        url, _admin_post(shared, name="Clinic neck", shared="on", points="GB20 both 60s; GB21 both")
    )
    assert saved.status_code == 302
    assert [i.point.code for i in shared.items.all()] == ["GB20", "GB21"]


def test_the_admin_refuses_a_managers_change_to_a_private_protocol(practitioner, manager):
    back_office = back_office_client(manager)
    private = make_protocol(practitioner)
    url = reverse("admin:treatments_protocol_change", args=[private.pk])
    response = back_office.post(url, _admin_post(private, name="Hijacked", shared="on", points="GB20 both"))
    assert response.status_code == 403
    private.refresh_from_db()
    assert private.name == "Low back" and not private.shared
    # No bulk delete, which would pass over the service's check of who may delete.
    changelist = back_office.get(reverse("admin:treatments_protocol_changelist")).content.decode()
    assert "delete_selected" not in changelist
