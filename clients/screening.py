"""Contraindication screening: from an intake, the client's clearances and a date to a result.

Two halves, kept apart on purpose:

- which conditions an intake raises is code (`conditions_from_intake`, a pure function);
- what each condition leads to is data (`clients.ContraindicationRule`, tuned in the admin).

`screen` puts them together and is pure: it reads nothing from the database. `screening_for`
and `screenings_for` load what it needs (the second in a fixed number of queries for any
number of clients, for calendars and lists).

Other apps rely on the names in this module (see the team's screening contract).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Protocol

from django.db.models import DateField, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from clients.choices import (
    SEVERITY,
    BloodPressure,
    CancerStatus,
    ClotHistory,
    Condition,
    ConditionKind,
    HeartCondition,
    Osteoporosis,
    ScreeningStatus,
    SeizureControl,
    SiteCondition,
)
from clients.models import Client, ContraindicationRule, Intake, IntakeSite, PhysicianClearance
from clients.regions import BodyRegion, Side
from clinic.kernel.json_rows import instances, json_rows, json_table, nested
from clinic.kernel.statements import In, Slot, Statement

__all__ = [
    "Finding",
    "RaisedCondition",
    "ScreeningResult",
    "ScreeningStatus",
    "conditions_from_intake",
    "expand_points",
    "screen",
    "screening_for",
    "screenings_for",
]

# Surgery, fractures and injuries this recent need a doctor's approval (docs/domain.md#the-seeded-rules).
RECENT_DAYS = 6 * 7
# A scar younger than this is a "new scar": its region is avoided.
NEW_SCAR_DAYS = 26 * 7


@dataclass(frozen=True)
class Finding:
    condition: str
    label: str
    kind: str
    outcome: str
    regions: tuple[str, ...] = ()
    side: str = ""
    points_to_avoid: tuple[str, ...] = ()
    action: str = ""
    pressure_cap: int | None = None
    cleared: bool = False

    @property
    def effective_outcome(self) -> str:
        """A cleared finding still asks for care, but no longer for a doctor's letter."""
        return ScreeningStatus.CAUTION.value if self.cleared else str(self.outcome)

    @property
    def outcome_label(self) -> str:
        return ScreeningStatus(self.outcome).label

    @property
    def where(self) -> str:
        """ "Lower leg (calf and shin), left side" for people; empty when not local."""
        names = ", ".join(BodyRegion(r).label if r in BodyRegion.values else r for r in self.regions)
        if names and self.side and self.side != Side.BOTH:
            return f"{names} ({Side(self.side).label.lower()})"
        return names

    @property
    def kind_label(self) -> str:
        try:
            return ConditionKind(self.kind).label
        except ValueError:
            return self.kind


_ACTIONS = {
    ScreeningStatus.CLEAR: "Clear to treat.",
    ScreeningStatus.CAUTION: "Treat with care: the practitioner checks the intake before the session.",
    ScreeningStatus.NEEDS_CLEARANCE: "Needs a doctor's letter before treatment.",
    ScreeningStatus.DO_NOT_TREAT: "Do not treat today: reschedule the session.",
}


@dataclass(frozen=True)
class ScreeningResult:
    status: str
    findings: tuple[Finding, ...] = ()
    intake_date: date | None = None
    intake_out_of_date: bool = False
    has_intake: bool = False
    # An intake the client sent online is waiting for a clinician's review.
    needs_review: bool = False
    intake_id: int | None = field(default=None, compare=False)
    pending_dates: tuple[date, ...] = ()
    pending_intake_ids: tuple[int | None, ...] = field(default=(), compare=False)

    @property
    def status_label(self) -> str:
        return ScreeningStatus(self.status).label

    @property
    def action(self) -> str:
        """One sentence for the front desk: what to do, never which condition."""
        if not self.has_intake:
            return "No health intake on file: take one (or send the online intake link) before treating."
        sentence = _ACTIONS[ScreeningStatus(self.status)]
        if self.intake_out_of_date:
            sentence += " The intake is out of date: ask the client to fill in a new one."
        if self.needs_review:
            sentence += " An intake sent online is waiting for a practitioner's review."
        return sentence

    @property
    def active_findings(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if not f.cleared)

    @property
    def cleared_findings(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.cleared)

    @property
    def pressure_cap(self) -> int | None:
        caps = [f.pressure_cap for f in self.findings if f.pressure_cap is not None]
        return min(caps) if caps else None

    @property
    def regions_to_avoid(self) -> set[tuple[str, str]]:
        return {(region, f.side or Side.BOTH.value) for f in self.findings for region in f.regions}

    @property
    def points_to_avoid(self) -> tuple[str, ...]:
        seen: dict[str, None] = {}
        for finding in self.findings:
            for code in finding.points_to_avoid:
                seen.setdefault(code, None)
        return tuple(seen)

    @property
    def badge_class(self) -> str:
        """The CSS class of the badge (clinic/app.css: badge-status-<status>)."""
        return f"badge-status-{self.status if self.has_intake else 'unknown'}"


