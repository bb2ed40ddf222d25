"""Writes of programmes (curricula): made from the standard template or from scratch, changed by group
facilitators and care coordinators. A cohort copies the sessions when it is made, so later edits never rewrite a
run already planned. Re-exported by `commonground.groups.services`: import from there.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from commonground.careplans import library
from commonground.groups import checks, curriculum
from commonground.groups.models import CurriculumSession, Programme
from commonground.kit.errors import DomainError
from commonground.kit.versioning import mark_entered_in_error, save_edit, save_new
from commonground.measures.selectors import instrument_or_none

PROGRAMME_FIELDS = ("name", "summary", "session_minutes", "days_between", "instruments", "sessions_to_complete")
PROGRAMME_CHANGE_FIELDS = (*PROGRAMME_FIELDS, "active")
SESSION_FIELDS = ("title", "topic", "skill", "home_practice", "home_practice_how", "library_item")
MAX_SESSIONS = 52


def _instruments(value: Any) -> list[str]:
    chosen = [] if value in (None, "") else value
    if not isinstance(chosen, list | tuple) or any(instrument_or_none(str(i)) is None for i in chosen):
        raise DomainError(_("Choose the questionnaires from the list."), field="instruments")
    return list(dict.fromkeys(str(i) for i in chosen))


def _checked_programme(details: dict[str, Any], sessions_count: int) -> dict[str, Any]:
    return {
        "name": checks.text(details.get("name"), "name", limit=120, required=True),
        "summary": checks.text(details.get("summary"), "summary", limit=2000),
        "session_minutes": checks.whole(details.get("session_minutes", 90), "session_minutes", low=15, high=480),
        "days_between": checks.whole(details.get("days_between", 7), "days_between", low=1, high=60),
        "instruments": _instruments(details.get("instruments")),
        "sessions_to_complete": checks.whole(
            details.get("sessions_to_complete") or 0, "sessions_to_complete", low=0, high=max(sessions_count, 0)
        ),
    }


def _checked_session(details: dict[str, Any]) -> dict[str, Any]:
    checks.only(details, SESSION_FIELDS)
    slug = checks.text(details.get("library_item"), "library_item", limit=60)
    if slug and library.item(slug) is None:
        raise DomainError(_("Choose an item from the library."), field="library_item")
    return {
        "title": checks.text(details.get("title"), "title", limit=120, required=True),
        "topic": checks.text(details.get("topic"), "topic", limit=2000),
        "skill": checks.text(details.get("skill"), "skill", limit=200),
        "home_practice": checks.text(details.get("home_practice"), "home_practice", limit=200),
        "home_practice_how": checks.text(details.get("home_practice_how"), "home_practice_how", limit=2000),
        "library_item": slug,
    }


@transaction.atomic
def create_programme(
    organisation: Any, *, details: dict[str, Any], sessions: list[dict[str, Any]], by: Any
) -> Programme:
    """A programme with its sessions numbered 1..n (at least one)."""
    checks.keeps_programmes(organisation.id, by)
    checks.only(details, PROGRAMME_FIELDS)
    if not sessions:
        raise DomainError(_("A programme needs at least one session."), field="sessions")
    if len(sessions) > MAX_SESSIONS:
        raise DomainError(_("A programme can have at most %(n)d sessions.") % {"n": MAX_SESSIONS}, field="sessions")
    checked_sessions = [_checked_session(session) for session in sessions]
    programme = Programme(organisation_id=organisation.id, created_by=by, **_checked_programme(details, len(sessions)))
    save_new(programme, reason="Programme made")
    for number, checked in enumerate(checked_sessions, start=1):
        save_new(
            CurriculumSession(programme=programme, organisation_id=organisation.id, number=number, **checked),
            reason="Programme session made",
        )
    return programme


def _free_name(organisation_id: Any, name: str) -> str:
    """The name, or when the clinic has a programme by that name already, "name (2)", "name (3)", ..."""
    taken = {
        found.casefold()
        for found in Programme.objects.current()
        .filter(organisation_id=organisation_id, name__istartswith=name)
        .values_list("name", flat=True)
    }
    candidate, number = name, 1
    while candidate.casefold() in taken:
        number += 1
        candidate = f"{name} ({number})"
    return candidate


@transaction.atomic
def create_programme_from_template(organisation: Any, *, by: Any) -> Programme:
    """The standard programme (groups/curriculum.py): eight weekly sessions of 90 minutes, under a name of its
    own ("Standard programme (2)" when the clinic has one by that name already)."""
    details = dict(curriculum.STANDARD_DETAILS)
    details["name"] = _free_name(organisation.id, str(details["name"]))
    return create_programme(
        organisation,
        details=details,
        sessions=[dict(session) for session in curriculum.STANDARD_SESSIONS],
        by=by,
    )


def _session_count(programme: Programme) -> int:
    return int(CurriculumSession.objects.current().filter(programme=programme).count())


@transaction.atomic
def update_programme(programme: Programme, *, expected_version: int, changes: dict[str, Any], by: Any) -> Programme:
    """Change the programme (name, summary, minutes, days between, questionnaires, sessions to complete, in use).
    Cohorts already made keep their own copy of the sessions."""
    checks.keeps_programmes(programme.organisation_id, by)
    checks.only(changes, PROGRAMME_CHANGE_FIELDS)
    checks.at_version(programme, expected_version)
    current = {field: getattr(programme, field) for field in PROGRAMME_FIELDS}
    checked = _checked_programme(
        current | {k: v for k, v in changes.items() if k != "active"}, _session_count(programme)
    )
    if "active" in changes:
        checked["active"] = bool(changes["active"])
    return save_edit(programme, expected_version=expected_version, reason="Programme changed", changes=checked)


@transaction.atomic
def save_curriculum_session(
    programme: Programme, *, number: int, details: dict[str, Any], by: Any
) -> CurriculumSession:
    """Change session `number`, or add it when it is the next number (n + 1)."""
    checks.keeps_programmes(programme.organisation_id, by)
    count = _session_count(programme)
    number = checks.whole(number, "number", low=1, high=min(count + 1, MAX_SESSIONS))
    found: CurriculumSession | None = (
        CurriculumSession.objects.current()
        .select_for_update(of=("self",))
        .filter(programme=programme, number=number)
        .first()
    )
    if found is None:
        checked = _checked_session(details)
        return save_new(
            CurriculumSession(programme=programme, organisation_id=programme.organisation_id, number=number, **checked),
            reason="Programme session added",
        )
    current = {field: getattr(found, field) for field in SESSION_FIELDS}
    checked = _checked_session(current | details)
    return save_edit(found, expected_version=found.version, reason="Programme session changed", changes=checked)


@transaction.atomic
def remove_curriculum_session(programme: Programme, *, by: Any) -> CurriculumSession:
    """The programme's last session, added in error, is marked entered in error (the numbering stays whole:
    only the last can go). A programme keeps at least one session. Cohorts already made keep their own copy."""
    checks.keeps_programmes(programme.organisation_id, by)
    locked: Programme = Programme.objects.select_for_update(of=("self",)).get(pk=programme.pk)
    sessions = list(CurriculumSession.objects.current().filter(programme=locked).order_by("-number")[:2])
    if len(sessions) < 2:
        raise DomainError(_("A programme needs at least one session, so its only session cannot be removed."))
    last = sessions[0]
    removed: CurriculumSession = mark_entered_in_error(
        last, expected_version=last.version, reason="Programme session removed"
    )
    left = _session_count(locked)
    if locked.sessions_to_complete > left:
        save_edit(
            locked,
            expected_version=locked.version,
            reason="Programme session removed",
            changes={"sessions_to_complete": left},
        )
    return removed
