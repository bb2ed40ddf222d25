"""Issue 8 (member side): the portal's group pages.

A member sees their group, its schedule and materials, and the other members only by the name each chose; never
another member's family name or record number, nor anything they did not choose to share. A patient who is not a
member, and staff, find nothing. Partners agree, check in and end it kindly; sharing is off until chosen; a form
sent with mistakes saves nothing.
"""

from __future__ import annotations

import re
from datetime import time, timedelta

import pytest
from django.urls import reverse

from commonground.accounts.choices import Role
from commonground.groups import services
from commonground.groups.choices import EnrolmentSource, PairingStatus, PostStatus, ShownName
from commonground.groups.models import ActionPlan, ActionStep, BoardPost, CheckIn, Concern, Enrolment, Pairing
from commonground.kit import clock
from tests.personas import make_patient, make_patient_user, make_staff, signed_in

pytestmark = pytest.mark.django_db

SMALL_WIN = "Walked to the bakery and back without stopping"
ADA_STEP = "Belly breathing after lunch, five minutes"
GRACE_STEP = "Stretch for ten minutes before bed"
CHECK_IN_WORDS = "A good week: the breathing helped on Thursday"
PLACE = "Room 2, Riverside clinic"


@pytest.fixture
def facilitator(clinic):
    return make_staff(clinic, "gwen", Role.GROUP_FACILITATOR)


@pytest.fixture
def cohort(clinic, coordinator, facilitator):
    programme = services.create_programme_from_template(clinic, by=coordinator)
    starts = clock.local_date(clock.now(), clinic.time_zone) + timedelta(days=3)
    details = {
        "name": "Tuesday afternoon group",
        "capacity": 8,
        "starts_on": starts,
        "session_time": time(14, 0),
        "place": PLACE,
        "online_link": "",
    }
    return services.create_cohort(programme, details=details, facilitators=[facilitator], by=coordinator)


def _enrol(cohort, patient, coordinator, **choices):
    return services.enrol(
        cohort, patient, source=EnrolmentSource.CARE_PLAN, consent_given=True, by=coordinator, **choices
    )


@pytest.fixture
def ada(cohort, patient_record, patient_user, coordinator):
    return _enrol(cohort, patient_record, coordinator, wants_partner=True)


@pytest.fixture
def grace(cohort, other_patient_record, other_patient_user, coordinator):
    return _enrol(cohort, other_patient_record, coordinator, wants_partner=True)


@pytest.fixture
def outsider_patient(clinic, coordinator):
    patient = make_patient(clinic, coordinator, given="Mary", family="Shelley")
    return make_patient_user(clinic, patient, "mary")


def _url(name, cohort, *args):
    return reverse(f"portal:{name}", args=[cohort.id, *args])


GET_PAGES = ("group", "group_materials", "group_board", "group_shared_plans", "group_choices", "group_plan")
MORE_PAGES = ("group_partner", "group_concerns", "group_end_partner")


def _all_pages(client, cohort):
    """Every group page the member can open, as text."""
    pages = {}
    for name in (*GET_PAGES, *MORE_PAGES):
        response = client.get(_url(name, cohort), follow=True)
        assert response.status_code == 200, name
        pages[name] = response.content.decode()
    pages["groups"] = client.get(reverse("portal:groups")).content.decode()
    pages["today"] = client.get(reverse("portal:group_next_session")).content.decode()
    return pages


# --- what a member sees -------------------------------------------------------------------------------------------


