"""Ids in query strings: Unicode digits such as "²" are ignored, never a 500."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("url", ["/clinic/bookings/new/", "/clinic/courses/new/"])
@pytest.mark.parametrize("name", ["client", "practitioner", "room", "service"])
@pytest.mark.parametrize("raw", ["²", "١٢", "9" * 30])
def test_prefill_ignores_ids_that_are_not_plain_numbers(reception_client, url, name, raw):
    response = reception_client.get(url, {name: raw})
    assert response.status_code == 200
    assert response.context["form"].initial.get(name) is None


def test_prefill_still_reads_a_plain_id(reception_client, practitioner):
    response = reception_client.get("/clinic/bookings/new/", {"practitioner": str(practitioner.pk)})
    assert response.context["form"].initial["practitioner"] == practitioner
