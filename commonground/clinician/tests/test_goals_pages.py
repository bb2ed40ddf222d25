"""The clinician's Goals tab (issue 5 items 1-4): values, goals, the milestone ladder, goal attainment scaling.

The goals services decide; these tests show that each page and POST route reaches them for the care team,
that bad input shows a form error and saves nothing, and that nobody else gets in (404).
"""

from __future__ import annotations

import math
import re
import uuid
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from commonground.goals import services
from commonground.goals.models import GasReview, GasSettings, Goal, LadderEvent, Milestone, Value
from commonground.kit import clock
from commonground.patients import services as patient_services
from tests.personas import signed_in

pytestmark = pytest.mark.django_db


def url(name: str, *args: Any) -> str:
    return reverse(f"clinician:{name}", args=args)


def html(response: Any) -> str:
    return response.content.decode()


def today_for(patient: Any) -> date:
    return clock.local_date(clock.now(), patient.time_zone)


def goal_details(patient: Any, **changes: Any) -> dict[str, Any]:
    details: dict[str, Any] = {
        "value_id": None,
        "title": "Walk the dog to the park and back",
        "indicator": "Walks to the park in a week",
        "target_date": today_for(patient) + timedelta(days=90),
        "proposed_by": "together",
        "agreed_by_patient": True,
        "barriers": "Dizziness on bad days",
        "enablers": "My neighbour walks with me",
        "triggers": "Rushing",
        "accelerants": "Going in the morning",
        "contingency_plan": "walk to the corner and back, then rest",
        "supporter_ids": [],
        "importance": None,
        "difficulty": None,
        "level_minus_2": "I do not leave the house with the dog",
        "level_minus_1": "I walk to the corner once a week",
        "level_0": "I walk to the park twice a week",
        "level_plus_1": "I walk to the park four times a week",
        "level_plus_2": "I walk to the park every day",
        "baseline_level": -1,
    }
    return details | changes


def make_goal(patient: Any, by: Any, **changes: Any) -> Goal:
    return services.set_goal(patient, details=goal_details(patient, **changes), by=by, today=today_for(patient))


