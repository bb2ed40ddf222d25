"""What the portal shows, composed from the domains' selectors."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from commonground.accounts.models import User
from commonground.audit import selectors as audit_selectors
from commonground.audit.choices import Action
from commonground.kit.models import RecordStatus
from commonground.measures import definitions
from commonground.measures import selectors as measures_selectors
from commonground.measures.choices import EntryMode, ReminderChannel, ScheduleStatus
from commonground.measures.datatypes import Instrument, Item
from commonground.measures.models import Reminder, Response, ScheduledMeasure
from commonground.measures.scoring import NOT_APPLICABLE
from commonground.patients.models import Patient
from commonground.safety import selectors as safety_selectors


@dataclass
class AccessRow:
    occurred_at: datetime
    who: str
    role: str
    what: str
    break_glass: bool


def who_accessed(patient_id: UUID, *, viewer: Any, page: int) -> audit_selectors.Page:
    """The patient's access log in plain words: names and roles, not ids."""
    found = audit_selectors.who_accessed(patient_id, page=page)
    people = {u.id: u for u in User.objects.filter(id__in={e.actor_id for e in found.rows if e.actor_id})}
    rows = []
    for event in found.rows:
        person = people.get(event.actor_id)
        if event.actor_id == viewer.id:
            who, role = _("You"), ""
        else:
            who = person.display_name if person else _("A system job")
            role = person.get_role_display() if person and person.role else ""
        rows.append(
            AccessRow(
                event.occurred_at,
                who,
                role,
                str(Action(event.action).label) if event.action in Action.values else event.action,
                bool(event.break_glass_reason),
            )
        )
    return audit_selectors.Page(rows=rows, number=found.number, has_more=found.has_more)


# --- questionnaires ---------------------------------------------------------------------------------------
# The patient sees questions and their own answers, never scores, bands or flags.


@dataclass(frozen=True)
class Waiting:
    """A questionnaire the patient can fill in now."""

    scheduled_id: UUID
    title: str
    question_count: int
    due_on: date
    waiting_since: str  # "3 March", or "" when it became ready today
    draft_id: UUID | None


def waiting_questionnaires(patient: Patient, *, today: date) -> list[Waiting]:
    rows = []
    for due in measures_selectors.open_for_patient(patient, today=today):
        found = measures_selectors.instrument_or_none(due.instrument)
        if found is None:
            continue
        localised = found.localised(patient.preferred_language)
        rows.append(
            Waiting(
                scheduled_id=due.id,
                title=localised.title,
                question_count=len(localised.items),
                due_on=due.due_on,
                waiting_since="" if due.due_on >= today else plain_date(due.due_on),
                draft_id=due.draft_id,
            )
        )
    return rows


def plain_date(value: date) -> str:
    """ "3 March", in the language of the page."""
    return str(date_format(value, "j F"))


def own_scheduled(patient: Patient, scheduled_id: Any) -> ScheduledMeasure | None:
    """One of the patient's own scheduled questionnaires, in any state."""
    return ScheduledMeasure.objects.current().filter(patient=patient, pk=scheduled_id).first()


def own_response(patient: Patient, response_id: Any) -> Response | None:
    """The patient's own questionnaire filled in through the portal (never one entered by staff)."""
    found = measures_selectors.response_of(patient, response_id)
    if found is None or found.mode != EntryMode.PORTAL:
        return None
    return found if measures_selectors.instrument_or_none(found.instrument) is not None else None


@dataclass(frozen=True)
class Notice:
    """A reminder shown on the portal until the patient puts it away."""

    id: UUID
    title: str


def reminders(patient: Patient) -> list[Notice]:
    """Portal reminders not yet put away, for questionnaires still waiting."""
    rows = (
        Reminder.objects.filter(
            patient=patient,
            channel=ReminderChannel.PORTAL,
            dismissed_at__isnull=True,
            scheduled__status=ScheduleStatus.OPEN,
        )
        .exclude(scheduled__record_status=RecordStatus.ENTERED_IN_ERROR)
        .select_related("scheduled")
        .order_by("sent_at")
    )
    notices = []
    for reminder in rows:
        found = measures_selectors.instrument_or_none(reminder.scheduled.instrument)
        title = found.localised(patient.preferred_language).title if found else reminder.scheduled.instrument
        notices.append(Notice(id=reminder.id, title=title))
    return notices


