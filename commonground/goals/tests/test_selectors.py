"""Reads of the goals domain: goals in order, ladders in a fixed number of queries, the GAS trend."""

from __future__ import annotations

import math
import uuid
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from commonground.goals import selectors, services
from commonground.goals.choices import GoalStatus, RungState
from commonground.goals.gas import t_score
from commonground.goals.models import GasSettings, Goal
from commonground.goals.tests.support import make_goal, today_for

pytestmark = pytest.mark.django_db


def revise(goal: Goal, by: Any, **changes: Any) -> None:
    services.update_goal(
        goal, expected_version=goal.version, changes=changes, reason="Review", by=by, today=today_for(goal.patient)
    )


def test_goals_come_active_first_and_set_aside_ones_can_be_left_out(patient_record: Any, therapist: Any) -> None:
    ended = make_goal(patient_record, therapist, title="Ended")
    achieved = make_goal(patient_record, therapist, title="Achieved")
    paused = make_goal(patient_record, therapist, title="Paused")
    active = make_goal(patient_record, therapist, title="Active")
    revise(ended, therapist, status=GoalStatus.ENDED)
    services.review_goal(achieved, level=0, reviewed_on=today_for(patient_record), by=therapist)
    achieved.refresh_from_db()
    revise(achieved, therapist, status=GoalStatus.ACHIEVED)
    revise(paused, therapist, status=GoalStatus.ON_HOLD)
    assert [g.title for g in selectors.goals_of(patient_record)] == ["Active", "Paused", "Achieved", "Ended"]
    assert [g.title for g in selectors.goals_of(patient_record, include_ended=False)] == [
        "Active",
        "Paused",
        "Achieved",
    ]
    assert active in selectors.goals_of(patient_record)


def test_one_goal_or_rung_only_of_this_patient(
    patient_record: Any, other_patient_record: Any, therapist: Any, coordinator: Any
) -> None:
    mine = make_goal(patient_record, therapist)
    theirs = make_goal(other_patient_record, coordinator)
    rung = services.add_rung(mine, action="a", target_date=None, by=therapist)
    assert selectors.goal_of(patient_record, str(mine.id)) == mine
    assert selectors.goal_of(patient_record, theirs.id) is None
    assert selectors.goal_of(patient_record, "not-a-uuid") is None
    assert selectors.goal_of(patient_record, uuid.uuid4()) is None
    assert selectors.milestone_of(patient_record, rung.id) == rung
    assert selectors.milestone_of(other_patient_record, rung.id) is None
    assert selectors.milestone_of(patient_record, "12") is None


def test_a_ladder_knows_what_is_done_and_what_comes_next(goal: Goal, therapist: Any) -> None:
    gate, corner, park = (
        services.add_rung(goal, action=action, target_date=None, by=therapist) for action in ("gate", "corner", "park")
    )
    services.mark_rung(gate, state=RungState.DONE, by=therapist)
    services.mark_rung(park, state=RungState.DONE, by=therapist)
    services.remove_rung(corner, reason="", by=therapist)
    ladder = selectors.ladder(goal)
    assert [r.action for r in ladder.rungs] == ["gate", "park"]
    assert (ladder.done, ladder.next_rung) == (2, None)
    assert [e.kind for e in ladder.events] == ["added", "added", "added", "marked", "marked", "removed"]
    services.step_back(goal, reason="Bad week", by=therapist)
    assert selectors.ladder(goal).next_rung == park


def test_every_ladder_in_a_fixed_number_of_queries(patient_record: Any, therapist: Any) -> None:
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            found = selectors.ladders(patient_record)
            read = [  # what a page reads
                (
                    item.goal.value and item.goal.value.words,
                    [rung.action for rung in item.rungs],
                    [(event.by.display_name, event.milestone and event.milestone.action) for event in item.events],
                )
                for item in found
            ]
        assert len(read) == len(found)
        return len(captured)

    first = make_goal(patient_record, therapist, title="First")
    services.add_rung(first, action="a", target_date=None, by=therapist)
    few = queries()
    for number in range(4):
        value = services.add_value(patient_record, life_area="family", words=f"value {number}", by=therapist)
        goal = make_goal(patient_record, therapist, title=f"goal {number}", value_id=value.id)
        for action in ("a", "b", "c"):
            services.add_rung(goal, action=action, target_date=None, by=therapist)
    assert queries() == few <= 3
    found = selectors.ladders(patient_record)
    assert [item.goal.title for item in found] == [g.title for g in selectors.goals_of(patient_record)]
    assert [len(item.rungs) for item in found] == [1, 3, 3, 3, 3]
    assert all(len(item.events) == len(item.rungs) for item in found)


