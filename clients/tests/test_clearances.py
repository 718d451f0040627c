"""Physician clearances: recorded with a private letter that only clinicians can read."""

from __future__ import annotations

import os
import runpy
import stat
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from clients.models import ContraindicationRule, PhysicianClearance
from clients.screening import screening_for
from clients.tests.builders import make_client, make_intake

pytestmark = pytest.mark.django_db

SETTINGS = Path(__file__).resolve().parents[2] / "clinic" / "settings.py"
PDF = b"%PDF-1.4\n% a doctor's letter\n"


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def clearance_data(letter=None, **overrides):
    today = timezone.localdate()
    data = {
        "conditions": [ContraindicationRule.objects.get(condition="pregnancy").pk],
        "physician_name": "Dr Imogen Reyes",
        "physician_contact": "Riverside Surgery",
        "issued_on": today.isoformat(),
        "expires_on": (today + timedelta(days=90)).isoformat(),
        "note": "",
    }
    if letter is not None:
        data["letter"] = letter
    data.update(overrides)
    return data


def test_recording_a_clearance_lifts_needs_clearance(practitioner_client, practitioner, private_media):
    client = make_client()
    make_intake(client, pregnant=True)
    assert screening_for(client).status == "needs_clearance"
    letter = SimpleUploadedFile("Jane pregnancy letter.pdf", PDF, content_type="application/pdf")
    response = practitioner_client.post(
        reverse("clients:clearance_new", args=[client.pk]), clearance_data(letter)
    )
    assert response.status_code == 302
    clearance = PhysicianClearance.objects.get()
    assert clearance.recorded_by == practitioner.user
    assert clearance.letter_content_type == "application/pdf"
    # The stored name keeps nothing of the uploaded one, and the file sits under MEDIA_ROOT.
    assert "pregnancy" not in clearance.letter.name and "Jane" not in clearance.letter.name
    assert (private_media / clearance.letter.name).read_bytes() == PDF
    assert screening_for(client).status == "caution"


def test_a_clinician_downloads_the_letter_through_the_view(practitioner_client):
    client = make_client()
    practitioner_client.post(
        reverse("clients:clearance_new", args=[client.pk]),
        clearance_data(SimpleUploadedFile("l.pdf", PDF, content_type="application/pdf")),
    )
    clearance = PhysicianClearance.objects.get()
    response = practitioner_client.get(reverse("clients:clearance_letter", args=[client.pk, clearance.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"]
    assert b"".join(response.streaming_content) == PDF
    # A download, never shown inline in the app's origin, whatever the query string asks.
    assert response["Content-Disposition"] == f'attachment; filename="clearance-{clearance.pk}.pdf"'
    inline = practitioner_client.get(
        reverse("clients:clearance_letter", args=[client.pk, clearance.pk]), {"download": "0"}
    )
    assert inline["Content-Disposition"].startswith("attachment;")


def test_an_uploaded_letter_and_its_folders_are_the_apps_user_s_alone(practitioner_client, private_media):
    old_umask = os.umask(0o022)  # a common default that would leave the file readable by all
    try:
        practitioner_client.post(
            reverse("clients:clearance_new", args=[make_client().pk]),
            clearance_data(SimpleUploadedFile("l.pdf", PDF, content_type="application/pdf")),
        )
    finally:
        os.umask(old_umask)
    path = private_media / PhysicianClearance.objects.get().letter.name
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    folder = path.parent
    while folder != private_media:
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder
        folder = folder.parent


def test_letters_are_kept_outside_the_code_folder_by_default(monkeypatch):
    monkeypatch.delenv("MEDIA_ROOT", raising=False)
    fresh = runpy.run_path(str(SETTINGS))
    assert not fresh["MEDIA_ROOT"].is_relative_to(fresh["BASE_DIR"])
    monkeypatch.setenv("MEDIA_ROOT", "/srv/clinic/letters")
    assert runpy.run_path(str(SETTINGS))["MEDIA_ROOT"] == Path("/srv/clinic/letters")


def test_the_letter_limit_is_a_setting(practitioner_client, settings):
    settings.LETTER_MAX_BYTES = 1024 * 1024
    letter = SimpleUploadedFile("l.pdf", b"%PDF-" + b"0" * (1024 * 1024), content_type="application/pdf")
    response = practitioner_client.post(
        reverse("clients:clearance_new", args=[make_client().pk]), clearance_data(letter)
    )
    assert response.status_code == 400
    assert "larger than 1 MB" in response.content.decode()
    assert not PhysicianClearance.objects.exists()


def test_reception_and_outsiders_cannot_read_the_letter(
    practitioner_client, reception_client, outsider_client
):
    client = make_client()
    practitioner_client.post(
        reverse("clients:clearance_new", args=[client.pk]),
        clearance_data(SimpleUploadedFile("l.pdf", PDF, content_type="application/pdf")),
    )
    url = reverse("clients:clearance_letter", args=[client.pk, PhysicianClearance.objects.get().pk])
    assert reception_client.get(url).status_code == 403
    assert outsider_client.get(url).status_code == 403


def test_the_letter_has_no_public_url(practitioner_client, settings):
    client = make_client()
    practitioner_client.post(
        reverse("clients:clearance_new", args=[client.pk]),
        clearance_data(SimpleUploadedFile("l.pdf", PDF, content_type="application/pdf")),
    )
    name = PhysicianClearance.objects.get().letter.name
    # MEDIA_URL may be set (the test server wants one), but no URL pattern serves it.
    for prefix in (settings.MEDIA_URL or "/media/", "/media/", "/private_media/", "/"):
        assert practitioner_client.get(prefix + name).status_code == 404


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("letter.exe", b"MZ\x90\x00", "PDF, JPEG or PNG"),
        ("letter.pdf", b"<html>not a pdf</html>", "PDF, JPEG or PNG"),
        ("letter.pdf", b"%PDF-" + b"0" * (10 * 1024 * 1024 + 1), "larger than 10 MB"),
    ],
)
def test_bad_uploads_are_refused(practitioner_client, name, content, message):
    client = make_client()
    response = practitioner_client.post(
        reverse("clients:clearance_new", args=[client.pk]), clearance_data(SimpleUploadedFile(name, content))
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not PhysicianClearance.objects.exists()


@pytest.mark.parametrize(
    ("kind", "content"), [("jpg", b"\xff\xd8\xff\xe0JFIF"), ("png", b"\x89PNG\r\n\x1a\nxx")]
)
def test_images_are_accepted(practitioner_client, kind, content):
    client = make_client()
    response = practitioner_client.post(
        reverse("clients:clearance_new", args=[client.pk]),
        clearance_data(SimpleUploadedFile(f"a.{kind}", content)),
    )
    assert response.status_code == 302


def test_expiry_before_the_letter_date_is_refused(practitioner_client):
    client = make_client()
    today = timezone.localdate()
    data = clearance_data(expires_on=(today - timedelta(days=1)).isoformat())
    response = practitioner_client.post(reverse("clients:clearance_new", args=[client.pk]), data)
    assert response.status_code == 400
    assert "expires_on" in response.context["form"].errors


def test_a_clearance_without_a_letter_has_no_letter_to_download(practitioner_client):
    client = make_client()
    practitioner_client.post(reverse("clients:clearance_new", args=[client.pk]), clearance_data())
    clearance = PhysicianClearance.objects.get()
    url = reverse("clients:clearance_letter", args=[client.pk, clearance.pk])
    assert practitioner_client.get(url).status_code == 404