def test_a_member_sees_their_group_and_the_others_only_by_shown_name(
    cohort, ada, grace, patient_user, other_patient_record, facilitator, therapist
):
    from commonground.portal.tests.test_care_pages import _set_goal

    # Grace shares what she chose to share, and nothing else: her goal stays hers.
    goal = _set_goal(other_patient_record, therapist, title="Swim again at the lido")
    services.post_small_win(grace, text=SMALL_WIN)
    services.add_action_step(grace, text=GRACE_STEP, goal_id=goal.id)
    services.share_plan_with_group(grace, shared=True)
    pairing = services.propose_pairing(cohort, ada, grace, by=facilitator)
    services.agree_to_pairing(pairing, ada)
    services.agree_to_pairing(pairing, grace)
    services.check_in(pairing, grace, feeling="hard", message=CHECK_IN_WORDS)
    client = signed_in(patient_user)
    listing = client.get(reverse("portal:groups")).content.decode()
    assert cohort.name in listing and _url("group", cohort) in listing
    page = client.get(_url("group", cohort)).content.decode()
    assert "Grace" in page  # first name only, by default
    assert PLACE in page
    assert "Europe/Amsterdam" in page
    pages = _all_pages(client, cohort)
    for text in pages.values():
        assert other_patient_record.family_name not in text
        assert other_patient_record.record_number not in text
        assert str(other_patient_record.id) not in text
        assert goal.title not in text  # her ladder progress is not shared with her partner
    assert SMALL_WIN in pages["group_board"] and GRACE_STEP in pages["group_shared_plans"]
    assert CHECK_IN_WORDS in pages["group_partner"]
    assert GRACE_STEP not in pages["group_partner"]  # her plan is shared with the group, not yet with her partner
    services.set_partner_shares(pairing, grace, ["ladder_progress"])
    assert goal.title in client.get(_url("group_partner", cohort)).content.decode()


def test_a_member_who_chose_initials_is_shown_by_initials(cohort, ada, grace, patient_user, other_patient_user):
    response = signed_in(other_patient_user).post(
        _url("group_choices", cohort), {"shown_name": ShownName.INITIALS, "chosen_name": "", "wants_partner": "on"}
    )
    assert response.status_code == 302
    page = signed_in(patient_user).get(_url("group", cohort)).content.decode()
    assert "G. H." in page
    assert "Grace" not in page


def test_my_choices_explain_and_default_to_first_name(cohort, ada, patient_user):
    page = signed_in(patient_user).get(_url("group_choices", cohort)).content.decode()
    assert "first name only" in page
    assert "never see your family name" in page
    assert "You agreed to take part in this group on" in page and reverse("portal:consents") in page
    assert re.search(r'value="first_name"[^>]*checked', page)


def test_the_schedule_marks_cancelled_and_moved_sessions_in_the_clinics_time(cohort, ada, patient_user, facilitator):
    sessions = list(cohort.sessions.order_by("number"))
    services.cancel_session(sessions[1], reason="The facilitator is away", by=facilitator)
    moved_to = sessions[2].starts_at + timedelta(days=1)
    services.reschedule_session(
        sessions[2], starts_at=moved_to, reason="Room booked", expected_version=sessions[2].version, by=facilitator
    )
    page = signed_in(patient_user).get(_url("group", cohort)).content.decode()
    assert "Cancelled" in page and "This session will not take place." in page
    assert "New time" in page and "Moved from" in page
    assert "14:00" in page  # the clinic's clock time, not UTC


def test_the_today_line_shows_the_next_session(cohort, ada, patient_user, outsider_patient):
    line = signed_in(patient_user).get(reverse("portal:group_next_session")).content.decode()
    assert "Next session of Tuesday afternoon group" in line
    assert "14:00" in line
    assert "Your group" not in signed_in(outsider_patient).get(reverse("portal:group_next_session")).content.decode()
    today = signed_in(patient_user).get(reverse("portal:today")).content.decode()
    assert reverse("portal:group_next_session") in today


def test_the_materials_show_the_topics_and_library_items(cohort, ada, patient_user):
    page = signed_in(patient_user).get(_url("group_materials", cohort)).content.decode()
    assert "Diaphragmatic (belly) breathing" in page
    assert reverse("portal:exercise", args=["diaphragmatic-breathing"]) in page


# --- who gets in ----------------------------------------------------------------------------------------------------

ALL_ROUTES = (*GET_PAGES, *MORE_PAGES, "group_share_plan", "group_partner_shares", "group_check_in")
ALL_ROUTES += ("group_agree_partner", "group_decline_partner")


def test_a_patient_who_is_not_a_member_finds_nothing(cohort, ada, grace, outsider_patient):
    client = signed_in(outsider_patient)
    for name in ALL_ROUTES:
        for method in ("get", "post"):
            response = getattr(client, method)(_url(name, cohort))
            assert response.status_code in (404, 405), (name, method, response.status_code)
            assert b"Lovelace" not in response.content
    for name, extra in (("group_ask_partner", grace.id), ("group_take_down", grace.id)):
        assert client.post(_url(name, cohort, extra)).status_code == 404
    listing = client.get(reverse("portal:groups")).content.decode()
    assert cohort.name not in listing


