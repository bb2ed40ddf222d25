"""The escalation rules' kinds, their default parameters and descriptions, and the check of an administrator's
edit. Pure: no database.

- critical_item: every open critical-item alert → an urgent task, due within `due_within_hours` (24) of the
  alert, for `assign_to` (the responsible clinician).
- reliable_deterioration: reliable-deterioration alerts of the last `lookback_days` (30) → the patient on the
  case-review list (reason: deteriorated).
- no_diary: patients keeping a diary whose last entry is `days` (14) old → a check-in task, due within
  `due_within_days` (2), for `assign_to` (the care coordinator).
- overdue_questionnaire: questionnaires still open `task_after_days` (7) after they were due (the measures
  job sent its one reminder) → one task per patient and due day, due within `due_within_days` (3).
- unacknowledged_alert: urgent alerts not acknowledged within `hours` (4) of working time (`working_days`
  0-4, `day_starts` 08:00, `day_ends` 17:00) → on to the responsible clinician; as long again → on-call.
- unanswered_message: a patient's message the team has not answered within the working days the clinic
  promises (`conversations` MessagingSettings), counted in working hours (the same `working_days`, `day_starts`,
  `day_ends`), plus `grace_hours` (0) working hours → a task to reply for the care coordinator (the role when
  the team has none), once per unanswered message, for the oldest one waiting.
"""

from __future__ import annotations

from datetime import time
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from commonground.coordination.choices import AssignTo, RuleKind
from commonground.coordination.workinghours import DEFAULT_DAYS, DEFAULT_END, DEFAULT_START

DEFAULTS: dict[str, dict[str, Any]] = {
    RuleKind.CRITICAL_ITEM: {"due_within_hours": 24, "assign_to": AssignTo.RESPONSIBLE_CLINICIAN.value},
    RuleKind.RELIABLE_DETERIORATION: {"lookback_days": 30},
    RuleKind.NO_DIARY: {"days": 14, "due_within_days": 2, "assign_to": AssignTo.CARE_COORDINATOR.value},
    RuleKind.OVERDUE_QUESTIONNAIRE: {
        "task_after_days": 7,
        "due_within_days": 3,
        "assign_to": AssignTo.CARE_COORDINATOR.value,
    },
    RuleKind.UNACKNOWLEDGED_ALERT: {
        "hours": 4,
        "working_days": list(DEFAULT_DAYS),
        "day_starts": DEFAULT_START,
        "day_ends": DEFAULT_END,
    },
    RuleKind.UNANSWERED_MESSAGE: {
        "grace_hours": 0,
        "working_days": list(DEFAULT_DAYS),
        "day_starts": DEFAULT_START,
        "day_ends": DEFAULT_END,
    },
}

DESCRIPTIONS: dict[str, Any] = {
    RuleKind.CRITICAL_ITEM: _(
        "For every open critical-item alert, an urgent task for the responsible clinician, due within 24 hours of "
        "the alert. A task the team already made from the alert counts: the rule does not add a second."
    ),
    RuleKind.RELIABLE_DETERIORATION: _(
        "A patient with a reliable deterioration goes on the case-review list (reason: deteriorated), once per alert."
    ),
    RuleKind.NO_DIARY: _(
        "A patient who keeps a diary and has written nothing for 14 days gets a check-in task for the care "
        "coordinator, once per silence."
    ),
    RuleKind.OVERDUE_QUESTIONNAIRE: _(
        "The questionnaire reminder job reminds the patient once per questionnaire. When a questionnaire is still "
        "open 7 days after it was due, this rule never reminds again: it gives the care coordinator a task."
    ),
    RuleKind.UNACKNOWLEDGED_ALERT: _(
        "An urgent alert not acknowledged within 4 working hours (Monday to Friday, 08:00-17:00 in the clinic's "
        "time zone) goes to the responsible clinician; 4 working hours later, to the team's on-call role."
    ),
    RuleKind.UNANSWERED_MESSAGE: _(
        "A patient's message the team has not answered within the working days the clinic promises on the "
        "patient's messages page (counted Monday to Friday, 08:00-17:00 in the clinic's time zone) gives the care "
        "coordinator a task to reply, or the care-coordinator role when the team has none: one task for the oldest "
        "message waiting, however many follow it. A reply from the team after it closes the matter."
    ),
}

POSITIVE_NUMBERS: dict[str, tuple[str, ...]] = {
    RuleKind.CRITICAL_ITEM: ("due_within_hours",),
    RuleKind.RELIABLE_DETERIORATION: ("lookback_days",),
    RuleKind.NO_DIARY: ("days", "due_within_days"),
    RuleKind.OVERDUE_QUESTIONNAIRE: ("task_after_days", "due_within_days"),
    RuleKind.UNACKNOWLEDGED_ALERT: ("hours",),
    RuleKind.UNANSWERED_MESSAGE: (),
}
# Numbers that may be 0 (a grace that is off by default).
COUNTS: dict[str, tuple[str, ...]] = {
    RuleKind.UNANSWERED_MESSAGE: ("grace_hours",),
}
WORKING_HOURS_KINDS = (RuleKind.UNACKNOWLEDGED_ALERT, RuleKind.UNANSWERED_MESSAGE)
LIMIT = 10_000


def defaults(kind: str) -> dict[str, Any]:
    return dict(DEFAULTS[kind])


