"""The import benchmark command: a small run, to show it works and keeps nothing."""

from __future__ import annotations

import io

from django.core.management import call_command

from clients.models import Client
from clinic.imports.models import ImportRun
from clinic.models import Booking


def test_the_bench_times_a_dry_run_and_an_import_and_keeps_nothing(db):
    out = io.StringIO()
    call_command("import_bench", clients=6, appointments=10, practitioners=2, stdout=out)
    text = out.getvalue()
    assert "dry run:" in text and "import:" in text
    assert "'created': 6" in text and "'created': 10" in text
    assert "Rolled back" in text
    assert not Client.objects.exists() and not Booking.objects.exists() and not ImportRun.objects.exists()