def test_a_member_on_the_waiting_list_does_not_see_the_group_yet(clinic, coordinator, cohort, outsider_patient):
    services.update_cohort(cohort, expected_version=cohort.version, changes={"capacity": 1}, by=coordinator)
    mary = outsider_patient.patient
    other = make_patient(clinic, coordinator, given="Joan", family="Clarke")
    _enrol(cohort, other, coordinator)
    waiting = _enrol(cohort.__class__.objects.get(pk=cohort.pk), mary, coordinator, waiting_list_if_full=True)
    assert waiting.status == "waiting"
    client = signed_in(outsider_patient)
    assert client.get(_url("group", cohort)).status_code == 404
    assert "waiting list" in client.get(reverse("portal:groups")).content.decode()


def test_staff_find_no_portal_group_page(cohort, ada, facilitator, coordinator, therapist):
    for person in (facilitator, coordinator, therapist):
        client = signed_in(person)
        assert client.get(reverse("portal:groups")).status_code == 404
        for name in GET_PAGES:
            assert client.get(_url(name, cohort)).status_code == 404


# --- the board ------------------------------------------------------------------------------------------------------


def test_a_small_win_is_posted_only_when_the_member_ticks_the_box(cohort, ada, grace, patient_user):
    client = signed_in(patient_user)
    page = client.get(_url("group_board", cohort)).content.decode()
    assert "members and facilitators of this group" in page
    response = client.post(_url("group_board", cohort), {"text": SMALL_WIN})
    assert response.status_code == 200
    assert "Nothing is posted until you do." in response.content.decode()
    assert not BoardPost.objects.filter(text=SMALL_WIN).exists()
    response = client.post(_url("group_board", cohort), {"text": SMALL_WIN, "share": "on"})
    assert response.status_code == 302
    post = BoardPost.objects.get(text=SMALL_WIN)
    assert post.author_enrolment_id == ada.id


def test_the_group_sees_a_small_win_by_shown_name_and_its_author_may_take_it_down(
    cohort, ada, grace, patient_user, other_patient_user
):
    services.post_small_win(ada, text=SMALL_WIN)
    post = BoardPost.objects.get(text=SMALL_WIN)
    board = signed_in(other_patient_user).get(_url("group_board", cohort)).content.decode()
    assert SMALL_WIN in board and "Ada shared" in board and "Lovelace" not in board
    assert _url("group_take_down", cohort, post.id) not in board  # not hers to take down
    assert signed_in(other_patient_user).post(_url("group_take_down", cohort, post.id)).status_code == 404
    response = signed_in(patient_user).post(_url("group_take_down", cohort, post.id))
    assert response.status_code == 302
    post.refresh_from_db()
    assert post.status == PostStatus.WITHDRAWN
    assert SMALL_WIN not in signed_in(other_patient_user).get(_url("group_board", cohort)).content.decode()


# --- action plans ---------------------------------------------------------------------------------------------------


def test_an_action_plan_is_private_until_shared_with_the_group(cohort, ada, grace, patient_user, other_patient_user):
    ada_client, grace_client = signed_in(patient_user), signed_in(other_patient_user)
    assert "Your plan is private" in ada_client.get(_url("group_plan", cohort)).content.decode()
    response = ada_client.post(_url("group_plan", cohort), {"text": ADA_STEP, "when": "After lunch", "towards": ""})
    assert response.status_code == 302
    assert ActionPlan.objects.get(enrolment=ada).shared_with_group is False
    assert ADA_STEP not in grace_client.get(_url("group_shared_plans", cohort)).content.decode()
    assert ada_client.post(_url("group_share_plan", cohort), {"shared": "yes"}).status_code == 302
    shared = grace_client.get(_url("group_shared_plans", cohort)).content.decode()
    assert ADA_STEP in shared and "Ada" in shared and "Lovelace" not in shared
    ada_client.post(_url("group_share_plan", cohort), {"shared": "no"})
    assert ADA_STEP not in grace_client.get(_url("group_shared_plans", cohort)).content.decode()


