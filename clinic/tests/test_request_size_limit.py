"""Request bodies over MAX_REQUEST_BYTES are refused (413) from the declared length, before a
byte is read: a large upload is never written to a temporary file, on any page."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import TemporaryFileUploadHandler
from django.urls import reverse

from clients.tests.builders import make_client
from clients.tests.test_clearances import clearance_data

FIFTY_MB = 50 * 1024 * 1024
BOUNDARY = "clinic-test-boundary"


class UnreadBody(io.RawIOBase):
    """A 50 MB multipart body that is produced only if someone reads it, and counts what is read."""

    def __init__(self) -> None:
        self.head = (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="letter"; filename="big.pdf"\r\n'
            "Content-Type: application/pdf\r\n\r\n"
        ).encode()
        self.bytes_read = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        size = min(len(buffer), FIFTY_MB - self.bytes_read)
        buffer[:size] = (self.head + b"0" * size)[:size] if self.bytes_read == 0 else b"0" * size
        self.bytes_read += size
        return size


@pytest.fixture
def temporary_files(monkeypatch):
    """Every temporary upload file opened during the test."""
    opened: list[str] = []
    original = TemporaryFileUploadHandler.new_file

    def spy(self, *args, **kwargs):
        opened.append(args[1] if len(args) > 1 else kwargs.get("file_name", "?"))
        return original(self, *args, **kwargs)

    monkeypatch.setattr(TemporaryFileUploadHandler, "new_file", spy)
    return opened


def test_a_50_mb_post_to_the_login_page_is_refused_unread(client, db, temporary_files):
    body = UnreadBody()
    response = client.generic(
        "POST",
        reverse("login"),
        b"x",  # replaced by the stream below; the declared length is what counts
        content_type=f"multipart/form-data; boundary={BOUNDARY}",
        CONTENT_LENGTH=str(FIFTY_MB),
        **{"wsgi.input": body},
    )
    assert response.status_code == 413
    assert body.bytes_read == 0
    assert temporary_files == []


def test_the_limit_follows_the_setting(client, db, settings):
    settings.MAX_REQUEST_BYTES = 1024
    small = client.post(reverse("login"), {"username": "x", "password": "y"})
    assert small.status_code == 200
    big = client.post(reverse("login"), {"username": "x", "password": "y" * 2000})
    assert big.status_code == 413


def test_the_default_limit_is_the_letter_limit_and_a_megabyte(settings):
    assert settings.LETTER_MAX_BYTES == 10 * 1024 * 1024
    assert settings.MAX_REQUEST_BYTES == settings.LETTER_MAX_BYTES + 1024 * 1024


def test_a_letter_of_the_largest_size_still_gets_through(practitioner_client, settings):
    """The form, not the limit, judges a letter the size the form accepts."""
    letter = SimpleUploadedFile("l.pdf", b"%PDF-" + b"0" * (settings.LETTER_MAX_BYTES - 5))
    response = practitioner_client.post(
        reverse("clients:clearance_new", args=[make_client().pk]), clearance_data(letter)
    )
    assert response.status_code == 302
