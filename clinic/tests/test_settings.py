"""Settings read from the environment fail loudly on bad values; production settings pass
Django's deployment checklist."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from clinic.settings import env_bool, env_int, env_list

ROOT = Path(__file__).resolve().parents[2]
KEY = "x7#kq!2v9-production-like-secret-key-with-enough-entropy-Zp4&Lm8"


def test_env_bool_reads_yes_and_no(monkeypatch):
    monkeypatch.setenv("FLAG", "True")
    assert env_bool("FLAG", False) is True
    monkeypatch.setenv("FLAG", "0")
    assert env_bool("FLAG", True) is False
    monkeypatch.delenv("FLAG")
    assert env_bool("FLAG", True) is True


def test_env_bool_refuses_a_typo(monkeypatch):
    monkeypatch.setenv("FLAG", "ture")
    with pytest.raises(ImproperlyConfigured, match="FLAG"):
        env_bool("FLAG", False)


def test_env_int_refuses_words(monkeypatch):
    monkeypatch.setenv("NUM", "ten")
    with pytest.raises(ImproperlyConfigured, match="NUM"):
        env_int("NUM", 1)


def test_env_list_splits_on_commas(monkeypatch):
    monkeypatch.setenv("HOSTS", "a.example, b.example,,")
    assert env_list("HOSTS", []) == ["a.example", "b.example"]


KEPT_OUT_OF_SUBPROCESSES = {
    "DEBUG",
    "SECRET_KEY",
    "DJANGO_SETTINGS_MODULE",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
    "TWO_FACTOR_REQUIRED",
}


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    # The browser tests' DJANGO_ALLOW_ASYNC_UNSAFE must not leak into the production check.
    base = {k: v for k, v in os.environ.items() if k not in KEPT_OUT_OF_SUBPROCESSES}
    base.update(env)
    return subprocess.run(  # noqa: S603 - our own manage.py with fixed arguments
        [sys.executable, "manage.py", *args], cwd=ROOT, env=base, capture_output=True, text=True, timeout=120
    )


def test_debug_is_off_unless_set():
    # No DEBUG and no SECRET_KEY: a production server, which refuses to start without its key.
    result = _manage("check")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr
    shown = _manage("shell", "-c", "from django.conf import settings; print(settings.DEBUG)", SECRET_KEY=KEY)
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.strip().splitlines()[-1] == "False"


@pytest.mark.parametrize("backend", ["console", "locmem", "filebased"])
def test_with_debug_off_an_email_backend_that_sends_nothing_stops_start_up(backend):
    dotted = f"django.core.mail.backends.{backend}.EmailBackend"
    refused = _manage("check", DEBUG="0", SECRET_KEY=KEY, EMAIL_BACKEND=dotted)
    assert refused.returncode != 0
    assert "ALLOW_INSECURE_EMAIL_BACKEND" in refused.stderr
    allowed = _manage(
        "check", DEBUG="0", SECRET_KEY=KEY, EMAIL_BACKEND=dotted, ALLOW_INSECURE_EMAIL_BACKEND="1"
    )
    assert allowed.returncode == 0, allowed.stderr


def test_with_debug_on_the_console_shows_emails():
    code = "from django.conf import settings; print(settings.EMAIL_BACKEND)"
    shown = _manage("shell", "-c", code, DEBUG="1")
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.strip().splitlines()[-1] == "django.core.mail.backends.console.EmailBackend"


def test_two_factor_sign_in_is_required_unless_relaxed():
    code = "from django.conf import settings; print(settings.TWO_FACTOR_REQUIRED)"
    default = _manage("shell", "-c", code, DEBUG="1")
    assert default.returncode == 0, default.stderr
    assert default.stdout.strip().splitlines()[-1] == "True"
    relaxed = _manage("shell", "-c", code, DEBUG="1", TWO_FACTOR_REQUIRED="0")
    assert relaxed.stdout.strip().splitlines()[-1] == "False"


@pytest.mark.parametrize("target", ["demo", "run"])
def test_make_demo_and_run_turn_debug_on(tmp_path, target):
    """The recipes run in development mode, with two-factor sign-in relaxed so the printed demo
    logins work: a stand-in python prints the DEBUG and TWO_FACTOR_REQUIRED it was given."""
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    fake = venv / "bin" / "python"
    fake.write_text('#!/bin/sh\necho "DEBUG=$DEBUG TWO_FACTOR_REQUIRED=$TWO_FACTOR_REQUIRED $*"\n')
    fake.chmod(0o755)
    (venv / ".runtime").touch()
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "MAKEFLAGS", "MAKELEVEL", "TWO_FACTOR_REQUIRED"}
    }
    result = subprocess.run(  # noqa: S603 - make with fixed arguments
        ["make", "-s", target, f"VENV={venv}"],  # noqa: S607 - make from PATH, as the README says
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    ran = [line for line in result.stdout.splitlines() if "manage.py" in line]
    assert any("seed_demo" in line for line in ran)
    if target == "run":
        assert any("runserver" in line for line in ran)
    assert ran and all(line.startswith("DEBUG=1 TWO_FACTOR_REQUIRED=0 ") for line in ran), ran


def test_refuses_to_start_without_a_secret_key_when_debug_is_off():
    result = _manage("check", DEBUG="0")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_deploy_check_is_clean_with_production_settings():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="0",
        SECRET_KEY=KEY,
        ALLOWED_HOSTS="clinic.example",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_a_cache_url_that_is_not_redis_stops_start_up():
    result = _manage("check", DEBUG="1", CACHE_URL="memcached://x")
    assert result.returncode != 0
    assert "CACHE_URL='memcached://x'" in result.stderr


def test_rq_and_redis_are_chosen_by_settings_alone():
    shown = _manage(
        "shell",
        "-c",
        "from django.conf import settings as s; print(s.TASKS['default']['BACKEND'], "
        "s.CACHES['default']['BACKEND'], s.RQ_QUEUES['default']['URL'], 'django_rq' in s.INSTALLED_APPS)",
        DEBUG="1",
        TASKS_BACKEND="rq",
        REDIS_URL="redis://127.0.0.1:6379/3",
    )
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.strip().splitlines()[-1].split() == [
        "django_tasks_rq.RQBackend",
        "django.core.cache.backends.redis.RedisCache",
        "redis://127.0.0.1:6379/3",
        "True",
    ]


def test_by_default_tasks_and_the_cache_live_in_the_database(settings):
    assert settings.TASKS["default"]["BACKEND"] == "django_tasks_db.DatabaseBackend"
    assert settings.CACHES["default"]["BACKEND"] == "django.core.cache.backends.db.DatabaseCache"
    assert settings.EMAIL_TIMEOUT == 10
