"""The member's own writes: action plans linked to their own goals, partners with consent and sharing by choice,
weekly check-ins, the board and concerns."""

from __future__ import annotations

from typing import Any

import pytest

from commonground.goals import services as goals_services
from commonground.goals.tests.support import make_goal
from commonground.groups import selectors, services
from commonground.groups.choices import (
    CheckInFeeling,
    ConcernAbout,
    ConcernStatus,
    PairingOrigin,
    PairingStatus,
    PartnerShare,
    PostKind,
    PostStatus,
    ShownName,
)
from commonground.groups.models import CheckIn
from commonground.kit.errors import DomainError
from commonground.notifications.transports import MemoryTransport

pytestmark = pytest.mark.django_db


@pytest.fixture
def partners(ada: Any, grace: Any) -> Any:
    return services.agree_to_pairing(services.ask_to_pair(ada, grace), grace)


# --- action plans -----------------------------------------------------------------------------------------------


def test_a_step_links_to_the_members_own_goal_and_rung(ada: Any, grace: Any, therapist: Any, coordinator: Any) -> None:
    goal = make_goal(ada.patient, therapist)
    rung = goals_services.add_rung(goal, action="Walk to the corner", target_date=None, by=therapist)
    step = services.add_action_step(ada, text="Walk after lunch", when="Mondays", milestone_id=rung.id)
    assert (step.goal_id, step.milestone_id) == (goal.id, rung.id)
    others = make_goal(grace.patient, coordinator)
    with pytest.raises(DomainError) as refused:
        services.add_action_step(ada, text="Theirs", goal_id=others.id)
    assert refused.value.field == "goal_id"


def test_steps_change_are_done_and_removed(ada: Any) -> None:
    step = services.add_action_step(ada, text="Breathe twice a day")
    step = services.change_action_step(step, expected_version=step.version, changes={"when": "Morning and night"})
    step = services.mark_step_done(step)
    assert step.done_at is not None and step.when == "Morning and night"
    services.remove_action_step(step)
    assert selectors.action_steps_of(ada) == []


def test_a_plan_is_seen_by_the_group_only_when_shared(cohort: Any, ada: Any, grace: Any, therapist: Any) -> None:
    goal = make_goal(ada.patient, therapist, title="Play with my grandchildren")
    services.add_action_step(ada, text="Sit on the floor for five minutes", goal_id=goal.id)
    assert selectors.shared_plans(cohort, viewer=grace) == []
    services.share_plan_with_group(ada, shared=True)
    (plan,) = selectors.shared_plans(cohort, viewer=grace)
    assert plan.shown_name == "Ada" and [s.text for s in plan.steps] == ["Sit on the floor for five minutes"]
    assert "grandchildren" not in repr(plan)  # the goal a step works towards is not shared with the group


# --- partners -----------------------------------------------------------------------------------------------------


def test_mutual_opt_in_needs_both_to_want_a_partner(ada: Any, grace: Any) -> None:
    services.change_member_choices(grace, shown_name=ShownName.FIRST_NAME, chosen_name="", wants_partner=False)
    grace.refresh_from_db()
    with pytest.raises(DomainError):
        services.ask_to_pair(ada, grace)


def test_asking_back_agrees(ada: Any, grace: Any) -> None:
    asked = services.ask_to_pair(ada, grace)
    assert asked.status == PairingStatus.PROPOSED and asked.origin == PairingOrigin.MUTUAL
    pairing = services.ask_to_pair(grace, ada)
    assert pairing.pk == asked.pk and pairing.status == PairingStatus.ACTIVE


def test_a_facilitators_suggestion_starts_only_when_both_agree(
    cohort: Any, ada: Any, grace: Any, facilitator: Any
) -> None:
    pairing = services.propose_pairing(cohort, ada, grace, by=facilitator)
    pairing = services.agree_to_pairing(pairing, ada)
    assert pairing.status == PairingStatus.PROPOSED
    with pytest.raises(DomainError):
        services.check_in(pairing, ada, feeling=CheckInFeeling.WELL)
    pairing = services.agree_to_pairing(pairing, grace)
    assert pairing.status == PairingStatus.ACTIVE and pairing.started_at is not None


def test_declining_needs_no_reason(cohort: Any, ada: Any, grace: Any, facilitator: Any) -> None:
    pairing = services.propose_pairing(cohort, ada, grace, by=facilitator)
    declined = services.decline_pairing(pairing, grace)
    assert declined.status == PairingStatus.DECLINED


def test_no_one_is_in_two_pairings(cohort: Any, ada: Any, grace: Any, make_member: Any, facilitator: Any) -> None:
    hana = make_member("Hana", wants_partner=True)
    services.propose_pairing(cohort, ada, grace, by=facilitator)
    with pytest.raises(DomainError):
        services.propose_pairing(cohort, ada, hana, by=facilitator)
    with pytest.raises(DomainError):
        services.ask_to_pair(hana, grace)


@pytest.mark.parametrize("who", ["first", "second"])
def test_either_partner_ends_it_at_any_time_without_a_reason(partners: Any, ada: Any, grace: Any, who: str) -> None:
    ender = ada if who == "first" else grace
    ended = services.end_pairing(partners, enrolment=ender, by=ender.patient.user)
    assert ended.status == PairingStatus.ENDED and ended.ended_by_id == ender.id and ended.ended_at is not None


