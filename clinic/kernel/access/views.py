"""The access log's pages, for managers: who opened a client's record, and what one member of
staff opened and wrote. Both show who, role, what and when; never the record's content."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render

from clinic.kernel.access.models import AccessEvent
from clinic.kernel.http import AuthenticatedHttpRequest
from clinic.kernel.roles import manager_required

PAGE_SIZE = 50
# The client page's panel: the newest events only; the admin filters the rest by client id.
CLIENT_PANEL_SIZE = 20


@manager_required
def user_activity(request: AuthenticatedHttpRequest, user_id: int) -> HttpResponse:
    person = get_object_or_404(get_user_model(), pk=user_id)
    events = AccessEvent.objects.by_user(person.pk).newest_first()
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "access/user_activity.html", {"person": person, "page": page})


@manager_required
def client_events(request: AuthenticatedHttpRequest, client_id: int) -> HttpResponse:
    """ "Who opened this record": loaded into the client page by htmx, or a page by itself.

    The kernel knows clients only by id, so an unknown id is an empty list, not a 404."""
    events = list(
        AccessEvent.objects.for_client(client_id).newest_first().select_related("user")[:CLIENT_PANEL_SIZE]
    )
    context = {"client_id": client_id, "events": events}
    template = "access/_client_events.html" if request.htmx else "access/client_events.html"
    return render(request, template, context)
