"""Imports in the back office: read only (who, when, the files' checksums, the counts); the
upload, the dry run and the import are the pages' (/manage/import/), and their report is there."""

from __future__ import annotations

from django.contrib import admin

from clinic.imports.models import ImportRun
from clinic.kernel.admin import RecordWindowMixin


@admin.register(ImportRun)
class ImportRunAdmin(RecordWindowMixin, admin.ModelAdmin):
    list_display = ["created_at", "created_by", "clients_name", "appointments_name", "status", "imported_at"]
    list_filter = ["status"]
    list_select_related = ["created_by"]
    # The files' text (personal details, until the import is done) is not shown here.
    exclude = ["clients_text", "appointments_text"]