@dataclass(frozen=True)
class RaisedCondition:
    """A condition an intake raises, with where on the body when it is local."""

    condition: str
    regions: tuple[str, ...] = ()
    side: str = ""


class RuleLike(Protocol):
    condition: str
    label: str
    kind: str
    outcome: str
    action: str
    pressure_cap: int | None
    points_to_avoid: str
    regions: str
    is_active: bool


class SiteLike(Protocol):
    """A place on the body an intake reports (an IntakeSite row, or a plain object in tests)."""

    condition: str
    region: str
    side: str
    occurred_on: date | None


class SitesLike(Protocol):
    """An intake's `sites` (a related manager): only `all()` is read."""

    def all(self) -> Iterable[SiteLike]: ...


class IntakeLike(Protocol):
    """What screening reads of an intake: the answers, the sites, the date (an Intake row, or a
    plain object in tests). `needs_review` is read when there."""

    @property
    def pk(self) -> int | None: ...

    @property
    def sites(self) -> SitesLike: ...

    taken_on: date
    fever_or_illness_today: bool
    contagious_illness: bool
    blood_clots: str
    heart_condition: str
    blood_pressure: str
    clotting_disorder: bool
    bruises_easily: bool
    pregnant: bool
    pregnancy_high_risk: bool
    osteoporosis: str
    recent_stroke: bool
    diabetes: bool
    numbness_or_neuropathy: bool
    cancer: str
    chemotherapy: bool
    radiotherapy: bool
    seizures: bool
    seizure_control: str
    blood_thinners: bool
    long_term_steroids: bool
    pain_relievers: bool
    muscle_relaxants: bool
    allergy_oils: bool
    allergy_latex: bool
    other_allergies: str
    contagious_skin_condition: bool
    pacemaker_or_implant: bool
    areas_to_avoid: str

    def is_out_of_date(self, on: date) -> bool: ...


class ClearanceLike(Protocol):
    """A doctor's clearance (a PhysicianClearance row, or a plain object in tests)."""

    def is_valid_on(self, day: date) -> bool: ...

    @property
    def condition_codes(self) -> Iterable[str]: ...


_RANGE = re.compile(r"^([A-Z]+(?:-[A-Z]+)?)(\d+)-(?:\1)?(\d+)$")


def expand_points(text: str) -> tuple[str, ...]:
    """ "LI4 CV3-CV7 bl31-34" -> ("LI4", "CV3", "CV4", "CV5", "CV6", "CV7", "BL31", ... "BL34")."""
    codes: list[str] = []
    for token in text.replace(",", " ").upper().split():
        match = _RANGE.match(token)
        if match and int(match.group(2)) <= int(match.group(3)) <= int(match.group(2)) + 40:
            prefix = match.group(1)
            codes.extend(f"{prefix}{n}" for n in range(int(match.group(2)), int(match.group(3)) + 1))
        else:
            codes.append(token)
    return tuple(dict.fromkeys(codes))


def _within(day: date | None, on: date, days: int) -> bool:
    """Unknown dates count as recent: the careful reading."""
    return day is None or on - timedelta(days=days) <= day


