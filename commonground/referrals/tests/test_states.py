"""The referral state machine, every pair of states: the allowed moves pass, all others are refused clearly."""

from __future__ import annotations

import itertools

import pytest

from commonground.referrals import states
from commonground.referrals.choices import State

EXPECTED = {
    ("draft", "sent"),
    ("draft", "withdrawn"),
    ("sent", "received"),
    ("sent", "withdrawn"),
    ("received", "accepted"),
    ("received", "declined"),
    ("accepted", "scheduled"),
    ("accepted", "withdrawn"),
    ("scheduled", "first_contact"),
    ("scheduled", "withdrawn"),
    ("first_contact", "completed"),
}
PAIRS = list(itertools.product(State.values, repeat=2))


def test_the_table_is_exactly_the_agreed_moves():
    table = {(current, target) for current, following in states.ALLOWED.items() for target in following}
    assert table == EXPECTED
    assert set(states.ALLOWED) == set(State.values)


@pytest.mark.parametrize(("current", "target"), PAIRS, ids=[f"{a}->{b}" for a, b in PAIRS])
def test_every_pair_of_states(current, target):
    if (current, target) in EXPECTED:
        states.check_move(current, target)
        assert states.is_allowed(current, target)
        return
    assert not states.is_allowed(current, target)
    with pytest.raises(states.RefusedMove) as refused:
        states.check_move(current, target)
    message = refused.value.message
    assert states.label(current) in message
    assert states.label(target) in message
    following = states.next_states(current)
    if following:
        for allowed in following:
            assert states.label(allowed) in message
    else:
        assert "final" in message
    assert refused.value.field == "to_state"


def test_final_states_have_no_next_state():
    assert {State.COMPLETED, State.DECLINED, State.WITHDRAWN} == states.FINAL


def test_unknown_states_are_refused():
    with pytest.raises(states.RefusedMove):
        states.check_move("lost", "sent")
    with pytest.raises(states.RefusedMove):
        states.check_move("draft", "lost")


def test_the_waiting_states_are_those_between_sent_and_first_contact():
    assert {State.SENT, State.RECEIVED, State.ACCEPTED, State.SCHEDULED} == states.WAITING
    assert states.WAITING | {State.DRAFT, State.FIRST_CONTACT} == states.OPEN
