"""The milestone ladder and its history (issue 5 item 3): rungs are never deleted, positions stay 1..n, and
every change is an event whose `detail` lets the ladder be read back."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from commonground.goals import selectors, services
from commonground.goals.choices import LadderEventKind, RungState, RungStatus
from commonground.goals.models import Goal, LadderEvent, Milestone
from commonground.goals.tests.support import make_goal
from commonground.kit.errors import DomainError, StaleEdit

pytestmark = pytest.mark.django_db


def on_ladder(goal: Goal) -> list[tuple[int, str]]:
    rungs = Milestone.objects.filter(goal=goal, status=RungStatus.ON_LADDER).order_by("position")
    return [(rung.position, rung.action) for rung in rungs]


def climb(goal: Goal, by: Any, *actions: str) -> list[Milestone]:
    return [services.add_rung(goal, action=action, target_date=None, by=by) for action in actions]


def kinds(goal: Goal) -> list[str]:
    return [event.kind for event in LadderEvent.objects.filter(goal=goal).order_by("at", "created_at")]


def test_rungs_are_added_at_the_top_or_in_place(goal: Goal, therapist: Any) -> None:
    climb(goal, therapist, "Walk to the gate", "Walk to the corner")
    services.add_rung(
        goal, action="Stand on the doorstep", target_date=goal.set_on + timedelta(days=5), by=therapist, position=1
    )
    assert on_ladder(goal) == [(1, "Stand on the doorstep"), (2, "Walk to the gate"), (3, "Walk to the corner")]
    event = LadderEvent.objects.filter(goal=goal).order_by("at", "created_at").last()
    assert event is not None and event.detail == {
        "position": 1,
        "action": "Stand on the doorstep",
        "target_date": (goal.set_on + timedelta(days=5)).isoformat(),
    }
    for position in (0, 5, True):
        with pytest.raises(DomainError, match="from 1 to 4"):
            services.add_rung(goal, action="Too far", target_date=None, by=therapist, position=position)
    with pytest.raises(DomainError) as raised:
        services.add_rung(goal, action="  ", target_date=None, by=therapist)
    assert raised.value.field == "action"
    assert len(on_ladder(goal)) == 3 and kinds(goal) == ["added"] * 3


def test_a_split_rung_stays_in_the_history_and_its_place_is_taken_by_smaller_steps(goal: Goal, therapist: Any) -> None:
    gate, corner, _park = climb(goal, therapist, "Walk to the gate", "Walk to the corner", "Walk to the park")
    smaller = services.split_rung(
        corner,
        steps=[("Walk halfway to the corner", None), ("Walk to the corner", None)],
        by=therapist,
        reason="Too big",
    )
    assert on_ladder(goal) == [
        (1, "Walk to the gate"),
        (2, "Walk halfway to the corner"),
        (3, "Walk to the corner"),
        (4, "Walk to the park"),
    ]
    corner.refresh_from_db()
    assert corner.status == RungStatus.SPLIT and [r.split_from_id for r in smaller] == [corner.id, corner.id]
    event = LadderEvent.objects.get(goal=goal, kind=LadderEventKind.SPLIT)
    assert event.milestone_id == corner.id and event.reason == "Too big"
    assert event.detail == {"position": 2, "into": [str(r.id) for r in smaller]}
    with pytest.raises(DomainError, match="at least two"):
        services.split_rung(gate, steps=[("Only one", None)], by=therapist)
    with pytest.raises(DomainError, match="no longer on the ladder"):
        services.split_rung(corner, steps=[("a", None), ("b", None)], by=therapist)
    assert Milestone.objects.filter(goal=goal).count() == 5


def test_moving_a_rung_closes_up_the_others(goal: Goal, therapist: Any) -> None:
    a, b, c, d = climb(goal, therapist, "a", "b", "c", "d")
    services.move_rung(d, to_position=1, by=therapist)
    assert [action for _, action in on_ladder(goal)] == ["d", "a", "b", "c"]
    services.move_rung(a, to_position=4, by=therapist)
    assert on_ladder(goal) == [(1, "d"), (2, "b"), (3, "c"), (4, "a")]
    moves = LadderEvent.objects.filter(goal=goal, kind=LadderEventKind.MOVED).order_by("at", "created_at")
    assert [e.detail for e in moves] == [
        {"from_position": 4, "to_position": 1},
        {"from_position": 2, "to_position": 4},
    ]
    services.move_rung(b, to_position=2, by=therapist)  # where it already is
    assert LadderEvent.objects.filter(goal=goal, kind=LadderEventKind.MOVED).count() == 2
    with pytest.raises(DomainError, match="from 1 to 4"):
        services.move_rung(c, to_position=5, by=therapist)


def test_marking_progress_writes_one_event_per_change(goal: Goal, therapist: Any, patient_user: Any) -> None:
    (rung,) = climb(goal, therapist, "Walk to the gate")
    services.mark_rung(rung, state=RungState.PARTLY, by=patient_user, note="Halfway, then rested")
    services.mark_rung(rung, state=RungState.PARTLY, by=patient_user)  # again: nothing changes
    services.mark_rung(rung, state=RungState.DONE, by=patient_user)
    marks = LadderEvent.objects.filter(goal=goal, kind=LadderEventKind.MARKED).order_by("at", "created_at")
    assert [(e.detail, e.by, e.reason) for e in marks] == [
        ({"from": "not_yet", "to": "partly"}, patient_user, "Halfway, then rested"),
        ({"from": "partly", "to": "done"}, patient_user, ""),
    ]
    rung.refresh_from_db()
    assert rung.state == RungState.DONE and rung.state_changed_at is not None
    with pytest.raises(DomainError, match="done, partly done or not yet"):
        services.mark_rung(rung, state="failed", by=patient_user)


def test_a_setback_keeps_its_reason_and_opens_the_highest_rung_again(goal: Goal, therapist: Any) -> None:
    gate, corner, _park = climb(goal, therapist, "gate", "corner", "park")
    services.mark_rung(gate, state=RungState.DONE, by=therapist)
    services.mark_rung(corner, state=RungState.PARTLY, by=therapist)
    with pytest.raises(DomainError, match="Say what happened") as raised:
        services.step_back(goal, reason="  ", by=therapist)
    assert raised.value.field == "reason"
    reopened = services.step_back(goal, reason="A flare after the flu", by=therapist)
    assert reopened == corner
    corner.refresh_from_db()
    assert corner.state == RungState.NOT_YET and corner.status == RungStatus.ON_LADDER
    event = LadderEvent.objects.get(goal=goal, kind=LadderEventKind.STEPPED_BACK)
    assert (event.reason, event.milestone_id) == ("A flare after the flu", corner.id)
    assert event.detail == {"from": "partly", "to": "not_yet", "position": 2}
    # A named rung, then no rung left to open: the step back is still recorded, as information.
    assert services.step_back(goal, reason="Tired week", by=therapist, milestone=gate) == gate
    assert services.step_back(goal, reason="Visitors all week", by=therapist) is None
    backs = LadderEvent.objects.filter(goal=goal, kind=LadderEventKind.STEPPED_BACK).order_by("at", "created_at")
    assert [(e.reason, e.detail) for e in backs][1:] == [
        ("Tired week", {"from": "done", "to": "not_yet", "position": 1}),
        ("Visitors all week", {}),
    ]
    assert {r.state for r in Milestone.objects.filter(goal=goal)} == {RungState.NOT_YET}
    ladder = selectors.ladder(goal)
    assert "fail" not in " ".join(str(LadderEventKind(e.kind).label).lower() for e in ladder.events)


def test_a_step_back_on_another_goals_rung_is_refused(goal: Goal, patient_record: Any, therapist: Any) -> None:
    other = make_goal(patient_record, therapist)
    (rung,) = climb(other, therapist, "x")
    with pytest.raises(DomainError, match="another goal"):
        services.step_back(goal, reason="r", by=therapist, milestone=rung)


def test_a_removed_rung_stays_in_the_history(goal: Goal, therapist: Any) -> None:
    a, _b, _c = climb(goal, therapist, "a", "b", "c")
    services.remove_rung(a, reason="Not needed after all", by=therapist)
    assert on_ladder(goal) == [(1, "b"), (2, "c")]
    a.refresh_from_db()
    assert a.status == RungStatus.REMOVED
    event = LadderEvent.objects.get(goal=goal, kind=LadderEventKind.REMOVED)
    assert (event.detail, event.reason) == ({"position": 1}, "Not needed after all")
    with pytest.raises(DomainError, match="no longer on the ladder"):
        services.mark_rung(a, state=RungState.DONE, by=therapist)


def test_editing_a_rung_is_versioned_and_recorded(goal: Goal, therapist: Any, coordinator: Any) -> None:
    (rung,) = climb(goal, therapist, "Walk to the gate")
    stale = Milestone.objects.get(pk=rung.pk)
    services.edit_rung(
        rung,
        expected_version=1,
        action="Walk to the gate and back",
        target_date=goal.set_on + timedelta(days=30),
        by=therapist,
    )
    event = LadderEvent.objects.get(goal=goal, kind=LadderEventKind.EDITED)
    assert event.detail == {
        "from": {"action": "Walk to the gate", "target_date": None},
        "to": {"action": "Walk to the gate and back", "target_date": (goal.set_on + timedelta(days=30)).isoformat()},
    }
    with pytest.raises(StaleEdit):
        services.edit_rung(stale, expected_version=1, action="Something else", target_date=None, by=coordinator)
    services.edit_rung(
        rung,
        expected_version=2,
        action="Walk to the gate and back",
        target_date=goal.set_on + timedelta(days=30),
        by=therapist,
    )
    assert LadderEvent.objects.filter(goal=goal, kind=LadderEventKind.EDITED).count() == 1


def test_a_stale_copy_of_a_rung_is_reloaded_under_the_lock(goal: Goal, therapist: Any) -> None:
    a, b = climb(goal, therapist, "a", "b")
    old_copy_of_b = Milestone.objects.get(pk=b.pk)
    services.move_rung(a, to_position=2, by=therapist)  # b is now at 1, but the old copy still says 2
    services.move_rung(old_copy_of_b, to_position=2, by=therapist)
    assert on_ladder(goal) == [(1, "a"), (2, "b")]


def test_ladder_changes_take_the_goals_row_lock_first(goal: Goal, therapist: Any) -> None:
    """Concurrent changes to one ladder queue behind the goal's row lock (PostgreSQL: SELECT ... FOR UPDATE);
    SQLite has no row locks, and every writing transaction there takes the database's write lock at BEGIN."""
    (rung,) = climb(goal, therapist, "a")
    with CaptureQueriesContext(connection) as captured:
        services.move_rung(rung, to_position=1, by=therapist)
        services.mark_rung(rung, state=RungState.DONE, by=therapist)
    goal_reads = [q["sql"] for q in captured if 'FROM "goals_goal"' in q["sql"]]
    if connection.features.has_select_for_update:
        assert len(goal_reads) == 2 and all("FOR UPDATE" in sql for sql in goal_reads)
    else:
        assert connection.settings_dict["OPTIONS"]["transaction_mode"] == "IMMEDIATE"


