"""The settings as the type checker reads them (pyproject.toml: [tool.django-stubs]).

mypy's Django plugin imports the settings, and DEBUG is off unless set, which asks for a
SECRET_KEY; the checker reads the development configuration instead. Nothing runs with this
module: manage.py, gunicorn and the tests use clinic.settings.
"""

from __future__ import annotations

import os

os.environ.setdefault("DEBUG", "1")

from clinic.settings import *  # noqa: F403
