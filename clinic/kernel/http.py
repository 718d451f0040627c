"""The request the staff views receive, as the type checker should see it; private downloads."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpRequest

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django_htmx.middleware import HtmxDetails


class AuthenticatedHttpRequest(HttpRequest):
    """A request behind `role_required` (or `login_required`): `user` is a signed-in User, never
    AnonymousUser, and HtmxMiddleware (settings) has set `htmx`. For annotations only: Django
    builds the request; nothing creates this class."""

    user: User
    htmx: HtmxDetails


def private_download(file: FieldFile, *, filename: str, content_type: str, missing: str) -> FileResponse:
    """A stored private file (a doctor's letter, a handout) streamed after the caller's role check:
    always as a download, never shown inline (a file the browser renders in the app's origin
    could run in it), and never cached. A file gone from the storage is a 404 saying `missing`."""
    try:
        handle = file.open("rb")
    except FileNotFoundError as exc:
        raise Http404(missing) from exc
    response = FileResponse(handle, content_type=content_type, as_attachment=True, filename=filename)
    response["Cache-Control"] = "private, no-store"
    return response
