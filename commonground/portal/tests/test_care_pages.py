"""Issue 5 (patient side): my goals and ladder, my plan in plain words, my sessions and reflections, home
practice and the exercise library, and what the today page shows of them.

The rules of ladders and plans are the goals and care-plan domains'; here we check that the portal shows the
patient their own words and steps, lets them tick a step and write a reflection, and never shows them a score,
the team's own summary of the plan or a clinician's note; and that nobody else gets in.
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.urls import reverse

from commonground.careplans import services as plan_services
from commonground.careplans.models import TherapySession
from commonground.goals import services as goal_services
from commonground.goals.choices import LadderEventKind, RungState
from commonground.goals.models import Goal, LadderEvent, Milestone
from commonground.kit import clock
from tests.personas import signed_in

pytestmark = pytest.mark.django_db

TEAM_ONLY = "Team-only summary: zebra crossing formulation"
NOTE_TEXT = "Clinician note text: quokka on a unicycle"
VALUE_WORDS = "Being a grandmother who joins in"
STEPS = ["Walk to the front gate", "Walk to the corner shop", "Walk halfway to the park", "Walk to the park and back"]
AIM = "I walk to the park and back twice a week"
FLARE = "rest for ten minutes with belly breathing, then try a shorter walk"
PLAIN_PLAN = "We will learn how stress and the body affect each other, and build up walking step by step."


def _today(patient):
    return clock.local_date(clock.now(), patient.time_zone)


def _set_goal(patient, clinician, *, title="Walk to the park with my grandson", steps=STEPS, value=None):
    today = _today(patient)
    details = {
        "value_id": value.id if value else None,
        "title": title,
        "indicator": "Walking 20 minutes without stopping",
        "target_date": today + timedelta(days=90),
        "proposed_by": "together",
        "agreed_by_patient": True,
        "barriers": "Bad headache days",
        "enablers": "My daughter walks with me",
        "triggers": "",
        "accelerants": "",
        "contingency_plan": FLARE,
        "supporter_ids": [],
        "importance": None,
        "difficulty": None,
        "level_minus_2": "I do not leave the house",
        "level_minus_1": "I walk to the front gate",
        "level_0": AIM,
        "level_plus_1": "I walk to the park and back three times a week",
        "level_plus_2": "I walk to the park and play football with him",
        "baseline_level": -1,
    }
    goal = goal_services.set_goal(patient, details=details, by=clinician, today=today)
    for action in steps:
        goal_services.add_rung(goal, action=action, target_date=None, by=clinician)
    return goal


def _rungs(goal):
    return list(Milestone.objects.filter(goal=goal, status="on_ladder").order_by("position"))


@pytest.fixture
def goal(patient_record, therapist):
    value = goal_services.add_value(patient_record, life_area="family", words=VALUE_WORDS, by=therapist)
    return _set_goal(patient_record, therapist, value=value)


@pytest.fixture
def session(patient_record, therapist, goal):
    today = _today(patient_record)
    details = {
        "summary": TEAM_ONLY,
        "patient_summary": PLAIN_PLAN,
        "sessions_min": 6,
        "sessions_max": 12,
        "minutes_min": 30,
        "minutes_max": 45,
        "goal_ids": [str(goal.id)],
        "starts_on": today - timedelta(days=14),
        "review_on": today + timedelta(days=42),
    }
    plan_services.create_plan(patient_record, details=details, by=therapist)
    return plan_services.record_session(
        patient_record,
        details={
            "held_on": today - timedelta(days=1),
            "duration_minutes": 45,
            "elements": ["psychoeducation", "body_oriented"],
            "exercises": ["diaphragmatic-breathing"],
        },
        by=therapist,
        note_text=NOTE_TEXT,
        home_practice=[
            {
                "library_item": "diaphragmatic-breathing",
                "how_often": "Twice a day",
                "ends_on": today + timedelta(days=14),
            }
        ],
    )


def _text(response):
    """The page's words, without tags, so assertions read like what a person sees."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def _mark(client, rung, state):
    return client.post(reverse("portal:mark_step", args=[rung.id]), {"state": state})