# --- the history, read back -------------------------------------------------------------------------------


def replay(goal: Goal) -> list[tuple[str, str]]:
    """The ladder rebuilt from its events alone: (rung id, state) from bottom to top."""
    rungs: list[str] = []
    states: dict[str, str] = {}
    for event in LadderEvent.objects.filter(goal=goal).order_by("at", "created_at"):
        rung = str(event.milestone_id)
        detail = event.detail
        if event.kind == LadderEventKind.ADDED:
            rungs.insert(detail["position"] - 1, rung)
            states[rung] = RungState.NOT_YET
        elif event.kind == LadderEventKind.SPLIT:
            assert rungs[detail["position"] - 1] == rung
            rungs[detail["position"] - 1 : detail["position"]] = detail["into"]
            states |= dict.fromkeys(detail["into"], RungState.NOT_YET)
        elif event.kind == LadderEventKind.MOVED:
            assert rungs.pop(detail["from_position"] - 1) == rung
            rungs.insert(detail["to_position"] - 1, rung)
        elif event.kind in (LadderEventKind.MARKED, LadderEventKind.STEPPED_BACK) and detail:
            assert states[rung] == detail["from"]
            states[rung] = detail["to"]
        elif event.kind == LadderEventKind.REMOVED:
            assert rungs.pop(detail["position"] - 1) == rung
    return [(rung, states[rung]) for rung in rungs]