def goal_post(patient: Any, **changes: Any) -> dict[str, Any]:
    """The goal form as a browser posts it."""
    data: dict[str, Any] = {
        "title": "Cook a simple meal for my family",
        "indicator": "Meals cooked in a week",
        "target_date": (today_for(patient) + timedelta(days=60)).isoformat(),
        "value": "",
        "proposed_by": "patient",
        "agreed_by_patient": "on",
        "barriers": "Fatigue in the evening",
        "enablers": "Chopping vegetables sitting down",
        "triggers": "Standing for long",
        "accelerants": "Cooking at lunchtime",
        "contingency_plan": "make a cold meal and ask my son to help",
        "level_minus_2": "I do not cook",
        "level_minus_1": "I heat a ready meal",
        "level_0": "I cook a simple meal twice a week",
        "level_plus_1": "I cook four times a week",
        "level_plus_2": "I cook every day",
        "baseline_level": "-1",
        "importance": "3",
        "difficulty": "2",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


@pytest.fixture
def goal(patient_record: Any, therapist: Any) -> Goal:
    return make_goal(patient_record, therapist)


def ladder_of(goal: Goal, *actions: str) -> list[Milestone]:
    return [services.add_rung(goal, action=action, target_date=None, by=goal.created_by) for action in actions]


def on_ladder(goal: Goal) -> list[str]:
    return list(
        Milestone.objects.filter(goal=goal, status="on_ladder").order_by("position").values_list("action", flat=True)
    )


def supporter(patient: Any, by: Any, name: str) -> Any:
    return patient_services.add_supporter(patient, name=name, relationship="Sister", text_version="v1", recorded_by=by)


# --- who may open the pages -----------------------------------------------------------------------------------


def every_route(patient: Any, goal: Goal, rung: Milestone, value: Value, review: GasReview) -> list[tuple[str, str]]:
    p = patient.id
    return [
        ("post", url("value_in_error", p, value.id)),
        ("post", url("goal_in_error", p, goal.id)),
        ("post", url("review_in_error", p, goal.id, review.id)),
        ("get", url("goals", p)),
        ("get", url("new_goal", p)),
        ("post", url("new_goal", p)),
        ("get", url("edit_goal", p, goal.id)),
        ("post", url("edit_goal", p, goal.id)),
        ("post", url("add_value", p)),
        ("post", url("edit_value", p, value.id)),
        ("post", url("add_rung", p, goal.id)),
        ("post", url("goal_step_back", p, goal.id)),
        ("post", url("review_goal", p, goal.id)),
        ("post", url("mark_rung", p, rung.id)),
        ("post", url("move_rung", p, rung.id)),
        ("post", url("edit_rung", p, rung.id)),
        ("post", url("split_rung", p, rung.id)),
        ("post", url("remove_rung", p, rung.id)),
    ]


def hostile_post(goal: Goal, rung: Milestone, value: Value) -> dict[str, Any]:
    """Valid input for every route at once: only the gateway can stop it."""
    return {
        "life_area": "family",
        "words": "Changed by someone else",
        "version": "1",
        "reason": "because",
        "action": "Someone else's step",
        "state": "done",
        "to_position": "1",
        "step_1": "a",
        "step_2": "b",
        "level": "2",
        "reviewed_on": goal.set_on.isoformat(),
    }


def test_every_goals_route_is_not_found_outside_the_care_team(
    patient_record, therapist, outsider, foreign_clinician, patient_user
):
    goal = make_goal(patient_record, therapist)
    rung, _other = ladder_of(goal, "Walk to the corner", "Walk to the bench")
    value = services.add_value(patient_record, life_area="family", words="My kids", by=therapist)
    review = services.review_goal(goal, level=0, reviewed_on=today_for(patient_record), by=therapist)
    events = LadderEvent.objects.count()
    for person in (outsider, foreign_clinician, patient_user):
        client = signed_in(person)
        for method, address in every_route(patient_record, goal, rung, value, review):
            data = hostile_post(goal, rung, value) if method == "post" else None
            answer = getattr(client, method)(address, data)
            assert answer.status_code == 404, f"{person.username} {method} {address}"
            if person != patient_user:  # the patient's own name is in their page header
                assert b"Lovelace" not in answer.content
    assert LadderEvent.objects.count() == events
    assert Value.objects.current().get().words == "My kids"
    assert Goal.objects.current().count() == 1
    assert list(GasReview.objects.current().values_list("level", "version")) == [(0, 1)]
    rung.refresh_from_db()
    assert rung.state == "not_yet" and rung.position == 1


def test_another_patients_goal_rung_or_value_is_not_found_through_this_patients_chart(
    patient_record, other_patient_record, therapist, coordinator
):
    theirs = make_goal(other_patient_record, coordinator)
    (their_rung,) = ladder_of(theirs, "Their step")
    their_value = services.add_value(other_patient_record, life_area="work", words="Their work", by=coordinator)
    their_review = services.review_goal(theirs, level=1, reviewed_on=theirs.set_on, by=coordinator)
    mine_goal = make_goal(patient_record, coordinator)
    client = signed_in(coordinator)
    mine = patient_record.id
    wrong = {"version": "1", "reason": "x"}
    assert client.post(url("value_in_error", mine, their_value.id), wrong).status_code == 404
    assert client.post(url("goal_in_error", mine, theirs.id), wrong).status_code == 404
    assert client.post(url("review_in_error", mine, theirs.id, their_review.id), wrong).status_code == 404
    # their review through my own goal is not found either
    assert client.post(url("review_in_error", mine, mine_goal.id, their_review.id), wrong).status_code == 404
    assert client.post(url("review_in_error", mine, mine_goal.id, uuid.uuid4()), wrong).status_code == 404
    assert Value.objects.current().filter(pk=their_value.pk).exists()
    assert Goal.objects.current().filter(pk=theirs.pk).exists()
    assert GasReview.objects.current().filter(pk=their_review.pk).exists()
    assert client.get(url("edit_goal", mine, theirs.id)).status_code == 404
    assert client.get(url("edit_goal", mine, uuid.uuid4())).status_code == 404
    assert client.post(url("add_rung", mine, theirs.id), {"action": "x"}).status_code == 404
    assert client.post(url("goal_step_back", mine, theirs.id), {"reason": "x"}).status_code == 404
    assert client.post(url("review_goal", mine, theirs.id), {"level": "1"}).status_code == 404
    assert client.post(url("mark_rung", mine, their_rung.id), {"state": "done"}).status_code == 404
    assert client.post(url("move_rung", mine, their_rung.id), {"to_position": "1"}).status_code == 404
    assert client.post(url("remove_rung", mine, their_rung.id), {"reason": "x"}).status_code == 404
    assert client.post(url("split_rung", mine, their_rung.id), {"step_1": "a", "step_2": "b"}).status_code == 404
    assert client.post(url("edit_rung", mine, their_rung.id), {"action": "x", "version": "1"}).status_code == 404
    data = {"life_area": "work", "words": "x", "version": "1", "reason": "x"}
    assert client.post(url("edit_value", mine, their_value.id), data).status_code == 404
    their_rung.refresh_from_db()
    assert their_rung.state == "not_yet" and their_rung.action == "Their step"
    assert list(Milestone.objects.filter(goal=theirs).values_list("action", flat=True)) == ["Their step"]
    assert client.get(url("edit_goal", other_patient_record.id, theirs.id)).status_code == 200


def test_the_post_routes_refuse_a_get(patient_record, therapist, goal):
    (rung,) = ladder_of(goal, "Walk to the corner")
    client = signed_in(therapist)
    assert client.get(url("add_rung", patient_record.id, goal.id)).status_code == 405
    assert client.get(url("mark_rung", patient_record.id, rung.id)).status_code == 405


# --- the tab --------------------------------------------------------------------------------------------------


def test_the_empty_tab_invites_values_and_a_first_goal(patient_record, therapist):
    page = signed_in(therapist).get(url("goals", patient_record.id))
    assert page.status_code == 200
    content = html(page)
    assert "What matters to the patient" in content and "Add what matters" in content
    assert "No goals yet" in content and url("new_goal", patient_record.id) in content
    assert "No goal the patient has agreed to yet." in content
    assert 'href="/static/css/goals.css"' in content
    assert "style=" not in content and "<script>" not in content


def test_the_tab_shows_a_goal_with_all_its_parts_and_its_ladder(patient_record, therapist, goal):
    rungs = ladder_of(goal, "Walk to the corner", "Walk to the bench", "Walk to the gate", "Walk to the park")
    services.mark_rung(rungs[0], state="done", by=therapist)
    services.mark_rung(rungs[1], state="partly", by=therapist)
    content = html(signed_in(therapist).get(url("goals", patient_record.id)))
    assert "Walk the dog to the park and back" in content
    for part in ("Walks to the park in a week", "Dizziness on bad days", "My neighbour walks with me", "Rushing"):
        assert part in content
    assert "Going in the morning" in content and "walk to the corner and back, then rest" in content
    assert "Both, together" in content and "Yes, agreed on" in content
    steps = re.findall(r"Step (\d) of 4", content)
    assert steps == ["1", "2", "3", "4"]
    ladder = content[content.index('<ol class="rungs">') : content.index("</ol>")]
    order = [ladder.index(action) for action in ("Walk to the corner", "Walk to the bench", "Walk to the gate")]
    assert order == sorted(order)  # bottom of the ladder first
    assert 'class="rung rung-done"' in ladder and "state-icon-done" in ladder and ">Done<" in ladder
    assert "rung-partly rung-next" in ladder and ">Partly done<" in ladder and ">Not yet<" in ladder
    assert "1 of 4 steps done." in content and "Next step: Walk to the bench" in content
    # the five levels in the patient's words, with where we start
    for words in ("I do not leave the house with the dog", "I walk to the park every day"):
        assert words in content
    assert "Where we started" in content


def test_the_ladder_history_reads_in_plain_words(patient_record, therapist, goal):
    first, second = ladder_of(goal, "Walk to the corner", "Walk to the bench")
    services.mark_rung(first, state="done", by=therapist)
    services.move_rung(second, to_position=1, by=therapist)
    services.step_back(goal, reason="A flare-up after a busy week", by=therapist)
    content = html(signed_in(therapist).get(url("goals", patient_record.id)))
    history = content[content.index('<details class="ladder-history">') :]
    history = history[: history.index("</details>")]
    assert "history (5 changes)" in history
    assert "“Walk to the corner” added as step 1." in history
    assert "“Walk to the corner” marked done (it was not yet)." in history
    assert "“Walk to the bench” moved from step 2 to step 1." in history
    assert "A step back: “Walk to the corner” is open again." in history
    assert "What happened: A flare-up after a busy week" in history
    assert history.index("A step back") < history.index("added as step 1")  # newest first


# --- values ---------------------------------------------------------------------------------------------------


def test_a_value_is_added_in_the_patients_words_and_listed_by_life_area(patient_record, therapist):
    client = signed_in(therapist)
    answer = client.post(
        url("add_value", patient_record.id), {"life_area": "family", "words": "Being there for my kids"}
    )
    assert answer.status_code == 302 and answer["Location"].endswith("#values")
    value = Value.objects.get(patient=patient_record)
    assert value.words == "Being there for my kids" and value.recorded_by == therapist
    client.post(url("add_value", patient_record.id), {"life_area": "work", "words": "Going back to the bakery"})
    content = html(client.get(url("goals", patient_record.id)))
    assert "<h3>Work or study</h3>" in content and "<h3>Family</h3>" in content
    assert content.index("<h3>Work or study</h3>") < content.index("<h3>Family</h3>")  # life areas in order
    assert "“Being there for my kids”" in content


def test_a_value_without_words_shows_the_error_and_saves_nothing(patient_record, therapist):
    answer = signed_in(therapist).post(url("add_value", patient_record.id), {"life_area": "family", "words": "  "})
    assert answer.status_code == 200
    content = html(answer)
    assert 'id="value-new_words_error"' in content and "Nothing was saved" in content
    assert '<details class="add-value" open>' in content
    assert not Value.objects.exists()


def test_a_value_is_changed_with_a_reason_and_a_stale_change_is_refused(patient_record, therapist, coordinator):
    value = services.add_value(patient_record, life_area="family", words="My kids", by=therapist)
    client = signed_in(therapist)
    address = url("edit_value", patient_record.id, value.id)
    no_reason = client.post(address, {"life_area": "family", "words": "My kids and my mum", "version": "1"})
    assert no_reason.status_code == 200 and f'id="value-{value.id}-edit_reason_error"' in html(no_reason)
    value.refresh_from_db()
    assert value.words == "My kids" and value.version == 1

    data = {"life_area": "family", "words": "My kids and my mum", "version": "1", "reason": "Her mother moved in"}
    assert client.post(address, data).status_code == 302
    value.refresh_from_db()
    assert value.words == "My kids and my mum" and value.version == 2
    assert value.history.first().history_change_reason == "Her mother moved in"

    stale = signed_in(coordinator).post(address, data | {"words": "Typed while someone saved"})
    assert stale.status_code == 200  # not thrown away: shown again beside what was saved
    value.refresh_from_db()
    assert value.words == "My kids and my mum" and value.version == 2
    content = html(stale)
    assert "Someone else saved this record" in content and "Both versions" in content
    conflict = content[content.index(f'id="value-{value.id}-conflict"') :]
    conflict = conflict[: conflict.index("</table>")]
    assert re.search(r"My kids and my mum</td><td[^>]*>Typed while someone saved</td>", conflict)
    form = content[content.index(f'id="value-{value.id}-edit"') :]
    form = form[: form.index("</form>")]
    assert re.search(r">\s*Typed while someone saved</textarea>", form)  # what they typed, ready to save again
    assert 'name="version" value="2"' in form and 'value="Her mother moved in"' in form
    assert "<details open>" in content[content.index(f'id="value-{value.id}"') :]


# --- setting and revising a goal -------------------------------------------------------------------------------


def test_the_goal_form_is_grouped_in_fieldsets_and_offers_only_consented_supporters(
    patient_record, therapist, coordinator
):
    kept = supporter(patient_record, coordinator, "Sam Sister")
    gone = supporter(patient_record, coordinator, "Wendy Withdrawn")
    patient_services.withdraw_consent(gone.consent, expected_version=gone.consent.version)
    services.add_value(patient_record, life_area="family", words="Being there for my kids", by=therapist)
    content = html(signed_in(therapist).get(url("new_goal", patient_record.id)))
    legends = re.findall(r"<legend>([^<]+)", content)
    for legend in ("The goal", "Agreeing it together", "When symptoms flare", "Who helps"):
        assert legend in legends
    assert "Goal attainment scale, in the patient&#39;s words" in legends
    assert "Sam Sister" in content and str(kept.id) in content
    assert "Wendy Withdrawn" not in content
    assert "Family: Being there for my kids" in content
    assert "When symptoms flare, I will …" in content


def test_a_goal_is_set_with_all_its_parts(patient_record, therapist, coordinator):
    kept = supporter(patient_record, coordinator, "Sam Sister")
    value = services.add_value(patient_record, life_area="family", words="My family", by=therapist)
    data = goal_post(patient_record, value=str(value.id), supporter_ids=[str(kept.id)])
    answer = signed_in(therapist).post(url("new_goal", patient_record.id), data)
    assert answer.status_code == 302
    goal = Goal.objects.get(patient=patient_record)
    assert answer["Location"].endswith(f"#goal-{goal.id}")
    assert goal.title == "Cook a simple meal for my family" and goal.value == value
    assert goal.proposed_by == "patient" and goal.agreed_by_patient and goal.agreed_by == therapist
    assert goal.agreed_on == today_for(patient_record) and goal.set_on == today_for(patient_record)
    assert goal.contingency_plan == "make a cold meal and ask my son to help"
    assert goal.supporter_ids == [str(kept.id)]
    assert (goal.importance, goal.difficulty, goal.baseline_level) == (3, 2, -1)
    assert goal.level_words(0) == "I cook a simple meal twice a week"
    content = html(signed_in(therapist).get(url("goals", patient_record.id)))
    assert "Sam Sister (Sister)" in content and "3 × 2" in content


def test_a_goal_with_bad_input_shows_form_errors_and_saves_nothing(patient_record, therapist):
    client = signed_in(therapist)
    missing = client.post(url("new_goal", patient_record.id), goal_post(patient_record, title="", level_0=""))
    assert missing.status_code == 200
    content = html(missing)
    assert 'id="goal_title_error"' in content and 'id="goal_level_0_error"' in content
    past = (today_for(patient_record) - timedelta(days=1)).isoformat()
    late = client.post(url("new_goal", patient_record.id), goal_post(patient_record, target_date=past))
    assert late.status_code == 200
    assert 'id="goal_target_date_error"' in html(late) and "must be after today" in html(late)
    assert not Goal.objects.exists()


def test_a_goal_is_revised_with_a_reason_and_a_stale_revision_reloads(patient_record, therapist, coordinator, goal):
    client = signed_in(therapist)
    address = url("edit_goal", patient_record.id, goal.id)
    form = html(client.get(address))
    assert 'value="Walk the dog to the park and back"' in form and 'name="version" value="1"' in form
    data = goal_post(patient_record, title="Walk the dog to the bench", status="active", version="1")
    no_reason = client.post(address, data)
    assert no_reason.status_code == 200 and 'id="goal_reason_error"' in html(no_reason)
    goal.refresh_from_db()
    assert goal.version == 1

    revised = client.post(address, data | {"reason": "A smaller goal after a flare-up"})
    assert revised.status_code == 302 and revised["Location"].endswith(f"#goal-{goal.id}")
    goal.refresh_from_db()
    assert goal.title == "Walk the dog to the bench" and goal.version == 2
    assert goal.history.first().history_change_reason == "A smaller goal after a flare-up"

    late = signed_in(coordinator)
    stale = late.post(address, data | {"title": "Typed meanwhile", "indicator": "Typed indicator", "reason": "Late"})
    assert stale.status_code == 200  # what the coordinator typed is kept, beside the saved version
    goal.refresh_from_db()
    assert goal.title == "Walk the dog to the bench" and goal.version == 2
    content = html(stale)
    assert "Someone else saved this record" in content and "Both versions" in content
    table = content[content.index('id="goal-conflict"') : content.index("</table>")]
    assert re.search(
        r"What I want to be able to do</th><td[^>]*>Walk the dog to the bench</td><td[^>]*>Typed meanwhile", table
    )
    assert "Typed indicator" in table
    assert "Going in the morning" not in table  # only the details that differ
    form = content[content.index('<form method="post" class="goal-form"') :]
    assert 'value="Typed meanwhile"' in form and 'value="Typed indicator"' in form
    assert 'name="version" value="2"' in form and 'value="Late"' in form
    again = late.post(address, data | {"title": "Typed meanwhile", "reason": "Late", "version": "2"})
    assert again.status_code == 302
    goal.refresh_from_db()
    assert goal.title == "Typed meanwhile" and goal.version == 3


# --- the ladder -----------------------------------------------------------------------------------------------


def test_steps_are_added_at_the_top_or_at_a_position(patient_record, therapist, goal):
    client = signed_in(therapist)
    address = url("add_rung", patient_record.id, goal.id)
    answer = client.post(address, {"action": "Walk to the bench", "target_date": ""})
    assert answer.status_code == 302 and answer["Location"].endswith(f"#goal-{goal.id}")
    later = goal.set_on + timedelta(days=30)
    client.post(address, {"action": "Walk to the park", "target_date": later.isoformat()})
    client.post(address, {"action": "Walk to the corner", "position": "1"})
    assert on_ladder(goal) == ["Walk to the corner", "Walk to the bench", "Walk to the park"]
    assert Milestone.objects.get(action="Walk to the park").target_date == later


def test_a_step_without_words_shows_the_error_and_adds_nothing(patient_record, therapist, goal):
    answer = signed_in(therapist).post(url("add_rung", patient_record.id, goal.id), {"action": ""})
    assert answer.status_code == 200
    content = html(answer)
    assert f'id="goal-{goal.id}-add_action_error"' in content
    assert f'href="#goal-{goal.id}-add"' in content  # the notice at the top leads to the form
    assert not Milestone.objects.exists() and not LadderEvent.objects.exists()


def test_a_step_is_marked_and_the_same_mark_again_changes_nothing(patient_record, therapist, goal):
    (rung,) = ladder_of(goal, "Walk to the corner")
    client = signed_in(therapist)
    address = url("mark_rung", patient_record.id, rung.id)
    answer = client.post(address, {"state": "done"})
    assert answer.status_code == 302 and answer["Location"].endswith(f"#goal-{goal.id}")
    assert "“Walk to the corner” is marked done." in html(client.get(url("goals", patient_record.id)))
    rung.refresh_from_db()
    assert rung.state == "done"
    marked = LadderEvent.objects.get(kind="marked")
    assert marked.by == therapist and marked.detail == {"from": "not_yet", "to": "done"}
    client.post(address, {"state": "done"})
    assert LadderEvent.objects.filter(kind="marked").count() == 1
    bad = client.post(address, {"state": "brilliant"}, follow=True)
    assert "Choose done, partly done or not yet." in html(bad)
    rung.refresh_from_db()
    assert rung.state == "done"


def test_a_step_moves_up_and_down(patient_record, therapist, goal):
    first, second, third = ladder_of(goal, "Corner", "Bench", "Park")
    client = signed_in(therapist)
    client.post(url("move_rung", patient_record.id, first.id), {"to_position": "2"})
    assert on_ladder(goal) == ["Bench", "Corner", "Park"]
    client.post(url("move_rung", patient_record.id, third.id), {"to_position": "1"})
    assert on_ladder(goal) == ["Park", "Bench", "Corner"]
    out_of_range = client.post(url("move_rung", patient_record.id, second.id), {"to_position": "9"}, follow=True)
    assert "Choose a step from 1 to 3." in html(out_of_range)
    assert on_ladder(goal) == ["Park", "Bench", "Corner"]


def test_the_move_buttons_say_earlier_and_later_as_the_list_reads(patient_record, therapist, goal):
    """Step 1 is listed first, top to bottom, on the tab and in the portal: earlier is up, later is down."""
    first, second, third = ladder_of(goal, "Corner", "Bench", "Park")
    content = html(signed_in(therapist).get(url("goals", patient_record.id)))
    assert content.index(f'id="rung-{first.id}"') < content.index(f'id="rung-{second.id}"')
    assert content.index(f'id="rung-{second.id}"') < content.index(f'id="rung-{third.id}"')
    buttons = {
        rung.action: re.findall(
            r'name="to_position" value="(\d)" class="secondary">(Move \w+)<',
            content[
                content.index(f'id="rung-{rung.id}"') : content.index("</li>", content.index(f'id="rung-{rung.id}"'))
            ],
        )
        for rung in (first, second, third)
    }
    assert buttons == {
        "Corner": [("2", "Move later")],
        "Bench": [("1", "Move earlier"), ("3", "Move later")],
        "Park": [("2", "Move earlier")],
    }
    assert "Move up" not in content and "Move down" not in content
    assert "bottom of the ladder" not in content


def test_a_step_is_split_into_smaller_steps_and_the_old_one_stays_in_the_history(patient_record, therapist, goal):
    first, _second = ladder_of(goal, "Walk to the park", "Walk round the park")
    client = signed_in(therapist)
    later = (goal.set_on + timedelta(days=20)).isoformat()
    data = {"step_1": "Walk to the corner", "step_2": "Walk to the bench", "date_2": later, "reason": "Too big"}
    answer = client.post(url("split_rung", patient_record.id, first.id), data)
    assert answer.status_code == 302
    assert on_ladder(goal) == ["Walk to the corner", "Walk to the bench", "Walk round the park"]
    first.refresh_from_db()
    assert first.status == "split"
    event = LadderEvent.objects.get(kind="split")
    assert event.reason == "Too big" and len(event.detail["into"]) == 2
    assert "“Walk to the park” split into 2 smaller steps." in html(client.get(url("goals", patient_record.id)))


def test_a_split_into_one_step_shows_the_error_and_changes_nothing(patient_record, therapist, goal):
    (rung,) = ladder_of(goal, "Walk to the park")
    client = signed_in(therapist)
    answer = client.post(url("split_rung", patient_record.id, rung.id), {"step_1": "Walk to the corner"})
    assert answer.status_code == 200
    content = html(answer)
    assert "Write at least two smaller steps." in content
    assert '<details class="rung-change" open>' in content
    dated = client.post(
        url("split_rung", patient_record.id, rung.id), {"step_1": "a", "step_2": "b", "date_3": "2099-01-01"}
    )
    assert dated.status_code == 200 and f'id="rung-{rung.id}-split_step_3_error"' in html(dated)
    assert on_ladder(goal) == ["Walk to the park"] and LadderEvent.objects.filter(kind="split").count() == 0


def test_a_step_is_reworded(patient_record, therapist, coordinator, goal):
    (rung,) = ladder_of(goal, "Walk to the park")
    address = url("edit_rung", patient_record.id, rung.id)
    client = signed_in(therapist)
    assert client.post(address, {"action": "Stroll to the park", "version": "1"}).status_code == 302
    rung.refresh_from_db()
    assert rung.action == "Stroll to the park" and rung.version == 2
    empty = client.post(address, {"action": "", "version": "2"})
    assert empty.status_code == 200 and f'id="rung-{rung.id}-edit_action_error"' in html(empty)
    stale = signed_in(coordinator).post(address, {"action": "Late words", "version": "1"})
    assert stale.status_code == 200
    rung.refresh_from_db()
    assert rung.action == "Stroll to the park" and rung.version == 2
    content = html(stale)
    assert "Someone else saved this record" in content and "Both versions" in content
    conflict = content[content.index(f'id="rung-{rung.id}-conflict"') :]
    assert re.search(r"Stroll to the park</td><td[^>]*>Late words</td>", conflict[: conflict.index("</table>")])
    form = content[content.index(f'id="rung-{rung.id}-edit"') :]
    form = form[: form.index("</form>")]
    assert 'value="Late words"' in form and 'name="version" value="2"' in form
    assert '<details class="rung-change" open>' in content


def test_a_step_is_taken_off_the_ladder_with_a_reason(patient_record, therapist, goal):
    first, _second = ladder_of(goal, "Corner", "Bench")
    client = signed_in(therapist)
    no_reason = client.post(url("remove_rung", patient_record.id, first.id), {"reason": ""})
    assert no_reason.status_code == 200 and f'id="rung-{first.id}-remove_reason_error"' in html(no_reason)
    assert on_ladder(goal) == ["Corner", "Bench"]
    answer = client.post(url("remove_rung", patient_record.id, first.id), {"reason": "Not relevant any more"})
    assert answer.status_code == 302
    assert on_ladder(goal) == ["Bench"]
    first.refresh_from_db()
    assert first.status == "removed"
    assert LadderEvent.objects.get(kind="removed").reason == "Not relevant any more"
    again = client.post(url("mark_rung", patient_record.id, first.id), {"state": "done"}, follow=True)
    assert "This step is no longer on the ladder." in html(again)


def test_a_step_back_is_noted_with_what_happened(patient_record, therapist, goal):
    first, second = ladder_of(goal, "Corner", "Bench")
    services.mark_rung(first, state="done", by=therapist)
    services.mark_rung(second, state="partly", by=therapist)
    client = signed_in(therapist)
    form = html(client.get(url("goals", patient_record.id)))
    assert "A step back is part of the work; note what happened so you can plan the next step." in form
    address = url("goal_step_back", patient_record.id, goal.id)

    no_reason = client.post(address, {"reason": "", "milestone": ""})
    assert no_reason.status_code == 200 and f'id="goal-{goal.id}-stepback_reason_error"' in html(no_reason)
    assert not LadderEvent.objects.filter(kind="stepped_back").exists()

    answer = client.post(address, {"reason": "Flu for a week", "milestone": str(first.id)})
    assert answer.status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.state, second.state) == ("not_yet", "partly")
    back = LadderEvent.objects.get(kind="stepped_back")
    assert back.reason == "Flu for a week" and back.milestone == first and back.by == therapist

    client.post(address, {"reason": "A hard week at work", "milestone": ""})  # the highest step reached
    second.refresh_from_db()
    assert second.state == "not_yet"
    content = html(client.get(url("goals", patient_record.id)))
    assert "failed" not in content.lower()


