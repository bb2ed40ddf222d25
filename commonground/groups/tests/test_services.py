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
    services.finish_cohort(Cohort.objects.get(pk=cohort.pk), by=facilitator)
    ada.refresh_from_db()
    assert ada.status == EnrolmentStatus.FINISHED
    assert Cohort.objects.get(pk=cohort.pk).status == CohortStatus.FINISHED


def test_a_cohort_needs_a_facilitator(programme: Any, facilitator: Any) -> None:
    with pytest.raises(DomainError):
        services.create_cohort(programme, details=cohort_details(), facilitators=[], by=facilitator)
