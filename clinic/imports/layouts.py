"""Which column of an uploaded file feeds which field: the headers other systems export, and
the manager's mapping.

A header is recognised by its folded spelling ("Date of Birth", "DOB", "Birth date" all feed
`date_of_birth`); a file whose headers carry the marks of a known system's export is named as
such on the mapping page. The manager can change every column's field before the dry run.

The header lists below are what these systems' exports are known to use in their common
versions; a column the import doesn't know is left out until the manager maps it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from clients.search import fold

IGNORE = ""


@dataclass(frozen=True)
class Target:
    """A field an import can fill: its name, its label, and whether several columns may feed
    it (the address parts are joined; of several phone columns the first filled one counts)."""

    name: str
    label: str
    several: bool = False


@dataclass(frozen=True)
class Layout:
    """One kind of file (clients or appointments): its fields, what must be mapped, and the
    header spellings recognised for each field."""

    kind: str
    targets: tuple[Target, ...]
    aliases: dict[str, tuple[str, ...]]
    # Each requirement is satisfied by any one of its sets of fields.
    required: tuple[tuple[frozenset[str], ...], ...]
    # The marks of known systems' exports: (name, headers that together identify it).
    systems: tuple[tuple[str, frozenset[str]], ...]

    def target(self, name: str) -> Target:
        return next(t for t in self.targets if t.name == name)

    def choices(self) -> list[tuple[str, str]]:
        return [(IGNORE, "(not imported)"), *((t.name, t.label) for t in self.targets)]


def header_key(header: str) -> str:
    """ "Date of Birth", "date_of_birth", "DATE-OF-BIRTH" -> "date of birth"."""
    return " ".join(re.sub(r"[^0-9a-z]+", " ", fold(header)).split())


CLIENTS = Layout(
    kind="clients",
    targets=(
        Target("first_name", "First name"),
        Target("last_name", "Last name"),
        Target("preferred_name", "Preferred name"),
        Target("date_of_birth", "Date of birth"),
        Target("pronouns", "Pronouns"),
        Target("phone", "Phone (the first filled column)", several=True),
        Target("email", "Email"),
        Target("address", "Address (columns joined)", several=True),
        Target("emergency_contact_name", "Emergency contact's name"),
        Target("emergency_contact_phone", "Emergency contact's phone"),
        Target("physician_name", "Family physician"),
    ),
    aliases={
        "first_name": ("first name", "firstname", "given name", "forename", "first"),
        "last_name": ("last name", "lastname", "surname", "family name", "last"),
        "preferred_name": ("preferred name", "preferred first name", "nickname", "known as"),
        "date_of_birth": ("date of birth", "dob", "birth date", "birthdate", "birthday", "d o b"),
        "pronouns": ("pronouns", "pronoun"),
        "phone": (
            "mobile",
            "mobile phone",
            "mobile number",
            "cell",
            "cell phone",
            "phone",
            "phone number",
            "telephone",
            "home phone",
            "work phone",
            "patient phone",
            "phone numbers",
        ),
        "email": ("email", "e mail", "email address", "patient email"),
        "address": (
            "address",
            "address 1",
            "address 2",
            "address 3",
            "address line 1",
            "address line 2",
            "street",
            "street address",
            "city",
            "town",
            "suburb",
            "state",
            "province",
            "county",
            "post code",
            "postcode",
            "postal code",
            "zip",
            "zip code",
            "country",
        ),
        "emergency_contact_name": ("emergency contact", "emergency contact name"),
        "emergency_contact_phone": ("emergency contact phone", "emergency phone"),
        "physician_name": ("family physician", "doctor", "gp", "referring doctor"),
    },
    required=(
        (frozenset({"first_name"}),),
        (frozenset({"last_name"}),),
        (frozenset({"date_of_birth"}),),
    ),
    systems=(
        ("Cliniko", frozenset({"patient id", "first name", "last name", "date of birth"})),
        ("Cliniko", frozenset({"preferred first name", "first name", "last name"})),
        ("Jane App", frozenset({"first name", "last name", "birth date", "province"})),
        ("Jane App", frozenset({"first name", "last name", "preferred name", "birth date"})),
    ),
)

APPOINTMENTS = Layout(
    kind="appointments",
    targets=(
        Target("start", "Start (date and time)"),
        Target("start_date", "Start date"),
        Target("start_time", "Start time"),
        Target("end", "End (date and time)"),
        Target("end_time", "End time"),
        Target("duration", "Length (minutes, or h:mm)"),
        Target("practitioner", "Practitioner"),
        Target("service", "Service"),
        Target("client", "Client's full name"),
        Target("client_first_name", "Client's first name"),
        Target("client_last_name", "Client's last name"),
        Target("client_email", "Client's email"),
        Target("client_date_of_birth", "Client's date of birth"),
        Target("status", "Status (cancelled ones are left out)"),
        Target("note", "Note for reception"),
    ),
    aliases={
        "start": (
            "start",
            "starts at",
            "start at",
            "start time date",
            "appointment start",
            "start date time",
            "starts",
            "appointment date time",
            "date time",
        ),
        "start_date": ("date", "appointment date", "start date"),
        "start_time": ("time", "appointment time", "start time"),
        "end": ("end", "ends at", "end at", "appointment end", "end date time"),
        "end_time": ("end time", "finish time"),
        "duration": ("duration", "length", "minutes", "duration minutes", "duration mins", "length minutes"),
        "practitioner": (
            "practitioner",
            "staff member",
            "staff",
            "therapist",
            "provider",
            "practitioner name",
        ),
        "service": ("service", "appointment type", "treatment", "service name", "type"),
        "client": ("client", "patient", "client name", "patient name", "customer", "name"),
        "client_first_name": ("client first name", "patient first name", "first name"),
        "client_last_name": ("client last name", "patient last name", "last name"),
        "client_email": ("client email", "patient email", "email"),
        "client_date_of_birth": ("client date of birth", "patient date of birth", "date of birth", "dob"),
        "status": ("status", "state", "appointment status", "cancelled", "arrival status"),
        "note": ("note", "notes", "booking note", "appointment notes", "reception note"),
    },
    required=(
        (frozenset({"start"}), frozenset({"start_date", "start_time"})),
        (frozenset({"practitioner"}),),
        (frozenset({"service"}),),
        (frozenset({"client"}), frozenset({"client_first_name", "client_last_name"})),
    ),
    systems=(
        ("Cliniko", frozenset({"appointment start", "appointment end", "patient", "practitioner"})),
        ("Cliniko", frozenset({"appointment start", "appointment type", "patient"})),
        ("Jane App", frozenset({"start at", "end at", "patient", "staff member"})),
        ("Jane App", frozenset({"start at", "staff member", "treatment"})),
    ),
)

LAYOUTS = {layout.kind: layout for layout in (CLIENTS, APPOINTMENTS)}
# What a clients file's notes column would hold has no place on the record: it may carry
# clinical details, which reception must not read. It is named on the mapping page, not imported.
CLIENT_COLUMNS_LEFT_OUT = ("notes", "note", "medical alerts", "alerts", "comments")


def guess_mapping(layout: Layout, headers: list[str]) -> list[str]:
    """Each column's field, as recognised from its header (IGNORE when unknown). A field that
    takes one column goes to the first column that names it."""
    lookup = {alias: name for name, aliases in layout.aliases.items() for alias in aliases}
    taken: set[str] = set()
    mapping = []
    for header in headers:
        name = lookup.get(header_key(header), IGNORE)
        if name and name in taken and not layout.target(name).several:
            name = IGNORE
        if name:
            taken.add(name)
        mapping.append(name)
    return mapping


def recognise_system(layout: Layout, headers: list[str]) -> str:
    """The system whose export these headers look like, or ""."""
    keys = {header_key(h) for h in headers}
    return next((name for name, marks in layout.systems if marks <= keys), "")


def mapping_problems(layout: Layout, mapping: list[str]) -> list[str]:
    """What is wrong with a mapping: a field that takes one column fed by two, a required
    field missing."""
    problems = []
    for target in layout.targets:
        if not target.several and mapping.count(target.name) > 1:
            problems.append(f"Only one column can be “{target.label}”.")
    chosen = set(mapping)
    for options in layout.required:
        if not any(option <= chosen for option in options):
            labels = " + ".join(layout.target(n).label for n in sorted(options[0]))
            alternatives = " or ".join(
                " + ".join(layout.target(n).label for n in sorted(o)) for o in options[1:]
            )
            problems.append(
                f"Choose a column for “{labels}”" + (f" (or {alternatives})." if alternatives else ".")
            )
    return problems