_SITE_CODES = {
    SiteCondition.OPEN_WOUND: Condition.OPEN_WOUND,
    SiteCondition.SKIN_INFECTION: Condition.SKIN_INFECTION,
    SiteCondition.VARICOSE_VEINS: Condition.VARICOSE_VEINS,
    SiteCondition.TUMOUR: Condition.TUMOUR_SITE,
    SiteCondition.LYMPHOEDEMA: Condition.LYMPHOEDEMA,
    SiteCondition.IMPLANT: Condition.IMPLANTED_DEVICE,
    SiteCondition.BRUISE: Condition.BRUISING,
    SiteCondition.AVOID: Condition.AREA_TO_AVOID,
}


def _site_condition(site: SiteLike, on: date) -> str:
    kind = site.condition
    recent = _within(site.occurred_on, on, RECENT_DAYS)
    healing = _within(site.occurred_on, on, NEW_SCAR_DAYS)
    if kind == SiteCondition.SURGERY:
        if recent:
            return Condition.RECENT_SURGERY
        return Condition.NEW_SCAR if healing else Condition.PAST_SURGERY
    if kind in (SiteCondition.FRACTURE, SiteCondition.INJURY):
        return Condition.RECENT_FRACTURE if recent else Condition.PAST_SURGERY
    if kind == SiteCondition.SCAR:
        return Condition.NEW_SCAR if healing else Condition.PAST_SURGERY
    return _SITE_CODES[SiteCondition(kind)]


def conditions_from_intake(intake: IntakeLike, *, on: date) -> list[RaisedCondition]:
    """The condition codes an intake's answers raise (pure: reads the intake and its sites).

    `intake.sites.all()` is read (or the list `screenings_for` loaded into `loaded_sites`), so
    prefetch `sites` when screening many intakes.
    """
    # Seizures whose control is not known count as not controlled: the careful reading.
    seizures_controlled = intake.seizures and intake.seizure_control == SeizureControl.CONTROLLED
    flags: list[tuple[bool, str]] = [
        (intake.fever_or_illness_today, Condition.FEVER),
        (intake.contagious_illness, Condition.CONTAGIOUS_ILLNESS),
        (intake.blood_clots == ClotHistory.SUSPECTED, Condition.DVT_SUSPECTED),
        (intake.blood_clots == ClotHistory.PAST, Condition.PAST_DVT),
        (intake.heart_condition == HeartCondition.UNSTABLE, Condition.UNSTABLE_HEART),
        (intake.heart_condition == HeartCondition.STABLE, Condition.HEART_DISEASE),
        (intake.blood_pressure == BloodPressure.UNCONTROLLED, Condition.UNCONTROLLED_BP),
        (intake.blood_pressure == BloodPressure.CONTROLLED, Condition.CONTROLLED_BP),
        (intake.clotting_disorder, Condition.CLOTTING_DISORDER),
        (intake.bruises_easily, Condition.EASY_BRUISING),
        (intake.pregnant, Condition.PREGNANCY),
        (intake.pregnant and intake.pregnancy_high_risk, Condition.HIGH_RISK_PREGNANCY),
        (intake.osteoporosis == Osteoporosis.SEVERE, Condition.SEVERE_OSTEOPOROSIS),
        (intake.osteoporosis == Osteoporosis.MILD, Condition.MILD_OSTEOPOROSIS),
        (intake.recent_stroke, Condition.RECENT_STROKE),
        (intake.diabetes, Condition.DIABETES),
        (intake.numbness_or_neuropathy, Condition.DIABETIC_NEUROPATHY),
        (intake.chemotherapy, Condition.CHEMOTHERAPY),
        (intake.radiotherapy, Condition.RADIOTHERAPY),
        (
            intake.cancer == CancerStatus.PAST and not (intake.chemotherapy or intake.radiotherapy),
            Condition.PAST_CANCER,
        ),
        (seizures_controlled, Condition.SEIZURES),
        (intake.seizures and not seizures_controlled, Condition.UNCONTROLLED_SEIZURES),
        (intake.blood_thinners, Condition.BLOOD_THINNERS),
        (intake.long_term_steroids, Condition.LONG_TERM_STEROIDS),
        (intake.pain_relievers, Condition.PAIN_RELIEVERS),
        (intake.muscle_relaxants, Condition.MUSCLE_RELAXANTS),
        (intake.allergy_oils, Condition.ALLERGY_OILS),
        (intake.allergy_latex, Condition.ALLERGY_LATEX),
        (bool(intake.other_allergies.strip()), Condition.OTHER_ALLERGY),
    ]
    raised = [RaisedCondition(str(code)) for present, code in flags if present]

    sites = _sites_of(intake)
    from_sites = [RaisedCondition(str(_site_condition(s, on)), (s.region,), s.side) for s in sites]
    raised.extend(from_sites)
    site_codes = {r.condition for r in from_sites}
    # A "yes" with no place marked still counts, without a region.
    for present, code in (
        (intake.contagious_skin_condition, Condition.SKIN_INFECTION),
        (intake.pacemaker_or_implant, Condition.IMPLANTED_DEVICE),
        (bool(intake.areas_to_avoid.strip()), Condition.AREA_TO_AVOID),
    ):
        if present and code not in site_codes:
            raised.append(RaisedCondition(str(code)))
    return raised