def test_a_step_is_marked_done_and_removed_by_its_owner_only(cohort, ada, grace, patient_user, other_patient_user):
    step = services.add_action_step(ada, text=ADA_STEP)
    assert signed_in(other_patient_user).post(_url("group_step_done", cohort, step.id)).status_code == 404
    client = signed_in(patient_user)
    assert client.post(_url("group_step_done", cohort, step.id)).status_code == 302
    step.refresh_from_db()
    assert step.done_at is not None
    assert client.post(_url("group_step_remove", cohort, step.id)).status_code == 302
    assert f'id="step-{step.id}"' not in client.get(_url("group_plan", cohort)).content.decode()


def test_a_step_links_to_my_own_goal_only(
    cohort, ada, grace, patient_user, patient_record, other_patient_record, therapist
):
    from commonground.portal.tests.test_care_pages import _set_goal

    mine = _set_goal(patient_record, therapist, title="Walk to the park with my grandson")
    theirs = _set_goal(other_patient_record, therapist, title="Swim again")
    client = signed_in(patient_user)
    page = client.get(_url("group_plan", cohort)).content.decode()
    assert mine.title in page and theirs.title not in page
    before = ActionStep.objects.count()
    response = client.post(_url("group_plan", cohort), {"text": ADA_STEP, "towards": f"goal:{theirs.id}"})
    assert response.status_code == 200 and ActionStep.objects.count() == before
    response = client.post(_url("group_plan", cohort), {"text": ADA_STEP, "towards": f"goal:{mine.id}"})
    assert response.status_code == 302
    assert ActionStep.objects.get(text=ADA_STEP).goal_id == mine.id


# --- partners -------------------------------------------------------------------------------------------------------


def _pairing_id(enrolment):
    return str(Pairing.objects.filter(status__in=["proposed", "active"]).get(first=enrolment).id)


def test_partners_agree_check_in_and_end_it(cohort, ada, grace, facilitator, patient_user, other_patient_user):
    pairing = services.propose_pairing(cohort, ada, grace, by=facilitator)
    ada_client, grace_client = signed_in(patient_user), signed_in(other_patient_user)
    page = ada_client.get(_url("group_partner", cohort)).content.decode()
    assert "The facilitators suggest Grace as your partner." in page
    assert "without giving a reason" in page and "Hopper" not in page
    assert ada_client.post(_url("group_agree_partner", cohort), {"pairing_id": pairing.id}).status_code == 302
    pairing.refresh_from_db()
    assert pairing.status == PairingStatus.PROPOSED
    grace_client.post(_url("group_agree_partner", cohort), {"pairing_id": pairing.id})
    pairing.refresh_from_db()
    assert pairing.status == PairingStatus.ACTIVE

    page = ada_client.get(_url("group_partner", cohort)).content.decode()
    assert "Your partner is Grace." in page and "How did this week go?" in page
    assert 'name="shared_with_facilitators"' in page  # "the facilitators may read this too": off unless ticked
    assert not re.search(r'name="shared_with_facilitators"[^>]*checked', page)
    assert not re.search(r'name="shares"[^>]*checked', page)  # nothing shared with the partner unless chosen
    response = ada_client.post(_url("group_check_in", cohort), {"feeling": "well", "message": CHECK_IN_WORDS})
    assert response.status_code == 302
    check_in = CheckIn.objects.get(pairing=pairing, by=ada)
    assert check_in.shared_with_facilitators is False
    assert CHECK_IN_WORDS in grace_client.get(_url("group_partner", cohort)).content.decode()
    ada_client.post(
        _url("group_check_in", cohort), {"feeling": "mixed", "message": "", "shared_with_facilitators": "on"}
    )
    check_in = CheckIn.objects.get(pairing=pairing, by=ada)  # the same week: changed, not a second one
    assert check_in.feeling == "mixed" and check_in.shared_with_facilitators is True

    confirm = grace_client.get(_url("group_end_partner", cohort)).content.decode()
    assert "you do not need to give a reason" in confirm
    assert grace_client.post(_url("group_end_partner", cohort), {"pairing_id": pairing.id}).status_code == 302
    pairing.refresh_from_db()
    assert pairing.status == PairingStatus.ENDED
    assert CHECK_IN_WORDS not in grace_client.get(_url("group_partner", cohort)).content.decode()


def test_a_member_may_decline_a_suggested_partner(cohort, ada, grace, facilitator, patient_user):
    pairing = services.propose_pairing(cohort, ada, grace, by=facilitator)
    response = signed_in(patient_user).post(_url("group_decline_partner", cohort), {"pairing_id": pairing.id})
    assert response.status_code == 302
    pairing.refresh_from_db()
    assert pairing.status == PairingStatus.DECLINED


