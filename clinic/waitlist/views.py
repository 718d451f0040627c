"""Waitlist pages: the list and its form for the desk, the offer action, the public claim.

The claim link's address carries the token: it is traded for a short grant in the session and
the client sent to the token-free claim page (as the online intake link does), so the token
never reaches the address bar's history or a Referer header, and the claim form's POST keeps
the Origin header Django's CSRF check reads.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from clinic.kernel.http import AuthenticatedHttpRequest
from clinic.kernel.private_links import grant, granted, private_link_page
from clinic.kernel.roles import Role, role_required
from clinic.waitlist import selectors, services
from clinic.waitlist.forms import EntryForm

GRANT_KEY = "waitlist_claim"
GRANT_SECONDS = 30 * 60

desk_only = role_required(Role.RECEPTION, Role.MANAGER)


@desk_only
def entry_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    now = timezone.now()
    context = {
        "entries": selectors.get_open_entries_for(request.user, now),
        "slots": selectors.get_freed_slots_for(request.user, now),
    }
    return render(request, "waitlist/entry_list.html", context)


@desk_only
def entry_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    selectors.check_waitlist_access(request.user)
    if request.method == "POST":
        form = EntryForm(request.POST)
        if form.is_valid():
            entry = services.add_entry(by=request.user, **form.entry_fields())
            messages.success(
                request, f"{entry.client.display_name} is on the waitlist for {entry.service.name}."
            )
            return redirect("waitlist:list")
        status = 400
    else:
        form = EntryForm(initial={"client": request.GET.get("client") or None})
        status = 200
    return render(request, "waitlist/entry_form.html", {"form": form}, status=status)


@desk_only
@require_POST
def entry_withdraw(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    entry = selectors.get_entry_for(request.user, pk)
    if services.withdraw_entry(entry=entry, by=request.user):
        messages.success(
            request, f"{entry.client.display_name} is off the waitlist for {entry.service.name}."
        )
    else:
        messages.info(request, "That entry was no longer on the list.")
    return redirect("waitlist:list")


def _back(request: HttpRequest) -> str:
    """Back to the page the offer was made from: the desk, or the waitlist."""
    return "desk" if request.POST.get("next") == "desk" else "waitlist:list"


@desk_only
@require_POST
def offer(request: AuthenticatedHttpRequest) -> HttpResponse:
    selectors.check_waitlist_access(request.user)
    key = request.POST.get("slot", "")
    try:
        _offer, emailed = services.offer_slot(key=key, by=request.user)
    except services.OfferError as error:
        messages.error(request, error.message)
        return redirect(_back(request))
    if emailed:
        messages.success(
            request, f"Offered by email to {emailed} waiting client{'s' if emailed != 1 else ''}."
        )
    else:
        messages.info(request, "Everyone suited to that time has already been offered it.")
    return redirect(_back(request))


_CLOSED = {
    "unknown": (
        404,
        "This link doesn't work",
        "The address may be incomplete. Check the link in your email.",
    ),
    "no_grant": (
        404,
        "Please open the link in your email again",
        "For your privacy this page works for a short while after opening the link.",
    ),
    "used": (410, "You have already booked this time", "Your booking confirmation is on its way by email."),
    "expired": (
        410,
        "This offer has expired",
        "The time has passed, or your place on the waitlist has ended. Contact us to join it again.",
    ),
    "gone": (
        410,
        "Sorry, this time has gone",
        "Another client claimed it first. You are still on the waitlist: we will email you when "
        "another time comes free.",
    ),
    "refused": (
        409,
        "We couldn't book this time online",
        "Please call the clinic and we will sort it out with you. You are still on the waitlist.",
    ),
}


def _closed(request: HttpRequest, state: str) -> HttpResponse:
    status, title, explanation = _CLOSED[state]
    context = {"title": title, "explanation": explanation, "state": state}
    return render(request, "waitlist/claim_closed.html", context, status=status)


@private_link_page("no-referrer")
def claim_link(request: HttpRequest, token: str) -> HttpResponse:
    try:
        invite = services.open_invite(token)
    except services.ClaimClosed as closed:
        return _closed(request, closed.state)
    grant(request, GRANT_KEY, invite.pk, GRANT_SECONDS)
    return redirect("waitlist:claim_confirm")


@private_link_page("same-origin")
def claim_confirm(request: HttpRequest) -> HttpResponse:
    invite_id = granted(request, GRANT_KEY)
    if invite_id is None:
        return _closed(request, "no_grant")
    try:
        invite = services.granted_invite(invite_id)
        if request.method == "POST":
            booking = services.claim(invite_id=invite.pk)
            request.session.pop(GRANT_KEY, None)
            return render(request, "waitlist/claim_done.html", {"booking": booking})
    except services.ClaimClosed as closed:
        return _closed(request, closed.state)
    return render(request, "waitlist/claim.html", {"invite": invite, "offer": invite.offer})
