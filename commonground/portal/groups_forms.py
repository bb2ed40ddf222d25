"""The member's forms for their group: what others see of me, a small win for the board, my action plan's
steps, what I share with my partner, the weekly check-in and a concern for the facilitators.

Every message says what to do in plain words; the groups services keep the rules (whose goal, whose post).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from commonground.groups.choices import CheckInFeeling, ConcernAbout, PartnerShare, ShownName

TOO_LONG = _("Please keep it under %(limit_value)d characters.")


def _text(label: Any, *, limit: int, required: bool, missing: Any = "", rows: int = 0, **extra: Any) -> forms.CharField:
    widget = (
        forms.Textarea(attrs={"rows": rows, "maxlength": limit})
        if rows
        else forms.TextInput(attrs={"maxlength": limit})
    )
    return forms.CharField(
        label=label,
        max_length=limit,
        required=required,
        widget=widget,
        error_messages={"required": missing, "max_length": TOO_LONG},
        **extra,
    )


class MyChoicesForm(forms.Form):
    """What the other members see of me, and whether I would like a peer partner."""

    shown_name = forms.ChoiceField(
        label=_("What the other members see of me"),
        choices=ShownName.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Please choose what the group sees of you."),
            "invalid_choice": _("Please choose one of the options."),
        },
    )
    chosen_name = _text(
        _("The name I choose"),
        limit=40,
        required=False,
        help_text=_("Only if you chose “A name I choose” above: a first name or a nickname, as you like."),
    )
    wants_partner = forms.BooleanField(label=_("I would like a peer partner"), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        chosen = " ".join(str(data.get("chosen_name", "")).split())
        data["chosen_name"] = chosen
        if data.get("shown_name") == ShownName.CHOSEN_NAME and not chosen:
            self.add_error("chosen_name", _("Please write the name you would like the group to see."))
        return data


class SmallWinForm(forms.Form):
    """A small win to share with the group. Nothing is posted unless the member ticks the box."""

    text = _text(
        _("My small win"),
        limit=1000,
        required=True,
        rows=3,
        missing=_("Please write your small win, in a few words."),
        help_text=_(
            "Something that went a bit better, however small: it counts. Please leave out surnames, phone numbers "
            "and addresses — yours and other people's."
        ),
    )
    share = forms.BooleanField(
        label=_("Yes, the members and facilitators of this group may read this"),
        required=True,
        error_messages={
            "required": _("Please tick the box to say the group may read it. Nothing is posted until you do.")
        },
    )


class ActionStepForm(forms.Form):
    """One achievable step of my action plan, if I like towards one of my own goals or ladder steps."""

    text = _text(
        _("What I will do"),
        limit=300,
        required=True,
        missing=_("Please write the step you want to take, in a few words."),
        help_text=_("Small and doable is best: for example “Walk to the corner shop on Tuesday and Friday”."),
    )
    when = _text(_("When"), limit=120, required=False, help_text=_("Optional. For example “Mornings after breakfast”."))
    towards = forms.ChoiceField(
        label=_("Towards"),
        required=False,
        error_messages={"invalid_choice": _("Please choose one of your goals or steps, or none.")},
    )

    def __init__(self, *args: Any, towards: list[tuple[str, Any]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["towards"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("Not linked to a goal")), *(towards or [])]


class EditStepForm(ActionStepForm):
    """A step of my plan in other words: names the version I saw, so a change made meanwhile elsewhere (another
    window, another device) is never overwritten unseen."""

    expected_version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)


class ShareWithGroupForm(forms.Form):
    shared = forms.TypedChoiceField(
        choices=[("yes", "yes"), ("no", "no")], coerce=lambda value: value == "yes", widget=forms.HiddenInput
    )


class PartnerSharesForm(forms.Form):
    shares = forms.MultipleChoiceField(
        label=_("What my partner may see"),
        choices=PartnerShare.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Please choose from the options shown.")},
    )


class PairingForm(forms.Form):
    """Agree, decline or end: names the pairing the member saw, so an answer never lands on a newer one."""

    pairing_id = forms.UUIDField(widget=forms.HiddenInput)


class CheckInForm(forms.Form):
    feeling = forms.ChoiceField(
        label=_("How did it go?"),
        choices=CheckInFeeling.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Please choose how it went. There is no wrong answer."),
            "invalid_choice": _("Please choose one of the options."),
        },
    )
    message = _text(
        _("A word for your partner"),
        limit=1000,
        required=False,
        rows=3,
        help_text=_("Optional. What went well, what was hard, or just a hello."),
    )
    shared_with_facilitators = forms.BooleanField(label=_("The facilitators may read this too"), required=False)


class ConcernForm(forms.Form):
    about = forms.ChoiceField(
        label=_("What is it about?"),
        choices=ConcernAbout.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Please choose what it is about."),
            "invalid_choice": _("Please choose one of the options."),
        },
    )
    text = _text(
        _("What worries you"),
        limit=2000,
        required=True,
        rows=5,
        missing=_("Please write a few words about what worries you."),
    )
