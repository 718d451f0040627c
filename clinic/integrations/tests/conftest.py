"""The integrations' test world: keys made through the service, and a client that calls the
API with one."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client as HttpClient

from clinic.integrations.models import ApiKey, Scope
from clinic.integrations.services import create_key

# The clinic's room and service (both practitioners, open hours), shared with its tests.
from clinic.tests.conftest import room, service  # noqa: F401

ALL_SCOPES = tuple(Scope.values)


class Api:
    """The test client with a key in the header, speaking JSON."""

    def __init__(self, raw_key: str | None) -> None:
        self.http = HttpClient()
        self.headers = {"X-Api-Key": raw_key} if raw_key else {}

    def get(self, path: str, **params: Any) -> Any:
        return self.http.get(f"/api/v1{path}", params, headers=self.headers)

    def post(self, path: str, data: Any = None) -> Any:
        return self.http.post(
            f"/api/v1{path}", data or {}, content_type="application/json", headers=self.headers
        )


def make_key(by: Any, *scopes: str, name: str = "Website") -> tuple[ApiKey, str]:
    return create_key(name=name, scopes=scopes or ALL_SCOPES, by=by)


@pytest.fixture
def key_and_raw(manager) -> tuple[ApiKey, str]:
    return make_key(manager)


@pytest.fixture
def api(key_and_raw) -> Api:
    return Api(key_and_raw[1])
