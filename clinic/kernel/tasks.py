"""Django's Tasks API, wherever it comes from: Django 6 ships it as `django.tasks`; on 5.2 the
django-tasks backport provides the same one. Background work imports `task` from here."""

from __future__ import annotations

try:
    from django.tasks import task
except ImportError:
    from django_tasks import task

__all__ = ["task"]