# --- goal attainment scaling ----------------------------------------------------------------------------------


def test_the_review_form_shows_the_patients_words_beside_each_level(patient_record, therapist, goal):
    content = html(signed_in(therapist).get(url("goals", patient_record.id)))
    form = content[content.index(f'id="goal-{goal.id}-review"') :]
    form = form[: form.index("</form>")]
    levels = re.findall(r'name="level" value="(-?\d)"', form)
    assert levels == ["-2", "-1", "0", "1", "2"]
    for label, words in (
        ("−2 much less than expected", "I do not leave the house with the dog"),
        ("0 the expected outcome", "I walk to the park twice a week"),
        ("+2 much more than expected", "I walk to the park every day"),
    ):
        assert re.search(re.escape(label) + r'<span class="level-words">“' + re.escape(words), form)


def test_a_review_is_recorded_and_bad_input_saves_nothing(patient_record, therapist, goal):
    client = signed_in(therapist)
    address = url("review_goal", patient_record.id, goal.id)
    today = today_for(patient_record)
    no_level = client.post(address, {"reviewed_on": today.isoformat()})
    assert no_level.status_code == 200 and f'id="goal-{goal.id}-review_level_error"' in html(no_level)
    future = client.post(address, {"level": "1", "reviewed_on": (today + timedelta(days=1)).isoformat()})
    assert future.status_code == 200 and "cannot be dated in the future" in html(future)
    assert not GasReview.objects.exists()

    answer = client.post(address, {"level": "1", "reviewed_on": today.isoformat(), "note": "Walked four times"})
    assert answer.status_code == 302 and answer["Location"].endswith(f"#goal-{goal.id}")
    review = GasReview.objects.get()
    assert (review.level, review.reviewed_on, review.reviewed_by) == (1, today, therapist)
    content = html(client.get(url("goals", patient_record.id)))
    assert "Walked four times" in content and 'class="level-latest"' in content


