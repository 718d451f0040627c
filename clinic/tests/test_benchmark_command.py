"""`manage.py benchmark` measures the busy pages at two sizes and leaves the database as it was."""

from __future__ import annotations

from io import StringIO

from django.core.management import call_command

from clients.models import Client
from clinic.models import Booking


def test_benchmark_reports_equal_query_counts_and_rolls_back(db):
    out = StringIO()
    call_command("benchmark", appointments=400, clients=30, repeat=1, stdout=out)

    rows = [line.split() for line in out.getvalue().splitlines()[1:]]
    by_page: dict[str, dict[int, int]] = {}
    for *words, size, queries, _ms in rows:
        by_page.setdefault(" ".join(words), {})[int(size)] = int(queries)
    assert set(by_page) == {"day view", "week view", "client list", "client page", "overview"}
    for page, counts in by_page.items():
        assert set(counts) == {56, 400}, page
        assert counts[56] == counts[400], f"{page}: queries grow with the data {counts}"
    assert Booking.objects.count() == 0
    assert not Client.objects.filter(first_name__startswith="Bench").exists()