class _RuleIndex(dict[str, RuleLike]):
    """Rules by condition code, built once for a batch of screenings (screenings_for)."""


def _rule_index(rules: Iterable[RuleLike] | Mapping[str, RuleLike]) -> dict[str, RuleLike]:
    if isinstance(rules, _RuleIndex):
        return rules
    values = rules.values() if isinstance(rules, Mapping) else rules
    return {rule.condition: rule for rule in values}


def _finding(raised: RaisedCondition, rule: RuleLike | None, cleared_codes: set[str]) -> Finding | None:
    if rule is None:
        # A code with no rule at all (deleted by mistake): ask a practitioner rather than stay silent.
        known = raised.condition in Condition.values
        return Finding(
            condition=raised.condition,
            label=Condition(raised.condition).label if known else raised.condition,
            kind=ConditionKind.NOTE.value,
            outcome=ScreeningStatus.CAUTION.value,
            regions=raised.regions,
            side=raised.side,
            action="No screening rule for this condition: a practitioner decides.",
        )
    if not rule.is_active:
        return None
    outcome = str(rule.outcome)
    regions = tuple(dict.fromkeys((*raised.regions, *rule.regions.split())))
    return Finding(
        condition=raised.condition,
        label=rule.label,
        kind=str(rule.kind),
        outcome=outcome,
        regions=regions,
        side=raised.side,
        points_to_avoid=expand_points(rule.points_to_avoid),
        action=rule.action,
        pressure_cap=rule.pressure_cap,
        cleared=outcome == ScreeningStatus.NEEDS_CLEARANCE and raised.condition in cleared_codes,
    )


def _findings_of(
    intake: IntakeLike, index: dict[str, RuleLike], cleared_codes: set[str], *, on: date
) -> list[Finding]:
    findings = []
    for raised in conditions_from_intake(intake, on=on):
        finding = _finding(raised, index.get(raised.condition), cleared_codes)
        if finding is not None:
            findings.append(finding)
    return findings


def _merge(findings: Iterable[Finding]) -> list[Finding]:
    """One finding per condition and place; of two, the stricter stays. Different places of
    one condition (varicose veins left in one intake, right in the other) both stay."""
    kept: dict[tuple[str, tuple[str, ...], str], Finding] = {}
    for finding in findings:
        key = (finding.condition, finding.regions, finding.side)
        if key not in kept or SEVERITY[finding.effective_outcome] > SEVERITY[kept[key].effective_outcome]:
            kept[key] = finding
    return sorted(kept.values(), key=lambda f: (-SEVERITY[f.effective_outcome], f.cleared, f.label))


