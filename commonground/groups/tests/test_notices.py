"""The portal's gentle notices: a partnership ended lately, own posts the facilitators took down, a small win sent
twice, a check-in already sent this week. Each read is about the member's own enrolment only."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from commonground.groups import notices, services
from commonground.groups.models import BoardPost, Cohort, Enrolment, Pairing
from commonground.kit import clock

pytestmark = pytest.mark.django_db

WIN = "Walked to the bakery and back"


def _partners(cohort: Cohort, first: Enrolment, second: Enrolment, facilitator: Any) -> Pairing:
    pairing = services.propose_pairing(cohort, first, second, by=facilitator)
    services.agree_to_pairing(pairing, first)
    return services.agree_to_pairing(pairing, second)


def test_an_ended_partnership_is_noticed_by_both_without_saying_who_ended_it(
    cohort: Cohort, ada: Enrolment, grace: Enrolment, facilitator: Any, other_patient_user: Any
) -> None:
    assert notices.partnership_ended_lately(ada) is None
    pairing = _partners(cohort, ada, grace, facilitator)
    assert notices.partnership_ended_lately(ada) is None  # active: nothing to notice
    services.end_pairing(pairing, enrolment=grace, by=other_patient_user)
    for_ada, for_grace = notices.partnership_ended_lately(ada), notices.partnership_ended_lately(grace)
    assert for_ada is not None and for_grace is not None
    assert (for_ada.partner_enrolment_id, for_ada.partner_name, for_ada.ended_by_me) == (grace.id, "Grace", False)
    assert (for_grace.partner_enrolment_id, for_grace.partner_name, for_grace.ended_by_me) == (ada.id, "Ada", True)
    assert "Hopper" not in repr(for_ada) and "Lovelace" not in repr(for_grace)


def test_an_ended_partnership_is_not_noticed_after_two_weeks_or_once_a_newer_pairing_exists(
    cohort: Cohort, ada: Enrolment, grace: Enrolment, facilitator: Any, make_member: Any
) -> None:
    pairing = _partners(cohort, ada, grace, facilitator)
    services.end_pairing(pairing, by=facilitator)
    assert notices.partnership_ended_lately(ada) is not None
    Pairing.objects.filter(pk=pairing.pk).update(ended_at=clock.now() - timedelta(days=13))
    assert notices.partnership_ended_lately(ada) is not None
    Pairing.objects.filter(pk=pairing.pk).update(ended_at=clock.now() - timedelta(days=15))
    assert notices.partnership_ended_lately(ada) is None
    Pairing.objects.filter(pk=pairing.pk).update(ended_at=clock.now())
    hana = make_member("Hana", wants_partner=True)
    newer = services.ask_to_pair(ada, hana)
    assert notices.partnership_ended_lately(ada) is None  # asked someone new
    services.decline_pairing(newer, hana)
    assert notices.partnership_ended_lately(ada) is None  # the newest pairing is a declined request, not the end
    assert notices.partnership_ended_lately(grace) is not None  # Grace's own newest is still the ended one


def test_a_declined_proposal_is_not_a_partnership_that_ended(
    cohort: Cohort, ada: Enrolment, grace: Enrolment, facilitator: Any
) -> None:
    pairing = services.propose_pairing(cohort, ada, grace, by=facilitator)
    services.decline_pairing(pairing, grace)
    assert notices.partnership_ended_lately(ada) is None


def test_only_the_authors_own_hidden_posts_are_listed_for_them(
    cohort: Cohort, ada: Enrolment, grace: Enrolment, facilitator: Any
) -> None:
    hidden = services.post_small_win(ada, text=WIN)
    services.post_small_win(ada, text="Still shown")
    withdrawn = services.post_small_win(ada, text="Taken down by me")
    services.take_down_post(withdrawn, ada)
    services.hide_post(hidden, reason="Names the baker", by=facilitator)
    services.hide_post(services.post_small_win(grace, text="Grace's hidden win"), reason="x", by=facilitator)
    listed = notices.posts_taken_down_by_facilitators(ada)
    assert [(p.post_id, p.text) for p in listed] == [(hidden.id, WIN)]
    assert not hasattr(listed[0], "reason")  # the facilitator's reason is for the record
    assert [p.text for p in notices.posts_taken_down_by_facilitators(grace)] == ["Grace's hidden win"]


def test_the_same_small_win_within_a_minute_is_found_and_nothing_else(
    cohort: Cohort, ada: Enrolment, grace: Enrolment
) -> None:
    assert notices.same_small_win_just_posted(ada, WIN) is None
    post = services.post_small_win(ada, text=WIN)
    assert notices.same_small_win_just_posted(ada, f"  {WIN}\n", lock=True) == post
    assert notices.same_small_win_just_posted(ada, WIN + "!") is None
    assert notices.same_small_win_just_posted(grace, WIN) is None  # her own posts only
    BoardPost.objects.filter(pk=post.pk).update(created_at=clock.now() - timedelta(seconds=61))
    assert notices.same_small_win_just_posted(ada, WIN) is None
    again = services.post_small_win(ada, text=WIN)
    services.take_down_post(again, ada)
    assert notices.same_small_win_just_posted(ada, WIN) is None  # taken down: posting it again is a new post


def test_a_check_in_this_week_is_noticed_for_its_writer_only(
    cohort: Cohort, ada: Enrolment, grace: Enrolment, facilitator: Any
) -> None:
    pairing = _partners(cohort, ada, grace, facilitator)
    assert notices.checked_in_this_week(pairing, ada) is False
    services.check_in(pairing, ada, feeling="well")
    assert notices.checked_in_this_week(pairing, ada) is True
    assert notices.checked_in_this_week(pairing, grace) is False
    pairing.check_ins.update(week_of=pairing.check_ins.get().week_of - timedelta(days=7))
    assert notices.checked_in_this_week(pairing, ada) is False  # last week's does not count
