"""Vocabularies of the clients app that models, screening and forms share.

They live apart from models.py so that the pure screening module and the models can both import
them without importing each other.
"""

from __future__ import annotations

from django.db import models


class ScreeningStatus(models.TextChoices):
    """Outcome of screening, from the mildest to the strictest (the order matters)."""

    CLEAR = "clear", "Clear to treat"
    CAUTION = "caution", "Treat with caution"
    NEEDS_CLEARANCE = "needs_clearance", "Needs a doctor's clearance"
    DO_NOT_TREAT = "do_not_treat", "Do not treat today"


SEVERITY: dict[str, int] = {status.value: rank for rank, status in enumerate(ScreeningStatus)}


# Answers of the intake questionnaire that have more than two values.
class BloodPressure(models.TextChoices):
    NORMAL = "normal", "Normal / not known to be high"
    CONTROLLED = "controlled", "High, controlled with treatment"
    UNCONTROLLED = "uncontrolled", "High, not controlled"


class HeartCondition(models.TextChoices):
    NONE = "none", "None"
    STABLE = "stable", "Yes, stable"
    UNSTABLE = "unstable", "Yes, unstable or getting worse"


class ClotHistory(models.TextChoices):
    NONE = "none", "Never"
    PAST = "past", "In the past, treated"
    SUSPECTED = "suspected", "Now, or suspected and not yet treated"


class CancerStatus(models.TextChoices):
    NONE = "none", "Never"
    PAST = "past", "In the past, no current treatment"
    CURRENT = "current", "Current"


class Osteoporosis(models.TextChoices):
    NONE = "none", "No"
    MILD = "mild", "Mild (osteopenia)"
    SEVERE = "severe", "Severe"


class SeizureControl(models.TextChoices):
    """Asked only when the client has seizures or epilepsy (blank otherwise)."""

    CONTROLLED = "controlled", "Controlled: no seizures with the current treatment"
    UNCONTROLLED = "uncontrolled", "Not controlled: seizures still happen"


class ConditionKind(models.TextChoices):
    """How textbooks sort a contraindication (docs/domain.md#kinds-and-outcomes)."""

    ABSOLUTE = "absolute", "Absolute (general)"
    RELATIVE = "relative", "Relative"
    LOCAL = "local", "Local (affected area only)"
    NOTE = "note", "Note only"


class Condition(models.TextChoices):
    """Every condition code screening can raise. Intake answers map to these in code
    (clients.screening.conditions_from_intake); what each code leads to is data
    (clients.ContraindicationRule). Other apps key their cautions by the same codes."""

    # Absolute: no session today.
    FEVER = "fever", "Fever or feeling unwell today"
    CONTAGIOUS_ILLNESS = "contagious_illness", "Acute contagious illness"
    DVT_SUSPECTED = "dvt_suspected", "Suspected or untreated DVT / embolism"
    UNSTABLE_HEART = "unstable_heart", "Unstable heart condition"
    UNCONTROLLED_BP = "uncontrolled_bp", "Uncontrolled high blood pressure"
    # Relative: a doctor's approval first.
    PAST_DVT = "past_dvt", "Past DVT or blood clot"
    CLOTTING_DISORDER = "clotting_disorder", "Clotting or bleeding disorder"
    RECENT_SURGERY = "recent_surgery", "Surgery in the last six weeks"
    RECENT_FRACTURE = "recent_fracture", "Fracture or injury in the last six weeks"
    CHEMOTHERAPY = "chemotherapy", "Active chemotherapy"
    RADIOTHERAPY = "radiotherapy", "Active radiotherapy"
    PREGNANCY = "pregnancy", "Pregnancy"
    HIGH_RISK_PREGNANCY = "high_risk_pregnancy", "High-risk pregnancy"
    SEVERE_OSTEOPOROSIS = "severe_osteoporosis", "Severe osteoporosis"
    RECENT_STROKE = "recent_stroke", "Recent stroke"
    HEART_DISEASE = "heart_disease", "Heart disease"
    DIABETES = "diabetes", "Diabetes"
    SEIZURES = "seizures", "Seizures or epilepsy"
    UNCONTROLLED_SEIZURES = "uncontrolled_seizures", "Seizures or epilepsy, not controlled"
    # Local: not the affected area.
    OPEN_WOUND = "open_wound", "Open wound or broken skin"
    SKIN_INFECTION = "skin_infection", "Skin infection or contagious skin condition"
    VARICOSE_VEINS = "varicose_veins", "Varicose veins"
    NEW_SCAR = "new_scar", "New scar"
    TUMOUR_SITE = "tumour_site", "Tumour site"
    LYMPHOEDEMA = "lymphoedema", "Lymphoedema"
    IMPLANTED_DEVICE = "implanted_device", "Implanted device, line or port"
    BRUISING = "bruising", "Bruise"
    AREA_TO_AVOID = "area_to_avoid", "Area the client asked us to avoid"
    # Relative with a pressure cap.
    BLOOD_THINNERS = "blood_thinners", "Takes blood thinners"
    DIABETIC_NEUROPATHY = "diabetic_neuropathy", "Numbness or neuropathy"
    MILD_OSTEOPOROSIS = "mild_osteoporosis", "Mild osteoporosis"
    LONG_TERM_STEROIDS = "long_term_steroids", "Long-term steroids"
    CONTROLLED_BP = "controlled_bp", "Controlled high blood pressure"
    EASY_BRUISING = "easy_bruising", "Bruises or bleeds easily"
    # Notes.
    ALLERGY_OILS = "allergy_oils", "Allergic to massage oils"
    ALLERGY_LATEX = "allergy_latex", "Allergic to latex"
    OTHER_ALLERGY = "other_allergy", "Other allergies"
    PAST_SURGERY = "past_surgery", "Past surgery or injury (healed)"
    PAST_CANCER = "past_cancer", "Past cancer (no current treatment)"
    PAIN_RELIEVERS = "pain_relievers", "Takes pain relievers"
    MUSCLE_RELAXANTS = "muscle_relaxants", "Takes muscle relaxants"


class SiteCondition(models.TextChoices):
    """What a client can mark on a body site in the questionnaire."""

    SURGERY = "surgery", "Surgery"
    FRACTURE = "fracture", "Fracture"
    INJURY = "injury", "Injury"
    OPEN_WOUND = "open_wound", "Open wound or broken skin"
    SKIN_INFECTION = "skin_infection", "Skin infection or rash"
    VARICOSE_VEINS = "varicose_veins", "Varicose veins"
    SCAR = "scar", "Scar"
    TUMOUR = "tumour", "Tumour"
    LYMPHOEDEMA = "lymphoedema", "Lymphoedema"
    IMPLANT = "implant", "Implant, pacemaker, line or port"
    BRUISE = "bruise", "Bruise"
    AVOID = "avoid", "Please avoid this area"
