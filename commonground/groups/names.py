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


def tell_apart(names: dict[object, tuple[str, bool]], members: set[object]) -> dict[object, str]:
    """Shown names in one group, told apart. `names` maps a key to (shown name, shows first name), in the order
    the members joined; `members` are the keys that count as the group's members. A member shown by first name
    whose name a member who joined earlier already goes by is numbered ("Emma (2)"): the first keeps her name,
    and nothing of anyone's family name is shown. Chosen names and initials stay as they are."""
    told: dict[object, str] = {}
    seen: dict[str, int] = {}
    for key, (name, by_first_name) in names.items():
        folded = name.casefold()
        earlier = seen.get(folded, 0)
        if key in members:
            seen[folded] = earlier + 1
        told[key] = f"{name} ({earlier + 1})" if by_first_name and earlier else name
    return told


def leaves_out_private(chosen_name: str, family_name: str, record_number: str) -> bool:
    """A chosen name must not carry the member's family name or record number."""
    words = chosen_name.casefold()
    family = (family_name or "").strip().casefold()
    number = (record_number or "").strip().casefold()
    return not ((family and family in words) or (number and number in words))