def test_members_who_both_want_a_partner_may_ask_each_other(cohort, ada, grace, patient_user, other_patient_user):
    page = signed_in(patient_user).get(_url("group_partner", cohort)).content.decode()
    assert "Ask Grace" in page
    assert signed_in(patient_user).post(_url("group_ask_partner", cohort, grace.id)).status_code == 302
    pairing = Pairing.objects.get(cohort=cohort)
    assert pairing.status == PairingStatus.PROPOSED
    assert (
        "Ada would like to be your partner."
        in signed_in(other_patient_user).get(_url("group_partner", cohort)).content.decode()
    )
    signed_in(other_patient_user).post(_url("group_agree_partner", cohort), {"pairing_id": pairing.id})
    pairing.refresh_from_db()
    assert pairing.status == PairingStatus.ACTIVE


def test_a_member_who_does_not_want_a_partner_cannot_be_asked(cohort, ada, grace, patient_user, other_patient_user):
    services.change_member_choices(grace, shown_name=ShownName.FIRST_NAME, chosen_name="", wants_partner=False)
    client = signed_in(patient_user)
    assert "Ask Grace" not in client.get(_url("group_partner", cohort)).content.decode()
    # An older page still showing "Ask Grace": nothing is sent, and the member is told kindly, not shown a 404.
    response = client.post(_url("group_ask_partner", cohort, grace.id), follow=True)
    assert response.status_code == 200
    assert "Something changed in the meantime, so nothing was changed." in response.content.decode()
    assert not Pairing.objects.exists()
    # Someone who is not a member of this group is still not found.
    assert client.post(_url("group_ask_partner", cohort, cohort.id)).status_code == 404


def test_a_partner_sees_my_plan_only_when_i_choose(cohort, ada, grace, facilitator, patient_user, other_patient_user):
    pairing = services.propose_pairing(cohort, ada, grace, by=facilitator)
    services.agree_to_pairing(pairing, ada)
    services.agree_to_pairing(pairing, grace)
    services.add_action_step(ada, text=ADA_STEP)
    grace_client = signed_in(other_patient_user)
    assert ADA_STEP not in grace_client.get(_url("group_partner", cohort)).content.decode()
    response = signed_in(patient_user).post(_url("group_partner_shares", cohort), {"shares": ["action_plan"]})
    assert response.status_code == 302
    assert ADA_STEP in grace_client.get(_url("group_partner", cohort)).content.decode()
    signed_in(patient_user).post(_url("group_partner_shares", cohort), {})
    assert ADA_STEP not in grace_client.get(_url("group_partner", cohort)).content.decode()


# --- concerns ---------------------------------------------------------------------------------------------------------


def test_a_member_raises_a_concern_and_sees_the_answer(
    cohort, ada, grace, facilitator, patient_user, other_patient_user
):
    client = signed_in(patient_user)
    response = client.post(_url("group_concerns", cohort), {"about": "group", "text": "It is hard to get a word in"})
    assert response.status_code == 302
    concern = Concern.objects.get(raised_by=ada)
    assert "not answered yet" in client.get(_url("group_concerns", cohort)).content.decode()
    services.answer_concern(concern, answer="Thank you; we will make room for everyone.", by=facilitator)
    assert "we will make room for everyone" in client.get(_url("group_concerns", cohort)).content.decode()
    assert (
        "hard to get a word in"
        not in signed_in(other_patient_user).get(_url("group_concerns", cohort)).content.decode()
    )


# --- bad input saves nothing ------------------------------------------------------------------------------------------