def t_score(levels: list[int], weights: list[float], rho: float) -> float:
    """clinical.md section 11, written out here: T = 50 + 10·Σwx / √((1 − ρ)·Σw² + ρ·(Σw)²)."""
    top = sum(w * x for w, x in zip(weights, levels, strict=True))
    bottom = math.sqrt((1 - rho) * sum(w * w for w in weights) + rho * sum(weights) ** 2)
    return 50 + 10 * top / bottom


def trend_rows(content: str) -> list[list[str]]:
    table = content[content.index('<table class="gas-trend">') :]
    body = table[table.index("<tbody>") : table.index("</tbody>")]
    return [re.findall(r"<td[^>]*>([^<]*)</td>", row) for row in re.findall(r"<tr>.*?</tr>", body, flags=re.S)]


def test_the_trend_table_shows_the_t_score_of_a_constructed_case(patient_record, therapist):
    today = today_for(patient_record)
    goals = [make_goal(patient_record, therapist, title=f"Goal {n}") for n in range(3)]
    earlier = today - timedelta(days=14)
    started = earlier - timedelta(days=7)
    Goal.objects.filter(pk__in=[g.pk for g in goals]).update(set_on=started, agreed_on=started)
    services.review_goal(goals[0], level=1, reviewed_on=earlier, by=therapist)
    services.review_goal(goals[1], level=1, reviewed_on=earlier, by=therapist)
    for found in goals:
        services.review_goal(found, level=1, reviewed_on=today, by=therapist)
    content = html(signed_in(therapist).get(url("goals", patient_record.id)))
    first = t_score([1, 1, -1], [1, 1, 1], 0.3)  # the third goal still at its baseline, −1
    assert round(first, 2) == 54.56
    assert trend_rows(content)[-2:] == [
        [earlier.strftime("%d %b %Y"), f"{first:.1f}", "3"],
        [today.strftime("%d %b %Y"), "63.7", "3"],  # clinical.md: three unweighted goals at +1 → 63.69
    ]
    assert "This clinic counts every goal the same (unweighted)." in content
    assert "ρ = 0.3, the assumed correlation between goals." in content
    chart = content[content.index('<svg class="gas-chart"') : content.index("</svg>", content.index("gas-chart"))]
    assert 'data-t="50"' in chart and "50 = expected" in chart
    points = re.findall(r'<circle cx="[\d.]+" cy="[\d.]+" r="4.5" class="point"', chart)
    assert len(points) == len(trend_rows(content)) >= 2


