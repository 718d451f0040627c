"""The practitioner records a view reads, fetched for a user. See clients/selectors.py."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.shortcuts import get_object_or_404

from clinic.kernel.roles import is_manager
from practitioners.models import Practitioner


def get_practitioner_for(user: Any, pk: int) -> Practitioner:
    """Managers reach every practitioner; a practitioner only themself (others: 404)."""
    practitioner = get_object_or_404(Practitioner, pk=pk)
    if is_manager(user) or practitioner.user_id == user.pk:
        return practitioner
    raise Http404("No such practitioner.")