class TestMyGoals:
    def test_shows_what_matters_the_goal_and_its_ladder_from_step_one_up(self, patient_user, goal):
        page = signed_in(patient_user).get(reverse("portal:goals"))
        assert page.status_code == 200
        text = _text(page)
        assert VALUE_WORDS in text
        assert goal.title in text
        # An ordered list read from step 1 to step 4, each with its state in words.
        html = page.content.decode()
        ladder = html[html.index('<ol class="ladder"') : html.index("</ol>", html.index('<ol class="ladder"'))]
        positions = [ladder.index(step) for step in STEPS]
        assert positions == sorted(positions)
        for number in range(1, 5):
            assert f"Step {number}" in ladder
        assert ladder.count("Not yet") == 4
        assert "Tick this step" in text

    def test_shows_the_flare_plan_and_the_aim_in_my_words_never_a_score(self, patient_user, goal, therapist):
        goal_services.review_goal(goal, level=0, reviewed_on=_today(goal.patient), by=therapist)
        text = _text(signed_in(patient_user).get(reverse("portal:goals")))
        assert FLARE in text
        assert AIM in text
        assert "I do not leave the house" in text  # every level, in the patient's words
        assert "where I started" in text
        for number_talk in ("T-score", "t_score", "−1", "+2", "-2", "expected outcome", "score"):
            assert number_talk not in text

    def test_only_the_next_step_can_be_ticked(self, patient_user, goal):
        html = signed_in(patient_user).get(reverse("portal:goals")).content.decode()
        first, second = _rungs(goal)[:2]
        assert reverse("portal:mark_step", args=[first.id]) in html
        assert reverse("portal:mark_step", args=[second.id]) not in html

    def test_ticking_my_next_step_marks_it_by_me(self, patient_user, goal):
        client = signed_in(patient_user)
        first = _rungs(goal)[0]
        sent = _mark(client, first, "done")
        assert sent.status_code == 302
        assert sent["Location"] == reverse("portal:goals") + f"#goal-{goal.id}"
        first.refresh_from_db()
        assert first.state == RungState.DONE
        event = LadderEvent.objects.filter(milestone=first, kind=LadderEventKind.MARKED).get()
        assert event.by_id == patient_user.id
        page = client.get(reverse("portal:goals"))
        text = _text(page)
        assert "You ticked “Walk to the front gate”" in text
        assert "1 of 4 steps done" in text
        second = _rungs(goal)[1]
        assert reverse("portal:mark_step", args=[second.id]) in page.content.decode()

    def test_partly_done_and_undoing_a_tick_by_mistake(self, patient_user, goal):
        client = signed_in(patient_user)
        first = _rungs(goal)[0]
        _mark(client, first, "partly")
        first.refresh_from_db()
        assert first.state == RungState.PARTLY
        assert "Every bit counts" in _text(client.get(reverse("portal:goals")))
        _mark(client, first, "not_yet")
        first.refresh_from_db()
        assert first.state == RungState.NOT_YET
        assert list(
            LadderEvent.objects.filter(milestone=first, kind=LadderEventKind.MARKED).values_list("by", flat=True)
        ) == [
            patient_user.id,
            patient_user.id,
        ]

    def test_a_state_that_does_not_exist_changes_nothing(self, patient_user, goal):
        first = _rungs(goal)[0]
        sent = _mark(signed_in(patient_user), first, "failed")
        assert sent.status_code == 302
        first.refresh_from_db()
        assert first.state == RungState.NOT_YET
        assert not LadderEvent.objects.filter(milestone=first, kind=LadderEventKind.MARKED).exists()

    def test_a_step_back_is_shown_kindly(self, patient_user, goal, therapist):
        first = _rungs(goal)[0]
        goal_services.mark_rung(first, state="done", by=therapist)
        goal_services.step_back(goal, reason="A bad week with headaches", by=therapist)
        text = _text(signed_in(patient_user).get(reverse("portal:goals")))
        on = _today(goal.patient).strftime("%d %B")
        assert f"You took a step back on {on}: A bad week with headaches. That is part of the work." in text
        for blaming in ("fail", "Fail", "setback"):
            assert blaming not in text

    def test_without_goals_the_page_says_what_will_come(self, patient_user):
        page = signed_in(patient_user).get(reverse("portal:goals"))
        assert page.status_code == 200
        assert "You have no goals written down yet" in _text(page)

    def test_another_patients_step_is_not_found_and_unchanged(self, patient_user, other_patient_record, coordinator):
        theirs = _rungs(_set_goal(other_patient_record, coordinator, title="Cycle to work"))[0]
        assert _mark(signed_in(patient_user), theirs, "done").status_code == 404
        theirs.refresh_from_db()
        assert theirs.state == RungState.NOT_YET

    def test_another_patient_sees_only_their_own_goals(self, other_patient_user, goal):
        text = _text(signed_in(other_patient_user).get(reverse("portal:goals")))
        assert goal.title not in text
        assert VALUE_WORDS not in text
        assert _mark(signed_in(other_patient_user), _rungs(goal)[0], "done").status_code == 404


