"""Template context shared by every page: the clinic's name and the user's role."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from clinic.kernel.roles import Role, primary_role, roles_of


def clinic(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    roles = roles_of(user) if user is not None else frozenset()
    return {
        "clinic_name": settings.CLINIC_NAME,
        "user_role": primary_role(user) if user is not None else None,
        "is_manager": Role.MANAGER in roles,
        "is_clinician": bool(roles & {Role.MANAGER, Role.PRACTITIONER}),
        "is_reception": Role.RECEPTION in roles,
        "is_practitioner": Role.PRACTITIONER in roles,
        "is_staff_member": bool(roles),
    }
