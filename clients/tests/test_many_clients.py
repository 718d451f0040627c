"""Many new clients at once (an import): the same duplicate answer and saved fields as one by one."""

from __future__ import annotations

from datetime import date

from django.db import connection
from django.test.utils import CaptureQueriesContext

from clients.models import Client
from clients.services import DuplicateFinder, possible_duplicates, save_client, save_new_clients
from clients.tests.builders import make_client


def _new(**fields) -> Client:
    base = {
        "first_name": "New",
        "last_name": "Person",
        "date_of_birth": date(1990, 5, 5),
        "email": "",
        "phone": "",
    }
    return Client(**{**base, **fields})


def test_the_first_match_is_the_one_possible_duplicates_gives(db, manager):
    make_client(first_name="Ada", last_name="Byron", date_of_birth=date(1985, 1, 2), email="ada@example.com")
    make_client(first_name="Zed", last_name="Abbot", phone="+447700900111", email="zed@example.com")
    make_client(first_name="Bea", last_name="Young", email="shared@example.com", phone="+447700900222")
    make_client(first_name="Cal", last_name="Adams", phone="+447700900222")
    rows = [
        _new(
            first_name="ADA", last_name="byron", date_of_birth=date(1985, 1, 2)
        ),  # name and birth, case aside
        _new(email="ZED@example.com"),  # email, case aside
        _new(email="shared@example.com", phone="+447700900222"),  # two matches: Adams before Young
        _new(first_name="Nobody", phone="+447700900999"),
        _new(first_name="Dee", last_name="Aardvark", phone="+447700900999"),  # matches the row before
    ]
    finder = DuplicateFinder(rows)
    found = []
    for row in rows:
        match = finder.first_match(row)
        expected = possible_duplicates(client=row).first()
        found.append(match)
        if match is None:
            assert expected is None
            save_client(client=row, consents=False)  # as the import adds it: seen by the rows after
            finder.add(row)
        else:
            assert match.pk == expected.pk
    assert [m.last_name if m else None for m in found] == ["Byron", "Abbot", "Adams", None, "Person"]


def test_the_candidates_are_read_in_a_fixed_number_of_queries(db):
    for size in (3, 30):
        rows = [
            _new(first_name=f"N{n}", email=f"n{n}@example.com", phone=f"+4477009{n:05d}") for n in range(size)
        ]
        with CaptureQueriesContext(connection) as queries:
            DuplicateFinder(rows)
        assert len(queries) == 1


def test_new_clients_are_saved_as_save_client_saves_one(db, manager):
    one = _new(first_name="Émile", last_name="Zola", email="emile@example.com", phone="+447700900333")
    many = _new(first_name="Émile", last_name="Zola", email="emile@example.com", phone="+447700900333")
    save_client(client=one, consents=False)
    save_new_clients(clients=[many], consents=False, by=manager)
    one.refresh_from_db()
    many.refresh_from_db()
    for name in ("search_name", "search_text", "consent_to_treatment_at", "consent_text_version"):
        assert getattr(many, name) == getattr(one, name)
    assert many.search_name and many.history.get().history_user == manager