class TestWhatAPatientMayMark:
    """The server, not only the buttons: the next step of a goal I work on and agreed to, or undo my last tick."""

    def _refused(self, client, rung, state):
        before = (rung.state, LadderEvent.objects.count())
        sent = _mark(client, rung, state)
        assert sent.status_code == 302
        rung.refresh_from_db()
        assert (rung.state, LadderEvent.objects.count()) == before
        return _text(client.get(reverse("portal:goals")))

    def test_a_later_step_is_refused_kindly(self, patient_user, goal):
        client = signed_in(patient_user)
        third = _rungs(goal)[2]
        text = self._refused(client, third, "done")
        assert "Nothing was changed. Here you can tick your next step, or undo the last step you ticked." in text
        self._refused(client, third, "partly")

    def test_only_the_highest_ticked_step_can_be_undone(self, patient_user, goal, therapist):
        first, second = _rungs(goal)[:2]
        goal_services.mark_rung(first, state="done", by=therapist)
        goal_services.mark_rung(second, state="partly", by=therapist)
        client = signed_in(patient_user)
        self._refused(client, first, "not_yet")
        self._refused(client, first, "partly")
        assert _mark(client, second, "not_yet").status_code == 302
        second.refresh_from_db()
        assert second.state == RungState.NOT_YET

    @pytest.mark.parametrize("status", ["on_hold", "achieved", "ended"])
    def test_no_step_of_a_goal_not_worked_on_can_be_marked(self, patient_user, goal, therapist, status):
        first = _rungs(goal)[0]
        goal_services.mark_rung(first, state="done", by=therapist)
        Goal.objects.filter(pk=goal.pk).update(status=status)
        client = signed_in(patient_user)
        text = self._refused(client, _rungs(goal)[1], "done")
        assert "This goal is not being worked on just now, so its steps stay as they are." in text
        self._refused(client, first, "not_yet")
        html = client.get(reverse("portal:goals")).content.decode()
        assert reverse("portal:mark_step", args=[first.id]) not in html

    def test_a_step_back_reason_ending_in_a_full_stop_is_not_doubled(self, patient_user, goal, therapist):
        goal_services.mark_rung(_rungs(goal)[0], state="done", by=therapist)
        goal_services.step_back(goal, reason="A week of flu, so she stayed in.", by=therapist)
        text = _text(signed_in(patient_user).get(reverse("portal:goals")))
        assert "A week of flu, so she stayed in. That is part of the work." in text
        assert ".." not in text

    def test_the_flare_plan_is_said_once(self, patient_user, goal):
        text = _text(signed_in(patient_user).get(reverse("portal:goals")))
        assert f"When my symptoms flare I will: {FLARE}" in text
        assert "When symptoms flare, I will" not in text

    def test_the_confirmation_is_shown_on_the_goal_where_the_page_lands(self, patient_user, goal):
        client = signed_in(patient_user)
        _mark(client, _rungs(goal)[0], "done")
        html = client.get(reverse("portal:goals")).content.decode()
        message = "Well done. You ticked “Walk to the front gate”."
        assert html.count(message) == 1
        card = html[html.index(f'id="goal-{goal.id}"') :]
        card = card[: card.index("</article>")]
        assert re.search(r'<p class="notice notice-success" role="status">' + re.escape(message), card)
        assert card.index(message) < card.index('<ol class="ladder"')

    def test_every_button_names_its_goal_and_step(self, patient_user, patient_record, therapist, goal):
        other = _set_goal(patient_record, therapist, title="Cycle to the shop", steps=STEPS)
        goal_services.mark_rung(_rungs(other)[0], state="done", by=therapist)
        html = signed_in(patient_user).get(reverse("portal:goals")).content.decode()
        names = [
            " ".join(re.sub(r"<[^>]+>", " ", found).split())
            for found in re.findall(r"<(?:button|summary)\b[^>]*>(.*?)</(?:button|summary)>", html, flags=re.S)
        ]
        names = [name for name in names if name != "Sign out"]
        assert len(names) >= 6
        assert len(names) == len(set(names)), names
        assert "Tick this step : step 1 of “Walk to the park with my grandson”, Walk to the front gate" in names
        assert "I ticked this by mistake : step 1 of “Cycle to the shop”, Walk to the front gate" in names


