"""The same outbox on RQ and the Redis cache, switched by settings alone, against the real Redis
at 127.0.0.1:6379 (database 3; OUTBOX_TEST_REDIS_URL to change it). Skipped, saying why, where
no Redis answers, so a fresh machine's `make test` passes without one."""

from __future__ import annotations

import os
import signal
import uuid

import django_rq
import pytest
import redis
from django.core.cache import cache
from django_tasks_rq.backend import Job
from rq import SimpleWorker
from rq.registry import ScheduledJobRegistry

from clinic.kernel.outbox.health import HEARTBEAT_KEY, worker_heartbeat_age
from clinic.kernel.outbox.models import Message, MessageStatus
from clinic.kernel.outbox.services import write_message
from clinic.kernel.outbox.tasks import start_sweeping

REDIS_URL = os.environ.get("OUTBOX_TEST_REDIS_URL", "redis://127.0.0.1:6379/3")


def _redis_answers() -> bool:
    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=0.5).ping())
    except redis.RedisError:
        return False


if os.environ.get("REQUIRE_REDIS") == "1" and not _redis_answers():  # CI: a skip would hide a fault
    raise RuntimeError(f"REQUIRE_REDIS=1 but no Redis answers at {REDIS_URL}")

pytestmark = [
    pytest.mark.django_db,
    # One Redis database for all of them, emptied by each: `make test` runs them on their own,
    # after the parallel run (RQ's worker also missed its jobs with another xdist worker busy).
    pytest.mark.serial,
    pytest.mark.skipif(
        not _redis_answers(), reason=f"no Redis answers at {REDIS_URL}; the RQ and Redis-cache tests need one"
    ),
]


@pytest.fixture
def on_redis(settings):
    """TASKS on RQ and the cache on Redis: settings only, as in production, on an emptied test
    database (the tests of this module run one at a time: the `serial` mark)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    settings.RQ_QUEUES = {"default": {"URL": REDIS_URL}}
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": f"test-{uuid.uuid4().hex}",
        }
    }
    queue = django_rq.get_queue("default", job_class=Job)
    # Database 3 is the tests' own: start from an empty one, whatever an earlier or interrupted
    # run left queued or scheduled (a leftover retry would run here, late, in this worker).
    queue.connection.flushdb()
    yield queue
    cache.clear()


def run_rq_worker(queue) -> None:
    """An RQ worker in this process (so it sees the test's database), until the queue is empty."""
    kept = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        SimpleWorker([queue], connection=queue.connection, job_class=Job).work(burst=True)
    finally:
        for sig, handler in kept.items():
            signal.signal(sig, handler)


def test_rq_delivers_and_the_heartbeat_lives_in_redis(
    on_redis, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        msg = write_message(key="rq:1", kind="test", recipient="a@example.com", subject="Via RQ", body="x")
    assert worker_heartbeat_age() is None
    run_rq_worker(on_redis)
    msg.refresh_from_db()
    assert msg.status == MessageStatus.SENT and [m.subject for m in mailoutbox] == ["Via RQ"]
    age = worker_heartbeat_age()
    assert age is not None and age < 60
    assert redis.Redis.from_url(REDIS_URL).exists(cache.make_and_validate_key(HEARTBEAT_KEY))


def test_rq_schedules_the_retry_after_the_back_off(on_redis, settings, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = "clinic.tests.failing_email.FailingEmailBackend"
    with django_capture_on_commit_callbacks(execute=True):
        msg = write_message(key="rq:2", kind="test", recipient="a@example.com", subject="Later", body="x")
    run_rq_worker(on_redis)
    msg.refresh_from_db()
    assert msg.status == MessageStatus.FAILED and msg.attempts == 1
    scheduled = [on_redis.fetch_job(job_id) for job_id in ScheduledJobRegistry(queue=on_redis).get_job_ids()]
    assert any(job and list(job.args) == [msg.pk] for job in scheduled)


def test_the_periodic_sweep_runs_once_on_rq(on_redis):
    assert start_sweeping() is True
    assert start_sweeping() is False  # one chain at a time
    run_rq_worker(on_redis)
    age = worker_heartbeat_age()
    assert age is not None and age < 60
    assert Message.objects.count() == 0
