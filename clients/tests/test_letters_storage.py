"""Where physicians' letters are kept: a private local folder by default, an S3-compatible
bucket by setting. Only the configuration is checked here: nothing talks to a network."""

from __future__ import annotations

import runpy
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import FileSystemStorage, StorageHandler
from storages.backends.s3 import S3Storage

from clients.models import PhysicianClearance

SETTINGS = Path(__file__).resolve().parents[2] / "clinic" / "settings.py"
S3_ENV = {
    "LETTERS_STORAGE": "s3",
    "LETTERS_S3_BUCKET": "clinic-letters",
    "LETTERS_S3_ENDPOINT_URL": "https://s3.eu-west-1.example.net",
    "LETTERS_S3_REGION": "eu-west-1",
    "LETTERS_S3_ACCESS_KEY_ID": "AKIAEXAMPLE",
    "LETTERS_S3_SECRET_ACCESS_KEY": "not-a-real-secret",
    "LETTERS_S3_PREFIX": "letters",
}


def settings_with(monkeypatch, **env: str) -> dict:
    """The settings module run afresh with these variables (the real settings stay as they are)."""
    for name in ("LETTERS_STORAGE", *S3_ENV):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(SETTINGS))


def test_letters_stay_in_the_private_local_folder_by_default(monkeypatch, settings, tmp_path):
    fresh = settings_with(monkeypatch)
    assert fresh["STORAGES"]["letters"] == {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"file_permissions_mode": 0o600, "directory_permissions_mode": 0o700},
    }
    # The model's field uses the storage named "letters", which follows MEDIA_ROOT and has no URL
    # pattern serving it.
    storage = PhysicianClearance._meta.get_field("letter").storage
    assert isinstance(storage, FileSystemStorage)
    settings.MEDIA_ROOT = tmp_path
    assert Path(storage.path("clearances/x.pdf")) == tmp_path / "clearances" / "x.pdf"


def test_letters_storage_s3_selects_the_s3_backend_with_a_private_bucket(monkeypatch):
    fresh = settings_with(monkeypatch, **S3_ENV)
    config = fresh["STORAGES"]["letters"]
    assert config["BACKEND"] == "storages.backends.s3.S3Storage"
    # Building the storage reads the options only; boto3 connects on first use.
    storage = StorageHandler(fresh["STORAGES"])["letters"]
    assert isinstance(storage, S3Storage)
    assert storage.bucket_name == "clinic-letters"
    assert storage.endpoint_url == "https://s3.eu-west-1.example.net"
    assert storage.region_name == "eu-west-1"
    assert storage.location == "letters"
    assert storage.default_acl == "private"
    assert storage.querystring_auth is True
    assert storage.file_overwrite is False
    # The other storages are untouched.
    assert fresh["STORAGES"]["default"]["BACKEND"] == "django.core.files.storage.FileSystemStorage"


def test_letters_storage_s3_without_a_bucket_stops_start_up(monkeypatch):
    with pytest.raises(ImproperlyConfigured, match="LETTERS_S3_BUCKET"):
        settings_with(monkeypatch, LETTERS_STORAGE="s3")


def test_an_unknown_letters_storage_stops_start_up(monkeypatch):
    with pytest.raises(ImproperlyConfigured, match="LETTERS_STORAGE"):
        settings_with(monkeypatch, LETTERS_STORAGE="ftp")


def test_the_migration_records_the_callable_not_the_chosen_storage():
    field = PhysicianClearance._meta.get_field("letter")
    _name, _path, _args, kwargs = field.deconstruct()
    assert kwargs["storage"].__qualname__ == "letters_storage"
