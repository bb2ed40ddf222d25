"""Main symptoms as ICPC-2 codes: the default list of functional somatic symptoms a clinic records.

A clinic may extend it later; codes, not free text, so that lists and research can count them.
"""

from __future__ import annotations

from functools import lru_cache

from django.utils.translation import get_language, override
from django.utils.translation import gettext_lazy as _

SYMPTOM_CODES: dict[str, object] = {
    "A04": _("Fatigue / weakness"),
    "A01": _("Pain, general / multiple sites"),
    "N01": _("Headache"),
    "N17": _("Vertigo / dizziness"),
    "L01": _("Neck symptom / complaint"),
    "L02": _("Back symptom / complaint"),
    "L03": _("Low back symptom / complaint"),
    "L18": _("Muscle pain"),
    "L20": _("Joint symptom / complaint"),
    "D01": _("Abdominal pain / cramps, general"),
    "D09": _("Nausea"),
    "D93": _("Irritable bowel syndrome"),
    "K01": _("Heart pain"),
    "K04": _("Palpitations / awareness of heart"),
    "A11": _("Chest pain, not otherwise specified"),
    "R02": _("Shortness of breath / dyspnoea"),
    "P06": _("Sleep disturbance"),
    "P01": _("Feeling anxious / nervous / tense"),
    "N05": _("Tingling fingers / feet / toes"),
    "A06": _("Fainting / syncope"),
}


def symptom_label(code: str) -> str:
    return _labels_in(get_language() or "en").get(code, code)


def symptom_labels(codes: list[str]) -> str:
    """Several codes' labels, in the active language, as one line."""
    labels = _labels_in(get_language() or "en")
    return ", ".join(labels.get(code, code) for code in codes)


@lru_cache(maxsize=16)
def _labels_in(language: str) -> dict[str, str]:
    """The labels translated into one language, once (a caseload shows hundreds of them)."""
    with override(language):
        return {code: str(label) for code, label in SYMPTOM_CODES.items()}


def symptom_choices() -> list[tuple[str, str]]:
    return [(code, f"{label} ({code})") for code, label in SYMPTOM_CODES.items()]
