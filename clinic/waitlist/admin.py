"""The waitlist in the back office: read with its history, written on the pages (add, withdraw,
offer, claim go through the services and their rules)."""

from __future__ import annotations

from django.contrib import admin

from clinic.kernel.admin import HistoryAdmin, RecordWindowMixin
from clinic.waitlist.models import Offer, WaitlistEntry


@admin.register(WaitlistEntry)
class WaitlistEntryAdmin(RecordWindowMixin, HistoryAdmin):
    list_display = ["client", "service", "practitioner", "status", "from_date", "until_date", "expires_at"]
    list_filter = ["status", "service"]
    search_fields = ["client__last_name", "client__first_name"]
    list_select_related = ["client", "service", "practitioner"]


@admin.register(Offer)
class OfferAdmin(RecordWindowMixin, HistoryAdmin):
    list_display = ["start", "practitioner", "created_by", "created_at", "booking", "claimed_at"]
    list_select_related = ["practitioner", "created_by", "booking"]
    exclude = ["key"]
