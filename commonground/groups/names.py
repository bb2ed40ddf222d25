"""What the other members of a group see of a member: their shown name, and nothing else. Pure."""

from __future__ import annotations

from commonground.groups.choices import ShownName


def shown_name(given_name: str, family_name: str, choice: str, chosen_name: str) -> str:
    """The member's first name by default; their initials, or a name they chose, if they said so.

    Never the family name in full. A chosen name left empty falls back to the first name."""
    first = (given_name or "").strip().split(" ")[0] if (given_name or "").strip() else ""
    if choice == ShownName.CHOSEN_NAME and (chosen_name or "").strip():
        return chosen_name.strip()
    if choice == ShownName.INITIALS:
        letters = [part[0].upper() for part in ((given_name or "").strip(), (family_name or "").strip()) if part]
        return " ".join(f"{letter}." for letter in letters) or "?"
    return first or "?"
