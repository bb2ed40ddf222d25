"""Rules from the exploratory test: attendance only once a session's time has come, moving a session within the
schedule, the members of a session as they were then, no double submissions, nothing planned in the past,
shown names that cannot be confused or give anyone away, a finished group closed, finishing early confirmed,
who may enrol, removing a programme's last session, and a place ending with the consent to take part."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from django.urls import reverse

from commonground.groups import selectors, services
from commonground.groups.choices import (
    Attendance,
    CohortStatus,
    EnrolmentStatus,
    PairingStatus,
    PostKind,
    SessionStatus,
    ShownName,
)
from commonground.groups.models import (
    AttendanceRecord,
    BoardPost,
    Cohort,
    CurriculumSession,
    GroupSession,
    Pairing,
    SessionPractice,
)
from commonground.groups.tests.conftest import STARTS_ON, cohort_details, enrol
from commonground.kit import clock
from commonground.kit.errors import DomainError
from commonground.patients.choices import ConsentScope, PatientStatus
from commonground.patients.models import Consent, Patient
from tests.personas import make_patient, signed_in

pytestmark = pytest.mark.django_db


def _session(cohort: Cohort, number: int) -> GroupSession:
    found: GroupSession = GroupSession.objects.get(cohort=cohort, number=number)
    return found


def _finished(cohort: Cohort, facilitator: Any) -> Cohort:
    return services.finish_cohort(Cohort.objects.get(pk=cohort.pk), by=facilitator, early=True)


# --- 1. attendance from the session's start -----------------------------------------------------------------


def test_attendance_waits_for_the_sessions_time(cohort: Cohort, ada: Any, facilitator: Any) -> None:
    session = _session(cohort, 1)
    with clock.pinned(session.starts_at - timedelta(minutes=31)), pytest.raises(DomainError) as early:
        services.record_attendance(session, marks={ada.id: Attendance.PRESENT}, by=facilitator)
    assert early.value.message == "Attendance can be recorded from the session's start."
    assert not AttendanceRecord.objects.filter(session=session).exists()
    session.refresh_from_db()
    assert session.status == SessionStatus.SCHEDULED
    with clock.pinned(session.starts_at - timedelta(minutes=30)):  # people arrive a little early
        services.record_attendance(session, marks={ada.id: Attendance.PRESENT}, by=facilitator)
    assert AttendanceRecord.objects.get(session=session).status == Attendance.PRESENT
    # The next session, a week on, is still to come.
    with clock.pinned(session.starts_at + timedelta(hours=2)), pytest.raises(DomainError):
        services.record_attendance(_session(cohort, 2), marks={ada.id: Attendance.PRESENT}, by=facilitator)


# --- 2. moving a session -----------------------------------------------------------------------------------


def _move(session: GroupSession, starts_at: datetime, by: Any) -> GroupSession:
    session.refresh_from_db()
    return services.reschedule_session(
        session, starts_at=starts_at, reason="Room taken", expected_version=session.version, by=by
    )


def test_a_session_moves_only_to_a_free_time_to_come_in_its_order(cohort: Cohort, facilitator: Any) -> None:
    second, third = _session(cohort, 2), _session(cohort, 3)
    with pytest.raises(DomainError) as past:
        _move(second, clock.now() - timedelta(days=1), facilitator)
    assert past.value.field == "starts_at" and "passed" in past.value.message
    with pytest.raises(DomainError) as clash:  # half an hour into session 3
        _move(second, third.starts_at + timedelta(minutes=30), facilitator)
    assert "overlaps session 3" in clash.value.message
    with pytest.raises(DomainError) as clash_before:  # starts before session 3 but runs into it
        _move(second, third.starts_at - timedelta(minutes=60), facilitator)
    assert "overlaps session 3" in clash_before.value.message
    with pytest.raises(DomainError) as order:  # after session 3, free, but out of order
        _move(second, third.starts_at + timedelta(days=1), facilitator)
    assert order.value.message.startswith("Sessions stay in order: session 2 must come before session 3")
    with pytest.raises(DomainError) as before_first:
        _move(second, _session(cohort, 1).starts_at - timedelta(days=1), facilitator)
    assert before_first.value.message.startswith("Sessions stay in order: session 2 must come after session 1")
    second.refresh_from_db()
    assert second.version == 1 and second.rescheduled_from is None


def test_moving_back_to_the_original_time_clears_the_moved_marker_one_notice_per_move(
    cohort: Cohort, ada: Any, grace: Any, facilitator: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from commonground.notifications.transports import MemoryTransport

    second = _session(cohort, 2)
    original = second.starts_at
    with django_capture_on_commit_callbacks(execute=True):
        moved = _move(second, original + timedelta(days=1), facilitator)
    assert moved.rescheduled_from == original and moved.reschedule_reason == "Room taken"
    assert len(MemoryTransport.outbox) == 2  # one each for Ada and Grace
    with django_capture_on_commit_callbacks(execute=True):
        back = _move(second, original, facilitator)
    back.refresh_from_db()
    assert back.starts_at == original and back.rescheduled_from is None and back.reschedule_reason == ""
    assert len(MemoryTransport.outbox) == 4


# --- 3. the members of a session as they were then ----------------------------------------------------------


def test_a_past_sessions_members_are_those_of_its_day(
    cohort: Cohort, ada: Any, grace: Any, make_member: Any, facilitator: Any
) -> None:
    first, second = _session(cohort, 1), _session(cohort, 2)
    with clock.pinned(first.starts_at + timedelta(days=2)):
        services.withdraw(grace, reason="", by=facilitator)  # left after session 1
        late = make_member("Hana")  # joined after session 1
    with clock.pinned(second.starts_at + timedelta(hours=2)):
        assert {e.id for e in selectors.members_at(first)} == {ada.id, grace.id}
        assert {e.id for e in selectors.members_at(second)} == {ada.id, late.id}
        # Correcting session 1: Grace (who left later) is marked; Hana (who joined later) is not a member of it.
        services.record_attendance(
            first, marks={ada.id: Attendance.PRESENT, grace.id: Attendance.ABSENT}, by=facilitator
        )
        with pytest.raises(DomainError) as refused:
            services.record_attendance(first, marks={late.id: Attendance.PRESENT}, by=facilitator)
        assert refused.value.field == "marks"
        with pytest.raises(DomainError):
            services.record_attendance(second, marks={grace.id: Attendance.PRESENT}, by=facilitator)
    assert dict(AttendanceRecord.objects.filter(session=first).values_list("enrolment_id", "status")) == {
        ada.id: Attendance.PRESENT,
        grace.id: Attendance.ABSENT,
    }


def test_finished_members_stay_members_of_the_sessions_they_had(cohort: Cohort, ada: Any, facilitator: Any) -> None:
    first = _session(cohort, 1)
    with clock.pinned(first.starts_at + timedelta(hours=1)):
        services.start_cohort(cohort, by=facilitator)
        _finished(cohort, facilitator)
    ada.refresh_from_db()
    assert ada.status == EnrolmentStatus.FINISHED
    assert [e.id for e in selectors.members_at(first)] == [ada.id]


# --- 4. double submissions ----------------------------------------------------------------------------------


def test_the_same_practice_is_given_once_per_session(cohort: Cohort, ada: Any, facilitator: Any) -> None:
    session = _session(cohort, 1)
    services.assign_session_practice(session, details={"library_item": "diaphragmatic-breathing"}, by=facilitator)
    title = SessionPractice.objects.get(session=session).title
    for details in ({"library_item": "diaphragmatic-breathing"}, {"title": f"  {title.upper()} "}):
        with pytest.raises(DomainError) as twice:
            services.assign_session_practice(session, details=details, by=facilitator)
        assert twice.value.message == "That practice was already given at this session."
    assert SessionPractice.objects.filter(session=session).count() == 1
    services.assign_session_practice(session, details={"title": "A short walk"}, by=facilitator)
    assert SessionPractice.objects.filter(session=session).count() == 2
    # Another session may give the same practice again.
    services.assign_session_practice(_session(cohort, 2), details={"title": "A short walk"}, by=facilitator)


def test_a_second_group_with_the_same_name_and_first_session_is_refused(
    cohort: Cohort, programme: Any, facilitator: Any
) -> None:
    with pytest.raises(DomainError) as twice:
        services.create_cohort(
            programme, details=cohort_details(name="spring GROUP"), facilitators=[facilitator], by=facilitator
        )
    assert twice.value.message == "A group with this name and first session exists already."
    assert Cohort.objects.filter(programme=programme).count() == 1
    later = services.create_cohort(
        programme,
        details=cohort_details(starts_on=STARTS_ON + timedelta(days=7)),
        facilitators=[facilitator],
        by=facilitator,
    )
    assert later.name == "Spring group"


def test_the_same_small_win_twice_within_two_minutes_is_posted_once(cohort: Cohort, ada: Any) -> None:
    first = services.post_small_win(ada, text="I walked to the shop.")
    again = services.post_small_win(ada, text="I walked to the shop.")
    assert again.pk == first.pk
    other = services.post_small_win(ada, text="I slept well.")
    assert other.pk != first.pk
    assert BoardPost.objects.filter(author_enrolment=ada, kind=PostKind.SMALL_WIN).count() == 2
    BoardPost.objects.filter(pk=first.pk).update(created_at=first.created_at - timedelta(minutes=3))
    later = services.post_small_win(ada, text="I walked to the shop.")
    assert later.pk != first.pk


# --- 5. nothing planned in the past -------------------------------------------------------------------------


def test_a_group_cannot_start_in_the_past(programme: Any, cohort: Cohort, facilitator: Any) -> None:
    yesterday = clock.local_date(clock.now(), "Europe/Amsterdam") - timedelta(days=1)
    with pytest.raises(DomainError) as past:
        services.create_cohort(
            programme,
            details=cohort_details(name="Old", starts_on=yesterday),
            facilitators=[facilitator],
            by=facilitator,
        )
    assert past.value.field == "starts_on"
    with pytest.raises(DomainError) as moved:
        services.update_cohort(
            cohort, expected_version=cohort.version, changes={"starts_on": yesterday}, by=facilitator
        )
    assert moved.value.field == "starts_on"
    today = yesterday + timedelta(days=1)
    made = services.create_cohort(
        programme, details=cohort_details(name="Today", starts_on=today), facilitators=[facilitator], by=facilitator
    )
    assert made.starts_on == today


# --- 6. shown names -----------------------------------------------------------------------------------------


def test_a_chosen_name_is_not_another_members_name(ada: Any, grace: Any) -> None:
    with pytest.raises(DomainError) as taken:
        services.change_member_choices(grace, shown_name=ShownName.CHOSEN_NAME, chosen_name="ADA", wants_partner=False)
    assert taken.value.message == "Another member already goes by that name; please choose another."
    assert taken.value.field == "chosen_name"
    services.change_member_choices(grace, shown_name=ShownName.CHOSEN_NAME, chosen_name="Joost", wants_partner=False)
    with pytest.raises(DomainError):
        services.change_member_choices(ada, shown_name=ShownName.CHOSEN_NAME, chosen_name="joost", wants_partner=False)
    # Choosing one's own name again is fine.
    same = services.change_member_choices(
        grace, shown_name=ShownName.CHOSEN_NAME, chosen_name="Joost", wants_partner=True
    )
    assert same.chosen_name == "Joost"


def test_a_chosen_name_leaves_out_the_family_name_and_record_number(
    cohort: Cohort, ada: Any, make_member: Any, facilitator: Any, clinic: Any, coordinator: Any
) -> None:
    patient = ada.patient
    for chosen in ("Ada lovelace", f"Ada {patient.record_number}"):
        with pytest.raises(DomainError) as refused:
            services.change_member_choices(
                ada, shown_name=ShownName.CHOSEN_NAME, chosen_name=chosen, wants_partner=False
            )
        assert refused.value.message == "Please leave out your family name and record number."
    bakker = make_patient(clinic, coordinator, given="Jan", family="Bakker")
    with pytest.raises(DomainError):
        enrol(cohort, bakker, facilitator, shown_name=ShownName.CHOSEN_NAME, chosen_name="Jan Bakker")


def test_two_members_of_the_same_first_name_are_told_apart_by_a_number_not_their_family_name(
    cohort: Cohort, ada: Any, make_member: Any
) -> None:
    emma_v = make_member("Emma", "Visser")
    emma_k = make_member("Emma", "Kok")
    seen = {member.enrolment_id: member.shown_name for member in selectors.fellow_members(cohort)}
    assert seen == {ada.id: "Ada", emma_v.id: "Emma", emma_k.id: "Emma (2)"}
    assert selectors.name_of(emma_k) == "Emma (2)"
    services.post_small_win(emma_k, text="A good week.")
    assert [post.shown_author for post in selectors.board(cohort, for_facilitator=False)] == ["Emma (2)"]
    for name in seen.values():
        assert "V" not in name and "K" not in name


# --- 7. a finished group is closed --------------------------------------------------------------------------


def test_a_finished_group_refuses_session_pairing_and_board_actions(
    cohort: Cohort, ada: Any, grace: Any, facilitator: Any
) -> None:
    session = _session(cohort, 1)
    services.start_cohort(cohort, by=facilitator)
    _finished(cohort, facilitator)
    ada.refresh_from_db()
    grace.refresh_from_db()
    session.refresh_from_db()
    later = _session(cohort, 2)
    attempts = [
        lambda: services.record_attendance(session, marks={ada.id: Attendance.PRESENT}, by=facilitator),
        lambda: services.assign_session_practice(session, details={"title": "Walk"}, by=facilitator),
        lambda: services.reschedule_session(
            later,
            starts_at=later.starts_at + timedelta(hours=1),
            reason="x",
            expected_version=later.version,
            by=facilitator,
        ),
        lambda: services.cancel_session(later, reason="x", by=facilitator),
        lambda: services.propose_pairing(ada.cohort, ada, grace, by=facilitator),
        lambda: services.post_to_board(ada.cohort, kind=PostKind.ANNOUNCEMENT, text="Hello", by=facilitator),
        lambda: services.post_small_win(ada, text="A win"),
    ]
    with clock.pinned(session.starts_at + timedelta(hours=2)):
        for attempt in attempts:
            with pytest.raises(DomainError) as closed:
                attempt()
            assert closed.value.message == "This group has finished."
    assert not Pairing.objects.filter(cohort=cohort).exists()
    assert not BoardPost.objects.filter(cohort=cohort).exists()
    assert not SessionPractice.objects.filter(session__cohort=cohort).exists()


# --- 8. finishing early is confirmed ------------------------------------------------------------------------


def test_finishing_with_sessions_still_planned_needs_a_confirmation(cohort: Cohort, ada: Any, facilitator: Any) -> None:
    services.start_cohort(cohort, by=facilitator)
    sixth = _session(cohort, 6)
    with clock.pinned(sixth.starts_at + timedelta(hours=2)):
        with pytest.raises(DomainError) as planned:
            services.finish_cohort(Cohort.objects.get(pk=cohort.pk), by=facilitator)
        assert planned.value.message == "2 sessions are still planned. To finish the group early, confirm it."
        assert Cohort.objects.get(pk=cohort.pk).status == CohortStatus.RUNNING
        services.finish_cohort(Cohort.objects.get(pk=cohort.pk), by=facilitator, early=True)
    assert Cohort.objects.get(pk=cohort.pk).status == CohortStatus.FINISHED
    statuses = dict(GroupSession.objects.filter(cohort=cohort).values_list("number", "status"))
    assert statuses[7] == statuses[8] == SessionStatus.CANCELLED
    assert statuses[6] == SessionStatus.SCHEDULED  # its time has come: not cancelled by finishing


def test_finishing_after_the_last_session_needs_no_confirmation(cohort: Cohort, ada: Any, facilitator: Any) -> None:
    services.start_cohort(cohort, by=facilitator)
    with clock.pinned(_session(cohort, 8).starts_at + timedelta(days=1)):
        services.finish_cohort(Cohort.objects.get(pk=cohort.pk), by=facilitator)
    assert Cohort.objects.get(pk=cohort.pk).status == CohortStatus.FINISHED


# --- 9. who may enrol, and whom -----------------------------------------------------------------------------


def test_a_patient_no_longer_in_care_is_not_enrolled(cohort: Cohort, patient_record: Any, facilitator: Any) -> None:
    Patient.objects.filter(pk=patient_record.pk).update(status=PatientStatus.DISCHARGED)
    patient_record.refresh_from_db()
    with pytest.raises(DomainError) as refused:
        enrol(cohort, patient_record, facilitator)
    assert refused.value.message == "Ada is no longer in care at the clinic."
    assert not cohort.enrolments.exists()
    Patient.objects.filter(pk=patient_record.pk).update(status=PatientStatus.ACTIVE)
    patient_record.refresh_from_db()
    assert enrol(cohort, patient_record, facilitator).status == EnrolmentStatus.ENROLLED


def test_a_care_team_member_enrols_only_their_own_patients(
    cohort: Cohort, therapist: Any, patient_record: Any, other_patient_record: Any
) -> None:
    with pytest.raises(DomainError):  # Bob is not on Grace's care team and does not run the group
        enrol(cohort, other_patient_record, therapist)
    assert enrol(cohort, patient_record, therapist).status == EnrolmentStatus.ENROLLED


# --- 10. programmes -----------------------------------------------------------------------------------------


def test_the_last_curriculum_session_can_be_removed_never_the_only_one(programme: Any, facilitator: Any) -> None:
    services.update_programme(programme, expected_version=1, changes={"sessions_to_complete": 8}, by=facilitator)
    removed = services.remove_curriculum_session(programme, by=facilitator)
    assert removed.number == 8 and removed.is_entered_in_error
    numbers = list(CurriculumSession.objects.current().filter(programme=programme).values_list("number", flat=True))
    assert numbers == [1, 2, 3, 4, 5, 6, 7]
    programme.refresh_from_db()
    assert programme.sessions_to_complete == 7
    again = services.save_curriculum_session(programme, number=8, details={"title": "Booster"}, by=facilitator)
    assert again.number == 8
    for _ in range(7):
        services.remove_curriculum_session(programme, by=facilitator)
    with pytest.raises(DomainError):
        services.remove_curriculum_session(programme, by=facilitator)
    assert CurriculumSession.objects.current().filter(programme=programme).count() == 1


def test_a_programme_from_the_template_gets_a_name_of_its_own(clinic: Any, programme: Any, facilitator: Any) -> None:
    second = services.create_programme_from_template(clinic, by=facilitator)
    third = services.create_programme_from_template(clinic, by=facilitator)
    assert second.name == f"{programme.name} (2)"
    assert third.name == f"{programme.name} (3)"


# --- 11. withdrawing the consent to take part ----------------------------------------------------------------


def _group_consent(enrolment: Any) -> Consent:
    found: Consent = Consent.objects.get(
        patient_id=enrolment.patient_id,
        scope=ConsentScope.GROUP_PARTICIPATION,
        scope_reference=str(enrolment.cohort_id),
    )
    return found


def _ended_by_consent(enrolment: Any, cohort: Cohort, places_before: int) -> None:
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.WITHDRAWN
    assert enrolment.end_reason == "Consent to take part withdrawn"
    assert Cohort.objects.get(pk=cohort.pk).places_taken == places_before - 1


def test_a_member_withdrawing_consent_on_my_consents_leaves_the_group(
    cohort: Cohort, ada: Any, grace: Any, patient_user: Any, facilitator: Any
) -> None:
    pairing = services.propose_pairing(cohort, ada, grace, by=facilitator)
    services.assign_session_practice(_session(cohort, 1), details={"title": "A short walk"}, by=facilitator)
    consent = _group_consent(ada)
    places = Cohort.objects.get(pk=cohort.pk).places_taken
    response = signed_in(patient_user).post(
        reverse("portal:withdraw_consent", args=[consent.id]), {"version": consent.version}
    )
    assert response.status_code == 302
    consent.refresh_from_db()
    assert consent.withdrawn_at is not None
    _ended_by_consent(ada, cohort, places)
    pairing.refresh_from_db()
    assert pairing.status != PairingStatus.PROPOSED and pairing.ended_at is not None
    from commonground.careplans.choices import PracticeStatus
    from commonground.groups.models import PracticeCopy

    copy = PracticeCopy.objects.select_related("home_practice").get(enrolment=ada)
    assert copy.home_practice.status == PracticeStatus.ENDED
    grace.refresh_from_db()
    assert grace.status == EnrolmentStatus.ENROLLED  # the other member stays


def test_the_care_team_recording_a_withdrawn_consent_ends_the_place(
    cohort: Cohort, ada: Any, grace: Any, coordinator: Any, patient_record: Any
) -> None:
    consent = _group_consent(ada)
    places = Cohort.objects.get(pk=cohort.pk).places_taken
    response = signed_in(coordinator).post(
        reverse("clinician:withdraw_consent", args=[patient_record.id, consent.id]),
        {"version": consent.version, "reason": "Said so on the phone"},
    )
    assert response.status_code == 302
    _ended_by_consent(ada, cohort, places)


def test_another_consent_withdrawn_leaves_the_group_place_alone(cohort: Cohort, ada: Any, facilitator: Any) -> None:
    from commonground.patients import services as patient_services

    other = patient_services.record_consent(
        ada.patient, scope=ConsentScope.RESEARCH, text_version="r1", recorded_by=facilitator
    )
    withdrawn = patient_services.withdraw_consent(other, expected_version=other.version)
    assert services.consent_withdrawn(withdrawn, by=facilitator) is None
    ada.refresh_from_db()
    assert ada.status == EnrolmentStatus.ENROLLED


def test_a_member_who_left_takes_their_small_wins_off_the_members_board(
    cohort: Cohort, ada: Any, make_member: Any, facilitator: Any
) -> None:
    emma = make_member("Emma", "Visser")
    services.post_small_win(emma, text="I walked to the shop.")
    services.withdraw(emma, reason="", by=facilitator)
    assert selectors.board(cohort, for_facilitator=False) == []
    assert [post.text for post in selectors.board(cohort, for_facilitator=True)] == ["I walked to the shop."]