def test_the_trend_follows_the_clinics_weights_and_rho(patient_record, therapist):
    GasSettings.objects.create(organisation=patient_record.organisation, weighted=True, rho=Decimal("0.5"))
    heavy = make_goal(patient_record, therapist, title="Heavy", importance=3, difficulty=3)
    light = make_goal(patient_record, therapist, title="Light", importance=1, difficulty=2)
    today = today_for(patient_record)
    services.review_goal(heavy, level=2, reviewed_on=today, by=therapist)
    services.review_goal(light, level=-1, reviewed_on=today, by=therapist)
    content = html(signed_in(therapist).get(url("goals", patient_record.id)))
    expected = t_score([2, -1], [9, 2], 0.5)
    assert trend_rows(content) == [[today.strftime("%d %b %Y"), f"{expected:.1f}", "2"]]
    assert "weights each goal by importance × difficulty" in content and "ρ = 0.5," in content
    assert "weight in the T-score: 9" in content and "weight in the T-score: 2" in content


def test_every_control_on_a_full_tab_has_its_own_id_and_a_label(patient_record, therapist, coordinator, goal):
    """Many small forms share the page: ids stay unique, and every visible control has a label."""
    services.add_value(patient_record, life_area="family", words="My kids", by=therapist)
    services.add_value(patient_record, life_area="work", words="The bakery", by=therapist)
    second = make_goal(patient_record, therapist, title="Cook a meal")
    ladder_of(goal, "Corner", "Bench")
    ladder_of(second, "Chop vegetables", "Cook pasta")
    services.review_goal(goal, level=0, reviewed_on=today_for(patient_record), by=therapist)
    content = html(signed_in(therapist).get(url("goals", patient_record.id)))
    ids = re.findall(r'\sid="([^"]+)"', content)
    assert len(ids) == len(set(ids)), sorted({found for found in ids if ids.count(found) > 1})
    labelled = set(re.findall(r'<label[^>]*\sfor="([^"]+)"', content))
    for tag in re.findall(r"<(?:input|select|textarea)\b[^>]*>", content):
        if re.search(r'type="(hidden|submit)"', tag):
            continue
        control = re.search(r'\sid="([^"]+)"', tag)
        assert control and control.group(1) in labelled, tag


