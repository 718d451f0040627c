"""An import of a clinic's clients and future appointments from CSV files, and its report."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class ImportStatus(models.TextChoices):
    UPLOADED = "uploaded", "Uploaded: choose the columns"
    CHECKING = "checking", "Dry run under way"
    CHECKED = "checked", "Dry run done: waiting for confirmation"
    IMPORTING = "importing", "Import under way"
    IMPORTED = "imported", "Imported"
    DISCARDED = "discarded", "Discarded"


class FileKind(models.TextChoices):
    CLIENTS = "clients", "Clients"
    APPOINTMENTS = "appointments", "Appointments"


class Outcome(models.TextChoices):
    CREATED = "created", "Created"
    DUPLICATE = "duplicate", "Matched an existing client"
    EXISTING = "existing", "Already booked"
    SKIPPED = "skipped", "Left out"
    REFUSED = "refused", "Refused"


class ImportRun(models.Model):
    """One import: who uploaded which files (their SHA-256), the columns chosen, and after the
    dry run or the import each row's outcome (`ImportRow`). The files' text is kept only until
    the import is done or discarded; the checksums stay."""

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=10, choices=ImportStatus.choices, default=ImportStatus.UPLOADED)
    checked_at = models.DateTimeField(null=True, blank=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    imported_at = models.DateTimeField(null=True, blank=True)
    # How numeric dates such as 03/04/2025 are read (values.DayOrder; "" refuses them).
    day_order = models.CharField(max_length=3, blank=True)
    clients_name = models.CharField(max_length=255, blank=True)
    clients_sha256 = models.CharField(max_length=64, blank=True)
    clients_text = models.TextField(blank=True)
    clients_mapping = models.JSONField(default=list, blank=True)
    appointments_name = models.CharField(max_length=255, blank=True)
    appointments_sha256 = models.CharField(max_length=64, blank=True)
    appointments_text = models.TextField(blank=True)
    appointments_mapping = models.JSONField(default=list, blank=True)
    # {"clients": {"created": 3, "refused": 1}, "appointments": {...}} of the last dry run or import.
    counts = models.JSONField(default=dict, blank=True)
    # Why the last dry run or import stopped short (busy calendar, changes since the dry run).
    notice = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status=ImportStatus.IMPORTED) | Q(imported_at__isnull=False),
                name="import_imported_has_date",
                violation_error_message="An import that is done needs the time it was done.",
            ),
        ]

    def __str__(self) -> str:
        files = " and ".join(n for n in (self.clients_name, self.appointments_name) if n)
        return f"Import of {files or 'nothing'} ({self.get_status_display().lower()})"

    @property
    def is_running(self) -> bool:
        """A worker is doing the dry run or the import."""
        return self.status in (ImportStatus.CHECKING, ImportStatus.IMPORTING)

    @property
    def is_open(self) -> bool:
        """Can still be mapped, checked and confirmed."""
        return self.status in (ImportStatus.UPLOADED, ImportStatus.CHECKED)


class ImportRow(models.Model):
    """What the dry run found, or the import did, for one row of one file."""

    run = models.ForeignKey(ImportRun, on_delete=models.CASCADE, related_name="rows")
    kind = models.CharField(max_length=12, choices=FileKind.choices)
    # The row's line in the file (the header is line 1).
    line = models.PositiveIntegerField()
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    # The row in a few words ("Amara Okafor, born 1987-03-04"), and why it was refused or matched.
    summary = models.CharField(max_length=300, blank=True)
    message = models.CharField(max_length=500, blank=True)
    client = models.ForeignKey(
        "clients.Client", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    booking = models.ForeignKey(
        "clinic.Booking", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["run", "kind", "line"]
        indexes = [
            # The report page: one run's rows of one outcome, in file order.
            models.Index(fields=["run", "outcome", "kind", "line"], name="import_row_report_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} line {self.line}: {self.outcome}"