def test_the_gas_trend_on_a_constructed_history(patient_record: Any, therapist: Any) -> None:
    """Goals count from the day they are set, at their baseline until their first review, then at their latest
    level; a goal entered in error does not count."""
    today = today_for(patient_record)
    day0 = today - timedelta(days=60)
    walk = make_goal(patient_record, therapist, set_on=day0, baseline_level=-1, importance=3, difficulty=2)
    work = make_goal(patient_record, therapist, set_on=day0, baseline_level=-2, importance=1, difficulty=1)
    sleep = make_goal(patient_record, therapist, set_on=day0 + timedelta(days=20), baseline_level=-1, importance=2)
    wrong = make_goal(patient_record, therapist, set_on=day0, baseline_level=2)
    services.review_goal(walk, level=0, reviewed_on=day0 + timedelta(days=10), by=therapist)
    services.review_goal(wrong, level=2, reviewed_on=day0 + timedelta(days=15), by=therapist)
    services.review_goal(work, level=-1, reviewed_on=day0 + timedelta(days=30), by=therapist)
    services.review_goal(walk, level=1, reviewed_on=day0 + timedelta(days=30), by=therapist)
    services.review_goal(sleep, level=0, reviewed_on=day0 + timedelta(days=40), by=therapist)
    services.mark_in_error(wrong, expected_version=1, reason="Another patient's goal")

    trend = selectors.gas_trend(patient_record)
    assert [(p.on, p.goals) for p in trend] == [
        (day0, 2),  # walk and work at their starting levels
        (day0 + timedelta(days=10), 2),
        (day0 + timedelta(days=20), 3),  # sleep starts to count, at its starting level
        (day0 + timedelta(days=30), 3),
        (day0 + timedelta(days=40), 3),
    ]
    unweighted = [
        50 + 10 * (-1 - 2) / math.sqrt(0.7 * 2 + 0.3 * 4),
        50 + 10 * (0 - 2) / math.sqrt(0.7 * 2 + 0.3 * 4),
        50 + 10 * (0 - 2 - 1) / math.sqrt(0.7 * 3 + 0.3 * 9),
        50 + 10 * (1 - 1 - 1) / math.sqrt(0.7 * 3 + 0.3 * 9),
        50 + 10 * (1 - 1 + 0) / math.sqrt(0.7 * 3 + 0.3 * 9),
    ]
    assert [p.t_score for p in trend] == pytest.approx(unweighted)

    # Weighted by the clinic, with its own ρ: walk 3×2 = 6, work 1×1 = 1, sleep has no difficulty so 1.
    GasSettings.objects.create(organisation_id=patient_record.organisation_id, weighted=True, rho=Decimal("0.5"))
    weighted = [
        t_score([-1, -2], [6, 1], 0.5),
        t_score([0, -2], [6, 1], 0.5),
        t_score([0, -2, -1], [6, 1, 1], 0.5),
        t_score([1, -1, -1], [6, 1, 1], 0.5),
        t_score([1, -1, 0], [6, 1, 1], 0.5),
    ]
    assert [p.t_score for p in selectors.gas_trend(patient_record)] == pytest.approx(weighted)
    assert weighted[1] == pytest.approx(50 + 10 * (0 - 2) / math.sqrt(0.5 * 37 + 0.5 * 49))


def test_a_goal_counts_once_agreed_and_stops_counting_once_set_aside(patient_record: Any, therapist: Any) -> None:
    today = today_for(patient_record)
    day0 = today - timedelta(days=30)
    kept = make_goal(patient_record, therapist, set_on=day0)
    dropped = make_goal(patient_record, therapist, set_on=day0)
    proposed = make_goal(patient_record, therapist, set_on=day0, agreed_by_patient=False)
    services.review_goal(kept, level=1, reviewed_on=day0 + timedelta(days=10), by=therapist)
    services.update_goal(
        dropped,
        expected_version=1,
        changes={"status": GoalStatus.ENDED},
        reason="No longer fits",
        by=therapist,
        today=day0 + timedelta(days=20),
    )
    trend = selectors.gas_trend(patient_record)
    assert [(p.on, set(p.goal_ids)) for p in trend] == [
        (day0, {kept.id, dropped.id}),  # the proposal is not the patient's goal yet
        (day0 + timedelta(days=10), {kept.id, dropped.id}),
        (day0 + timedelta(days=20), {kept.id}),  # set aside that day
    ]
    assert trend[-1].t_score == pytest.approx(60.0)  # one goal at +1: 50 + 10 × 1
    services.agree_to_goal(proposed, by=therapist)
    assert set(selectors.gas_trend(patient_record)[-1].goal_ids) == {kept.id, proposed.id}


def test_a_goal_without_reviews_shows_its_starting_level(goal: Goal) -> None:
    assert [(p.on, p.t_score) for p in selectors.gas_trend(goal.patient)] == [(goal.set_on, 40.0)]  # 50 + 10 × −1