def own_reminder(patient: Patient, reminder_id: Any) -> Reminder | None:
    return Reminder.objects.filter(patient=patient, pk=reminder_id, channel=ReminderChannel.PORTAL).first()


# --- one question at a time -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


@dataclass(frozen=True)
class Question:
    """What one page of the questionnaire shows: question `number` of `count`."""

    response_id: UUID
    title: str
    number: int
    count: int
    stem: str | None
    recall: str | None
    text: str
    choices: list[Choice]
    chosen: str  # the saved answer as a choice value, "" when none

    @property
    def previous(self) -> int | None:
        return self.number - 1 if self.number > 1 else None

    @property
    def is_last(self) -> bool:
        return self.number == self.count


def instrument_of(response: Response) -> Instrument:
    return definitions.instrument(response.instrument).localised(response.language)


def question(response: Response, number: int) -> Question | None:
    """Question `number` (1 = the first, in published order, asked or not scored alike); None if there is none."""
    instrument = instrument_of(response)
    if not 1 <= number <= len(instrument.items):
        return None
    item = instrument.items[number - 1]
    return Question(
        response_id=response.id,
        title=instrument.title,
        number=number,
        count=len(instrument.items),
        stem=instrument.stem if item.scored else None,
        recall=recall_words(instrument),
        text=item.display_text,
        choices=choices(item),
        chosen=_choice_value(response.answers.get(item.id)),
    )


def recall_words(instrument: Instrument) -> str | None:
    if instrument.recall_period.days is None:
        return None
    return _("Think about %(period)s.") % {"period": instrument.recall_period.text}


def choices(item: Item) -> list[Choice]:
    found = [Choice(str(option.value), option.label) for option in item.options]
    if item.not_applicable_allowed:
        found.append(Choice(NOT_APPLICABLE, item.not_applicable_label or _("Does not apply to me")))
    return found


def _choice_value(answer: Any) -> str:
    return "" if answer is None else str(answer)


def item_id_at(response: Response, number: int) -> str:
    return instrument_of(response).items[number - 1].id


def resume_at(response: Response) -> int | None:
    """Where to carry on: the question after the last one answered; None when the last one is answered."""
    items = instrument_of(response).items
    answered = [position for position, item in enumerate(items, 1) if response.answers.get(item.id) is not None]
    last = max(answered, default=0)
    return last + 1 if last < len(items) else None


@dataclass(frozen=True)
class Answered:
    number: int
    text: str
    answer: str  # the chosen option's words, or "" when not answered


def answers_to_check(response: Response) -> list[Answered]:
    """Every question with the answer given, for the patient to check before sending."""
    rows = []
    for number, item in enumerate(instrument_of(response).items, 1):
        words = {choice.value: choice.label for choice in choices(item)}
        rows.append(Answered(number, item.display_text, words.get(_choice_value(response.answers.get(item.id)), "")))
    return rows


needs_crisis_support = measures_selectors.needs_crisis_support


def has_critical_answer(response: Response) -> bool:
    """A critical item (PHQ-9 item 9) answered positively in this form, sent or not."""
    instrument = definitions.instrument(response.instrument)
    for critical in instrument.critical_items:
        value = response.answers.get(critical.item)
        if isinstance(value, int) and value >= critical.at_least:
            return True
    return False


# --- help now ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CrisisLine:
    name: str
    phone: str
    description: str

    @property
    def tel(self) -> str:
        """A `tel:` link when the phone is one number (not "112 / 911 / 999")."""
        if not self.phone or not re.fullmatch(r"[\d\s+().-]+", self.phone):
            return ""
        return "tel:" + re.sub(r"[^\d+]", "", self.phone)


def crisis_lines(patient: Patient) -> list[CrisisLine]:
    """The clinic's crisis resources in the patient's language; the general ones when it has none."""
    configured = safety_selectors.crisis_resources(patient.organisation_id, patient.preferred_language)
    if configured:
        return [CrisisLine(r.name, r.phone, r.description) for r in configured]
    return [CrisisLine(str(name), str(phone), str(text)) for name, phone, text in safety_selectors.FALLBACK_RESOURCES]
