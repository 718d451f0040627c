"""A bound on the size of a request's body, enforced before the body is read.

Django's DATA_UPLOAD_MAX_MEMORY_SIZE counts form fields but not files: a large multipart upload
is streamed to a temporary file by the upload handlers before any view can look at it, even on
the login page. This middleware refuses it from the declared Content-Length alone. nginx refuses
the same bodies in front (client_max_body_size), including chunked ones with no declared length.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse


class RequestSizeLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if declared_length(request) > settings.MAX_REQUEST_BYTES:
            # The body is never read.
            return HttpResponse(
                "This upload is too large.\n", status=413, content_type="text/plain; charset=utf-8"
            )
        return self.get_response(request)


def declared_length(request: HttpRequest) -> int:
    """The body's size as the client declared it; 0 when absent or not a number (as Django reads it)."""
    try:
        return max(int(request.META.get("CONTENT_LENGTH") or 0), 0)
    except ValueError:
        return 0
