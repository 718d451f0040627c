"""An uploaded CSV file, read with tablib: its text, checksum, headers and rows, or a sentence
saying why it can't be read (shown next to the file's field)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import tablib
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import models
from tablib.exceptions import InvalidDimensions

from clients.forms import megabytes


class Encoding(models.TextChoices):
    UTF8 = "utf-8", "UTF-8 (most systems, and Excel's “CSV UTF-8”)"
    WINDOWS = "cp1252", "Windows (Excel's plain “CSV” on Windows)"
    MAC = "mac_roman", "Mac Roman (older Excel on a Mac)"


@dataclass(frozen=True)
class Table:
    headers: list[str]
    # Each row's cells, with its line in the file (the header is line 1).
    rows: list[tuple[int, list[str]]]


def read_upload(upload: UploadedFile, encoding: str) -> tuple[str, str]:
    """The file's text and its SHA-256, or a ValidationError saying what is wrong with it."""
    if upload.size is not None and upload.size > settings.IMPORT_MAX_BYTES:
        raise ValidationError(
            f"This file is {megabytes(upload.size)}; an import takes files of at most "
            f"{megabytes(settings.IMPORT_MAX_BYTES)}. Split it into several files."
        )
    data = upload.read(settings.IMPORT_MAX_BYTES + 1)
    if len(data) > settings.IMPORT_MAX_BYTES:
        raise ValidationError(f"An import takes files of at most {megabytes(settings.IMPORT_MAX_BYTES)}.")
    if not data.strip():
        raise ValidationError("This file is empty.")
    if b"\x00" in data:
        raise ValidationError(
            "This is not a CSV file (it holds binary data). Save the sheet as CSV and try again."
        )
    try:
        text = data.decode("utf-8-sig" if encoding == Encoding.UTF8 else encoding)
    except (UnicodeDecodeError, LookupError):
        raise ValidationError(
            "This file is not UTF-8 text. If Excel saved it, choose the Windows or Mac encoding "
            "below, or save it again as “CSV UTF-8”."
        ) from None
    table_or_error(text)  # refuses what tablib can't read as a table
    return text, hashlib.sha256(data).hexdigest()


def delimiter(text: str) -> str:
    """What separates the columns: a comma, or the semicolon (Excel in many European locales)
    or tab some exports use instead, whichever the header line holds most of."""
    header = text.split("\n", 1)[0]
    return max((",", ";", "\t"), key=header.count)


def table_or_error(text: str) -> Table:
    """The file as a table: a header row, then rows of the same width (blank lines dropped)."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n")
    try:
        dataset = tablib.Dataset().load(lines, format="csv", delimiter=delimiter(lines))
    except InvalidDimensions:
        raise ValidationError(
            "Some rows have more or fewer columns than the header: is this a CSV file with one header row?"
        ) from None
    except Exception as error:  # tablib and the csv module raise several kinds for garbage
        raise ValidationError(f"This file can't be read as CSV ({error}).") from None
    headers = [str(h or "").strip() for h in (dataset.headers or [])]
    if len([h for h in headers if h]) < 2:
        raise ValidationError(
            "The first row should name the columns (First name, Last name...): this file has "
            "fewer than two column names. Is it a CSV export?"
        )
    rows = []
    for index, row in enumerate(dataset, start=2):
        cells = [str(cell if cell is not None else "").strip() for cell in row]
        if any(cells):
            rows.append((index, cells))
    if not rows:
        raise ValidationError("This file has column names but no rows.")
    if len(rows) > settings.IMPORT_MAX_ROWS:
        raise ValidationError(
            f"This file has {len(rows):,} rows; an import takes at most {settings.IMPORT_MAX_ROWS:,}. "
            "Split it into several files."
        )
    return Table(headers=headers, rows=rows)
