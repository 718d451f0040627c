"""Seed the contraindication rules with their defaults (docs/domain.md#the-seeded-rules).

A frozen copy: later changes to the defaults get their own migration, and a clinic's own
tuning (made in the admin) is never overwritten — existing rows are left as they are.
"""

from django.db import migrations

PREGNANCY_POINTS = "LI4 SP6 BL60 BL67 GB21 CV3 CV4 CV5 CV6 CV7 BL31 BL32 BL33 BL34"
LETTER = "Bring a doctor's letter"
AVOID_AREA = "Avoid this area and the points on it"

# condition, label, kind, outcome, action, pressure cap, points to avoid, regions
RULES = [
    ("fever", "Fever or feeling unwell today", "absolute", "do_not_treat",
     "Reschedule once well for 24 hours", None, "", ""),
    ("contagious_illness", "Acute contagious illness", "absolute", "do_not_treat",
     "Reschedule once no longer contagious", None, "", ""),
    ("dvt_suspected", "Suspected or untreated DVT / embolism", "absolute", "do_not_treat",
     "Reschedule; urge the client to see a doctor today", None, "", ""),
    ("unstable_heart", "Unstable heart condition", "absolute", "do_not_treat",
     "Reschedule; refer to a doctor", None, "", ""),
    ("uncontrolled_bp", "Uncontrolled high blood pressure", "absolute", "do_not_treat",
     "Reschedule; refer to a doctor", None, "", ""),
    ("past_dvt", "Past DVT or blood clot", "relative", "needs_clearance", LETTER, 2, "", "lower_leg"),
    ("clotting_disorder", "Clotting or bleeding disorder", "relative", "needs_clearance", LETTER, 2, "", ""),
    ("recent_surgery", "Surgery in the last six weeks", "relative", "needs_clearance", LETTER, None, "", ""),
    ("recent_fracture", "Fracture or injury in the last six weeks", "relative", "needs_clearance",
     LETTER, None, "", ""),
    ("chemotherapy", "Active chemotherapy", "relative", "needs_clearance", LETTER, 2, "", ""),
    ("radiotherapy", "Active radiotherapy", "relative", "needs_clearance", LETTER, 2, "", ""),
    ("pregnancy", "Pregnancy", "relative", "needs_clearance", LETTER, 3, PREGNANCY_POINTS,
     "lower_abdomen sacrum"),
    ("high_risk_pregnancy", "High-risk pregnancy", "relative", "needs_clearance", LETTER, 2,
     PREGNANCY_POINTS, "lower_abdomen sacrum"),
    ("severe_osteoporosis", "Severe osteoporosis", "relative", "needs_clearance", LETTER, 1, "", ""),
    ("recent_stroke", "Recent stroke", "relative", "needs_clearance", LETTER, 2, "", ""),
    ("heart_disease", "Heart disease", "relative", "needs_clearance", LETTER, 3, "", ""),
    ("diabetes", "Diabetes", "relative", "needs_clearance", LETTER, None, "", ""),
    ("seizures", "Seizures or epilepsy", "relative", "caution",
     "Keep the table low and know the client's seizure plan", None, "", ""),
    ("open_wound", "Open wound or broken skin", "local", "caution", AVOID_AREA, None, "", ""),
    ("skin_infection", "Skin infection or contagious skin condition", "local", "caution",
     AVOID_AREA + "; use gloves", None, "", ""),
    ("varicose_veins", "Varicose veins", "local", "caution", AVOID_AREA, None, "", ""),
    ("new_scar", "New scar", "local", "caution", AVOID_AREA, None, "", ""),
    ("tumour_site", "Tumour site", "local", "caution", AVOID_AREA, None, "", ""),
    ("lymphoedema", "Lymphoedema", "local", "caution", AVOID_AREA, None, "", ""),
    ("implanted_device", "Implanted device, line or port", "local", "caution", AVOID_AREA, None, "", ""),
    ("bruising", "Bruise", "local", "caution", AVOID_AREA, None, "", ""),
    ("area_to_avoid", "Area the client asked us to avoid", "local", "caution",
     "Avoid the area the client named", None, "", ""),
    ("blood_thinners", "Takes blood thinners", "relative", "caution",
     "Cap pressure at 2 of 5; watch for bruising", 2, "", ""),
    ("diabetic_neuropathy", "Numbness or neuropathy", "relative", "caution",
     "Cap pressure at 2 of 5: the client may not feel too much pressure", 2, "", ""),
    ("mild_osteoporosis", "Mild osteoporosis", "relative", "caution",
     "Cap pressure at 3 of 5; no percussion", 3, "", ""),
    ("long_term_steroids", "Long-term steroids", "relative", "caution",
     "Cap pressure at 2 of 5: skin and bone may be fragile", 2, "", ""),
    ("controlled_bp", "Controlled high blood pressure", "relative", "caution",
     "Cap pressure at 3 of 5; let the client sit up slowly", 3, "", ""),
    ("easy_bruising", "Bruises or bleeds easily", "relative", "caution",
     "Cap pressure at 2 of 5; watch for bruising", 2, "", ""),
    ("allergy_oils", "Allergic to massage oils", "note", "clear", "Use no oils or lotions", None, "", ""),
    ("allergy_latex", "Allergic to latex", "note", "clear", "Use nitrile gloves; nothing with latex", None, "", ""),
    ("other_allergy", "Other allergies", "note", "clear", "Check the allergies before using any product",
     None, "", ""),
    ("past_surgery", "Past surgery or injury (healed)", "note", "clear",
     "Check the area with the client before pressing", None, "", ""),
    ("past_cancer", "Past cancer (no current treatment)", "note", "clear",
     "Ask about any lymph node removal before working near it", None, "", ""),
    ("pain_relievers", "Takes pain relievers", "note", "clear",
     "The client may feel less: ask about pressure often", None, "", ""),
    ("muscle_relaxants", "Takes muscle relaxants", "note", "clear",
     "Stretch gently; the client may feel less", None, "", ""),
]


def seed_rules(apps, schema_editor):
    Rule = apps.get_model("clients", "ContraindicationRule")
    for condition, label, kind, outcome, action, cap, points, regions in RULES:
        Rule.objects.get_or_create(
            condition=condition,
            defaults={
                "label": label,
                "kind": kind,
                "outcome": outcome,
                "action": action,
                "pressure_cap": cap,
                "points_to_avoid": points,
                "regions": regions,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("clients", "0001_initial")]

    operations = [migrations.RunPython(seed_rules, migrations.RunPython.noop)]