@dataclass
class Model:
    """What the ladder should be, kept by hand beside the database."""

    rungs: list[tuple[str, str]] = field(default_factory=list)  # (action, state), bottom to top
    changes: int = 0


# Each operation: what to do, which rung (modulo the rungs on the ladder), where to or how, and a state.
OPERATIONS = st.lists(
    st.tuples(
        st.sampled_from(["add", "add", "split", "move", "move", "mark", "step_back", "remove", "edit"]),
        st.integers(min_value=0, max_value=999),
        st.integers(min_value=0, max_value=999),
        st.sampled_from(list(RungState.values)),
    ),
    min_size=4,
    max_size=30,
)


def apply(goal: Goal, model: Model, by: Any, step: int, operation: tuple[str, int, int, str]) -> None:
    kind, first, second, state = operation
    rungs = list(Milestone.objects.filter(goal=goal, status=RungStatus.ON_LADDER).order_by("position"))
    count = len(rungs)
    if kind == "add":
        position = first % (count + 1) + 1
        services.add_rung(goal, action=f"step {step}", target_date=None, by=by, position=position)
        model.rungs.insert(position - 1, (f"step {step}", RungState.NOT_YET))
        model.changes += 1
    elif kind == "step_back":
        services.step_back(goal, reason=f"setback {step}", by=by)
        opened = [i for i, (_, s) in enumerate(model.rungs) if s != RungState.NOT_YET]
        if opened:
            model.rungs[opened[-1]] = (model.rungs[opened[-1]][0], RungState.NOT_YET)
        model.changes += 1
    elif count:
        index = first % count
        rung = rungs[index]
        if kind == "split":
            pieces = 2 + second % 2
            steps: list[tuple[str, date | None]] = [(f"step {step}.{n}", None) for n in range(pieces)]
            services.split_rung(rung, steps=steps, by=by)
            model.rungs[index : index + 1] = [(action, RungState.NOT_YET) for action, _ in steps]
            model.changes += 1
        elif kind == "move":
            to = second % count
            services.move_rung(rung, to_position=to + 1, by=by)
            model.rungs.insert(to, model.rungs.pop(index))
            model.changes += int(to != index)
        elif kind == "mark":
            services.mark_rung(rung, state=state, by=by)
            model.changes += int(model.rungs[index][1] != state)
            model.rungs[index] = (model.rungs[index][0], state)
        elif kind == "remove":
            services.remove_rung(rung, reason="", by=by)
            model.rungs.pop(index)
            model.changes += 1
        elif kind == "edit":
            before = rung.action
            action = before if second % 2 else f"{before}, slowly"
            services.edit_rung(rung, expected_version=rung.version, action=action, target_date=None, by=by)
            model.changes += int(action != before)
            model.rungs[index] = (action, model.rungs[index][1])


