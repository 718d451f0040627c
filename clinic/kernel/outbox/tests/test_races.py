"""Workers racing: two threads for one message send it once; on PostgreSQL, two worker
processes (the real `db_worker` command) share 200 messages and send each exactly once."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections import Counter
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connection, transaction

from clinic.kernel.outbox import delivery
from clinic.kernel.outbox.models import Message, MessageStatus
from clinic.kernel.outbox.services import write_message
from clinic.kernel.outbox.tests.backends import CountingEmailBackend

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(django_settings.BASE_DIR)


def _in_memory_sqlite() -> bool:
    return connection.vendor == "sqlite" and not connection.settings_dict["TEST"].get("NAME")


@pytest.mark.skipif(_in_memory_sqlite(), reason="an in-memory SQLite database hides races")
@pytest.mark.parametrize("racers", [2, 8])
def test_workers_racing_for_one_message_send_it_once(settings, racers):
    settings.EMAIL_BACKEND = "clinic.kernel.outbox.tests.backends.CountingEmailBackend"
    CountingEmailBackend.reset()
    msg = write_message(key="race:1", kind="test", recipient="a@example.com", subject="Once", body="x")
    barrier = threading.Barrier(racers)
    outcomes: list[str] = []

    def worker() -> None:
        try:
            barrier.wait()
            outcomes.append(delivery.deliver(msg.pk).status)
        except Exception as error:
            outcomes.append(f"error: {error}")
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(racers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["sent"] + ["skipped"] * (racers - 1), outcomes
    assert CountingEmailBackend.sent == ["Once"]
    assert Message.objects.get().status == MessageStatus.SENT


@pytest.mark.postgres_only
def test_two_worker_processes_send_two_hundred_messages_once_each(tmp_path):
    with transaction.atomic():  # committed together, each handed to the queue on commit
        for n in range(200):
            write_message(
                key=f"bulk:{n}", kind="test", recipient="a@example.com", subject=f"Bulk {n:03d}", body="x"
            )
    db = connection.settings_dict
    host = f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}:{db['PASSWORD']}@{host}/{db['NAME']}",
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(tmp_path),
        "TASKS_BACKEND": "database",
        "DEBUG": "1",
    }
    command = [sys.executable, "manage.py", "db_worker", "--batch", "--no-startup-delay", "--no-reload"]
    workers = [
        subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)  # noqa: S603
        for _ in range(2)
    ]
    outputs = [worker.communicate(timeout=300)[0].decode() for worker in workers]
    assert [worker.returncode for worker in workers] == [0, 0], outputs
    subjects = Counter(
        line.removeprefix("Subject: ").strip()
        for path in tmp_path.iterdir()
        for line in path.read_text().splitlines()
        if line.startswith("Subject: Bulk ")
    )
    assert len(subjects) == 200 and set(subjects.values()) == {1}, subjects.most_common(3)
    assert Message.objects.filter(status=MessageStatus.SENT).count() == 200
