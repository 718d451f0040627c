"""Reference data loaded by migrations survives a flush (as between transactional tests)."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from clients.models import ContraindicationRule
from treatments.models import Point, Technique


@pytest.mark.django_db(transaction=True)
def test_a_flush_restores_the_catalogue_techniques_and_screening_rules():
    counts = (Point.objects.count(), Technique.objects.count(), ContraindicationRule.objects.count())
    assert all(counts)

    call_command("flush", "--no-input", verbosity=0)

    assert (Point.objects.count(), Technique.objects.count(), ContraindicationRule.objects.count()) == counts
    assert Point.objects.filter(kind="who").count() == 361