def test_the_tab_reads_the_same_number_of_times_for_one_goal_or_four_goals(patient_record, therapist):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = signed_in(therapist)
    client.get(url("goals", patient_record.id))  # the session's first page reads a little more
    counts = []
    for goals in (1, 3):  # one goal, then four
        for n in range(goals):
            found = make_goal(patient_record, therapist, title=f"Goal {goals}.{n}")
            ladder_of(found, "A first step", "A second step")
            services.review_goal(found, level=0, reviewed_on=today_for(patient_record), by=therapist)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url("goals", patient_record.id)).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


# --- what the patient reads ----------------------------------------------------------------------------------


def test_the_step_back_form_says_the_patient_reads_the_reason(patient_record, therapist, goal):
    content = html(signed_in(therapist).get(url("goals", patient_record.id)))
    form = content[content.index(f'id="goal-{goal.id}-stepback"') :]
    form = form[: form.index("</form>")]
    assert "What happened, in words the patient will read on their goals page" in form
    assert "The patient sees this reason beside the step back in the portal." in form


def test_the_goal_form_says_which_parts_the_patient_reads(patient_record, therapist, goal):
    client = signed_in(therapist)
    for address in (url("new_goal", patient_record.id), url("edit_goal", patient_record.id, goal.id)):
        content = html(client.get(address))
        note = content[content.index('class="info patient-sees"') :]
        note = note[: note.index("</p>")]
        assert "The patient reads these parts on their goals page in the portal" in note
        for part in ("how we will know", "by when", "what helps", "what might get in the way", "the flare plan"):
            assert part in note
        assert "the five levels, the steps, and the steps back" in note
        assert content.index("patient-sees") < content.index('class="goal-form"')  # at the top


# --- entered in error ----------------------------------------------------------------------------------------


def in_error(client: Any, address: str, record: Any, reason: str = "Recorded on the wrong patient") -> Any:
    return client.post(address, {"version": str(record.version), "reason": reason})


def test_a_value_entered_in_error_leaves_the_tab_and_the_portal(patient_record, therapist, patient_user):
    value = services.add_value(patient_record, life_area="family", words="Someone else's words", by=therapist)
    client = signed_in(therapist)
    tab = html(client.get(url("goals", patient_record.id)))
    details = tab[tab.index(f'id="value-{value.id}"') :]
    assert "Entered in error?" in details[: details.index("</li>")]
    address = url("value_in_error", patient_record.id, value.id)

    no_reason = in_error(client, address, value, reason="")
    assert no_reason.status_code == 200 and f'id="value-{value.id}-error_reason_error"' in html(no_reason)
    assert Value.objects.current().filter(pk=value.pk).exists()

    answer = in_error(client, address, value)
    assert answer.status_code == 302 and answer["Location"].endswith("#values")
    value.refresh_from_db()
    assert value.is_entered_in_error
    assert value.history.first().history_change_reason == "Recorded on the wrong patient"
    after = html(client.get(url("goals", patient_record.id)))
    assert "Someone else&#39;s words" not in after and "Someone else's words" not in after
    assert "The value is marked as entered in error" in after
    assert "Someone else" not in html(signed_in(patient_user).get(reverse("portal:goals")))


def test_a_value_a_goal_serves_is_not_marked_and_the_tab_says_why(patient_record, therapist):
    value = services.add_value(patient_record, life_area="family", words="My kids", by=therapist)
    make_goal(patient_record, therapist, value_id=value.id)
    answer = in_error(signed_in(therapist), url("value_in_error", patient_record.id, value.id), value)
    assert answer.status_code == 200
    content = html(answer)
    form = content[content.index(f'id="value-{value.id}-error"') :]
    assert "A goal serves this value; link that goal to another value first." in form[: form.index("</form>")]
    assert "Nothing was saved" in content
    value.refresh_from_db()
    assert not value.is_entered_in_error