def test_forms_sent_with_mistakes_save_nothing(cohort, ada, grace, facilitator, patient_user):
    client = signed_in(patient_user)
    pairing = services.propose_pairing(cohort, ada, grace, by=facilitator)
    services.agree_to_pairing(pairing, ada)
    services.agree_to_pairing(pairing, grace)
    counts = (ActionStep.objects.count(), CheckIn.objects.count(), Concern.objects.count(), BoardPost.objects.count())
    cases = [
        ("group_plan", {"text": "", "when": "Mornings"}, "Please write the step you want to take"),
        ("group_plan", {"text": "x" * 301}, "Please keep it under 300 characters."),
        ("group_check_in", {"message": "Hello"}, "Please choose how it went."),
        ("group_concerns", {"about": "group", "text": "  "}, "Please write a few words about what worries you."),
        ("group_concerns", {"about": "weather", "text": "Rain"}, "Please choose one of the options."),
        ("group_board", {"text": "", "share": "on"}, "Please write your small win"),
        ("group_choices", {"shown_name": "chosen_name", "chosen_name": " "}, "Please write the name you would like"),
    ]
    for name, data, words in cases:
        response = client.post(_url(name, cohort), data)
        assert response.status_code == 200, name
        assert words in response.content.decode(), name
    after = (ActionStep.objects.count(), CheckIn.objects.count(), Concern.objects.count(), BoardPost.objects.count())
    assert after == counts
    ada = Enrolment.objects.get(pk=ada.pk)
    assert ada.shown_name == ShownName.FIRST_NAME and ada.chosen_name == ""


def test_an_answer_to_an_old_proposal_changes_nothing(cohort, ada, grace, facilitator, patient_user):
    pairing = services.propose_pairing(cohort, ada, grace, by=facilitator)
    services.decline_pairing(pairing, grace)
    response = signed_in(patient_user).post(_url("group_agree_partner", cohort), {"pairing_id": pairing.id})
    assert response.status_code == 302
    pairing.refresh_from_db()
    assert pairing.status == PairingStatus.DECLINED and pairing.first_agreed_at is None


def test_after_the_programme_a_member_keeps_the_materials_and_their_plan(cohort, ada, grace, facilitator, patient_user):
    services.add_action_step(ada, text=ADA_STEP)
    services.start_cohort(cohort, by=facilitator)
    services.finish_cohort(cohort, by=facilitator, early=True)
    client = signed_in(patient_user)
    assert "This programme has finished." in client.get(_url("group", cohort)).content.decode()
    assert ADA_STEP in client.get(_url("group_plan", cohort)).content.decode()
    assert "Diaphragmatic (belly) breathing" in client.get(_url("group_materials", cohort)).content.decode()
    board = client.get(_url("group_board", cohort)).content.decode()
    assert "Share a small win" not in board
    assert "This group has been cancelled" not in board


def test_a_cancelled_group_is_said_kindly_and_its_pages_close(cohort, ada, patient_user, facilitator):
    services.cancel_cohort(cohort, reason="Too few members this time", by=facilitator)
    client = signed_in(patient_user)
    listing = client.get(reverse("portal:groups")).content.decode()
    assert "This group was cancelled. We are sorry." in listing
    assert "Too few members" not in listing
    assert client.get(_url("group", cohort)).status_code == 404
    assert "Your group" not in client.get(reverse("portal:group_next_session")).content.decode()


# --- what the exploratory testers found (Milan and Joost) -------------------------------------------------------------

ENDED_NOTE = "Your partnership with %s has ended. That's okay — you can ask someone else, or carry on on your own."


def _partners(cohort, ada, grace, facilitator):
    pairing = services.propose_pairing(cohort, ada, grace, by=facilitator)
    services.agree_to_pairing(pairing, ada)
    return services.agree_to_pairing(pairing, grace)


def test_the_other_partner_is_told_kindly_when_a_partnership_ends(
    cohort, ada, grace, facilitator, patient_user, other_patient_user
):
    pairing = _partners(cohort, ada, grace, facilitator)
    ada_client, grace_client = signed_in(patient_user), signed_in(other_patient_user)
    assert "has ended" not in grace_client.get(_url("group_partner", cohort)).content.decode()
    ada_client.post(_url("group_end_partner", cohort), {"pairing_id": pairing.id})
    page = grace_client.get(_url("group_partner", cohort)).content.decode()
    assert ENDED_NOTE % "Ada" in page.replace("&#39;", "'")
    assert "Ada ended" not in page and "Lovelace" not in page  # never who ended it
    assert "Ask Ada" not in page  # not nudged to ask again at once the member who just stepped back
    own = ada_client.get(_url("group_partner", cohort)).content.decode().replace("&#39;", "'")
    assert ENDED_NOTE % "Grace" in own and "Ask Grace" in own  # the same words; she may ask again if she likes
    Pairing.objects.filter(pk=pairing.pk).update(ended_at=clock.now() - timedelta(days=15))
    page = grace_client.get(_url("group_partner", cohort)).content.decode()
    assert "has ended" not in page and "Ask Ada" in page


