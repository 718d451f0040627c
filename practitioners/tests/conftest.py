"""The clinic's fixtures (a room, a service with open hours) for the feed tests."""

from clinic.tests.conftest import room, service  # noqa: F401
