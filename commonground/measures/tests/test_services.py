"""Measurement plans, responses and what submitting one sets off (issue 4, items 4-6)."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

import pytest
from django.core import mail

from commonground.kit import clock
from commonground.kit.errors import DomainError
from commonground.measures import selectors, services
from commonground.measures.choices import EntryMode, Occasion, ResponseStatus, ScheduleStatus
from commonground.measures.models import Response, ScheduledMeasure
from commonground.notifications.models import OutgoingEmail
from commonground.patients import services as patient_services
from commonground.safety.choices import AlertKind, Urgency
from commonground.safety.models import Alert

pytestmark = pytest.mark.django_db

TODAY = date(2026, 3, 2)


def phq9(values: list[Any], difficulty: Any = None) -> dict[str, Any]:
    answers = {str(number): value for number, value in enumerate(values, start=1)}
    answers["10"] = difficulty
    return answers


def plan(patient: Any, by: Any, **details: Any) -> Any:
    values = {"instruments": ["phq9"], "starts_on": TODAY, "interval_weeks": 4} | details
    return services.create_plan(patient, by=by, details=values, today=TODAY)


def paper(patient: Any, by: Any, answers: dict[str, Any], *, instrument: str = "phq9", days_ago: int = 0) -> Any:
    return services.enter_response(
        patient,
        instrument_id=instrument,
        answers=answers,
        entered_by=by,
        submission_key=uuid.uuid4(),
        completed_on=clock.now() - timedelta(days=days_ago),
    )


# --- plans and schedules ---------------------------------------------------------------------------------


def test_a_plan_writes_baseline_and_the_next_review(patient_record: Any, coordinator: Any) -> None:
    plan(patient_record, coordinator, instruments=["phq15", "phq9"])
    rows = ScheduledMeasure.objects.filter(patient=patient_record).order_by("due_on", "instrument")
    assert [(r.instrument, r.occasion, r.due_on) for r in rows] == [
        ("phq15", Occasion.BASELINE, TODAY),
        ("phq9", Occasion.BASELINE, TODAY),
        ("phq15", Occasion.INTERVAL, TODAY + timedelta(weeks=4)),
        ("phq9", Occasion.INTERVAL, TODAY + timedelta(weeks=4)),
    ]


def test_a_battery_in_the_plan_schedules_its_parts(patient_record: Any, coordinator: Any) -> None:
    plan(patient_record, coordinator, instruments=["phq_sads", "phq9"])
    baseline = ScheduledMeasure.objects.filter(patient=patient_record, occasion=Occasion.BASELINE)
    assert sorted(baseline.values_list("instrument", flat=True)) == ["gad7", "phq15", "phq9"]


def test_refreshing_twice_adds_nothing(patient_record: Any, coordinator: Any) -> None:
    plan(patient_record, coordinator)
    assert services.refresh_schedule(patient_record, today=TODAY) == 0
    assert services.refresh_schedule(patient_record, today=TODAY + timedelta(weeks=4)) == 1  # the next review


@pytest.mark.parametrize(
    ("details", "field"),
    [
        ({"instruments": []}, "instruments"),
        ({"interval_weeks": 0}, "interval_weeks"),
        ({"follow_up_months": 40}, "follow_up_months"),
    ],
)
def test_a_plan_out_of_bounds_is_refused_and_nothing_saved(
    patient_record: Any, coordinator: Any, details: dict[str, Any], field: str
) -> None:
    with pytest.raises(DomainError) as refused:
        plan(patient_record, coordinator, **details)
    assert refused.value.field == field
    assert not ScheduledMeasure.objects.filter(patient=patient_record).exists()


def test_an_unknown_questionnaire_is_refused(patient_record: Any, coordinator: Any) -> None:
    with pytest.raises(DomainError, match="no questionnaire called nonsense"):
        plan(patient_record, coordinator, instruments=["nonsense"])


def test_a_second_plan_is_refused(patient_record: Any, coordinator: Any) -> None:
    plan(patient_record, coordinator)
    with pytest.raises(DomainError, match="already has a measurement plan"):
        plan(patient_record, coordinator)


def test_changing_the_plan_needs_a_reason_and_cancels_what_it_no_longer_asks(
    patient_record: Any, coordinator: Any
) -> None:
    current = plan(patient_record, coordinator, instruments=["phq15", "phq9"])
    with pytest.raises(DomainError):
        services.update_plan(current, expected_version=1, changes={"instruments": ["phq9"]}, reason=" ", today=TODAY)
    services.update_plan(current, expected_version=1, changes={"instruments": ["phq9"]}, reason="Shorter", today=TODAY)
    phq15 = ScheduledMeasure.objects.filter(patient=patient_record, instrument="phq15")
    assert set(phq15.values_list("status", flat=True)) == {ScheduleStatus.CANCELLED}
    assert current.history.latest().history_change_reason == "Shorter"


def test_ending_the_episode_schedules_end_of_therapy_and_follow_up(patient_record: Any, coordinator: Any) -> None:
    episode = patient_services.open_episode(patient_record, started_on=TODAY - timedelta(weeks=10))
    plan(patient_record, coordinator, starts_on=TODAY - timedelta(weeks=10))
    ended = TODAY + timedelta(days=3)
    patient_services.close_episode(
        episode, expected_version=episode.version, ended_on=ended, end_reason="Therapy completed"
    )
    services.refresh_schedule(patient_record, today=ended)
    occasions = dict(
        ScheduledMeasure.objects.filter(patient=patient_record).values_list("occasion", "due_on").distinct()
    )
    assert occasions[Occasion.END_OF_THERAPY] == ended
    follow_up = ScheduledMeasure.objects.get(patient=patient_record, occasion=Occasion.FOLLOW_UP)
    assert follow_up.due_on == date(2027, 3, 5)  # on the schedule from the day therapy ends
    assert services.refresh_schedule(patient_record, today=date(2027, 3, 10)) == 0  # nothing twice


def test_therapy_ended_in_the_care_plan_schedules_end_of_therapy_at_once_and_resuming_withdraws_it(
    patient_record: Any, coordinator: Any
) -> None:
    patient_services.open_episode(patient_record, started_on=TODAY - timedelta(weeks=10))
    plan(patient_record, coordinator, starts_on=TODAY - timedelta(weeks=10))
    services.record_end_of_therapy(patient_record, ended_on=TODAY, today=TODAY)
    assert selectors.therapy_ended_on(patient_record) == TODAY  # the episode is still open: the plan says so
    end = ScheduledMeasure.objects.get(patient=patient_record, occasion=Occasion.END_OF_THERAPY)
    assert (end.due_on, end.status) == (TODAY, ScheduleStatus.OPEN)
    follow_up = ScheduledMeasure.objects.get(patient=patient_record, occasion=Occasion.FOLLOW_UP)
    assert (follow_up.due_on, follow_up.status) == (date(2027, 3, 2), ScheduleStatus.OPEN)  # 12 months later
    assert selectors.plan_of(patient_record).history.latest().history_change_reason == "Therapy ended"

    services.record_end_of_therapy(patient_record, ended_on=None, today=TODAY)
    end.refresh_from_db()
    follow_up.refresh_from_db()
    assert end.status == follow_up.status == ScheduleStatus.CANCELLED
    assert selectors.therapy_ended_on(patient_record) is None


def test_ending_therapy_without_a_measurement_plan_changes_nothing(patient_record: Any) -> None:
    services.record_end_of_therapy(patient_record, ended_on=TODAY, today=TODAY)
    assert not ScheduledMeasure.objects.filter(patient=patient_record).exists()


# --- responses ---------------------------------------------------------------------------------------------


def test_a_portal_response_resumes_and_submits_once(patient_record: Any, patient_user: Any, coordinator: Any) -> None:
    plan(patient_record, coordinator)
    due = ScheduledMeasure.objects.get(patient=patient_record, occasion=Occasion.BASELINE)
    draft = services.start_response(patient_record, instrument_id="phq9", entered_by=patient_user, scheduled=due)
    services.save_answers(draft, {"1": 1, "2": 2})
    again = services.start_response(patient_record, instrument_id="phq9", entered_by=patient_user, scheduled=due)
    assert again.id == draft.id and again.answers["2"] == 2
    services.save_answers(again, phq9([1, 2, 1, 1, 0, 0, 1, 0, 0], difficulty=1))
    first = services.submit_response(draft.id, patient=patient_record)
    second = services.submit_response(draft.id, patient=patient_record)
    assert first.score is not None and first.score.total == 6 and not first.already_submitted
    assert second.already_submitted and second.response.id == first.response.id
    assert Response.objects.filter(patient=patient_record).count() == 1
    due.refresh_from_db()
    assert due.status == ScheduleStatus.COMPLETED


def test_an_answer_the_item_does_not_allow_is_refused_and_nothing_saved(patient_record: Any, patient_user: Any) -> None:
    draft = services.start_response(patient_record, instrument_id="phq9", entered_by=patient_user)
    with pytest.raises(DomainError):
        services.save_answers(draft, {"1": 4})
    with pytest.raises(DomainError):
        services.save_answers(draft, {"2": "not_applicable"})
    with pytest.raises(DomainError):
        services.save_answers(draft, {"11": 0})
    draft.refresh_from_db()
    assert draft.answers == {}


def test_phq15_item4_unanswered_by_a_man_is_not_applicable(patient_record: Any, coordinator: Any) -> None:
    patient_record.sex = "male"
    patient_record.save()
    answers = {str(n): 1 for n in range(1, 16)} | {"4": None}
    result = paper(patient_record, coordinator, answers, instrument="phq15")
    assert result.response.total == 14 and result.response.sex_used == "male"


def test_paper_entry_is_recorded_as_such_and_stored_once(patient_record: Any, therapist: Any) -> None:
    key = uuid.uuid4()
    answers = phq9([0, 1, 0, 1, 0, 1, 0, 1, 0])
    kwargs: dict[str, Any] = {"instrument_id": "phq9", "answers": answers, "entered_by": therapist}
    first = services.enter_response(patient_record, submission_key=key, completed_on=clock.now(), **kwargs)
    second = services.enter_response(patient_record, submission_key=key, completed_on=clock.now(), **kwargs)
    assert second.already_submitted and second.response.id == first.response.id
    stored = Response.objects.get(patient=patient_record)
    assert stored.mode == EntryMode.PAPER and stored.entered_by == therapist
    assert stored.status == ResponseStatus.COMPLETED and stored.total == 4 and stored.band == "none_minimal"


def test_a_form_from_the_future_is_refused(patient_record: Any, therapist: Any) -> None:
    with pytest.raises(DomainError, match="future"):
        services.enter_response(
            patient_record,
            instrument_id="phq9",
            answers=phq9([0] * 9),
            entered_by=therapist,
            submission_key=uuid.uuid4(),
            completed_on=clock.now() + timedelta(days=1),
        )


def test_unscorable_is_stored_with_its_reason_never_a_number(patient_record: Any, therapist: Any) -> None:
    stored = paper(patient_record, therapist, phq9([1, None, None, None, 1, 1, 1, 1, 0])).response
    assert stored.scorable is False and stored.total is None and stored.band == ""
    assert "missing" in stored.unscorable_reason or "unanswered" in stored.unscorable_reason


# --- alerts ------------------------------------------------------------------------------------------------


def test_item9_positive_raises_one_urgent_alert_for_coordinator_and_responsible_clinician(
    patient_record: Any, coordinator: Any, therapist: Any
) -> None:
    from commonground.careteam.models import CareTeam

    CareTeam.objects.filter(patient=patient_record).update(responsible_clinician=therapist)
    coordinator.email, therapist.email = "alice@clinic.test", "bob@clinic.test"
    coordinator.save()
    therapist.save()
    result = paper(patient_record, therapist, phq9([0, 0, 0, 0, 0, 0, 0, 0, 1]))
    assert result.needs_crisis_support
    alert = Alert.objects.get(patient=patient_record)
    assert alert.kind == AlertKind.CRITICAL_ITEM and alert.urgency == Urgency.URGENT and alert.is_open
    assert set(alert.recipients.values_list("staff__username", flat=True)) == {coordinator.username, therapist.username}
    emails = OutgoingEmail.objects.filter(to__in=["alice@clinic.test", "bob@clinic.test"])
    assert emails.count() == 2
    for email in emails:
        for secret in ("Ada", "Lovelace", "PHQ", "item", "suicid", "self"):
            assert secret.lower() not in (email.subject + email.body).lower()


def test_item9_unanswered_needs_follow_up_like_a_positive(patient_record: Any, therapist: Any) -> None:
    result = paper(patient_record, therapist, phq9([1, 1, 1, 1, 1, 1, 1, 1, None]))
    assert result.needs_crisis_support
    assert "item9_unknown" in result.response.flags
    assert Alert.objects.filter(patient=patient_record, kind=AlertKind.CRITICAL_ITEM).count() == 1


def test_item9_zero_raises_nothing(patient_record: Any, therapist: Any) -> None:
    result = paper(patient_record, therapist, phq9([3, 3, 3, 3, 3, 3, 3, 3, 0]))
    assert not result.needs_crisis_support
    assert not Alert.objects.filter(patient=patient_record).exists()


def test_reliable_deterioration_since_baseline_raises_a_routine_alert(patient_record: Any, therapist: Any) -> None:
    # PHQ-9: S_diff = sqrt(2) x 5.5 x sqrt(1 - 0.89) = 2.580; reliable when |change| > 1.96 x 2.580 = 5.06.
    paper(patient_record, therapist, phq9([1, 1, 1, 1, 1, 0, 0, 0, 0]), days_ago=30)  # 5
    paper(patient_record, therapist, phq9([2, 2, 1, 1, 1, 1, 0, 0, 0]), days_ago=15)  # 8: +3, not reliable
    assert not Alert.objects.filter(patient=patient_record).exists()
    paper(patient_record, therapist, phq9([2, 2, 2, 1, 1, 1, 1, 1, 0]))  # 11: +6 since baseline, reliable
    alert = Alert.objects.get(patient=patient_record)
    assert alert.kind == AlertKind.RELIABLE_DETERIORATION and alert.urgency == Urgency.ROUTINE
    assert "5 to 11" in alert.summary


def test_marking_a_response_in_error_reopens_its_questionnaire(
    patient_record: Any, coordinator: Any, therapist: Any
) -> None:
    plan(patient_record, coordinator)
    due = ScheduledMeasure.objects.get(patient=patient_record, occasion=Occasion.BASELINE)
    stored = services.enter_response(
        patient_record,
        instrument_id="phq9",
        answers=phq9([0] * 9),
        entered_by=therapist,
        submission_key=uuid.uuid4(),
        completed_on=clock.now(),
        scheduled=due,
    ).response
    due.refresh_from_db()
    assert due.status == ScheduleStatus.COMPLETED
    with pytest.raises(DomainError):
        services.mark_response_in_error(stored, expected_version=stored.version, reason="")
    services.mark_response_in_error(stored, expected_version=stored.version, reason="Wrong patient's form")
    due.refresh_from_db()
    assert due.status == ScheduleStatus.OPEN
    assert not selectors.completed_responses(patient_record.id).exists()


def test_no_e_mail_leaves_before_commit(patient_record: Any, coordinator: Any, therapist: Any) -> None:
    coordinator.email = "alice@clinic.test"
    coordinator.save()
    paper(patient_record, therapist, phq9([0, 0, 0, 0, 0, 0, 0, 0, 2]))
    assert mail.outbox == []  # queued in the transaction; the test's transaction never commits


def test_a_shorter_interval_keeps_the_reviews_it_still_asks_for(patient_record: Any, coordinator: Any) -> None:
    current = plan(patient_record, coordinator, interval_weeks=8)
    services.update_plan(current, expected_version=1, changes={"interval_weeks": 4}, reason="More often", today=TODAY)
    open_dates = ScheduledMeasure.objects.filter(patient=patient_record, status=ScheduleStatus.OPEN)
    assert sorted(open_dates.values_list("due_on", flat=True)) == [
        TODAY,
        TODAY + timedelta(weeks=4),
        TODAY + timedelta(weeks=8),
    ]


def test_a_questionnaire_added_back_is_asked_again(patient_record: Any, coordinator: Any) -> None:
    current = plan(patient_record, coordinator, instruments=["phq15", "phq9"])
    current = services.update_plan(
        current, expected_version=1, changes={"instruments": ["phq9"]}, reason="Shorter", today=TODAY
    )
    services.update_plan(
        current, expected_version=2, changes={"instruments": ["phq9", "phq15"]}, reason="Back", today=TODAY
    )
    phq15 = ScheduledMeasure.objects.filter(patient=patient_record, instrument="phq15")
    assert set(phq15.values_list("status", flat=True)) == {ScheduleStatus.OPEN}


def test_paper_entry_cannot_fulfil_another_questionnaires_schedule(
    patient_record: Any, coordinator: Any, therapist: Any
) -> None:
    plan(patient_record, coordinator, instruments=["gad7", "phq9"])
    gad7 = ScheduledMeasure.objects.get(patient=patient_record, instrument="gad7", occasion=Occasion.BASELINE)
    with pytest.raises(DomainError, match="not this one"):
        services.enter_response(
            patient_record,
            instrument_id="phq9",
            answers=phq9([0] * 9),
            entered_by=therapist,
            submission_key=uuid.uuid4(),
            completed_on=clock.now(),
            scheduled=gad7,
        )
    assert not Response.objects.exists()


def test_a_repeated_paper_form_still_says_a_critical_item_needs_follow_up(patient_record: Any, therapist: Any) -> None:
    key = uuid.uuid4()
    kwargs: dict[str, Any] = {
        "instrument_id": "phq9",
        "answers": phq9([0, 0, 0, 0, 0, 0, 0, 0, 1]),
        "entered_by": therapist,
        "submission_key": key,
        "completed_on": clock.now(),
    }
    services.enter_response(patient_record, **kwargs)
    again = services.enter_response(patient_record, **kwargs)
    assert again.already_submitted and again.needs_crisis_support


def test_asking_again_for_what_was_answered_today_is_refused(patient_record: Any, therapist: Any) -> None:
    item = services.request_measure(patient_record, instrument_id="care", by=therapist, due_on=TODAY)
    ScheduledMeasure.objects.filter(pk=item.pk).update(status=ScheduleStatus.COMPLETED)
    with pytest.raises(DomainError, match="already answered"):
        services.request_measure(patient_record, instrument_id="care", by=therapist, due_on=TODAY)


def test_a_patient_who_missed_reviews_is_asked_once_for_the_latest(patient_record: Any, coordinator: Any) -> None:
    today = TODAY
    plan(patient_record, coordinator, starts_on=today - timedelta(weeks=12))
    phq9_open = ScheduledMeasure.objects.filter(patient=patient_record, status=ScheduleStatus.OPEN, due_on__lte=today)
    assert list(phq9_open.values_list("due_on", flat=True)) == [today]
    assert ScheduledMeasure.objects.filter(patient=patient_record, status=ScheduleStatus.MISSED).count() == 3
    assert [item.due_on for item in selectors.open_for_patient(patient_record, today=today)] == [today]
    counts = selectors.due_counts([patient_record.id], today=today, overdue_after_days=7)
    assert counts[patient_record.id] == {"due": 1, "overdue": 0}
