"""Forms of the treatments app. Points are typed (code, alias or pinyin) and resolved here."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator

from clients.regions import BodyRegion, Side
from clinic.kernel.forms import DateInput
from practitioners.models import Practitioner
from treatments import safety
from treatments.catalogue import Catalogue
from treatments.lookup import Lookup
from treatments.models import (
    DURATION_MAX_SECONDS,
    NOTE_TEXT_MAX,
    PAIN_MAX,
    PRESSURE_MAX,
    Amendment,
    Point,
    PointReading,
    Protocol,
    Technique,
    TreatmentNote,
    TreatmentPlan,
)
from treatments.quickline import parse_quick_line, technique_names
from treatments.services import ProtocolStep

LEGACY_BLADDER_LABEL = "Older bladder numbering (a bare B36-B54 as in popular acupressure books)"


def unresolved_message(catalogue: Catalogue, found: Lookup) -> str:
    """Why `found` names no one point, with the points it could be."""
    text = found.text.strip()
    if found.numbering_choice:
        who, older = (r.record for r in found.readings)
        return (
            f"“{text}” is {who.label} in WHO numbering but {older.label} in older acupressure books: "
            "choose which you mean."
        )
    if found.readings:
        names = " or ".join(r.record.label for r in found.readings)
        return f"“{text}” could be {names}: type the code of the one you mean."
    options = catalogue.did_you_mean(text)
    hint = f" Did you mean {', '.join(p.label for p in options)}?" if options else ""
    return f"No point matches “{text}”.{hint}"


def resolve_point(catalogue: Catalogue, text: str, *, legacy_bladder: bool = False) -> Point:
    """The one point meant by `text`, or a ValidationError that offers the likely ones."""
    found = catalogue.lookup(text, legacy_bladder=legacy_bladder)
    if found.point is not None:
        return found.point
    raise forms.ValidationError(unresolved_message(catalogue, found))


class NoteForm(forms.ModelForm):
    pain_before = forms.IntegerField(
        label="Pain before (0-10)",
        required=False,
        validators=[MinValueValidator(0), MaxValueValidator(PAIN_MAX)],
    )
    pain_after = forms.IntegerField(
        label="Pain after (0-10)",
        required=False,
        validators=[MinValueValidator(0), MaxValueValidator(PAIN_MAX)],
    )
    regions_treated = forms.MultipleChoiceField(
        label="Body regions treated",
        choices=BodyRegion.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    home_care = forms.CharField(
        label="Home-care points",
        required=False,
        max_length=300,
        help_text="Points the client practises at home: codes or names, separated by commas (LI4, ST36).",
    )
    home_care_reason = forms.CharField(
        label="Reason for home-care points despite a caution",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Needed only when a caution applies to a home-care point for this client.",
    )

    class Meta:
        model = TreatmentNote
        fields = [
            "subjective",
            "objective",
            "assessment",
            "plan",
            "next_session",
            "pain_before",
            "pain_after",
            "regions_treated",
        ]
        widgets = {
            name: forms.Textarea(attrs={"rows": 3})
            for name in ("subjective", "objective", "assessment", "plan", "next_session")
        }

    def __init__(self, *args: Any, catalogue: Catalogue, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.catalogue = catalogue
        if self.instance.pk and not self.is_bound:
            self.initial["home_care"] = ", ".join(p.code for p in self.instance.home_care_points.all())
            self.initial["home_care_reason"] = self.instance.home_care_reason

    def fields_to_save(self) -> dict[str, Any]:
        """The cleaned note fields, as the services take them (home care goes separately)."""
        return {name: self.cleaned_data[name] for name in self.Meta.fields}

    def error_summary(self) -> str:
        """Every error in one line, each after its field's label, for the autosave state."""
        # An ErrorList iterates its messages (str); the stubs say ValidationError as well.
        return " ".join(
            f"{self.fields[name].label}: {' '.join(errors)}"  # type: ignore[arg-type]
            if name in self.fields
            else " ".join(errors)  # type: ignore[arg-type]
            for name, errors in self.errors.items()
        )

    def clean_home_care(self) -> list[Point]:
        points, errors = [], []
        for text in self.cleaned_data["home_care"].split(","):
            if text.strip():
                try:
                    points.append(resolve_point(self.catalogue, text.strip()))
                except forms.ValidationError as error:
                    errors.extend(error.messages)
        if errors:
            raise forms.ValidationError(errors)
        return list(dict.fromkeys(points))