def screen(
    intake: IntakeLike | None,
    clearances: Iterable[ClearanceLike],
    *,
    on: date,
    rules: Iterable[RuleLike] | Mapping[str, RuleLike],
    pending: Iterable[IntakeLike] = (),
) -> ScreeningResult:
    """Screen one intake on a day. Pure: everything it needs is passed in.

    - Each raised condition becomes a finding with its rule's outcome (inactive rules: none).
    - A `needs_clearance` finding whose condition a clearance valid on `on` covers is kept,
      marked cleared, and counts as `caution`.
    - The status is the strictest finding; with no intake, or an out-of-date one, it is at
      least `caution` (the action says what is missing).
    - `pending` are intakes the client sent online that no clinician has reviewed yet: they
      can only make the result stricter, never milder. Their findings join the reviewed
      intake's (cautions, points, regions and pressure caps of both apply), and with no
      reviewed intake the status stays at least `caution`. Dates and the out-of-date flag
      stay the reviewed intake's.
    """
    unreviewed = [p for p in pending if intake is None or p.pk != intake.pk]
    if intake is None and not unreviewed:
        return ScreeningResult(status=ScreeningStatus.CAUTION.value, has_intake=False)

    cleared_codes: set[str] = set()
    for clearance in clearances:
        if clearance.is_valid_on(on):
            cleared_codes.update(clearance.condition_codes)

    index = _rule_index(rules)
    findings = [] if intake is None else _findings_of(intake, index, cleared_codes, on=on)
    for other in unreviewed:
        findings.extend(_findings_of(other, index, cleared_codes, on=on))
    merged = _merge(findings)

    out_of_date = intake is not None and intake.is_out_of_date(on)
    floor = ScreeningStatus.CAUTION.value if intake is None or out_of_date else ScreeningStatus.CLEAR.value
    status = max([floor, *(f.effective_outcome for f in merged)], key=SEVERITY.__getitem__)
    return ScreeningResult(
        status=status,
        findings=tuple(merged),
        intake_date=None if intake is None else intake.taken_on,
        intake_out_of_date=out_of_date,
        has_intake=True,
        needs_review=bool(unreviewed) or bool(getattr(intake, "needs_review", False)),
        intake_id=None if intake is None else intake.pk,
        pending_dates=tuple(p.taken_on for p in unreviewed),
        pending_intake_ids=tuple(p.pk for p in unreviewed),
    )


@dataclass(frozen=True)
class _Covered:
    """One condition a clearance covers, with the clearance's dates (a row `_intakes_of` read)."""

    condition: str
    issued_on: date
    expires_on: date

    def is_valid_on(self, day: date) -> bool:
        return self.issued_on <= day <= self.expires_on

    @property
    def condition_codes(self) -> tuple[str]:
        return (self.condition,)


def screening_for(client: Client, *, on: date | None = None) -> ScreeningResult:
    """Screen one client: `screenings_on` for this client on the day (two queries, one when
    the client has no intake), or none when the client was read `with_screening`."""
    day = on or timezone.localdate()
    loaded = _loaded_screening(client)
    if loaded is not None:
        return screen(loaded.intake, loaded.covered, on=day, rules=loaded.rules, pending=loaded.pending)
    return screenings_on([(client.pk, day)])[(client.pk, day)]


# Where `_intakes_of` puts each intake's sites: a plain list, in the order of their ids.
LOADED_SITES = "loaded_sites"
_SITE_COLUMNS = [column.attname for column in IntakeSite._meta.concrete_fields]


def _sites_of(intake: IntakeLike) -> list[SiteLike]:
    loaded: list[SiteLike] | None = getattr(intake, LOADED_SITES, None)
    if loaded is not None:
        return loaded
    return list(intake.sites.all()) if intake.pk else []  # an unsaved intake has no sites yet


def _screening_intakes(clients: Q | In) -> QuerySet[Intake]:
    """The intakes a screening reads, of the clients `clients` filters on (`In("client_id", ...)`,
    or `Q(client_id=OuterRef(...))`): each client's newest reviewed intake (a correlated subquery
    picks it) and the intakes sent online still waiting for review. Staff-taken intakes count
    as reviewed (needs_review is False on them)."""
    newest_reviewed = Intake.objects.filter(client_id=OuterRef("client_id"), needs_review=False).order_by(
        "-taken_on", "-created_at", "-id"
    )
    return Intake.objects.filter(clients).filter(
        Q(pk=Subquery(newest_reviewed.values("pk")[:1])) | Q(needs_review=True)
    )


