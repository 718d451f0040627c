"""Who may open which client page: outsiders never; reception never the clinical ones."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from clients.tests.builders import make_clearance, make_client, make_intake


@pytest.fixture
def world(db, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    client = make_client()
    intake = make_intake(client, needs_review=True)
    clearance = make_clearance(client, ["pregnancy"])
    clearance.letter.save("letter.pdf", ContentFile(b"%PDF-1.4 test letter"))
    clearance.letter_content_type = "application/pdf"
    clearance.save()
    return {"pk": client.pk, "intake_pk": intake.pk, "clearance_pk": clearance.pk}


# name, URL kwargs (keys of `world`), method
STAFF_PAGES = [
    ("clients:list", [], "get"),
    ("clients:create", [], "get"),
    ("clients:detail", ["pk"], "get"),
    ("clients:edit", ["pk"], "get"),
    ("clients:health_update", ["pk"], "get"),
    ("clients:archive", ["pk"], "post"),
    ("clients:restore", ["pk"], "post"),
    ("clients:send_intake_link", ["pk"], "post"),
]
CLINICAL_PAGES = [
    ("clients:intakes_to_review", [], "get"),
    ("clients:intake_new", ["pk"], "get"),
    ("clients:intake_detail", ["pk", "intake_pk"], "get"),
    ("clients:intake_review", ["pk", "intake_pk"], "post"),
    ("clients:clearance_new", ["pk"], "get"),
    ("clients:clearance_letter", ["pk", "clearance_pk"], "get"),
]


def _fetch(http, world, name, keys, method):
    url = reverse(name, kwargs={k: world[k] for k in keys})
    return getattr(http, method)(url)


@pytest.mark.parametrize(("name", "keys", "method"), STAFF_PAGES + CLINICAL_PAGES, ids=lambda v: str(v))
def test_outsider_is_refused(outsider_client, world, name, keys, method):
    assert _fetch(outsider_client, world, name, keys, method).status_code == 403


@pytest.mark.parametrize(("name", "keys", "method"), STAFF_PAGES + CLINICAL_PAGES, ids=lambda v: str(v))
def test_anonymous_is_sent_to_login(client, world, name, keys, method):
    response = _fetch(client, world, name, keys, method)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize(("name", "keys", "method"), STAFF_PAGES, ids=lambda v: str(v))
def test_reception_may_use_the_front_desk_pages(reception_client, world, name, keys, method):
    assert _fetch(reception_client, world, name, keys, method).status_code in (200, 302)


@pytest.mark.parametrize(("name", "keys", "method"), CLINICAL_PAGES, ids=lambda v: str(v))
def test_reception_is_refused_clinical_pages(reception_client, world, name, keys, method):
    assert _fetch(reception_client, world, name, keys, method).status_code == 403


@pytest.mark.parametrize(("name", "keys", "method"), STAFF_PAGES + CLINICAL_PAGES, ids=lambda v: str(v))
@pytest.mark.parametrize("who", ["practitioner_client", "manager_client"])
def test_clinicians_may_use_every_page(request, world, who, name, keys, method):
    http = request.getfixturevalue(who)
    assert _fetch(http, world, name, keys, method).status_code in (200, 302)


def test_an_unknown_client_is_404(practitioner_client, db):
    assert practitioner_client.get(reverse("clients:detail", args=[999999])).status_code == 404


def test_an_intake_of_another_client_is_404(practitioner_client, world):
    other = make_client()
    url = reverse("clients:intake_detail", args=[other.pk, world["intake_pk"]])
    assert practitioner_client.get(url).status_code == 404


def test_a_clearance_letter_of_another_client_is_404(practitioner_client, world):
    other = make_client()
    url = reverse("clients:clearance_letter", args=[other.pk, world["clearance_pk"]])
    assert practitioner_client.get(url).status_code == 404