class ApplicationForm(forms.Form):
    """One point, entered with the picker. Cautions for this client are checked in clean()."""

    point = forms.CharField(
        label="Point",
        max_length=60,
        help_text="Code, older code or pinyin: BL23, UB23, Shenshu.",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    # For a bare B36-B54, which of its two readings is meant (asked for when it is typed). Anything
    # else posted counts as no choice, so the two readings are offered again.
    reading = forms.CharField(label="Which point", required=False)
    legacy_bladder = forms.BooleanField(label=LEGACY_BLADDER_LABEL, required=False)
    side = forms.ChoiceField(label="Side", choices=Side.choices, initial=Side.BOTH)
    technique = forms.ModelChoiceField(
        label="Technique", queryset=Technique.objects.filter(is_active=True), required=False
    )
    duration_seconds = forms.IntegerField(
        label="Duration (seconds)", required=False, min_value=1, max_value=DURATION_MAX_SECONDS
    )
    pressure = forms.IntegerField(label="Pressure (0-5)", required=False, min_value=0, max_value=PRESSURE_MAX)
    response = forms.CharField(label="Client response", max_length=300, required=False)
    override_reason = forms.CharField(
        label="Reason for going ahead despite the caution",
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, catalogue: Catalogue, screening: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.catalogue = catalogue
        self.screening = screening
        self.flags: tuple[safety.Flag, ...] = ()
        self.found: Lookup | None = None

    @property
    def reading_options(self) -> list[tuple[str, str, Point]]:
        """(value, numbering, point) for each reading of an entry that has two: shown as a choice."""
        if self.found is None or not self.found.numbering_choice:
            return []
        return [(r.numbering, PointReading(r.numbering).label, r.record) for r in self.found.readings]

    def clean_point(self) -> str:
        return self.cleaned_data["point"].strip()

    def clean_reading(self) -> str:
        reading = self.cleaned_data["reading"]
        return reading if reading in PointReading.values else ""

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        text = data.get("point")
        if text:
            self.found = self.catalogue.lookup(
                text, legacy_bladder=data.get("legacy_bladder", False), numbering=data.get("reading") or ""
            )
            if self.found.point is None:
                self.add_error("point", unresolved_message(self.catalogue, self.found))
                return data
            data["point"] = self.found.point
            data["reading"] = self.found.numbering
            data["entered_as"] = text
        point = data.get("point")
        if isinstance(point, Point):
            if point.midline:
                data["side"] = Side.MIDLINE
            self.flags = self.catalogue.flags_for(
                point, side=data.get("side"), pressure=data.get("pressure"), screening=self.screening
            )
            if safety.needs_reason(self.flags) and not data.get("override_reason", "").strip():
                self.add_error(
                    "override_reason",
                    f"A caution applies to {point.code} for this client: give a reason to go ahead.",
                )
        return data


class QuickLineForm(forms.Form):
    text = forms.CharField(
        label="Quick line",
        max_length=2000,
        help_text="One point per entry, entries separated by ; , or new lines: "
        "LI4 both 60s static; BL23 L 90s p3",
        widget=forms.Textarea(attrs={"rows": 2, "autocomplete": "off", "spellcheck": "false"}),
    )
    legacy_bladder = forms.BooleanField(label=LEGACY_BLADDER_LABEL, required=False)


class AmendmentForm(forms.ModelForm):
    class Meta:
        model = Amendment
        fields = ["reason", "text"]
        labels = {"reason": "Why the amendment"}

    text = forms.CharField(
        label="Amendment", max_length=NOTE_TEXT_MAX, widget=forms.Textarea(attrs={"rows": 3})
    )


class PlanForm(forms.ModelForm):
    planned_sessions = forms.IntegerField(label="Planned sessions", min_value=1, max_value=100)

    class Meta:
        model = TreatmentPlan
        fields = ["goal", "planned_sessions", "started_on"]
        widgets = {
            "goal": forms.Textarea(attrs={"rows": 3}),
            "started_on": DateInput(),
        }


class ProtocolForm(forms.ModelForm):
    """A protocol's name and sharing, and its points written as a quick line (one entry per point).

    Every entry must resolve to one point with every word placed; a bare B36-B54 must be written
    as its WHO code. The admin uses this form too, so both hold protocols to the same rules.
    """

    points = forms.CharField(
        label="Points",
        max_length=2000,
        help_text="One point per entry, in order, as in the quick line: "
        "BL23 both 60s static; BL40 both 60s; GB30 L 90s p3",
        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "off", "spellcheck": "false"}),
    )

    class Meta:
        model = Protocol
        fields = ["name", "description", "shared"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}

    # Whose a new protocol will be: the practitioner creating it (None for a manager who is not one).
    new_owner: Practitioner | None = None

    def __init__(
        self, *args: Any, catalogue: Catalogue, new_owner: Practitioner | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.catalogue = catalogue
        self.new_owner = new_owner or self.new_owner
        if self.instance.pk and not self.is_bound:
            items = self.instance.items.select_related("point", "technique")
            self.initial["points"] = "; ".join(item.quick_text for item in items)

    def clean_points(self) -> list[ProtocolStep]:
        entries = parse_quick_line(
            self.cleaned_data["points"],
            points=self.catalogue,
            techniques=technique_names(Technique.objects.filter(is_active=True)),
        )
        problems = []
        for entry in entries:
            if entry.numbering_choice:
                codes = " or ".join(r.record.code for r in entry.readings)
                problems.append(f"{entry.label}: could be {codes}; write the WHO code you mean.")
            elif entry.point is None:
                hint = ", ".join(p.code for p in entry.did_you_mean)
                problems.append(f"{entry.label}: no such point." + (f" Did you mean {hint}?" if hint else ""))
            problems.extend(f"{entry.label}: {error}" for error in entry.errors)
            if entry.unknown:
                problems.append(f"{entry.label}: not understood: {' '.join(entry.unknown)}.")
        if problems:
            raise forms.ValidationError(problems)
        if not entries:
            raise forms.ValidationError("A protocol has at least one point.")
        return [
            ProtocolStep(
                point=entry.point,
                side=Side.MIDLINE if entry.point.midline else (entry.side or Side.BOTH),
                technique=entry.technique,
                duration_seconds=entry.seconds,
                pressure=entry.pressure,
            )
            for entry in entries
            if entry.point is not None
        ]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        owner = self.instance.owner if self.instance.pk else self.new_owner
        if not data.get("shared") and owner is None:
            self.add_error(
                "shared", "Only a practitioner keeps a private protocol: a manager's protocols are shared."
            )
        name = (data.get("name") or "").strip()
        if owner is not None and name:
            taken = Protocol.objects.filter(owner=owner, name=name).exclude(pk=self.instance.pk).exists()
            if taken:
                self.add_error("name", f"{owner} already has a protocol called “{name}”.")
        return data


class ProtocolApplyForm(forms.Form):
    protocol = forms.ModelChoiceField(label="Protocol", queryset=Protocol.objects.none())

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["protocol"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Protocol.objects.visible_to(user)