# The read above, built and compiled once (clinic.kernel.statements): building and compiling
# its sub-selects cost more than the database took to run it, on every page with a badge.
_SCREENING_INTAKES = Statement(
    Intake,
    lambda: (
        _screening_intakes(In("client_id", "ids"))
        .order_by("taken_on", "created_at", "id")
        .annotate(
            sites_json=_sites_json(),
            clearances_json=_covered_json(
                OuterRef("client_id"), first=Slot("first", DateField()), last=Slot("last", DateField())
            ),
        )
    ),
)


def _sites_json() -> Subquery:
    """An intake's body sites, as `json_rows` of `_SITE_COLUMNS` (on an intake queryset)."""
    return json_rows(IntakeSite.objects.filter(intake_id=OuterRef("pk")), "intake_id", _SITE_COLUMNS)


def _covered_json(client: OuterRef, *, first: Slot | None = None, last: Slot | None = None) -> Subquery:
    """What the client's clearances cover, each condition with its clearance's dates, as
    `json_rows`: those valid on some day from `first` to `last`, or all of them."""
    covered = PhysicianClearance.conditions.through.objects.filter(physicianclearance__client_id=client)
    if last is not None:
        covered = covered.filter(physicianclearance__issued_on__lte=last)
    if first is not None:
        covered = covered.filter(physicianclearance__expires_on__gte=first)
    return json_rows(covered, "physicianclearance__client_id", _COVERED_COLUMNS)


_COVERED_COLUMNS = [
    "contraindicationrule__condition",
    "physicianclearance__issued_on",
    "physicianclearance__expires_on",
]


def _covered_from(rows: Any) -> list[_Covered]:
    return [
        _Covered(code, date.fromisoformat(issued), date.fromisoformat(expires))
        for code, issued, expires in rows or ()
    ]


def _with_sites(intake: Intake, site_rows: Any) -> Intake:
    """The intake, its sites (JSON rows read with it) in `loaded_sites`, in the order of their ids."""
    loaded = instances(IntakeSite, _SITE_COLUMNS, nested(site_rows), intake._state.db or "default")
    setattr(intake, LOADED_SITES, sorted(loaded, key=lambda site: site.pk))
    return intake


def _intakes_of(
    ids: list[int], first: date, last: date
) -> tuple[dict[int, Intake], dict[int, list[Intake]], dict[int, list[_Covered]]]:
    """Each client's newest reviewed intake, the intakes sent online still waiting for review
    (oldest first), and what the client's clearances valid on some day from `first` to `last`
    cover, in one query: the intakes, each with its sites and the client's clearances as JSON
    sub-selects. A client with no intake has nothing to screen, so no clearances are needed."""
    reviewed: dict[int, Intake] = {}
    pending: dict[int, list[Intake]] = {}
    clearances: dict[int, list[_Covered]] = {}
    for intake in _SCREENING_INTAKES.all(ids=ids, first=first, last=last):
        # The JSON annotations are taken off the intake: what stays on it is its row and its sites.
        site_rows, covered_rows = vars(intake).pop("sites_json"), vars(intake).pop("clearances_json")
        _with_sites(intake, site_rows)
        clearances[intake.client_id] = _covered_from(covered_rows)
        if intake.needs_review:
            pending.setdefault(intake.client_id, []).append(intake)
        else:
            reviewed[intake.client_id] = intake
    return reviewed, pending, clearances


# --- One client read with its screening --------------------------------------------------------

_INTAKE_COLUMNS = [column.attname for column in Intake._meta.concrete_fields]
_RULE_COLUMNS = [column.attname for column in ContraindicationRule._meta.concrete_fields]
# Where `with_screening` puts its JSON rows on the client, and where they go once turned back.
_LOADED_COLUMNS = ("screening_intakes", "screening_covered", "screening_rules")
_LOADED = "_loaded_screening"


@dataclass(frozen=True)
class _Loaded:
    intake: Intake | None
    pending: tuple[Intake, ...]
    covered: tuple[_Covered, ...]
    rules: _RuleIndex