class TestAProposedGoal:
    @pytest.fixture
    def proposed(self, patient_record, therapist):
        goal = _set_goal(patient_record, therapist, title="Swim once a week")
        Goal.objects.filter(pk=goal.pk).update(
            agreed_by_patient=False, agreed_by=None, agreed_on=None, proposed_by="clinician"
        )
        goal.refresh_from_db()
        return goal

    def test_is_shown_under_proposed_goals_with_no_step_to_tick(self, patient_user, proposed, goal):
        page = signed_in(patient_user).get(reverse("portal:goals"))
        html = page.content.decode()
        section = html[
            html.index('id="proposed-heading"') : html.index("</section>", html.index('id="proposed-heading"'))
        ]
        assert "Proposed goals" in section and "Swim once a week" in section
        assert "Your team suggested this goal." in section and "Talk it over at your next session" in section
        assert reverse("portal:agree_goal", args=[proposed.id]) in section and "I agree with this goal" in section
        assert "mark_step" not in section and "/mark/" not in section
        assert goal.title not in section  # an agreed goal stands under my goals
        assert reverse("portal:mark_step", args=[_rungs(goal)[0].id]) in html

    def test_its_steps_cannot_be_ticked_until_agreed(self, patient_user, proposed):
        client = signed_in(patient_user)
        first = _rungs(proposed)[0]
        _mark(client, first, "done")
        first.refresh_from_db()
        assert first.state == RungState.NOT_YET
        assert "Once you agree with this goal, you can tick its steps." in _text(client.get(reverse("portal:goals")))

    def test_agreeing_makes_it_mine_and_its_steps_can_be_ticked(self, patient_user, proposed):
        client = signed_in(patient_user)
        sent = client.post(reverse("portal:agree_goal", args=[proposed.id]))
        assert sent.status_code == 302 and sent["Location"] == reverse("portal:goals") + f"#goal-{proposed.id}"
        proposed.refresh_from_db()
        assert proposed.agreed_by_patient and proposed.agreed_by_id == patient_user.id
        assert proposed.agreed_on == _today(proposed.patient)
        text = _text(client.get(reverse("portal:goals")))
        assert "Thank you. “Swim once a week” is now one of your goals" in text
        assert "Proposed goals" not in text
        first = _rungs(proposed)[0]
        _mark(client, first, "done")
        first.refresh_from_db()
        assert first.state == RungState.DONE

    def test_agreeing_twice_says_so_and_changes_nothing(self, patient_user, proposed):
        client = signed_in(patient_user)
        client.post(reverse("portal:agree_goal", args=[proposed.id]))
        version = Goal.objects.get(pk=proposed.pk).version
        client.post(reverse("portal:agree_goal", args=[proposed.id]))
        assert Goal.objects.get(pk=proposed.pk).version == version
        assert "You have already agreed to this goal." in _text(client.get(reverse("portal:goals")))

    def test_another_patient_cannot_agree_to_it(self, other_patient_user, proposed):
        sent = signed_in(other_patient_user).post(reverse("portal:agree_goal", args=[proposed.id]))
        assert sent.status_code == 404
        proposed.refresh_from_db()
        assert not proposed.agreed_by_patient