def test_the_author_is_told_when_the_facilitators_take_down_a_post_and_nobody_else_is(
    cohort, ada, grace, facilitator, patient_user, other_patient_user
):
    post = services.post_small_win(ada, text=SMALL_WIN)
    services.post_small_win(grace, text="Slept through the night twice")
    client = signed_in(patient_user)
    assert "took down one of your posts" not in client.get(_url("group_board", cohort)).content.decode()
    services.hide_post(post, reason="Mentions the bakery's owner by name", by=facilitator)
    mine = client.get(_url("group_board", cohort)).content.decode()
    assert "The facilitators took down one of your posts" in mine
    assert SMALL_WIN in mine and _url("group_concerns", cohort) in mine
    assert "bakery&#39;s owner" not in mine and "bakery's owner" not in mine  # the reason is for the record
    assert _url("group_take_down", cohort, post.id) not in mine
    theirs = signed_in(other_patient_user).get(_url("group_board", cohort)).content.decode()
    assert SMALL_WIN not in theirs and "took down" not in theirs
    assert "Slept through the night twice" in theirs


def test_the_small_win_box_asks_to_leave_out_names_numbers_and_addresses(cohort, ada, patient_user):
    page = signed_in(patient_user).get(_url("group_board", cohort)).content.decode().replace("&#39;", "'")
    hint = "Please leave out surnames, phone numbers and addresses — yours and other people's."
    assert hint in page
    assert re.search(r'<textarea[^>]*aria-describedby="[^"]*id_text_helptext', page)


def test_a_second_check_in_in_the_same_week_says_it_changes_the_first(cohort, ada, grace, facilitator, patient_user):
    pairing = _partners(cohort, ada, grace, facilitator)
    client = signed_in(patient_user)
    already = "You checked in this week already; sending again changes it"
    assert already not in client.get(_url("group_partner", cohort)).content.decode()
    first = client.post(_url("group_check_in", cohort), {"feeling": "well", "message": CHECK_IN_WORDS}, follow=True)
    page = first.content.decode()
    assert "Your check-in is sent to your partner." in page and already in page
    second = client.post(_url("group_check_in", cohort), {"feeling": "hard", "message": ""}, follow=True)
    assert "You had checked in this week already, so this one replaces it" in second.content.decode()
    assert CheckIn.objects.filter(pairing=pairing, by=ada).count() == 1
    assert CheckIn.objects.get(pairing=pairing, by=ada).feeling == "hard"


def test_a_step_marked_done_by_mistake_can_be_undone(cohort, ada, grace, patient_user, other_patient_user):
    step = services.mark_step_done(services.add_action_step(ada, text=ADA_STEP))
    client = signed_in(patient_user)
    page = client.get(_url("group_plan", cohort)).content.decode()
    assert "Not done yet after all" in page and _url("group_step_not_done", cohort, step.id) in page
    assert signed_in(other_patient_user).post(_url("group_step_not_done", cohort, step.id)).status_code == 404
    step.refresh_from_db()
    assert step.done_at is not None
    response = client.post(_url("group_step_not_done", cohort, step.id), follow=True)
    assert "is on your plan again, not done yet" in response.content.decode()
    step.refresh_from_db()
    assert step.done_at is None
    assert "Not done yet after all" not in client.get(_url("group_plan", cohort)).content.decode()


