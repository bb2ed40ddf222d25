"""Forms of the safety pages: acknowledging an alert, a note added to one, and the safety plan."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from commonground.safety.choices import Urgency
from commonground.safety.sections import AFTER_CONTACTS, CONTACT_SECTIONS, LIST_SECTIONS

CONTACT_ROWS = 5

SECTION_TITLES: dict[str, Any] = {
    name: title for name, title, _hint in LIST_SECTIONS + AFTER_CONTACTS + CONTACT_SECTIONS
}


class AcknowledgeForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(label=_("What was done"), max_length=4000, required=False, widget=forms.Textarea)
    next = forms.CharField(required=False, widget=forms.HiddenInput)


class ConcernForm(forms.Form):
    urgency = forms.ChoiceField(
        label=_("How urgent is it?"),
        choices=Urgency.choices,
        initial=Urgency.URGENT,
        widget=forms.RadioSelect,
    )
    summary = forms.CharField(
        label=_("What happened"),
        help_text=_(
            "For the team. An urgent alert nobody acknowledges is sent on to the responsible clinician, "
            "then to whoever is on call."
        ),
        max_length=300,
        required=False,
    )


class AlertNoteForm(forms.Form):
    note = forms.CharField(label=_("Note"), max_length=4000, required=False, widget=forms.Textarea)


class SafetyPlanForm(forms.Form):
    """Lists as one line per item; each contact as a name and a phone number on a row of its own."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, title, hint in LIST_SECTIONS + AFTER_CONTACTS:
            self.fields[name] = forms.CharField(
                label=title,
                help_text=hint,
                required=False,
                max_length=4000,
                widget=forms.Textarea(attrs={"rows": 4}),
            )
        for name, _title, _hint in CONTACT_SECTIONS:
            for row in range(CONTACT_ROWS):
                self.fields[f"{name}_{row}_name"] = forms.CharField(
                    label=_("Name %(row)d") % {"row": row + 1}, required=False, max_length=120
                )
                self.fields[f"{name}_{row}_phone"] = forms.CharField(
                    label=_("Phone %(row)d") % {"row": row + 1}, required=False, max_length=40
                )
        self.fields["change_note"] = forms.CharField(
            label=_("What changed (for the team)"), required=False, max_length=300
        )

    def list_fields(self, sections: tuple[tuple[str, Any, Any], ...]) -> list[Any]:
        return [self[name] for name, _title, _hint in sections]

    def contact_rows(self, name: str) -> list[tuple[Any, Any]]:
        return [(self[f"{name}_{row}_name"], self[f"{name}_{row}_phone"]) for row in range(CONTACT_ROWS)]

    def content(self) -> dict[str, Any]:
        data = self.cleaned_data
        content: dict[str, Any] = {}
        for name, _title, _hint in LIST_SECTIONS + AFTER_CONTACTS:
            content[name] = [line.strip() for line in str(data.get(name) or "").splitlines() if line.strip()]
        for name, _title, _hint in CONTACT_SECTIONS:
            content[name] = [
                {"name": data.get(f"{name}_{row}_name") or "", "phone": data.get(f"{name}_{row}_phone") or ""}
                for row in range(CONTACT_ROWS)
            ]
        return content


def plan_initial(
    version: Any, *, plan_version: int, professionals: list[dict[str, str]] | None = None
) -> dict[str, Any]:
    """The form filled in from a saved version (or, for a new plan, the clinic's crisis services)."""
    initial: dict[str, Any] = {"version": plan_version}
    contacts: dict[str, list[dict[str, str]]] = {"help_contacts": [], "professionals": professionals or []}
    if version is not None:
        for name, _title, _hint in LIST_SECTIONS + AFTER_CONTACTS:
            initial[name] = "\n".join(getattr(version, name))
        contacts = {name: getattr(version, name) for name, _title, _hint in CONTACT_SECTIONS}
    for name, rows in contacts.items():
        for row, contact in enumerate(rows[:CONTACT_ROWS]):
            initial[f"{name}_{row}_name"] = contact.get("name", "")
            initial[f"{name}_{row}_phone"] = contact.get("phone", "")
    return initial
