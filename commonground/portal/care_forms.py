"""The patient's forms for goals and the plan: ticking a step of a ladder, a reflection on a session."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from commonground.goals.choices import RungState


class MarkStepForm(forms.Form):
    """Done, partly done, or back to "not yet". Which rung, and whether it may be marked, is the service's."""

    state = forms.ChoiceField(choices=RungState.choices)


class ReflectionForm(forms.Form):
    """The patient's own words about a session; optional, and they may change it later."""

    text = forms.CharField(
        label=_("What I took from this session"),
        help_text=_("Optional. Only you and your care team can read this. You can change it at any time."),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args: object, session_id: str = "", **kwargs: object) -> None:
        # One form per session on the page: ids must stay unique, so each label finds its own box.
        kwargs.setdefault("auto_id", f"reflection-{session_id}-%s" if session_id else "id_%s")
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