def with_screening(clients: QuerySet[Client]) -> QuerySet[Client]:
    """`clients`, each read with everything its screening needs in the same statement (JSON
    sub-selects): its screening intakes (the newest reviewed and those waiting for review),
    each with its body sites; what its clearances cover, with their dates; and the rules.
    `screening_for` then screens such a client on any day without a query, from the rows as
    they were read: for a page that reads one client to book or screen it at once (the booking
    form's client), not for one that changes the intakes in between."""
    intakes = _screening_intakes(Q(client_id=OuterRef("pk"))).annotate(sites_json=_sites_json())
    return clients.annotate(
        screening_intakes=json_rows(intakes, "client_id", [*_INTAKE_COLUMNS, "sites_json"]),
        screening_covered=_covered_json(OuterRef("pk")),
        screening_rules=json_table(ContraindicationRule.objects.all(), _RULE_COLUMNS),
    )


def _loaded_screening(client: Client) -> _Loaded | None:
    """What `with_screening` read with the client, as model instances (turned once, then kept
    on the client); None when the client was read without it."""
    fields = vars(client)
    if _LOADED in fields:
        loaded: _Loaded = fields[_LOADED]
        return loaded
    if not all(column in fields for column in _LOADED_COLUMNS):
        return None
    intake_rows, covered_rows, rule_rows = (fields.pop(column) for column in _LOADED_COLUMNS)
    db = client._state.db or "default"
    rows = nested(intake_rows)  # each intake's columns, then its sites' rows
    intakes = instances(Intake, _INTAKE_COLUMNS, [row[:-1] for row in rows], db)
    for intake, row in zip(intakes, rows, strict=True):
        _with_sites(intake, row[-1])
    intakes.sort(key=lambda intake: (intake.taken_on, intake.created_at, intake.pk))
    reviewed = [intake for intake in intakes if not intake.needs_review]
    loaded = fields[_LOADED] = _Loaded(
        intake=reviewed[-1] if reviewed else None,
        pending=tuple(intake for intake in intakes if intake.needs_review),
        covered=tuple(_covered_from(covered_rows)),
        rules=_RuleIndex(_rule_index(instances(ContraindicationRule, _RULE_COLUMNS, nested(rule_rows), db))),
    )
    return loaded


def screenings_for(
    clients_or_ids: Iterable[Client | int], *, on: date | None = None
) -> dict[int, ScreeningResult]:
    """Screen many clients at once, keyed by client id, in a fixed number of queries:

    1. each client's newest reviewed intake (a correlated subquery picks it) and the intakes
       sent online still waiting for review, each with its body sites and what the client's
       clearances valid on the day cover (JSON sub-selects);
    2. the rules, when any of the clients has an intake.

    Staff-taken intakes count as reviewed (needs_review is False on them).
    """
    day = on or timezone.localdate()
    ids = [c if isinstance(c, int) else c.pk for c in clients_or_ids]
    return {client_id: result for (client_id, _), result in screenings_on([(i, day) for i in ids]).items()}


def screenings_on(wanted: Iterable[tuple[int, date]]) -> dict[tuple[int, date], ScreeningResult]:
    """`screenings_for` for (client id, day) pairs of any days (an import's bookings), in the
    same two queries: the clearances read are those valid on any day between the first and
    the last, and each pair's screening counts those valid on its own day."""
    pairs = list(dict.fromkeys(wanted))
    if not pairs:
        return {}
    ids = list({client_id for client_id, _ in pairs})
    days = [day for _, day in pairs]
    reviewed, pending, clearances = _intakes_of(ids, min(days), max(days))
    # Without an intake `screen` reads no rule: the rules are read only when some client has one.
    rules = _RuleIndex(_rule_index(ContraindicationRule.objects.all()) if reviewed or pending else {})
    return {
        (client_id, day): screen(
            reviewed.get(client_id),
            clearances.get(client_id, ()),
            on=day,
            rules=rules,
            pending=pending.get(client_id, ()),
        )
        for client_id, day in pairs
    }