def test_a_facilitator_may_end_a_pairing_and_an_outsider_may_not(
    partners: Any, facilitator: Any, outsider: Any, make_member: Any
) -> None:
    with pytest.raises(DomainError):
        services.end_pairing(partners, by=outsider)
    assert services.end_pairing(partners, by=facilitator).status == PairingStatus.ENDED


def test_someone_outside_the_pairing_cannot_end_or_write_to_it(partners: Any, make_member: Any) -> None:
    hana = make_member("Hana")
    with pytest.raises(DomainError):
        services.end_pairing(partners, enrolment=hana, by=hana.patient.user)
    with pytest.raises(DomainError):
        services.check_in(partners, hana, feeling=CheckInFeeling.WELL)


def test_one_check_in_a_week_a_second_changes_the_first(partners: Any, ada: Any) -> None:
    first = services.check_in(partners, ada, feeling=CheckInFeeling.HARD, message="Tough")
    second = services.check_in(partners, ada, feeling=CheckInFeeling.MIXED, message="Better by Sunday")
    assert first.pk == second.pk and second.version == 2
    assert CheckIn.objects.filter(pairing=partners, by=ada).count() == 1


def test_partners_see_only_what_the_other_shares(partners: Any, ada: Any, grace: Any, therapist: Any) -> None:
    goal = make_goal(ada.patient, therapist, title="Cycle to work")
    rung = goals_services.add_rung(goal, action="Cycle round the block", target_date=None, by=therapist)
    goals_services.mark_rung(rung, state="done", by=therapist)
    services.add_action_step(ada, text="Check the tyres")
    view = selectors.partner_view(partners, grace)
    assert view.partner_name == "Ada" and view.partner_steps is None and view.partner_ladders is None
    services.set_partner_shares(partners, ada, [PartnerShare.ACTION_PLAN])
    partners.refresh_from_db()
    view = selectors.partner_view(partners, grace)
    assert [s.text for s in view.partner_steps or []] == ["Check the tyres"] and view.partner_ladders is None
    services.set_partner_shares(partners, ada, [PartnerShare.LADDER_PROGRESS])
    partners.refresh_from_db()
    view = selectors.partner_view(partners, grace)
    assert view.partner_steps is None
    assert [(lp.goal_title, lp.reached, lp.steps) for lp in view.partner_ladders or []] == [
        ("Cycle to work", ["Cycle round the block"], 1)
    ]
    # What Ada sees of Grace: nothing shared.
    mine = selectors.partner_view(partners, ada)
    assert mine.partner_steps is None and mine.partner_ladders is None and mine.partner_name == "Grace"
    # Nothing in the view leads on to the partner's record.
    for value in vars(view).values():
        assert not hasattr(value, "_meta"), value


def test_unknown_shares_are_refused(partners: Any, ada: Any) -> None:
    with pytest.raises(DomainError):
        services.set_partner_shares(partners, ada, ["diary"])


# --- board and concerns ---------------------------------------------------------------------------------------


def test_small_wins_are_hidden_by_facilitators_and_taken_down_by_their_author(
    cohort: Any, ada: Any, grace: Any, facilitator: Any
) -> None:
    win = services.post_small_win(ada, text="I walked to the shop")
    other = services.post_small_win(grace, text="Slept well twice")
    news = services.post_to_board(cohort, kind=PostKind.ANNOUNCEMENT, text="No session at Easter", by=facilitator)
    shown = selectors.board(cohort, for_facilitator=False)
    assert {p.pk for p in shown} == {win.pk, other.pk, news.pk}
    assert {p.shown_author for p in shown if p.kind == PostKind.SMALL_WIN} == {"Ada", "Grace"}  # type: ignore[attr-defined]
    with pytest.raises(DomainError):
        services.hide_post(other, reason="", by=facilitator)
    services.hide_post(other, reason="Names another member", by=facilitator)
    with pytest.raises(DomainError):
        services.take_down_post(win, grace)
    services.take_down_post(win, ada)
    assert [p.pk for p in selectors.board(cohort, for_facilitator=False)] == [news.pk]
    moderated = {p.pk: p.status for p in selectors.board(cohort, for_facilitator=True)}
    assert moderated == {news.pk: PostStatus.SHOWN, other.pk: PostStatus.HIDDEN}


def test_members_cannot_post_announcements(cohort: Any, patient_user: Any, ada: Any) -> None:
    with pytest.raises(DomainError):
        services.post_to_board(cohort, kind=PostKind.ANNOUNCEMENT, text="Hi", by=patient_user)


def test_a_concern_tells_the_facilitators_without_content_and_the_answer_tells_the_member(
    cohort: Any, ada: Any, facilitator: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        concern = services.raise_concern(ada, about=ConcernAbout.PARTNER, text="My partner is pushy")
    assert [m.to for m in MemoryTransport.outbox] == ["fiona@riverside.test"]
    assert "pushy" not in MemoryTransport.outbox[0].body and "Ada" not in MemoryTransport.outbox[0].body
    with django_capture_on_commit_callbacks(execute=True):
        answered = services.answer_concern(concern, answer="Thank you, we will talk", by=facilitator)
    assert answered.status == ConcernStatus.ANSWERED
    assert MemoryTransport.outbox[-1].to == "ada@home.test" and "talk" not in MemoryTransport.outbox[-1].body
    assert [c.pk for c in selectors.concerns(cohort, open_only=True)] == []