def check_parameters(kind: str, parameters: Any) -> dict[str, Any]:
    """The parameters with the defaults filled in, or a `ValidationError` naming what is wrong."""
    if kind not in DEFAULTS:
        raise ValidationError(_("Unknown kind of rule."))
    if not isinstance(parameters, dict):
        raise ValidationError(_('The parameters are a JSON object, e.g. {"days": 14}.'))
    unknown = sorted(set(parameters) - set(DEFAULTS[kind]))
    if unknown:
        raise ValidationError(
            _("Unknown parameters: %(names)s. This kind takes: %(known)s.")
            % {"names": ", ".join(unknown), "known": ", ".join(DEFAULTS[kind])}
        )
    checked = {**DEFAULTS[kind], **parameters}
    for name in POSITIVE_NUMBERS[kind]:
        value = checked[name]
        if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= LIMIT:
            raise ValidationError(_("%(name)s is a whole number above 0.") % {"name": name})
    for name in COUNTS.get(kind, ()):
        value = checked[name]
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= LIMIT:
            raise ValidationError(_("%(name)s is a whole number, 0 or more.") % {"name": name})
    if "assign_to" in checked and checked["assign_to"] not in AssignTo.values:
        raise ValidationError(_("assign_to is one of: %(known)s.") % {"known": ", ".join(AssignTo.values)})
    if kind in WORKING_HOURS_KINDS:
        _check_working_hours(checked)
    return checked


def _check_working_hours(checked: dict[str, Any]) -> None:
    days = checked["working_days"]
    if not isinstance(days, list) or not days or any(not isinstance(d, int) or not 0 <= d <= 6 for d in days):
        raise ValidationError(_("working_days lists weekdays, 0 (Monday) to 6 (Sunday)."))
    try:
        starts, ends = time.fromisoformat(str(checked["day_starts"])), time.fromisoformat(str(checked["day_ends"]))
    except ValueError:
        raise ValidationError(_("day_starts and day_ends are times like 08:00.")) from None
    if starts >= ends:
        raise ValidationError(_("The working day ends after it starts."))


WEEKDAYS = (_("Monday"), _("Tuesday"), _("Wednesday"), _("Thursday"), _("Friday"), _("Saturday"), _("Sunday"))


def describe(kind: str, parameters: Any) -> str:
    """A rule's numbers in plain words, e.g. "Due within 24 hours of the alert, for the responsible clinician."
    (what the staff page shows instead of the raw settings). Invalid settings say so."""
    try:
        checked = check_parameters(kind, parameters)
    except ValidationError as error:
        return str(_("The settings are not valid: %(error)s") % {"error": " ".join(error.messages)})
    whom = {
        AssignTo.RESPONSIBLE_CLINICIAN.value: _("for the responsible clinician"),
        AssignTo.CARE_COORDINATOR.value: _("for the care coordinator"),
    }
    parts: list[Any] = []
    if kind == RuleKind.CRITICAL_ITEM:
        parts.append(
            _("An urgent task due within %(hours)d hours of the alert") % {"hours": checked["due_within_hours"]}
        )
    elif kind == RuleKind.RELIABLE_DETERIORATION:
        parts.append(
            _("Reliable deteriorations of the last %(days)d days, on the case-review list")
            % {"days": checked["lookback_days"]}
        )
    elif kind == RuleKind.NO_DIARY:
        parts.append(
            _("After %(days)d days without a diary entry, a task due within %(due)d days")
            % {"days": checked["days"], "due": checked["due_within_days"]}
        )
    elif kind == RuleKind.OVERDUE_QUESTIONNAIRE:
        parts.append(
            _("%(days)d days after the due day, a task due within %(due)d days")
            % {"days": checked["task_after_days"], "due": checked["due_within_days"]}
        )
    elif kind == RuleKind.UNACKNOWLEDGED_ALERT:
        parts.append(
            _("To the responsible clinician after %(hours)d working hours, to the on-call role after as many again")
            % {"hours": checked["hours"]}
        )
    elif kind == RuleKind.UNANSWERED_MESSAGE:
        grace = checked["grace_hours"]
        parts.append(
            _("Late after the promised working days plus %(hours)d working hours") % {"hours": grace}
            if grace
            else _("Late after the promised working days")
        )
    if "assign_to" in checked:
        parts.append(str(whom[checked["assign_to"]]))
    if kind in WORKING_HOURS_KINDS:
        parts.append(
            _("working hours %(days)s %(start)s-%(end)s")
            % {
                "days": working_days_words(checked["working_days"]),
                "start": checked["day_starts"],
                "end": checked["day_ends"],
            }
        )
    return ", ".join(str(part) for part in parts) + "."


def working_days_words(days: list[int]) -> str:
    """[0, 1, 2, 3, 4] → "Monday to Friday"; [0, 2, 4] → "Monday, Wednesday and Friday"."""
    ordered = sorted(set(days))
    names = [str(WEEKDAYS[day]) for day in ordered]
    if len(ordered) > 2 and ordered == list(range(ordered[0], ordered[-1] + 1)):
        return str(_("%(first)s to %(last)s") % {"first": names[0], "last": names[-1]})
    if len(names) == 1:
        return names[0]
    return str(_("%(some)s and %(last)s") % {"some": ", ".join(names[:-1]), "last": names[-1]})
