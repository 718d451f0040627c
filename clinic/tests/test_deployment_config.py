"""The deployment files in deploy/ agree with the app: gunicorn's settings load and say what the
README promises, nginx accepts a letter of the largest size the form takes, and the systemd units
start what exists."""

from __future__ import annotations

import re
import runpy
from pathlib import Path

from django.conf import settings
from gunicorn.config import Config

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
# The database statement timeout (seconds) the gunicorn and nginx timeouts are built around.
STATEMENT_TIMEOUT = 15
TOKEN = "AbCdEfGhIjKlMnOpQrStUvWxYz0123456789abcdefg"


def gunicorn_settings(monkeypatch) -> dict:
    for name in ("GUNICORN_WORKERS", "GUNICORN_TIMEOUT", "GUNICORN_GRACEFUL_TIMEOUT", "GUNICORN_BIND"):
        monkeypatch.delenv(name, raising=False)
    return runpy.run_path(str(DEPLOY / "gunicorn.conf.py"))


def test_the_gunicorn_config_loads_with_the_expected_settings(monkeypatch):
    conf = gunicorn_settings(monkeypatch)
    config = Config()
    for key in (
        "wsgi_app",
        "bind",
        "worker_class",
        "workers",
        "timeout",
        "graceful_timeout",
        "max_requests",
        "max_requests_jitter",
        "accesslog",
        "access_log_format",
        "logger_class",
        "forwarded_allow_ips",
    ):
        assert key in conf, key
        config.set(key, conf[key])  # gunicorn's own validation of each value
    assert conf["wsgi_app"] == "clinic.wsgi:application"
    assert conf["worker_class"] in {"sync", "gthread"}
    assert conf["workers"] >= 2
    assert conf["timeout"] > STATEMENT_TIMEOUT
    assert 0 < conf["graceful_timeout"] <= conf["timeout"]
    assert conf["max_requests"] > 0 and 0 < conf["max_requests_jitter"] < conf["max_requests"]
    assert config.logger_class is conf["RedactingLogger"]


def test_the_access_log_leaves_out_query_strings_referrers_and_tokens(monkeypatch):
    conf = gunicorn_settings(monkeypatch)
    log_format = conf["access_log_format"]
    # %(r)s is the raw request line (query string included), %(q)s the query, %(f)s the referrer.
    assert not re.search(r"%\((r|q|f)\)s", log_format)
    assert "%(U)s" in log_format
    redact = conf["redact_path"]
    assert redact(f"/clients/intake/{TOKEN}/") == "/clients/intake/[redacted]/"
    assert redact(f"/practitioners/feed/{TOKEN}.ics") == "/practitioners/feed/[redacted].ics"
    assert redact("/clients/12/clearances/3/letter/") == "/clients/12/clearances/3/letter/"


def test_nginx_takes_a_letter_of_the_largest_size_the_form_accepts():
    text = (DEPLOY / "nginx.conf").read_text()
    value, unit = re.search(r"client_max_body_size\s+(\d+)([kKmM]?);", text).groups()
    limit = int(value) * {"": 1, "k": 1024, "m": 1024 * 1024}[unit.lower()]
    assert limit >= settings.LETTER_MAX_BYTES + 64 * 1024, "no margin for the form's other fields"
    # The same limit as the app's: nginx refuses what the app would refuse, no less, no more.
    assert limit == settings.MAX_REQUEST_BYTES
    for directive in ("proxy_request_buffering on;", "proxy_buffering on;", "X-Forwarded-Proto $scheme"):
        assert directive in text
    read_timeout = int(re.search(r"proxy_read_timeout\s+(\d+)s;", text).group(1))
    assert read_timeout > gunicorn_default("GUNICORN_TIMEOUT")


def gunicorn_default(variable: str) -> int:
    """The default deploy/gunicorn.conf.py gives a GUNICORN_* variable."""
    text = (DEPLOY / "gunicorn.conf.py").read_text()
    return int(re.search(rf'"{variable}", "(\d+)"', text).group(1))


def test_the_systemd_units_run_the_web_server_and_the_task_worker_and_restart_them():
    web = (DEPLOY / "clinic-web.service").read_text()
    worker = (DEPLOY / "clinic-worker.service").read_text()
    assert "gunicorn --config deploy/gunicorn.conf.py" in web
    assert "manage.py db_worker" in worker
    assert "Restart=on-failure" in web and "Restart=always" in worker
    # systemd waits for gunicorn's graceful stop before it kills.
    stop = int(re.search(r"TimeoutStopSec=(\d+)", web).group(1))
    assert stop > gunicorn_default("GUNICORN_GRACEFUL_TIMEOUT")
