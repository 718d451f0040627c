"""Screening gives the outcomes docs/domain.md#the-seeded-rules lists, with the seeded rules."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.utils import timezone

from clients.models import ContraindicationRule
from clients.screening import (
    ScreeningStatus,
    expand_points,
    screen,
    screening_for,
    screenings_for,
)
from clients.tests.builders import make_clearance, make_client, make_intake

pytestmark = pytest.mark.django_db

CLEAR = ScreeningStatus.CLEAR
CAUTION = ScreeningStatus.CAUTION
NEEDS = ScreeningStatus.NEEDS_CLEARANCE
STOP = ScreeningStatus.DO_NOT_TREAT
PREGNANCY_POINTS = {"LI4", "SP6", "BL60", "BL67", "GB21", "CV3", "CV5", "CV7", "BL31", "BL34"}


def days_ago(n: int):
    return timezone.localdate() - timedelta(days=n)


def site(condition: str, region: str, side: str = "both", days: int | None = None) -> dict:
    return {
        "condition": condition,
        "region": region,
        "side": side,
        "occurred_on": days_ago(days) if days is not None else None,
    }


# id, answers, sites, status, {condition: kind} expected among the findings
CASES = [
    ("nothing", {}, [], CLEAR, {}),
    ("fever_today", {"fever_or_illness_today": True}, [], STOP, {"fever": "absolute"}),
    ("contagious_illness", {"contagious_illness": True}, [], STOP, {"contagious_illness": "absolute"}),
    ("suspected_dvt", {"blood_clots": "suspected"}, [], STOP, {"dvt_suspected": "absolute"}),
    ("unstable_heart", {"heart_condition": "unstable"}, [], STOP, {"unstable_heart": "absolute"}),
    ("uncontrolled_bp", {"blood_pressure": "uncontrolled"}, [], STOP, {"uncontrolled_bp": "absolute"}),
    ("past_dvt", {"blood_clots": "past"}, [], NEEDS, {"past_dvt": "relative"}),
    ("clotting_disorder", {"clotting_disorder": True}, [], NEEDS, {"clotting_disorder": "relative"}),
    ("surgery_10_days_ago", {}, [site("surgery", "abdomen", days=10)], NEEDS, {"recent_surgery": "relative"}),
    (
        "fracture_3_weeks_ago",
        {},
        [site("fracture", "forearm", "left", 21)],
        NEEDS,
        {"recent_fracture": "relative"},
    ),
    ("chemotherapy", {"cancer": "current", "chemotherapy": True}, [], NEEDS, {"chemotherapy": "relative"}),
    ("radiotherapy", {"cancer": "current", "radiotherapy": True}, [], NEEDS, {"radiotherapy": "relative"}),
    ("pregnancy", {"pregnant": True, "pregnancy_weeks": 20}, [], NEEDS, {"pregnancy": "relative"}),
    (
        "high_risk_pregnancy",
        {"pregnant": True, "pregnancy_high_risk": True},
        [],
        NEEDS,
        {"pregnancy": "relative", "high_risk_pregnancy": "relative"},
    ),
    ("severe_osteoporosis", {"osteoporosis": "severe"}, [], NEEDS, {"severe_osteoporosis": "relative"}),
    ("recent_stroke", {"recent_stroke": True}, [], NEEDS, {"recent_stroke": "relative"}),
    ("heart_disease", {"heart_condition": "stable"}, [], NEEDS, {"heart_disease": "relative"}),
    ("diabetes", {"diabetes": True}, [], NEEDS, {"diabetes": "relative"}),
    (
        "varicose_left_calf",
        {},
        [site("varicose_veins", "lower_leg", "left")],
        CAUTION,
        {"varicose_veins": "local"},
    ),
    ("open_wound", {}, [site("open_wound", "hand", "right")], CAUTION, {"open_wound": "local"}),
    (
        "skin_infection",
        {"contagious_skin_condition": True},
        [site("skin_infection", "forearm", "left")],
        CAUTION,
        {"skin_infection": "local"},
    ),
    ("scar_2_months", {}, [site("scar", "abdomen", days=60)], CAUTION, {"new_scar": "local"}),
    (
        "surgery_3_months_ago_new_scar",
        {},
        [site("surgery", "knee", "right", 90)],
        CAUTION,
        {"new_scar": "local"},
    ),
    (
        "tumour_site",
        {"cancer": "past"},
        [site("tumour", "chest", "left")],
        CAUTION,
        {"tumour_site": "local", "past_cancer": "note"},
    ),
    ("lymphoedema", {}, [site("lymphoedema", "upper_arm", "right")], CAUTION, {"lymphoedema": "local"}),
    (
        "pacemaker_chest",
        {"pacemaker_or_implant": True},
        [site("implant", "chest", "left")],
        CAUTION,
        {"implanted_device": "local"},
    ),
    ("pacemaker_no_site", {"pacemaker_or_implant": True}, [], CAUTION, {"implanted_device": "local"}),
    ("blood_thinners", {"blood_thinners": True}, [], CAUTION, {"blood_thinners": "relative"}),
    ("neuropathy", {"numbness_or_neuropathy": True}, [], CAUTION, {"diabetic_neuropathy": "relative"}),
    ("mild_osteoporosis", {"osteoporosis": "mild"}, [], CAUTION, {"mild_osteoporosis": "relative"}),
    ("long_term_steroids", {"long_term_steroids": True}, [], CAUTION, {"long_term_steroids": "relative"}),
    ("controlled_bp", {"blood_pressure": "controlled"}, [], CAUTION, {"controlled_bp": "relative"}),
    ("easy_bruising", {"bruises_easily": True}, [], CAUTION, {"easy_bruising": "relative"}),
    ("area_to_avoid", {"areas_to_avoid": "Left shoulder"}, [], CAUTION, {"area_to_avoid": "local"}),
    ("allergy_oils_note_only", {"allergy_oils": True}, [], CLEAR, {"allergy_oils": "note"}),
    ("allergy_latex_note_only", {"allergy_latex": True}, [], CLEAR, {"allergy_latex": "note"}),
    ("surgery_two_years_ago", {}, [site("surgery", "knee", "left", 730)], CLEAR, {"past_surgery": "note"}),
    (
        "fever_pregnancy_varicose_strictest_wins",
        {"fever_or_illness_today": True, "pregnant": True},
        [site("varicose_veins", "lower_leg", "left")],
        STOP,
        {"fever": "absolute", "pregnancy": "relative", "varicose_veins": "local"},
    ),
    (
        "pregnancy_and_blood_thinners",
        {"pregnant": True, "blood_thinners": True},
        [],
        NEEDS,
        {"pregnancy": "relative", "blood_thinners": "relative"},
    ),
    (
        "diabetes_with_neuropathy",
        {"diabetes": True, "numbness_or_neuropathy": True},
        [],
        NEEDS,
        {"diabetes": "relative", "diabetic_neuropathy": "relative"},
    ),
]


@pytest.mark.parametrize(
    ("answers", "sites", "status", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_intake_case_gives_the_expected_status_and_findings(answers, sites, status, expected):
    client = make_client()
    make_intake(client, sites=sites, **answers)

    result = screening_for(client)

    assert result.status == status
    found = {f.condition: f.kind for f in result.findings}
    assert found == expected
    assert result.has_intake and not result.intake_out_of_date


def test_there_are_at_least_25_table_cases():
    assert len(CASES) >= 25


def test_fever_today_says_reschedule():
    client = make_client()
    make_intake(client, fever_or_illness_today=True)
    result = screening_for(client)
    assert result.status == "do_not_treat"
    assert "Reschedule" in result.findings[0].action
    assert "reschedule" in result.action.lower()


def test_pregnancy_needs_clearance_with_the_pregnancy_points():
    client = make_client()
    make_intake(client, pregnant=True, pregnancy_weeks=12)
    result = screening_for(client)
    assert result.status == "needs_clearance"
    (finding,) = result.findings
    assert finding.condition == "pregnancy"
    assert set(finding.points_to_avoid) >= PREGNANCY_POINTS
    assert {"BL32", "BL33", "CV4", "CV6"} <= set(result.points_to_avoid)
    assert finding.action == "Bring a doctor's letter"
    assert result.action == "Needs a doctor's letter before treatment."


def test_varicose_veins_left_calf_give_caution_on_that_region_and_side():
    client = make_client()
    make_intake(client, sites=[site("varicose_veins", "lower_leg", "left")])
    result = screening_for(client)
    assert result.status == "caution"
    (finding,) = result.findings
    assert finding.regions == ("lower_leg",)
    assert finding.side == "left"
    assert result.regions_to_avoid == {("lower_leg", "left")}


def test_blood_thinners_give_caution_with_a_pressure_cap():
    client = make_client()
    make_intake(client, blood_thinners=True)
    result = screening_for(client)
    assert result.status == "caution"
    assert result.pressure_cap == 2
    assert "Cap pressure" in result.findings[0].action


def test_the_lowest_pressure_cap_wins():
    client = make_client()
    make_intake(client, blood_pressure="controlled", osteoporosis="severe")
    assert screening_for(client).pressure_cap == 1


def test_several_conditions_give_the_strictest_status_and_all_findings_strictest_first():
    client = make_client()
    make_intake(
        client,
        blood_thinners=True,
        diabetes=True,
        fever_or_illness_today=True,
        sites=[site("varicose_veins", "lower_leg", "left")],
    )
    result = screening_for(client)
    assert result.status == "do_not_treat"
    assert next(f.condition for f in result.findings) == "fever"
    assert {f.condition for f in result.findings} == {"fever", "diabetes", "blood_thinners", "varicose_veins"}


class TestClearances:
    def test_a_valid_clearance_lifts_needs_clearance_and_keeps_the_finding_marked_cleared(self):
        client = make_client()
        make_intake(client, pregnant=True)
        make_clearance(client, ["pregnancy"], issued_on=days_ago(10), expires_on=days_ago(-100))

        result = screening_for(client)

        assert result.status == "caution"
        (finding,) = result.findings
        assert finding.cleared and finding.condition == "pregnancy"
        # The points still have to be avoided.
        assert set(result.points_to_avoid) >= PREGNANCY_POINTS

    def test_an_expired_clearance_does_not(self):
        client = make_client()
        make_intake(client, pregnant=True)
        make_clearance(client, ["pregnancy"], issued_on=days_ago(400), expires_on=days_ago(1))

        result = screening_for(client)

        assert result.status == "needs_clearance"
        assert not result.findings[0].cleared

    def test_a_clearance_dated_in_the_future_is_not_valid_yet(self):
        client = make_client()
        make_intake(client, diabetes=True)
        make_clearance(client, ["diabetes"], issued_on=days_ago(-5), expires_on=days_ago(-100))
        assert screening_for(client).status == "needs_clearance"

    def test_a_clearance_covers_only_its_own_conditions(self):
        client = make_client()
        make_intake(client, pregnant=True, diabetes=True)
        make_clearance(client, ["pregnancy"])

        result = screening_for(client)

        assert result.status == "needs_clearance"
        cleared = {f.condition: f.cleared for f in result.findings}
        assert cleared == {"pregnancy": True, "diabetes": False}

    def test_a_clearance_does_not_lift_a_do_not_treat(self):
        client = make_client()
        make_intake(client, fever_or_illness_today=True)
        make_clearance(client, ["fever"])
        assert screening_for(client).status == "do_not_treat"

    def test_screening_on_a_later_day_sees_the_clearance_expire(self):
        client = make_client()
        make_intake(client, pregnant=True)
        make_clearance(client, ["pregnancy"], issued_on=days_ago(0), expires_on=days_ago(-30))
        assert screening_for(client).status == "caution"
        assert screening_for(client, on=days_ago(-31)).status == "needs_clearance"


class TestIntakeAge:
    def test_newest_intake_counts(self):
        client = make_client()
        make_intake(client, fever_or_illness_today=True, taken_on=days_ago(30))
        make_intake(client, taken_on=days_ago(1))
        assert screening_for(client).status == "clear"

    def test_intake_older_than_the_valid_period_is_out_of_date(self, settings):
        settings.INTAKE_VALID_DAYS = 365
        client = make_client()
        make_intake(client, taken_on=days_ago(366))

        result = screening_for(client)

        assert result.intake_out_of_date
        assert result.status == "caution"
        assert "out of date" in result.action

    def test_the_valid_period_is_a_setting(self, settings):
        settings.INTAKE_VALID_DAYS = 30
        client = make_client()
        make_intake(client, taken_on=days_ago(45))
        assert screening_for(client).intake_out_of_date

    def test_no_intake_says_so(self):
        result = screening_for(make_client())
        assert not result.has_intake
        assert "No health intake" in result.action


class TestRulesAreData:
    def test_an_inactive_rule_raises_no_finding(self):
        ContraindicationRule.objects.filter(condition="diabetes").update(is_active=False)
        client = make_client()
        make_intake(client, diabetes=True)
        assert screening_for(client).status == "clear"

    def test_a_changed_outcome_changes_the_result(self):
        ContraindicationRule.objects.filter(condition="diabetes").update(outcome="caution")
        client = make_client()
        make_intake(client, diabetes=True)
        assert screening_for(client).status == "caution"

    def test_a_missing_rule_asks_for_a_practitioner_rather_than_clearing(self):
        ContraindicationRule.objects.filter(condition="seizures").delete()
        client = make_client()
        make_intake(client, seizures=True, seizure_control="controlled")
        result = screening_for(client)
        assert result.status == "caution"
        assert "practitioner" in result.findings[0].action

    def test_every_condition_code_has_a_seeded_rule(self):
        from clients.choices import Condition

        assert set(ContraindicationRule.objects.values_list("condition", flat=True)) == set(Condition.values)

    def test_the_seed_articles_four_need_a_doctors_approval(self):
        outcomes = dict(ContraindicationRule.objects.values_list("condition", "outcome"))
        for code in ("pregnancy", "diabetes", "heart_disease", "recent_surgery"):
            assert outcomes[code] == "needs_clearance", code


def test_screen_is_pure_and_needs_no_database():
    rule = SimpleNamespace(
        condition="blood_thinners",
        label="Takes blood thinners",
        kind="relative",
        outcome="caution",
        action="Cap pressure at 2 of 5",
        pressure_cap=2,
        points_to_avoid="",
        regions="",
        is_active=True,
    )
    intake = SimpleNamespace(
        pk=1,
        taken_on=timezone.localdate(),
        is_out_of_date=lambda on: False,
        sites=SimpleNamespace(all=lambda: []),
        **dict.fromkeys(_BOOLEAN_ANSWERS, False),
        blood_thinners=True,
        blood_clots="none",
        heart_condition="none",
        blood_pressure="normal",
        osteoporosis="none",
        cancer="none",
        other_allergies="",
        areas_to_avoid="",
    )
    result = screen(intake, [], on=timezone.localdate(), rules=[rule])
    assert result.status == "caution"
    assert result.pressure_cap == 2


_BOOLEAN_ANSWERS = [
    "fever_or_illness_today",
    "contagious_illness",
    "long_term_steroids",
    "pain_relievers",
    "muscle_relaxants",
    "allergy_oils",
    "allergy_latex",
    "pregnant",
    "pregnancy_high_risk",
    "pacemaker_or_implant",
    "clotting_disorder",
    "bruises_easily",
    "recent_stroke",
    "chemotherapy",
    "radiotherapy",
    "contagious_skin_condition",
    "diabetes",
    "numbness_or_neuropathy",
    "seizures",
]


def test_point_ranges_are_expanded():
    assert expand_points("LI4 CV3-CV5 bl31-33") == ("LI4", "CV3", "CV4", "CV5", "BL31", "BL32", "BL33")


def test_bulk_screening_runs_a_fixed_number_of_queries(django_assert_num_queries):
    few = [make_client() for _ in range(3)]
    many = [make_client() for _ in range(30)]
    for client in few + many:
        make_intake(client, pregnant=True, sites=[site("varicose_veins", "lower_leg", "left")])
        make_clearance(client, ["pregnancy"])
    # 1 newest intakes with their sites and the clients' valid clearances, 2 rules
    with django_assert_num_queries(2):
        small = screenings_for(few)
    with django_assert_num_queries(2):
        large = screenings_for([c.pk for c in many])
    assert len(small) == 3 and len(large) == 30
    assert all(r.status == "caution" for r in large.values())


def test_bulk_screening_of_nobody_runs_no_query(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert screenings_for([]) == {}


def test_one_client_is_screened_in_two_queries(django_assert_num_queries):
    """The booking page screens one client per request: the intakes, read together with their
    sites and this client's valid clearances, and the rules."""
    client, other = make_client(), make_client()
    make_intake(client, pregnant=True, diabetes=True, sites=[site("varicose_veins", "lower_leg", "left")])
    make_clearance(client, ["pregnancy"])
    make_clearance(client, ["diabetes"], issued_on=days_ago(400), expires_on=days_ago(1))  # expired
    make_clearance(other, ["diabetes"])  # someone else's
    with django_assert_num_queries(2):
        result = screening_for(client)
    cleared = {f.condition: f.cleared for f in result.findings}
    assert cleared == {"pregnancy": True, "diabetes": False, "varicose_veins": False}
    assert result == screenings_for([client])[client.pk]
