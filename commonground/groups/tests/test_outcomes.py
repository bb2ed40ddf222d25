"""Group outcomes against the published rules (groups/outcomes.py): the before/after windows, reliable change as
measures.change computes it (Jacobson & Truax), completion, drop-out, attendance and goal attainment."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from commonground.goals import selectors as goals_selectors
from commonground.goals.tests.support import make_goal
from commonground.groups import outcomes, selectors, services
from commonground.groups.choices import Attendance
from commonground.groups.models import GroupSession
from commonground.kit import clock
from commonground.measures import definitions
from commonground.measures.change import (
    NO_RELIABLE_CHANGE,
    RELIABLE_DETERIORATION,
    RELIABLE_IMPROVEMENT,
    classify,
    reliable_change_index,
    reliable_change_threshold,
)
from commonground.measures.models import Response

FIRST = datetime(2026, 3, 2, 13, 0, tzinfo=UTC)
LAST = FIRST + timedelta(weeks=7)


def scored(at: datetime, total: int) -> outcomes.Scored:
    return outcomes.Scored(at, Decimal(total))


# --- pure rules ---------------------------------------------------------------------------------------------------


def test_before_is_the_last_response_from_28_days_before_to_7_days_after_the_first_session() -> None:
    responses = [
        scored(FIRST - timedelta(days=29), 1),
        scored(FIRST - timedelta(days=28), 2),
        scored(FIRST + timedelta(days=7), 3),
        scored(FIRST + timedelta(days=7, seconds=1), 4),
    ]
    assert outcomes.pre_response(responses, FIRST) == responses[2]
    assert outcomes.pre_response(responses[:2], FIRST) == responses[1]
    assert outcomes.pre_response(responses[:1], FIRST) is None


def test_after_is_the_first_response_from_7_days_before_to_28_days_after_the_last_session() -> None:
    responses = [
        scored(LAST - timedelta(days=7, seconds=1), 1),
        scored(LAST - timedelta(days=7), 2),
        scored(LAST + timedelta(days=28), 3),
        scored(LAST + timedelta(days=29), 4),
    ]
    assert outcomes.post_response(responses, LAST) == responses[1]
    assert outcomes.post_response(responses[2:], LAST) == responses[2]
    assert outcomes.post_response(responses[3:], LAST) is None


def test_one_response_is_never_both_before_and_after() -> None:
    short_last = FIRST + timedelta(days=7)
    only = [scored(FIRST + timedelta(days=3), 10)]
    assert outcomes.pre_post(only, FIRST, short_last) == (only[0], None)


@pytest.mark.parametrize(("pre", "post"), [(20, 14), (20, 16), (10, 16), (12, 7), (12, 8)])
def test_reliable_change_is_measures_change_with_the_instruments_figures(pre: int, post: int) -> None:
    phq15 = definitions.instrument("phq15")
    figures = phq15.reliable_change
    assert figures is not None
    change = outcomes.change_of(phq15, scored(FIRST, pre), scored(LAST, post), sex=None)
    assert change is not None
    expected = classify(reliable_change_index(pre, post, figures.sd, figures.reliability), phq15.higher_is_better)
    assert change.classification == expected
    # the PHQ-15's published threshold: 1.96 x S_diff = 4.96 points
    assert round(reliable_change_threshold(figures.sd, figures.reliability), 2) == 4.96
    assert (abs(post - pre) >= 5) == (expected != NO_RELIABLE_CHANGE)


def test_counts_and_missing() -> None:
    phq15 = definitions.instrument("phq15")
    changes = [
        outcomes.change_of(phq15, scored(FIRST, 20), scored(LAST, 14), sex=None),
        outcomes.change_of(phq15, scored(FIRST, 20), scored(LAST, 16), sex=None),
        outcomes.change_of(phq15, scored(FIRST, 10), scored(LAST, 16), sex=None),
        outcomes.change_of(phq15, None, scored(LAST, 16), sex=None),
    ]
    counts = outcomes.count_changes(changes)
    assert (counts.improved, counts.unchanged, counts.deteriorated, counts.missing) == (1, 1, 1, 1)
    assert counts.compared == 3
    assert [c.classification for c in changes if c] == [
        RELIABLE_IMPROVEMENT,
        NO_RELIABLE_CHANGE,
        RELIABLE_DETERIORATION,
    ]


def test_rates_completion_and_drop_out() -> None:
    assert outcomes.attendance_rate(["present", "absent", "present", "absent_with_notice"]) == 0.5
    assert outcomes.attendance_rate([]) is None
    assert outcomes.sessions_needed(0, 8) == 4 and outcomes.sessions_needed(0, 7) == 4
    assert outcomes.sessions_needed(6, 8) == 6
    assert outcomes.completed(6, 6) and not outcomes.completed(5, 6)
    assert outcomes.dropout_rate(1, 4) == 0.25 and outcomes.dropout_rate(0, 0) is None


# --- the cohort's outcomes from the database ---------------------------------------------------------------------


def _response(patient: Any, by: Any, instrument: str, total: int, at: datetime) -> Response:
    return Response.objects.create(
        patient=patient,
        organisation_id=patient.organisation_id,
        instrument=instrument,
        instrument_version="1",
        submission_key=uuid.uuid4(),
        status="completed",
        mode="paper",
        entered_by=by,
        started_at=at,
        completed_at=at,
        scorable=True,
        total=Decimal(total),
    )


@pytest.mark.django_db
def test_cohort_outcomes(
    cohort: Any, ada: Any, grace: Any, make_member: Any, facilitator: Any, therapist: Any, patient_user: Any
) -> None:
    hana = make_member("Hana")
    sessions = list(GroupSession.objects.filter(cohort=cohort).order_by("number"))
    first, last = sessions[0].starts_at, sessions[-1].starts_at
    for index, session in enumerate(sessions):
        marks = {ada.id: Attendance.PRESENT, grace.id: Attendance.PRESENT if index < 5 else Attendance.ABSENT}
        if index < 2:
            marks[hana.id] = Attendance.PRESENT if index == 0 else Attendance.ABSENT
        with clock.pinned(session.starts_at + timedelta(hours=2)):
            services.record_attendance(session, marks=marks, by=facilitator)
    with clock.pinned(last + timedelta(hours=3)):
        services.withdraw(hana, reason="", by=facilitator)
    _response(ada.patient, therapist, "phq15", 20, first - timedelta(days=3))
    _response(ada.patient, therapist, "phq15", 12, last + timedelta(days=2))
    _response(grace.patient, therapist, "phq15", 10, first - timedelta(days=40))  # too early: no before
    _response(grace.patient, therapist, "phq15", 9, last)
    make_goal(ada.patient, therapist, set_on=first.date())  # agreed with the patient when set

    result = selectors.cohort_outcomes(cohort)

    assert (result.ever_placed, result.left_early, result.dropout_rate) == (3, 1, 1 / 3)
    assert result.sessions_needed == 6  # the standard programme's number
    assert result.completed == 1  # Ada 8 of 8; Grace 5 (< 6); Hana left
    assert [s.present for s in result.attendance] == [3, 2, 2, 2, 2, 1, 1, 1]
    phq15 = next(i for i in result.instruments if i.instrument_id == "phq15")
    assert (phq15.counts.improved, phq15.counts.unchanged, phq15.counts.missing) == (1, 0, 2)
    assert phq15.pre_mean == 20.0 and phq15.post_mean == 12.0
    wsas = next(i for i in result.instruments if i.instrument_id == "wsas")
    assert wsas.counts.missing == 3
    by_member = {m.enrolment.id: m for m in result.members}
    assert by_member[ada.id].gas_t is not None
    assert by_member[ada.id].gas_t == goals_selectors.gas_trend(ada.patient)[-1].t_score
    assert by_member[grace.id].gas_t is None and result.gas_members == 1
    assert by_member[grace.id].rate == 5 / 8
    assert selectors.member_outcome(ada).changes[0].change is not None