class TestPortalStyles:
    """Found by people using the pages: a link-styled button was invisible; facts squeezed on a phone."""

    def _css(self, name):
        from django.contrib.staticfiles import finders

        return Path(finders.find(f"css/{name}")).read_text()

    def _rule(self, css, selector):
        found = re.search(r"(?m)^" + re.escape(selector) + r"\s*\{([^}]*)\}", css)
        assert found, selector
        return found.group(1)

    def test_a_link_button_looks_like_a_link(self):
        rule = self._rule(self._css("app.css"), ".link-button")
        assert "color: var(--accent)" in rule and "text-decoration: underline" in rule
        assert "background: transparent" in rule

    @pytest.mark.parametrize("name", ["goals.css", "portal-care.css"])
    def test_facts_stack_on_a_phone(self, name):
        css = self._css(name)
        query = css[css.index("@media (max-width: 40em)") :]
        assert "dl.facts { grid-template-columns: minmax(0, 1fr);" in query[: query.index("\n}")]

    def test_the_ladder_reads_from_step_one_down_as_in_the_html(self):
        rule = self._rule(self._css("portal-care.css"), ".ladder")
        assert "column-reverse" not in rule and "flex-direction: column;" in rule


class TestMyPlan:
    def test_shows_the_plain_plan_elements_and_sessions(self, patient_user, session):
        page = signed_in(patient_user).get(reverse("portal:plan"))
        assert page.status_code == 200
        text = _text(page)
        assert PLAIN_PLAN in text
        assert "About 6 to 12 sessions" in text
        assert "Session 1 of about 6 to 12" in text
        assert session.held_on.strftime("%d %B %Y") in text
        assert "Exercises for the body" in text
        assert "Belly breathing" in text  # the library title of the exercise practised
        assert "What I took from this session" in text

    def test_never_shows_the_team_summary_or_the_note(self, patient_user, session):
        assert TherapySession.objects.get(pk=session.pk).note is not None  # the note exists, for the team
        text = _text(signed_in(patient_user).get(reverse("portal:plan")))
        assert TEAM_ONLY not in text
        assert NOTE_TEXT not in text

    def test_a_reflection_saves_and_can_be_changed(self, patient_user, session):
        client = signed_in(patient_user)
        url = reverse("portal:reflect", args=[session.id])
        sent = client.post(url, {"text": "Breathing slowly helped more than I expected."})
        assert sent.status_code == 302
        assert sent["Location"] == reverse("portal:plan") + f"#session-{session.id}"
        session.refresh_from_db()
        assert session.reflection == "Breathing slowly helped more than I expected."
        assert session.reflection_at is not None
        assert "Breathing slowly helped more than I expected." in _text(client.get(reverse("portal:plan")))
        client.post(url, {"text": "It helped, and my daughter noticed."})
        session.refresh_from_db()
        assert session.reflection == "It helped, and my daughter noticed."

    def test_a_reflection_that_is_too_long_comes_back_with_the_reason(self, patient_user, session):
        page = signed_in(patient_user).post(reverse("portal:reflect", args=[session.id]), {"text": "x" * 4001})
        assert page.status_code == 200
        assert "Please keep it under 4,000 characters." in page.content.decode()
        session.refresh_from_db()
        assert session.reflection == ""

    def test_another_patients_session_is_not_found(self, other_patient_user, session):
        sent = signed_in(other_patient_user).post(reverse("portal:reflect", args=[session.id]), {"text": "Mine"})
        assert sent.status_code == 404
        session.refresh_from_db()
        assert session.reflection == ""

    def test_without_a_plan_the_page_says_what_will_come(self, patient_user):
        page = signed_in(patient_user).get(reverse("portal:plan"))
        assert page.status_code == 200
        assert "Your plan will appear here" in _text(page)


class TestPracticeAndLibrary:
    def test_my_practice_says_what_how_often_until_when_with_the_item_link(self, patient_user, session):
        page = signed_in(patient_user).get(reverse("portal:exercises"))
        assert page.status_code == 200
        text = _text(page)
        until = (_today(session.patient) + timedelta(days=14)).strftime("%d %B")
        assert "How often: Twice a day." in text
        assert f"Until {until}." in text
        assert reverse("portal:exercise", args=["diaphragmatic-breathing"]) in page.content.decode()

    def test_the_library_lists_every_item(self, patient_user):
        page = signed_in(patient_user).get(reverse("portal:exercises"))
        text = _text(page)
        assert "Nothing to practise at the moment" in text
        assert "Belly breathing" in text
        assert reverse("portal:exercise", args=["body-scan"]) in page.content.decode()

    def test_an_item_shows_its_numbered_steps(self, patient_user):
        page = signed_in(patient_user).get(reverse("portal:exercise", args=["diaphragmatic-breathing"]))
        assert page.status_code == 200
        html = page.content.decode()
        assert "<h1>Belly breathing</h1>" in html
        steps = html[html.index('<ol class="care-steps">') :]
        assert steps.index("Sit or lie down") < steps.index("Put one hand on your chest")
        assert "This is part of your practice at home" not in html

    def test_an_item_i_practise_says_so(self, patient_user, session):
        text = _text(signed_in(patient_user).get(reverse("portal:exercise", args=["diaphragmatic-breathing"])))
        assert "This is part of your practice at home." in text
        assert "How often: Twice a day." in text

    def test_an_unknown_item_is_not_found(self, patient_user):
        assert signed_in(patient_user).get(reverse("portal:exercise", args=["no-such-item"])).status_code == 404


