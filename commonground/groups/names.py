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


def with_initial(name: str, family_name: str) -> str:
    """A first name shared with another member: the first name and the family name's initial ("Emma V.")."""
    initial = (family_name or "").strip()[:1].upper()
    return f"{name} {initial}." if initial else name


def tell_apart(names: dict[object, tuple[str, str, bool]], members: set[object]) -> dict[object, str]:
    """Shown names in one group, told apart. `names` maps a key to (shown name, family name, shows first name);
    `members` are the keys that count as the group's members. A member shown by first name whose name another
    member also goes by gets their family name's initial; chosen names and initials stay as they are."""
    told: dict[object, str] = {}
    for key, (name, family_name, by_first_name) in names.items():
        shared = any(
            other != key and names[other][0].casefold() == name.casefold() for other in members if other in names
        )
        told[key] = with_initial(name, family_name) if by_first_name and shared else name
    return told


def leaves_out_private(chosen_name: str, family_name: str, record_number: str) -> bool:
    """A chosen name must not carry the member's family name or record number."""
    words = chosen_name.casefold()
    family = (family_name or "").strip().casefold()
    number = (record_number or "").strip().casefold()
    return not ((family and family in words) or (number and number in words))
