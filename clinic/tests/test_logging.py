"""Logs are JSON lines with a request id and user id; a failure is one line with its traceback;
URL tokens and query-string values (names) never reach a log."""

from __future__ import annotations

import io
import json
import logging
from datetime import timedelta

import pytest
import structlog
from django.urls import path
from django.utils import timezone

from clients.models import IntakeLink, hash_token
from clients.tests.builders import make_client
from clinic.kernel.logs import logging_config, redact_path
from clinic.urls import urlpatterns as clinic_urlpatterns


def boom(request):
    raise RuntimeError("the view broke")


urlpatterns = [path("boom/", boom), *clinic_urlpatterns]


@pytest.fixture
def log_output():
    """What the configured handler writes, as text (the real handler, with its stream swapped)."""
    handlers = [
        h
        for h in logging.getLogger().handlers
        if isinstance(h, logging.StreamHandler)
        and isinstance(h.formatter, structlog.stdlib.ProcessorFormatter)
    ]
    assert len(handlers) == 1, "one handler formats every record"
    stream = io.StringIO()
    old = handlers[0].setStream(stream)
    yield stream
    handlers[0].setStream(old)


def _lines(stream: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]


@pytest.mark.urls(__name__)
def test_a_failing_request_is_one_json_line_with_its_traceback(manager, manager_client, log_output):
    manager_client.raise_request_exception = False
    response = manager_client.get("/boom/")
    assert response.status_code == 500
    lines = _lines(log_output)  # every line is JSON (json.loads would fail otherwise)
    failures = [line for line in lines if "exception" in line]
    assert len(failures) == 1, lines
    failure = failures[0]
    assert failure["event"] == "request_failed"
    assert failure["level"] == "error"
    assert failure["request_id"]
    assert failure["user_id"] == manager.pk
    assert failure["timestamp"]
    assert "Traceback" in failure["exception"]
    assert "RuntimeError: the view broke" in failure["exception"]
    assert log_output.getvalue().count("Traceback") == 1
    # The request's other lines carry the same request id.
    assert {line["request_id"] for line in lines} == {failure["request_id"]}


def test_an_intake_link_url_is_logged_without_its_token(client, db, log_output):
    token = "secret-intake-token-0123456789abcdef"
    IntakeLink.objects.create(
        client=make_client(),
        token_hash=hash_token(token),
        sent_to="client@example.com",
        expires_at=timezone.now() + timedelta(days=7),
    )
    assert client.get(f"/clients/intake/{token}/").status_code == 302
    client.get("/clients/intake/some-other-guess/")  # a 404 is logged too
    text = log_output.getvalue()
    assert "/clients/intake/[redacted]/" in text
    assert token not in text
    assert "some-other-guess" not in text


def test_the_calendar_feed_url_is_logged_without_its_token(client, practitioner, log_output):
    token = practitioner.regenerate_ical_token()
    assert client.get(f"/practitioners/feed/{token}.ics").status_code == 200
    text = log_output.getvalue()
    assert token not in text
    assert "/practitioners/feed/[redacted].ics" in text


def test_query_string_values_are_not_logged(reception_client, log_output):
    reception_client.get("/clinic/clients/search/?client_search=Okafor")
    text = log_output.getvalue()
    assert "Okafor" not in text
    assert "client_search=" in text


def test_the_level_is_configurable():
    assert logging_config(level="WARNING", renderer="json")["root"]["level"] == "WARNING"


def test_redaction_keeps_what_is_harmless():
    assert redact_path("/clinic/calendar/?date=2026-01-05&by=rooms") == "/clinic/calendar/?date=&by="
    assert redact_path("/clients/intake/abc123/") == "/clients/intake/[redacted]/"
    assert redact_path("/no/such/page/") == "/no/such/page/"


@pytest.mark.urls(__name__)
def test_request_lines_carry_the_client_address_by_the_proxy_rule(manager_client, settings, log_output):
    settings.PROXY_COUNT = 1
    manager_client.raise_request_exception = False
    manager_client.get("/boom/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.4")
    lines = _lines(log_output)
    assert {line.get("ip") for line in lines if line.get("request_id")} == {"198.51.100.4"}