class TestToday:
    def test_today_shows_my_practice_and_my_next_step(self, patient_user, session, goal):
        goal_services.mark_rung(_rungs(goal)[0], state="done", by=patient_user)
        page = signed_in(patient_user).get(reverse("portal:today"))
        assert page.status_code == 200
        text = _text(page)
        assert "Your practice" in text
        assert "Belly breathing" in text
        assert reverse("portal:exercise", args=["diaphragmatic-breathing"]) in page.content.decode()
        assert "Your next step" in text
        assert f"Towards: {goal.title}" in text
        assert STEPS[1] in text
        assert STEPS[0] not in text  # done already: the next step is the one to show

    def test_the_navigation_links_to_goals_plan_and_exercises(self, patient_user):
        html = signed_in(patient_user).get(reverse("portal:today")).content.decode()
        for name in ("portal:goals", "portal:plan", "portal:exercises"):
            assert f'href="{reverse(name)}"' in html


def _every_page(session, goal):
    return [
        reverse("portal:today"),
        reverse("portal:goals"),
        reverse("portal:plan"),
        reverse("portal:exercises"),
        reverse("portal:exercise", args=["diaphragmatic-breathing"]),
    ]


def test_the_team_summary_and_the_note_appear_on_no_portal_page(patient_user, session, goal):
    client = signed_in(patient_user)
    for url in _every_page(session, goal):
        page = client.get(url)
        assert page.status_code == 200, url
        text = page.content.decode()
        assert TEAM_ONLY not in text, url
        assert NOTE_TEXT not in text, url


@pytest.mark.parametrize("persona", ["therapist", "coordinator", "outsider"])
def test_staff_get_not_found_on_every_page_and_action(request, persona, session, goal):
    client = signed_in(request.getfixturevalue(persona))
    for url in _every_page(session, goal):
        assert client.get(url).status_code == 404, url
    first = _rungs(goal)[0]
    assert _mark(client, first, "done").status_code == 404
    assert client.post(reverse("portal:agree_goal", args=[goal.id])).status_code == 404
    assert client.post(reverse("portal:reflect", args=[session.id]), {"text": "x"}).status_code == 404
    first.refresh_from_db()
    session.refresh_from_db()
    assert first.state == RungState.NOT_YET
    assert session.reflection == ""


def test_signed_out_visitors_are_sent_to_sign_in(client, session, goal):
    for url in _every_page(session, goal):
        answered = client.get(url)
        assert answered.status_code == 302, url
        assert reverse("accounts:login") in answered["Location"], url
    assert _mark(client, _rungs(goal)[0], "done").status_code == 302
    assert client.post(reverse("portal:agree_goal", args=[goal.id])).status_code == 302


def test_a_step_ticked_twice_is_simply_done(patient_record, patient_user, therapist):
    from commonground.goals import services as goal_services
    from commonground.goals.models import Milestone
    from commonground.goals.tests.support import make_goal

    goal = make_goal(patient_record, therapist)
    rung = goal_services.add_rung(goal, action="Walk to the gate", target_date=None, by=therapist)
    client = signed_in(patient_user)
    address = reverse("portal:mark_step", args=[rung.id])
    client.post(address, {"state": "done"})
    again = client.post(address, {"state": "done"}, follow=True).content.decode()
    assert "Nothing was changed" not in again
    assert Milestone.objects.get(pk=rung.pk).state == "done"