def test_a_step_is_changed_in_other_words_and_a_change_made_meanwhile_is_not_overwritten(
    cohort, ada, grace, patient_user, patient_record, other_patient_user, therapist
):
    from commonground.portal.tests.test_care_pages import _set_goal

    goal = _set_goal(patient_record, therapist, title="Walk to the park with my grandson")
    step = services.add_action_step(ada, text=ADA_STEP, when="After lunch", goal_id=goal.id)
    client = signed_in(patient_user)
    assert _url("group_step_edit", cohort, step.id) in client.get(_url("group_plan", cohort)).content.decode()
    assert signed_in(other_patient_user).get(_url("group_step_edit", cohort, step.id)).status_code == 404
    form = client.get(_url("group_step_edit", cohort, step.id)).content.decode()
    assert ADA_STEP in form and re.search(rf'value="goal:{goal.id}"[^>]*selected', form)
    words = {"text": "Belly breathing after dinner", "when": "Evenings", "towards": f"goal:{goal.id}"}
    response = client.post(_url("group_step_edit", cohort, step.id), {**words, "expected_version": step.version})
    assert response.status_code == 302
    step.refresh_from_db()
    assert (step.text, step.when, step.goal_id) == ("Belly breathing after dinner", "Evenings", goal.id)

    # Another window saved a change after this form was opened: nothing is saved, the typed words come back.
    opened_at = step.version
    services.change_action_step(step, expected_version=step.version, changes={"text": "Breathing in the garden"})
    late = {"text": "Breathing on the sofa", "when": "", "towards": "", "expected_version": opened_at}
    response = client.post(_url("group_step_edit", cohort, step.id), late)
    page = response.content.decode()
    assert response.status_code == 409
    assert "changed in another window" in page and "Breathing in the garden" in page
    assert 'value="Breathing on the sofa"' in page
    step.refresh_from_db()
    assert step.text == "Breathing in the garden" and step.goal_id == goal.id
    version = re.search(r'name="expected_version" value="(\d+)"', page)
    assert version is not None and int(version.group(1)) == step.version  # sent again, it replaces the change
    response = client.post(_url("group_step_edit", cohort, step.id), {**late, "expected_version": version.group(1)})
    assert response.status_code == 302
    step.refresh_from_db()
    assert step.text == "Breathing on the sofa" and step.goal_id is None

    response = client.post(_url("group_step_edit", cohort, step.id), {**late, "text": "", "expected_version": 9})
    assert response.status_code == 400 and "Please write the step you want to take" in response.content.decode()


def test_asking_the_same_member_twice_says_the_request_is_sent(cohort, ada, grace, patient_user, other_patient_user):
    client = signed_in(patient_user)
    assert client.post(_url("group_ask_partner", cohort, grace.id)).status_code == 302
    again = client.post(_url("group_ask_partner", cohort, grace.id), follow=True)  # the double click
    assert again.status_code == 200
    assert "Your request to Grace is already sent." in again.content.decode()
    pairing = Pairing.objects.get(cohort=cohort)
    assert pairing.status == PairingStatus.PROPOSED
    # Grace's page still showed "Ask Ada": asking her now is saying yes.
    response = signed_in(other_patient_user).post(_url("group_ask_partner", cohort, ada.id), follow=True)
    assert "You are partners now, with Ada." in response.content.decode()
    pairing.refresh_from_db()
    assert pairing.status == PairingStatus.ACTIVE
    again = client.post(_url("group_ask_partner", cohort, grace.id), follow=True)
    assert again.status_code == 200 and "You and Grace are partners already." in again.content.decode()
    assert Pairing.objects.count() == 1


def test_a_small_win_sent_twice_is_posted_once(cohort, ada, grace, patient_user):
    client = signed_in(patient_user)
    assert client.post(_url("group_board", cohort), {"text": SMALL_WIN, "share": "on"}).status_code == 302
    again = client.post(_url("group_board", cohort), {"text": f"  {SMALL_WIN} ", "share": "on"}, follow=True)
    assert again.status_code == 200 and "Your small win is on the board." in again.content.decode()
    assert BoardPost.objects.filter(text=SMALL_WIN, author_enrolment=ada).count() == 1
    # The same words a while later are a new post.
    BoardPost.objects.filter(text=SMALL_WIN).update(created_at=clock.now() - timedelta(minutes=2))
    client.post(_url("group_board", cohort), {"text": SMALL_WIN, "share": "on"})
    assert BoardPost.objects.filter(text=SMALL_WIN, author_enrolment=ada).count() == 2


def test_withdrawing_my_consent_to_take_part_ends_my_place_in_the_group(cohort, ada, patient_user):
    from commonground.patients.models import Consent

    client = signed_in(patient_user)
    consent = Consent.objects.get(pk=ada.consent_id)
    client.post(reverse("portal:withdraw_consent", args=[consent.id]), {"version": consent.version})
    enrolment = Enrolment.objects.get(pk=ada.pk)
    assert enrolment.status == "withdrawn" and enrolment.end_reason == "Consent to take part withdrawn"
    assert client.get(_url("group_choices", cohort)).status_code == 404
    assert client.get(_url("group", cohort)).status_code == 404