def check_sequence(patient: Any, by: Any, operations: list[tuple[str, int, int, str]]) -> None:
    """Positions stay 1..n without gaps or duplicates, no rung is ever deleted, no event is ever lost, there is
    one event per operation that changed something, and the events alone rebuild the ladder."""
    with transaction.atomic():  # each example on a fresh goal, rolled back afterwards
        goal = make_goal(patient, by)
        model = Model()
        seen_rungs: set[Any] = set()
        seen_events: set[Any] = set()
        for step, operation in enumerate(operations):
            apply(goal, model, by, step, operation)
            rungs = list(Milestone.objects.filter(goal=goal, status=RungStatus.ON_LADDER).order_by("position"))
            assert [rung.position for rung in rungs] == list(range(1, len(rungs) + 1))
            assert [(rung.action, rung.state) for rung in rungs] == model.rungs
            all_rungs = set(Milestone.objects.filter(goal=goal).values_list("pk", flat=True))
            events = set(LadderEvent.objects.filter(goal=goal).values_list("pk", flat=True))
            assert seen_rungs <= all_rungs and seen_events <= events
            seen_rungs, seen_events = all_rungs, events
            assert len(events) == model.changes
            assert replay(goal) == [(str(rung.id), rung.state) for rung in rungs]
        ladder = selectors.ladder(goal)
        assert [(rung.action, rung.state) for rung in ladder.rungs] == model.rungs
        assert ladder.done == sum(1 for _, state in model.rungs if state == RungState.DONE)
        assert len(ladder.events) == model.changes
        transaction.set_rollback(True)


WITH_FIXTURES = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow]


@settings(suppress_health_check=WITH_FIXTURES, deadline=None)
@given(operations=OPERATIONS)
@example(  # every kind of change, moves up and down, in the middle of the ladder
    operations=[
        ("add", 0, 0, "done"),
        ("add", 0, 0, "done"),
        ("add", 1, 0, "done"),
        ("add", 3, 0, "done"),
        ("move", 3, 0, "done"),
        ("move", 0, 2, "done"),
        ("mark", 1, 0, "done"),
        ("mark", 2, 0, "partly"),
        ("split", 1, 1, "done"),
        ("step_back", 0, 0, "done"),
        ("remove", 2, 0, "done"),
        ("move", 4, 1, "done"),
        ("edit", 0, 0, "done"),
        ("mark", 0, 0, "not_yet"),
        ("remove", 0, 0, "done"),
        ("step_back", 0, 0, "done"),
    ]
)
def test_any_sequence_of_changes_keeps_the_ladder_whole(
    patient_record: Any, therapist: Any, operations: list[tuple[str, int, int, str]]
) -> None:
    check_sequence(patient_record, therapist, operations)


@pytest.mark.slow
@settings(max_examples=300, suppress_health_check=WITH_FIXTURES, deadline=None)
@given(operations=OPERATIONS)
def test_any_sequence_of_changes_keeps_the_ladder_whole_many_examples(
    patient_record: Any, therapist: Any, operations: list[tuple[str, int, int, str]]
) -> None:
    """The same invariants over many more sequences (run once, in CI)."""
    check_sequence(patient_record, therapist, operations)