def test_a_goal_entered_in_error_leaves_the_tab_the_portal_and_the_t_score(patient_record, therapist, patient_user):
    kept = make_goal(patient_record, therapist, title="Cook a meal")
    wrong = make_goal(patient_record, therapist, title="Another patient's goal")
    ladder_of(wrong, "Their first step")
    today = today_for(patient_record)
    services.review_goal(wrong, level=2, reviewed_on=today, by=therapist)
    client = signed_in(therapist)
    assert trend_rows(html(client.get(url("goals", patient_record.id))))[-1][2] == "2"

    answer = in_error(client, url("goal_in_error", patient_record.id, wrong.id), wrong)
    assert answer.status_code == 302 and answer["Location"].endswith("#goals")
    wrong.refresh_from_db()
    assert wrong.is_entered_in_error
    content = html(client.get(url("goals", patient_record.id)))
    assert f'id="goal-{wrong.id}"' not in content and "Their first step" not in content
    assert "“Another patient&#39;s goal” is marked as entered in error" in content
    goals_section = content[content.index('id="goals"') :]
    assert "is marked as entered in error" in goals_section[: goals_section.index("<article")]  # where it lands
    rows = trend_rows(content)
    assert rows and all(row[2] == "1" for row in rows)  # the T-score counts the goal kept only
    assert rows[-1][1] == f"{t_score([kept.baseline_level], [1], 0.3):.1f}"
    portal = html(signed_in(patient_user).get(reverse("portal:goals")))
    assert "Another patient" not in portal and "Their first step" not in portal and "Cook a meal" in portal


def test_a_review_entered_in_error_leaves_the_table_and_the_trend(patient_record, therapist, goal):
    today = today_for(patient_record)
    started = today - timedelta(days=10)
    Goal.objects.filter(pk=goal.pk).update(set_on=started, agreed_on=started)
    goal.refresh_from_db()
    wrong_day = today - timedelta(days=3)
    wrong = services.review_goal(goal, level=2, reviewed_on=wrong_day, by=therapist, note="Meant for another goal")
    client = signed_in(therapist)
    before = html(client.get(url("goals", patient_record.id)))
    assert "Meant for another goal" in before
    assert wrong_day.strftime("%d %b %Y") in [row[0] for row in trend_rows(before)]

    answer = in_error(client, url("review_in_error", patient_record.id, goal.id, wrong.id), wrong)
    assert answer.status_code == 302 and answer["Location"].endswith(f"#goal-{goal.id}")
    wrong.refresh_from_db()
    assert wrong.is_entered_in_error
    content = html(client.get(url("goals", patient_record.id)))
    assert "Meant for another goal" not in content
    assert wrong_day.strftime("%d %b %Y") not in [row[0] for row in trend_rows(content)]
    card = content[content.index(f'id="goal-{goal.id}"') :]
    assert f"The review of {wrong_day.strftime('%d %b %Y')} is marked as entered in error" in card


def test_a_stale_mark_in_error_changes_nothing(patient_record, therapist, coordinator, goal):
    client = signed_in(therapist)
    services.update_goal(
        goal,
        expected_version=1,
        changes={"title": "Changed meanwhile"},
        reason="r",
        by=coordinator,
        today=today_for(patient_record),
    )
    answer = client.post(url("goal_in_error", patient_record.id, goal.id), {"version": "1", "reason": "Mistake"})
    assert answer.status_code == 302
    goal.refresh_from_db()
    assert not goal.is_entered_in_error
    assert "Someone else saved this record" in html(client.get(url("goals", patient_record.id)))


# --- goal attainment reviews ---------------------------------------------------------------------------------


def review_form(content: str, goal: Goal) -> str:
    form = content[content.index(f'id="goal-{goal.id}-review"') :]
    return form[: form.index("</form>")]


def test_the_review_form_chooses_no_level_beforehand(patient_record, therapist, goal):
    services.review_goal(goal, level=1, reviewed_on=today_for(patient_record), by=therapist)
    form = review_form(html(signed_in(therapist).get(url("goals", patient_record.id))), goal)
    assert len(re.findall(r'name="level"', form)) == 5
    assert "checked" not in form


def test_the_review_form_says_a_review_today_would_be_replaced(patient_record, therapist, goal):
    client = signed_in(therapist)
    assert "This replaces today" not in review_form(html(client.get(url("goals", patient_record.id))), goal)
    services.review_goal(goal, level=1, reviewed_on=today_for(patient_record), by=therapist)
    form = review_form(html(client.get(url("goals", patient_record.id))), goal)
    assert (
        "This replaces today&#39;s review by Bob: level +1 somewhat more than expected "
        "(“I walk to the park four times a week”)." in form
    )


def test_a_review_is_confirmed_with_its_date_as_people_read_it(patient_record, therapist, goal):
    today = today_for(patient_record)
    client = signed_in(therapist)
    client.post(url("review_goal", patient_record.id, goal.id), {"level": "0", "reviewed_on": today.isoformat()})
    content = html(client.get(url("goals", patient_record.id)))
    assert f"The review of {today.strftime('%d %b %Y')} is recorded: 0 the expected outcome." in content
    reviews = content[content.index('<table class="reviews">') :]
    reviews = reviews[: reviews.index("</table>")]
    assert today.strftime("%d %b %Y") in reviews and today.isoformat() not in reviews


def test_the_scale_is_read_only_on_the_revision_form_once_reviewed(patient_record, therapist, goal):
    client = signed_in(therapist)
    address = url("edit_goal", patient_record.id, goal.id)
    unreviewed = html(client.get(address))
    assert not re.search(r'<input[^>]*name="level_0"[^>]*disabled', unreviewed)
    assert "The scale is fixed once reviewed" not in unreviewed

    services.review_goal(goal, level=0, reviewed_on=today_for(patient_record), by=therapist)
    content = html(client.get(address))
    for name in ("level_minus_2", "level_minus_1", "level_0", "level_plus_1", "level_plus_2"):
        assert re.search(rf'<input[^>]*name="{name}"[^>]*disabled', content), name
    assert re.search(r'<select[^>]*name="baseline_level"[^>]*disabled', content)
    assert "The scale is fixed once reviewed, so reviews stay comparable; set a new goal to change it." in content

    data = goal_post(patient_record, title="Walk the dog to the bench", status="active", version="1")
    data |= {"reason": "Smaller goal", "level_0": "Tampered words", "baseline_level": "-2"}
    assert client.post(address, data).status_code == 302
    goal.refresh_from_db()
    assert goal.title == "Walk the dog to the bench"  # the revision is saved, the scale is not touched
    assert goal.level_0 == "I walk to the park twice a week" and goal.baseline_level == -1


