"""The sections of a safety plan (Stanley and Brown), in the patient's own voice: the team's form and the
patient's page read them from here. Each is (field name, title, hint)."""

from __future__ import annotations

import re
from typing import Any

from django.utils.translation import gettext_lazy as _

# The plan's sections in the order of the Stanley-Brown plan, with the words the patient reads.
LIST_SECTIONS: tuple[tuple[str, Any, Any], ...] = (
    (
        "warning_signs",
        _("1. Warning signs"),
        _("Thoughts, feelings, pictures or situations that tell me a crisis may be starting. One per line."),
    ),
    (
        "coping_strategies",
        _("2. Things I can do on my own to feel calmer"),
        _("Things I can do by myself to take my mind off my problems. One per line."),
    ),
    (
        "distractions",
        _("3. People and places that take my mind off things"),
        _("People to be with and places to go that help me feel better. One per line."),
    ),
)
AFTER_CONTACTS: tuple[tuple[str, Any, Any], ...] = (
    (
        "safe_environment",
        _("6. Making my surroundings safer"),
        _("What I (or someone with me) can do to keep dangerous things away. One per line."),
    ),
    (
        "reasons_for_living",
        _("My reasons for living"),
        _("Optional: what matters most to me and is worth living for. One per line."),
    ),
)
CONTACT_SECTIONS: tuple[tuple[str, Any, Any], ...] = (
    ("help_contacts", _("4. People I can ask for help"), _("A name and a phone number for each.")),
    (
        "professionals",
        _("5. Professionals and crisis services I can contact"),
        _("Your care team, your GP, and crisis lines that answer day and night."),
    ),
)


def as_context() -> dict[str, Any]:
    """What the plan templates (`safety/plan_sections.html`) need."""
    return {"list_sections": LIST_SECTIONS, "contact_sections": CONTACT_SECTIONS, "after_contacts": AFTER_CONTACTS}


def tel(phone: str) -> str:
    """A `tel:` link when the phone is one number (not "112 / 911 / 999")."""
    if not phone or not re.fullmatch(r"[\d\s+().-]+", phone):
        return ""
    return "tel:" + re.sub(r"[^\d+]", "", phone)
