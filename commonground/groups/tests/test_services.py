"""The groups services: programmes, cohorts, enrolment and the waiting list, sessions, practice, notices."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from commonground.groups import services
from commonground.groups.choices import (
    Attendance,
    CohortStatus,
    EnrolmentSource,
    EnrolmentStatus,
    PairingStatus,
    SessionStatus,
    ShownName,
)
from commonground.groups.models import AttendanceRecord, Cohort, GroupSession, PracticeCopy
from commonground.groups.tests.conftest import STARTS_ON, cohort_details, enrol
from commonground.kit import clock
from commonground.kit.errors import DomainError
from commonground.patients.choices import ConsentScope
from commonground.patients.models import Consent

pytestmark = pytest.mark.django_db


# --- programmes and cohorts -----------------------------------------------------------------------------------


def test_the_template_gives_eight_weekly_sessions_of_ninety_minutes(programme: Any) -> None:
    sessions = list(programme.sessions.order_by("number"))
    assert [s.number for s in sessions] == list(range(1, 9))
    assert programme.session_minutes == 90 and programme.days_between == 7
    assert programme.instruments == ["phq15", "wsas"]
    skills = " ".join(s.skill.lower() for s in sessions)
    for skill in ("breathing", "activity scheduling", "reframing", "assertive", "pacing"):
        assert skill in skills


def test_a_cohort_gets_one_session_a_week_at_the_same_clock_time(cohort: Cohort) -> None:
    sessions = list(GroupSession.objects.filter(cohort=cohort).order_by("number"))
    assert len(sessions) == 8
    local = [s.starts_at.astimezone(ZoneInfo("Europe/Amsterdam")) for s in sessions]
    assert [moment.date() for moment in local] == [STARTS_ON + timedelta(days=7 * i) for i in range(8)]
    assert {moment.time() for moment in local} == {time(14, 0)}  # across the change to summer time on 29 March
    assert all(s.minutes == 90 and s.place == "Room 2, Riverside clinic" for s in sessions)


def test_only_facilitators_and_coordinators_keep_programmes(clinic: Any, therapist: Any) -> None:
    with pytest.raises(DomainError):
        services.create_programme_from_template(clinic, by=therapist)


def test_unknown_questionnaires_are_refused(clinic: Any, facilitator: Any) -> None:
    with pytest.raises(DomainError) as refused:
        services.create_programme(
            clinic, details={"name": "X", "instruments": ["nope"]}, sessions=[{"title": "One"}], by=facilitator
        )
    assert refused.value.field == "instruments"


# --- enrolment --------------------------------------------------------------------------------------------------


def test_enrolment_records_consent_and_takes_a_place(cohort: Cohort, ada: Any, patient_record: Any) -> None:
    cohort.refresh_from_db()
    assert ada.status == EnrolmentStatus.ENROLLED and cohort.places_taken == 1
    consent = Consent.objects.get(pk=ada.consent_id)
    assert consent.scope == ConsentScope.GROUP_PARTICIPATION and consent.scope_reference == str(cohort.id)
    assert consent.patient_id == patient_record.id
    assert ada.shown_name == ShownName.FIRST_NAME


def test_no_consent_no_enrolment(cohort: Cohort, patient_record: Any, facilitator: Any) -> None:
    with pytest.raises(DomainError) as refused:
        enrol(cohort, patient_record, facilitator, consent_given=False)
    assert refused.value.field == "consent_given"
    assert not Consent.objects.filter(patient=patient_record).exclude(scope=ConsentScope.CARE).exists()


def test_the_last_place_gone_offers_the_waiting_list(cohort: Cohort, ada: Any, grace: Any, make_member: Any) -> None:
    make_member("Hana")
    with pytest.raises(services.CohortFull) as full:
        make_member("Ivo")
    assert "The last place has just been taken" in full.value.message and "Ivo" in full.value.message
    waiting = make_member("Ivo", waiting_list_if_full=True)
    assert waiting.status == EnrolmentStatus.WAITING and waiting.waiting_since is not None
    cohort.refresh_from_db()
    assert cohort.places_taken == 3


def test_withdraw_frees_the_place_for_the_waiting_list(
    cohort: Cohort, ada: Any, grace: Any, make_member: Any, facilitator: Any
) -> None:
    make_member("Hana")
    waiting = make_member("Ivo", waiting_list_if_full=True)
    with pytest.raises(services.CohortFull):
        services.offer_place(waiting, by=facilitator)
    left = services.withdraw(grace, reason="Moved away", by=facilitator)
    assert left.status == EnrolmentStatus.WITHDRAWN and left.end_reason == "Moved away"
    placed = services.offer_place(waiting, by=facilitator)
    assert placed.status == EnrolmentStatus.ENROLLED
    cohort.refresh_from_db()
    assert cohort.places_taken == 3


def test_enrolled_twice_is_refused(cohort: Cohort, ada: Any, patient_record: Any, facilitator: Any) -> None:
    with pytest.raises(DomainError):
        enrol(cohort, patient_record, facilitator, source=EnrolmentSource.REFERRAL)


# --- sessions ---------------------------------------------------------------------------------------------------


def test_attendance_is_recorded_and_changed_and_the_session_is_held(
    cohort: Cohort, ada: Any, grace: Any, facilitator: Any
) -> None:
    session = GroupSession.objects.get(cohort=cohort, number=1)
    with clock.pinned(session.starts_at + timedelta(hours=2)):
        services.record_attendance(
            session, marks={ada.id: Attendance.PRESENT, grace.id: Attendance.ABSENT_WITH_NOTICE}, by=facilitator
        )
        session.refresh_from_db()
        assert session.status == SessionStatus.HELD
        services.record_attendance(session, marks={grace.id: Attendance.PRESENT}, by=facilitator)
    marks = dict(AttendanceRecord.objects.filter(session=session).values_list("enrolment_id", "status"))
    assert marks == {ada.id: Attendance.PRESENT, grace.id: Attendance.PRESENT}
    assert AttendanceRecord.objects.get(session=session, enrolment=grace).version == 2


def test_reschedule_sends_a_notice_without_content_after_commit(
    cohort: Cohort, ada: Any, grace: Any, facilitator: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from commonground.notifications.transports import MemoryTransport

    session = GroupSession.objects.get(cohort=cohort, number=2)
    new_time = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)
    with django_capture_on_commit_callbacks(execute=False) as waiting:
        services.reschedule_session(
            session, starts_at=new_time, reason="Room taken", expected_version=session.version, by=facilitator
        )
    assert waiting and MemoryTransport.outbox == []  # nothing leaves before the transaction commits
    session.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        services.reschedule_session(
            session, starts_at=new_time, reason="Room taken", expected_version=session.version, by=facilitator
        )
    assert sorted(m.to for m in MemoryTransport.outbox) == ["ada@home.test", "grace@home.test"]
    for message in MemoryTransport.outbox:
        for secret in ("Ada", "Grace", "Lovelace", "Hopper", "Room taken", "Spring group", str(cohort.id)):
            assert secret not in message.body and secret not in message.subject


def test_group_practice_reaches_every_member_and_skips_one_already_practising(
    cohort: Cohort, ada: Any, grace: Any, facilitator: Any
) -> None:
    from commonground.careplans import services as careplans_services

    careplans_services.assign_group_practice(
        ada.patient, details={"library_item": "diaphragmatic-breathing"}, by=facilitator
    )
    session = GroupSession.objects.get(cohort=cohort, number=1)
    practice = services.assign_session_practice(
        session, details={"library_item": "diaphragmatic-breathing", "how_often": "Twice a day"}, by=facilitator
    )
    copies = list(PracticeCopy.objects.filter(practice=practice))
    assert [copy.enrolment_id for copy in copies] == [grace.id]
    from commonground.groups import selectors

    assert [e.id for e in selectors.practice_skipped(practice)] == [ada.id]


def test_withdraw_ends_pairings_and_group_practice(cohort: Cohort, ada: Any, grace: Any, facilitator: Any) -> None:
    session = GroupSession.objects.get(cohort=cohort, number=1)
    practice = services.assign_session_practice(session, details={"title": "Walk daily"}, by=facilitator)
    pairing = services.ask_to_pair(ada, grace)
    pairing = services.agree_to_pairing(pairing, grace)
    assert pairing.status == PairingStatus.ACTIVE
    services.withdraw(grace, reason="", by=facilitator)
    pairing.refresh_from_db()
    assert pairing.status == PairingStatus.ENDED
    copy = PracticeCopy.objects.get(practice=practice, enrolment=grace)
    copy.home_practice.refresh_from_db()
    assert copy.home_practice.status == "ended"


def test_finish_and_cancel(cohort: Cohort, ada: Any, make_member: Any, facilitator: Any) -> None:
    services.start_cohort(cohort, by=facilitator)
    services.finish_cohort(Cohort.objects.get(pk=cohort.pk), by=facilitator, early=True)
    ada.refresh_from_db()
    assert ada.status == EnrolmentStatus.FINISHED
    assert Cohort.objects.get(pk=cohort.pk).status == CohortStatus.FINISHED


def test_a_cohort_needs_a_facilitator(programme: Any, facilitator: Any) -> None:
    with pytest.raises(DomainError):
        services.create_cohort(programme, details=cohort_details(), facilitators=[], by=facilitator)


# --- more rules -------------------------------------------------------------------------------------------------


def test_programme_edits_are_versioned_and_sessions_added_in_order(programme: Any, facilitator: Any) -> None:
    from commonground.kit.errors import StaleEdit

    changed = services.update_programme(
        programme, expected_version=1, changes={"name": "Living well", "sessions_to_complete": 5}, by=facilitator
    )
    assert (changed.name, changed.version, changed.sessions_to_complete) == ("Living well", 2, 5)
    with pytest.raises(StaleEdit):
        services.update_programme(programme, expected_version=1, changes={"name": "Other"}, by=facilitator)
    ninth = services.save_curriculum_session(programme, number=9, details={"title": "Booster"}, by=facilitator)
    assert ninth.number == 9
    with pytest.raises(DomainError):
        services.save_curriculum_session(programme, number=11, details={"title": "Gap"}, by=facilitator)
    first = services.save_curriculum_session(programme, number=1, details={"skill": "Slow breathing"}, by=facilitator)
    assert first.skill == "Slow breathing" and first.title.startswith("Welcome")


def test_changing_a_programme_leaves_existing_cohorts_as_they_were(
    cohort: Cohort, programme: Any, facilitator: Any
) -> None:
    services.save_curriculum_session(programme, number=1, details={"title": "Renamed"}, by=facilitator)
    assert GroupSession.objects.get(cohort=cohort, number=1).title.startswith("Welcome")


def test_a_cohort_keeps_at_least_the_places_taken_and_moves_its_sessions_while_planned(
    cohort: Cohort, ada: Any, grace: Any, facilitator: Any
) -> None:
    cohort.refresh_from_db()
    with pytest.raises(DomainError) as refused:
        services.update_cohort(cohort, expected_version=cohort.version, changes={"capacity": 1}, by=facilitator)
    assert refused.value.field == "capacity"
    later = STARTS_ON + timedelta(days=7)
    moved = services.update_cohort(
        cohort,
        expected_version=cohort.version,
        changes={"starts_on": later, "place": "Room 5", "capacity": 6},
        by=facilitator,
    )
    first = GroupSession.objects.get(cohort=moved, number=1)
    assert first.starts_at.astimezone(ZoneInfo("Europe/Amsterdam")).date() == later and first.place == "Room 5"
    services.start_cohort(moved, by=facilitator)
    moved.refresh_from_db()
    with pytest.raises(DomainError):
        services.update_cohort(moved, expected_version=moved.version, changes={"starts_on": STARTS_ON}, by=facilitator)


def test_only_the_groups_facilitators_coordinators_and_the_care_team_enrol(
    cohort: Cohort, therapist: Any, outsider: Any, foreign_clinician: Any, patient_record: Any
) -> None:
    for person in (outsider, foreign_clinician):  # neither runs the group nor is on Ada's care team
        with pytest.raises(DomainError):
            enrol(cohort, patient_record, person)
    # Bob is on Ada's care team (not a facilitator): he offers her a place from the care plan.
    placed = enrol(cohort, patient_record, therapist)
    assert (placed.status, placed.enrolled_by_id) == (EnrolmentStatus.ENROLLED, therapist.id)


def test_a_patient_of_another_clinic_is_not_enrolled(cohort: Cohort, foreign_patient: Any, facilitator: Any) -> None:
    with pytest.raises(DomainError):
        enrol(cohort, foreign_patient, facilitator)


def test_a_chosen_name_must_be_written(ada: Any) -> None:
    with pytest.raises(DomainError) as refused:
        services.change_member_choices(ada, shown_name=ShownName.CHOSEN_NAME, chosen_name="", wants_partner=False)
    assert refused.value.field == "chosen_name"
    changed = services.change_member_choices(ada, shown_name=ShownName.INITIALS, chosen_name="x", wants_partner=False)
    assert (changed.shown_name, changed.chosen_name, changed.wants_partner) == (ShownName.INITIALS, "", False)


def test_attendance_only_for_members(cohort: Cohort, ada: Any, make_member: Any, facilitator: Any) -> None:
    session = GroupSession.objects.get(cohort=cohort, number=1)
    other = services.create_cohort(
        cohort.programme, details=cohort_details(name="Other"), facilitators=[facilitator], by=facilitator
    )
    stranger = make_member("Hana", cohort=other)
    with clock.pinned(session.starts_at):
        with pytest.raises(DomainError):
            services.record_attendance(session, marks={ada.id: "late"}, by=facilitator)
        with pytest.raises(DomainError):
            services.record_attendance(session, marks={stranger.id: Attendance.PRESENT}, by=facilitator)


def test_a_session_note_comes_back_with_the_language_checks_findings(cohort: Cohort, facilitator: Any) -> None:
    session = GroupSession.objects.get(cohort=cohort, number=1)
    saved, findings = services.write_session_note(
        session, note="One member claims the pain is constant.", skills_practised="Belly breathing", by=facilitator
    )
    assert saved.skills_practised == "Belly breathing" and saved.note.startswith("One member")
    assert [f.rule_key for f in findings] == ["claims-insists"]


def test_a_member_note_is_a_group_note_in_the_members_record(cohort: Cohort, ada: Any, facilitator: Any) -> None:
    from commonground.groups.models import MemberNote
    from commonground.notes.choices import NoteKind

    session = GroupSession.objects.get(cohort=cohort, number=1)
    note = services.write_member_note(session, ada, text="Practised breathing with ease.", by=facilitator)
    assert (note.patient_id, note.kind) == (ada.patient_id, NoteKind.GROUP)
    assert MemberNote.objects.get(note=note).enrolment_id == ada.id


def test_rescheduling_needs_a_reason_and_the_version_seen(cohort: Cohort, facilitator: Any) -> None:
    from commonground.kit.errors import StaleEdit

    session = GroupSession.objects.get(cohort=cohort, number=3)
    later = session.starts_at + timedelta(hours=1)
    with pytest.raises(DomainError):
        services.reschedule_session(session, starts_at=later, reason=" ", expected_version=1, by=facilitator)
    moved = services.reschedule_session(session, starts_at=later, reason="Holiday", expected_version=1, by=facilitator)
    assert moved.rescheduled_from is not None and moved.starts_at == later
    with pytest.raises(StaleEdit):
        services.reschedule_session(session, starts_at=later, reason="Again", expected_version=1, by=facilitator)


def test_cancelling_a_session_or_the_group_tells_members_without_content(
    cohort: Cohort, ada: Any, grace: Any, facilitator: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from commonground.notifications.transports import MemoryTransport

    session = GroupSession.objects.get(cohort=cohort, number=4)
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_session(session, reason="Facilitator ill", by=facilitator)
    assert len(MemoryTransport.outbox) == 2 and all("ill" not in m.body for m in MemoryTransport.outbox)
    MemoryTransport.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_cohort(cohort, reason="Too few members", by=facilitator)
    assert sorted(m.to for m in MemoryTransport.outbox) == ["ada@home.test", "grace@home.test"]
    assert all("Too few" not in m.body for m in MemoryTransport.outbox)
    cohort.refresh_from_db()
    assert (cohort.status, cohort.places_taken) == (CohortStatus.CANCELLED, 0)
    assert not GroupSession.objects.filter(cohort=cohort, status=SessionStatus.SCHEDULED).exists()
    ada.refresh_from_db()
    assert ada.status == EnrolmentStatus.WITHDRAWN


def test_members_without_a_portal_account_get_no_e_mail(
    cohort: Cohort, make_member: Any, facilitator: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from commonground.notifications.transports import MemoryTransport

    make_member("Hana", with_user=False)
    session = GroupSession.objects.get(cohort=cohort, number=2)
    with django_capture_on_commit_callbacks(execute=True):
        services.reschedule_session(
            session, starts_at=session.starts_at + timedelta(days=1), reason="Room", expected_version=1, by=facilitator
        )
    assert MemoryTransport.outbox == []
