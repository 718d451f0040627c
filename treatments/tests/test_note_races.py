"""Races on one note: five clicks on "Start the note" make one note; signing and editing at once
leave the note either edited-then-signed or signed-and-untouched, never edited after signing."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import connection

from conftest import make_practitioner
from treatments import services
from treatments.models import TreatmentNote
from treatments.tests.builders import make_attended_booking, make_note

RACERS = 5


def _in_memory_sqlite() -> bool:
    return connection.vendor == "sqlite" and not connection.settings_dict["TEST"].get("NAME")


race = pytest.mark.skipif(
    _in_memory_sqlite(),
    reason="The in-memory SQLite test database hides races; run with SQLITE_TEST_NAME=/tmp/x.sqlite3 "
    "or on PostgreSQL.",
)


def _run_together(*jobs: Callable[[], str]) -> list[str]:
    barrier = threading.Barrier(len(jobs))
    outcomes: list[str] = []
    lock = threading.Lock()

    def run(job: Callable[[], str]) -> None:
        try:
            barrier.wait()
            result = job()
        except Exception as error:
            result = f"{type(error).__name__}: {error}"
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


@race
@pytest.mark.django_db(transaction=True)
def test_simultaneous_starts_make_one_note():
    practitioner = make_practitioner()
    booking = make_attended_booking(practitioner)

    def start() -> str:
        return f"note {services.start_note(booking=booking, user=practitioner.user).pk}"

    outcomes = _run_together(*[start] * RACERS)

    assert len(set(outcomes)) == 1 and outcomes[0].startswith("note "), outcomes
    assert TreatmentNote.objects.filter(booking=booking).count() == 1


@race
@pytest.mark.django_db(transaction=True)
def test_an_edit_racing_the_signature_never_lands_after_it():
    practitioner = make_practitioner()
    note = make_note(practitioner, subjective="First words", regions_treated=["neck"])
    user = practitioner.user

    def edit() -> str:
        services.update_note(note_id=note.pk, user=user, fields={"subjective": "late edit"})
        return "edited"

    def sign() -> str:
        services.sign_note(note_id=note.pk, user=user)
        return "signed"

    outcomes = _run_together(edit, sign)
    note.refresh_from_db()
    history = list(note.history.order_by("history_date").values_list("status", "subjective"))

    assert note.is_signed and "signed" in outcomes
    if "edited" in outcomes:  # the edit went first: the signed version holds it
        assert history[-1] == ("signed", "late edit")
    else:  # the signature went first: the edit was refused
        assert note.subjective == "First words"
        assert any(o.startswith("NoteLocked") for o in outcomes), outcomes


@pytest.mark.django_db
def test_starting_twice_returns_the_same_note(practitioner):
    booking = make_attended_booking(practitioner)
    first = services.start_note(booking=booking, user=practitioner.user)
    assert services.start_note(booking=booking, user=practitioner.user) == first
