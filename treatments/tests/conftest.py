"""Fixtures for the treatments tests: a draft note of the first practitioner's attended session."""

from __future__ import annotations

import pytest

from treatments.tests.builders import make_note


@pytest.fixture
def note(practitioner):
    return make_note(practitioner)
