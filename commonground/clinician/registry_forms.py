"""The registry's filter form: search (posted, never in a URL), "only patients I coordinate", a flag, the sort.

The sort buttons in the table's header submit the same form (`sort_by`); the current sort and its direction
travel as hidden fields, so a search, a filter and a sort always go together, with or without JavaScript.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from commonground.accounts.choices import Role
from commonground.coordination.choices import ReviewReason
from commonground.measures.registry import FLAGS

ANY_FLAG = "any"
ASCENDING, DESCENDING = "asc", "desc"
DEFAULT_SORT = "flags"


def flag_labels() -> dict[str, Any]:
    """The flags' names: the case-review reasons of the same ids."""
    reasons = dict(ReviewReason.choices)
    return {flag: reasons[flag] for flag in FLAGS}


def default_direction(sort: str) -> str:
    """Names A to Z; numbers highest first (most flags, longest in care, highest score, largest rise)."""
    return ASCENDING if sort == "name" else DESCENDING


@dataclass(frozen=True)
class RegistryChoice:
    search: str
    coordinating_only: bool
    flag: str  # "", ANY_FLAG or one of FLAGS
    sort: str
    direction: str


class RegistryForm(forms.Form):
    q = forms.CharField(
        label=_("Find a patient"),
        max_length=100,
        required=False,
        help_text=_("Part of the name, or the full record number."),
    )
    coordinating = forms.BooleanField(label=_("Only patients I coordinate"), required=False)
    flag = forms.ChoiceField(label=_("Show"), required=False, choices=())
    sort = forms.CharField(required=False, max_length=40, widget=forms.HiddenInput)
    direction = forms.ChoiceField(
        required=False, choices=[(ASCENDING, ASCENDING), (DESCENDING, DESCENDING)], widget=forms.HiddenInput
    )
    sort_by = forms.CharField(required=False, max_length=40)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"coordinating": coordinates_by_default(user)})
        super().__init__(*args, **kwargs)
        self.fields["flag"].choices = [  # type: ignore[attr-defined]
            ("", _("Every patient")),
            (ANY_FLAG, _("Patients with any flag")),
            *((flag, _("Flag: %(flag)s") % {"flag": label}) for flag, label in flag_labels().items()),
        ]
        self.user = user

    def choice(self) -> RegistryChoice:
        """What to show: the posted choice, or the defaults when nothing (valid) was posted."""
        if not self.is_bound or not self.is_valid():
            return RegistryChoice("", coordinates_by_default(self.user), "", DEFAULT_SORT, DESCENDING)
        data = self.cleaned_data
        sort = data["sort"] or DEFAULT_SORT
        direction = data["direction"] or default_direction(sort)
        if data["sort_by"]:
            if data["sort_by"] == sort:
                direction = ASCENDING if direction == DESCENDING else DESCENDING
            else:
                sort, direction = data["sort_by"], default_direction(data["sort_by"])
        return RegistryChoice(data["q"].strip(), data["coordinating"], data["flag"], sort, direction)


def coordinates_by_default(user: Any) -> bool:
    """Care coordinators see the patients they coordinate first; other clinicians their whole caseload."""
    return bool(getattr(user, "role", None) == Role.CARE_COORDINATOR)
