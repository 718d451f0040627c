"""The import's forms: the upload, and the columns' mapping with the day order."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from clinic.imports.files import Encoding, read_upload, table_or_error
from clinic.imports.layouts import (
    CLIENT_COLUMNS_LEFT_OUT,
    LAYOUTS,
    guess_mapping,
    header_key,
    mapping_problems,
    recognise_system,
)
from clinic.imports.models import FileKind, ImportRun
from clinic.imports.values import DayOrder

SAMPLE_ROWS = 3


class UploadForm(forms.Form):
    clients_file = forms.FileField(
        required=False,
        label="Clients (CSV)",
        help_text="One row per person: name, date of birth, phone, email, address.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )
    appointments_file = forms.FileField(
        required=False,
        label="Future appointments (CSV)",
        help_text="One row per appointment: start, length or end, practitioner, service, client.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )
    encoding = forms.ChoiceField(
        choices=Encoding.choices,
        initial=Encoding.UTF8,
        label="The files' encoding",
        help_text="If accents come out wrong on the next page, upload again with another encoding.",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        encoding = data.get("encoding") or Encoding.UTF8
        read: dict[str, tuple[str, str, str]] = {}
        for kind in FileKind.values:
            upload = data.get(f"{kind}_file")
            if not upload:
                continue
            try:
                text, checksum = read_upload(upload, encoding)
            except ValidationError as error:
                self.add_error(f"{kind}_file", error)
                continue
            read[kind] = (upload.name or f"{kind}.csv", text, checksum)
        if not read and not self.errors:
            self.add_error("clients_file", "Choose a clients file, an appointments file, or both.")
        data["read"] = read
        return data

    def new_run(self, by: Any) -> ImportRun:
        """The uploaded files as a new import, its columns mapped as recognised (unsaved)."""
        run = ImportRun(created_by=by)
        for kind, (name, text, checksum) in self.cleaned_data["read"].items():
            table = table_or_error(text)
            setattr(run, f"{kind}_name", name[:255])
            setattr(run, f"{kind}_text", text)
            setattr(run, f"{kind}_sha256", checksum)
            setattr(run, f"{kind}_mapping", guess_mapping(LAYOUTS[kind], table.headers))
        return run


class MappingForm(forms.Form):
    """A field choice per column of each file, and how numeric dates read."""

    day_order = forms.ChoiceField(
        choices=DayOrder.choices,
        required=False,
        label="Dates such as 03/04/2025",
        help_text="Dates written 2025-04-03 or with the month's name are read either way.",
    )

    def __init__(self, *args: Any, run: ImportRun, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.run = run
        self.sheets: list[dict[str, Any]] = []
        self.fields["day_order"].initial = run.day_order
        for kind in FileKind.values:
            text = getattr(run, f"{kind}_text")
            if not text:
                continue
            layout = LAYOUTS[kind]
            table = table_or_error(text)
            mapping = getattr(run, f"{kind}_mapping")
            columns = []
            for index, header in enumerate(table.headers):
                name = f"{kind}_{index}"
                self.fields[name] = forms.ChoiceField(
                    choices=layout.choices(),
                    required=False,
                    label=header or f"Column {index + 1}",
                    initial=mapping[index] if index < len(mapping) else "",
                )
                samples = [row[index] for _, row in table.rows[:SAMPLE_ROWS] if index < len(row)]
                left_out = kind == FileKind.CLIENTS and header_key(header) in CLIENT_COLUMNS_LEFT_OUT
                columns.append({"name": name, "samples": samples, "left_out": left_out})
            self.sheets.append(
                {
                    "kind": kind,
                    "label": FileKind(kind).label,
                    "name": getattr(run, f"{kind}_name"),
                    "rows": len(table.rows),
                    "system": recognise_system(layout, table.headers),
                    "columns": columns,
                    "problems": [],
                }
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for file in self.sheets:
            mapping = [data.get(c["name"], "") for c in file["columns"]]
            file["problems"] = mapping_problems(LAYOUTS[file["kind"]], mapping)
            for problem in file["problems"]:
                self.add_error(None, f"{file['label']} file: {problem}")
            data[f"{file['kind']}_mapping"] = mapping
        return data

    def bound_columns(self) -> list[dict[str, Any]]:
        """Each file with its columns' bound fields, for the template."""
        for file in self.sheets:
            for column in file["columns"]:
                column["field"] = self[column["name"]]
        return self.sheets

    def save(self) -> ImportRun:
        for file in self.sheets:
            setattr(self.run, f"{file['kind']}_mapping", self.cleaned_data[f"{file['kind']}_mapping"])
        self.run.day_order = self.cleaned_data.get("day_order") or ""
        self.run.save()
        return self.run