def test_a_scale_changed_while_a_colleague_reviewed_the_goal_is_refused_not_dropped(
    patient_record, therapist, coordinator, goal
):
    client = signed_in(therapist)
    address = url("edit_goal", patient_record.id, goal.id)
    assert 'name="scale_editable" value="1"' in html(client.get(address))  # the form is opened: scale editable
    services.review_goal(goal, level=0, reviewed_on=today_for(patient_record), by=coordinator)  # meanwhile
    data = goal_post(patient_record, status="active", version="1", scale_editable="1")
    data |= {"reason": "Clearer words", "level_0": "I walk to the park three times a week"}
    response = client.post(address, data)
    content = html(response)
    assert response.status_code == 200 and "fixed once the goal has been reviewed" in content
    assert "I walk to the park three times a week" in content  # what was typed is still there
    goal.refresh_from_db()
    assert goal.level_0 == "I walk to the park twice a week" and goal.version == 1


def test_a_revision_that_changes_nothing_says_so(patient_record, therapist, goal):
    client = signed_in(therapist)
    data = goal_post(patient_record, status="active", version="1", scale_editable="1")
    data |= {key: getattr(goal, key) for key in ("title", "indicator", "barriers", "enablers", "triggers")}
    data |= {key: getattr(goal, key) for key in ("accelerants", "contingency_plan", "proposed_by")}
    data |= {f"level_{k}": getattr(goal, f"level_{k}") for k in ("minus_2", "minus_1", "0", "plus_1", "plus_2")}
    data |= {"target_date": goal.target_date.isoformat(), "importance": "", "difficulty": "", "reason": "Looked at it"}
    response = client.post(url("edit_goal", patient_record.id, goal.id), data, follow=True)
    assert "Nothing in the goal changed" in html(response)
    goal.refresh_from_db()
    assert goal.version == 1


# --- a proposed goal -----------------------------------------------------------------------------------------


def test_a_goal_the_patient_has_not_agreed_to_is_marked_proposed(patient_record, therapist):
    agreed = make_goal(patient_record, therapist, title="Agreed goal")
    proposed = make_goal(patient_record, therapist, title="Proposed goal", agreed_by_patient=False)
    content = html(signed_in(therapist).get(url("goals", patient_record.id)))
    title = content[content.index(f'id="goal-{proposed.id}-title"') :]
    assert "Proposed — not yet agreed" in title[: title.index("</h3>")]
    title = content[content.index(f'id="goal-{agreed.id}-title"') :]
    assert "Proposed — not yet agreed" not in title[: title.index("</h3>")]


# --- the flare plan ------------------------------------------------------------------------------------------


def test_the_flare_plan_follows_its_label_once(patient_record, therapist, goal):
    content = html(signed_in(therapist).get(url("goals", patient_record.id)))
    assert content.count("When symptoms flare, I will") == 1
    assert re.search(r"<dt>When symptoms flare, I will …</dt><dd>walk to the corner and back, then rest</dd>", content)


# --- confirmations where the user is, and labels that tell goals apart ------------------------------------------


def main_top(content: str) -> str:
    """The page from the start of <main> to the chart's own content: where base.html puts flash messages."""
    start = content.index('<main id="main"')
    return content[start : content.index("<nav", start)]


def test_a_confirmation_is_shown_on_the_goals_card_not_only_at_the_top(patient_record, therapist, goal):
    other = make_goal(patient_record, therapist, title="Cook a meal")
    (rung,) = ladder_of(goal, "Walk to the corner")
    client = signed_in(therapist)
    answer = client.post(url("mark_rung", patient_record.id, rung.id), {"state": "done"})
    assert answer["Location"].endswith(f"#goal-{goal.id}")
    content = html(client.get(url("goals", patient_record.id)))
    message = "“Walk to the corner” is marked done."
    assert content.count(message) == 1
    card = content[content.index(f'id="goal-{goal.id}"') :]
    card = card[: card.index("</article>")]
    assert re.search(r'<p class="notice notice-success" role="status">' + re.escape(message), card)
    assert card.index(message) < card.index('class="ladder"')  # at the top of the card
    other_card = content[content.index(f'id="goal-{other.id}"') :]
    assert message not in other_card[: other_card.index("</article>")]
    assert message not in main_top(content)
    assert message not in html(client.get(url("goals", patient_record.id)))  # shown once


def test_every_button_and_summary_names_its_goal_and_step(patient_record, therapist, coordinator):
    """Two goals with the same steps: a screen reader must still tell every control apart."""
    services.add_value(patient_record, life_area="family", words="My kids", by=therapist)
    services.add_value(patient_record, life_area="work", words="The bakery", by=therapist)
    first = make_goal(patient_record, therapist, title="Walk the dog")
    second = make_goal(patient_record, therapist, title="Cook a meal")
    for found in (first, second):
        rungs = ladder_of(found, "A first step", "A second step", "A third step")
        services.mark_rung(rungs[0], state="done", by=therapist)
        services.review_goal(found, level=0, reviewed_on=today_for(patient_record), by=therapist)
    content = html(signed_in(therapist).get(url("goals", patient_record.id)))
    names = [
        " ".join(re.sub(r"<[^>]+>", " ", found).split())
        for found in re.findall(r"<(?:button|summary)\b[^>]*>(.*?)</(?:button|summary)>", content, flags=re.S)
    ]
    assert len(names) > 40
    repeated = sorted({name for name in names if names.count(name) > 1})
    assert not repeated, repeated
    assert "Mark: not yet — step 1 of “Walk the dog”" in names
    assert "Split the step — step 2 of “Cook a meal”" in names


# --- advice on wording ---------------------------------------------------------------------------------------


def test_a_step_back_reason_gets_wording_advice_without_being_blocked(patient_record, therapist, goal):
    (rung,) = ladder_of(goal, "Walk to the corner")
    services.mark_rung(rung, state="done", by=therapist)
    client = signed_in(therapist)
    reason = "She was non-compliant with the walking plan"
    answer = client.post(url("goal_step_back", patient_record.id, goal.id), {"reason": reason, "milestone": ""})
    assert answer.status_code == 302
    assert LadderEvent.objects.get(kind="stepped_back").reason == reason  # saved as written
    content = html(client.get(url("goals", patient_record.id)))
    assert "The step back is noted with what happened." in content
    assert "The wording check suggests: “non-compliant” — Blame or disapproval of self-care:" in content
    assert "Consider:" in content


def test_a_review_note_gets_wording_advice_and_a_plain_one_gets_none(patient_record, therapist, goal):
    client = signed_in(therapist)
    address = url("review_goal", patient_record.id, goal.id)
    today = today_for(patient_record).isoformat()
    client.post(address, {"level": "0", "reviewed_on": today, "note": "Walked twice with her neighbour"})
    plain = html(client.get(url("goals", patient_record.id)))
    assert "is recorded: 0 the expected outcome." in plain and "wording check" not in plain
    client.post(address, {"level": "-1", "reviewed_on": today, "note": "Says the pain is all in her head"})
    content = html(client.get(url("goals", patient_record.id)))
    assert "The wording check suggests: “all in her head” — Dismissing functional or somatic symptoms:" in content
    assert GasReview.objects.current().get().note == "Says the pain is all in her head"
