"""The one place contention is handled (`clinic.services.contended`): a deadlock is rerun once,
a lock wait that ran out is answered "try again", anything else passes through. No database:
the errors are built the way Django raises them (its OperationalError caused by the driver's)."""

from __future__ import annotations

import sqlite3

import pytest
from django.db import OperationalError
from psycopg import errors as pg_errors

from clinic.kernel.contention import Contention, contention
from clinic.services import (
    BUSY_MESSAGE,
    BookingBusy,
    BookingConflict,
    contended,
)


def django_error(cause: Exception) -> OperationalError:
    """What Django raises for a driver error: its own class, caused by the driver's."""
    try:
        try:
            raise cause
        except Exception as error:
            raise OperationalError(str(error)) from error
    except OperationalError as wrapped:
        return wrapped


DEADLOCK = pg_errors.DeadlockDetected("deadlock detected")
SERIALIZATION = pg_errors.SerializationFailure("could not serialize access due to concurrent update")
LOCK_TIMEOUT = pg_errors.LockNotAvailable("canceling statement due to lock timeout")
STATEMENT_TIMEOUT = pg_errors.QueryCanceled("canceling statement due to statement timeout")


class Script:
    """A write that fails with the given errors, one per call, then returns "saved"."""

    def __init__(self, *failures: Exception) -> None:
        self.failures = list(failures)
        self.calls = 0
        self.__name__ = "book"

    def __call__(self) -> str:
        self.calls += 1
        if self.failures:
            raise self.failures.pop(0)
        return "saved"


@pytest.mark.parametrize(
    ("cause", "kind"),
    [
        (DEADLOCK, Contention.ROLLED_BACK),
        (SERIALIZATION, Contention.ROLLED_BACK),
        (LOCK_TIMEOUT, Contention.TIMED_OUT),
        (STATEMENT_TIMEOUT, Contention.TIMED_OUT),
        (sqlite3.OperationalError("database is locked"), Contention.TIMED_OUT),
        (pg_errors.AdminShutdown("terminating connection due to administrator command"), None),
        (sqlite3.OperationalError("no such table: clinic_booking"), None),
    ],
)
def test_contention_reads_the_drivers_error(cause, kind):
    assert contention(django_error(cause)) is kind


def test_a_deadlock_is_run_once_more_and_then_succeeds():
    write = Script(django_error(DEADLOCK))
    assert contended(write)() == "saved"
    assert write.calls == 2


def test_a_serialization_failure_is_run_once_more():
    write = Script(django_error(SERIALIZATION))
    assert contended(write)() == "saved"
    assert write.calls == 2


def test_a_second_deadlock_is_a_clear_conflict_not_an_exception():
    write = Script(django_error(DEADLOCK), django_error(DEADLOCK))
    with pytest.raises(BookingBusy) as refused:
        contended(write)()
    assert write.calls == 2
    assert isinstance(refused.value, BookingConflict)
    assert refused.value.message == BUSY_MESSAGE
    assert refused.value.status_code == 409
    assert refused.value.field is None


@pytest.mark.parametrize(
    "cause", [LOCK_TIMEOUT, STATEMENT_TIMEOUT, sqlite3.OperationalError("database is locked")]
)
def test_a_lock_wait_that_ran_out_is_busy_at_once(cause):
    write = Script(django_error(cause))
    with pytest.raises(BookingBusy, match="Someone else is changing"):
        contended(write)()
    assert write.calls == 1


def test_other_database_errors_pass_through_unchanged():
    error = django_error(pg_errors.AdminShutdown("terminating connection"))
    write = Script(error)
    with pytest.raises(OperationalError) as raised:
        contended(write)()
    assert raised.value is error
    assert write.calls == 1


def test_a_refusal_of_the_service_itself_is_not_retried():
    write = Script(BookingConflict("Room 1 is taken then.", field="room"))
    with pytest.raises(BookingConflict, match="Room 1"):
        contended(write)()
    assert write.calls == 1


def test_a_write_inside_another_leaves_the_rerun_to_the_outermost():
    """A course books its sessions: a deadlock in one session reruns the whole course."""
    session = Script(django_error(DEADLOCK))
    inner = contended(session)
    courses = 0

    def course() -> str:
        nonlocal courses
        courses += 1
        return inner()

    course.__name__ = "book_course"
    assert contended(course)() == "saved"
    assert (courses, session.calls) == (2, 2)


def test_after_a_refusal_the_next_write_retries_again():
    contended(Script())()
    with pytest.raises(BookingBusy):
        contended(Script(django_error(LOCK_TIMEOUT)))()
    write = Script(django_error(DEADLOCK))
    assert contended(write)() == "saved"
    assert write.calls == 2
