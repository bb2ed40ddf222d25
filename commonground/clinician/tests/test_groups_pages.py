"""The staff's group pages: who opens them (a cohort's facilitators and the clinic's coordinators; 404 for any
other clinician and for another clinic), their forms (saved, or nothing saved on bad input), the full-cohort
message with the waiting list, attendance in one form, the chart's Groups tab and the outcome charts."""

from __future__ import annotations

from datetime import date, time, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from commonground.accounts.choices import Role
from commonground.clinician import groups_display as display
from commonground.groups import services
from commonground.groups.models import AttendanceRecord, Cohort, Enrolment, GroupSession, Programme
from commonground.kit import clock
from commonground.kit.errors import DomainError
from commonground.measures.charts import DETERIORATION, IMPROVEMENT, PLAIN
from tests.personas import make_staff, signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def facilitator(clinic):
    return make_staff(clinic, "gina", Role.GROUP_FACILITATOR)


@pytest.fixture
def programme(clinic, coordinator):
    return services.create_programme_from_template(clinic, by=coordinator)


def _details(**changes):
    starts = clock.local_date(clock.now(), "Europe/Amsterdam") + timedelta(days=14)
    details = {
        "name": "Tuesday group",
        "capacity": 8,
        "starts_on": starts,
        "session_time": time(14, 0),
        "place": "Room 2",
        "online_link": "",
    }
    return details | changes


@pytest.fixture
def cohort(programme, facilitator, coordinator):
    return services.create_cohort(programme, details=_details(), facilitators=[facilitator], by=coordinator)


@pytest.fixture
def enrolment(cohort, patient_record, coordinator):
    return services.enrol(cohort, patient_record, source="care_plan", consent_given=True, by=coordinator)


def _first_session(cohort):
    return GroupSession.objects.current().filter(cohort=cohort).order_by("number").first()


def _started(session, hours=1):
    """Move the session's start into the past (attendance is taken from its start), its members enrolled before."""
    starts = clock.now() - timedelta(hours=hours)
    GroupSession.objects.filter(pk=session.pk).update(starts_at=starts)
    Enrolment.objects.filter(cohort_id=session.cohort_id, enrolled_at__isnull=False).update(
        enrolled_at=starts - timedelta(days=1)
    )
    session.refresh_from_db()
    return session


def _cohort_urls(cohort, enrolment, session):
    return [
        reverse("clinician:cohort", args=[cohort.id]),
        reverse("clinician:edit_cohort", args=[cohort.id]),
        reverse("clinician:cohort_members", args=[cohort.id]),
        reverse("clinician:cohort_member", args=[cohort.id, enrolment.id]),
        reverse("clinician:group_session", args=[cohort.id, session.id]),
        reverse("clinician:cohort_partners", args=[cohort.id]),
        reverse("clinician:cohort_board", args=[cohort.id]),
        reverse("clinician:cohort_concerns", args=[cohort.id]),
        reverse("clinician:cohort_outcomes", args=[cohort.id]),
    ]


# --- who opens what -----------------------------------------------------------------------------------------------


def test_every_cohort_page_opens_for_its_facilitator_and_the_coordinator(cohort, enrolment, facilitator, coordinator):
    for person in (facilitator, coordinator):
        client = signed_in(person)
        for url in _cohort_urls(cohort, enrolment, _first_session(cohort)):
            response = client.get(url)
            assert response.status_code == 200, (person.username, url, response.status_code)
            assert b"Tuesday group" in response.content


def test_every_cohort_page_is_not_found_for_other_clinicians_and_other_clinics(
    cohort, enrolment, therapist, outsider, foreign_clinician
):
    urls = _cohort_urls(cohort, enrolment, _first_session(cohort))
    for person in (therapist, outsider, foreign_clinician):
        client = signed_in(person)
        for url in urls:
            response = client.get(url)
            assert response.status_code == 404, (person.username, url, response.status_code)
            assert b"Tuesday group" not in response.content


def test_writes_are_not_found_for_a_clinician_outside_the_group_and_change_nothing(
    cohort, enrolment, outsider, foreign_clinician, other_patient_record
):
    session = _first_session(cohort)
    posts = [
        (reverse("clinician:cohort_enrol", args=[cohort.id]), {"patient": str(other_patient_record.id)}),
        (reverse("clinician:cohort_withdraw", args=[cohort.id, enrolment.id]), {"reason": "x"}),
        (
            reverse("clinician:group_attendance", args=[cohort.id, session.id]),
            {f"mark_{enrolment.id}": "present"},
        ),
        (reverse("clinician:group_cancel_session", args=[cohort.id, session.id]), {"reason": "x"}),
        (reverse("clinician:cohort_status", args=[cohort.id]), {"action": "cancel", "reason": "x"}),
    ]
    for person in (outsider, foreign_clinician):
        client = signed_in(person)
        for url, data in posts:
            assert client.post(url, data).status_code == 404, (person.username, url)
    enrolment.refresh_from_db()
    cohort.refresh_from_db()
    assert enrolment.status == "enrolled" and cohort.status == "planned"
    assert not AttendanceRecord.objects.exists()
    assert _first_session(cohort).status == "scheduled"


def test_the_groups_page_lists_my_cohorts_and_the_nav_links_to_it(cohort, facilitator, therapist):
    response = signed_in(facilitator).get(reverse("clinician:groups"))
    assert response.status_code == 200
    assert b"Tuesday group" in response.content
    assert reverse("clinician:groups").encode() in response.content
    next_session = reverse("clinician:group_session", args=[cohort.id, _first_session(cohort).id])
    assert next_session.encode() in response.content
    other = signed_in(therapist).get(reverse("clinician:groups"))
    assert other.status_code == 200 and b"Tuesday group" not in other.content


def test_the_member_page_opens_the_patient_through_the_gateway(cohort, enrolment, facilitator, patient_record):
    from commonground.audit.models import AuditEvent

    url = reverse("clinician:cohort_member", args=[cohort.id, enrolment.id])
    response = signed_in(facilitator).get(url)
    assert response.status_code == 200
    assert patient_record.display_name.encode() in response.content
    assert AuditEvent.objects.filter(patient_id=patient_record.id, object_type="group_enrolment").exists()
    stranger = services.create_cohort(
        cohort.programme, details=_details(name="Other group"), facilitators=[facilitator], by=facilitator
    )
    assert (
        signed_in(facilitator).get(reverse("clinician:cohort_member", args=[stranger.id, enrolment.id])).status_code
        == 404
    )


# --- programmes -----------------------------------------------------------------------------------------------------


def test_programmes_are_kept_by_facilitators_and_coordinators_only(programme, facilitator, coordinator, therapist):
    for person in (facilitator, coordinator):
        assert signed_in(person).get(reverse("clinician:group_programmes")).status_code == 200
        assert signed_in(person).get(reverse("clinician:group_programme", args=[programme.id])).status_code == 200
    for url in (reverse("clinician:group_programmes"), reverse("clinician:group_programme", args=[programme.id])):
        assert signed_in(therapist).get(url).status_code == 404
    assert signed_in(therapist).post(reverse("clinician:new_group_programme")).status_code == 404


def test_a_programme_is_made_from_the_standard_curriculum(clinic, facilitator):
    response = signed_in(facilitator).post(reverse("clinician:new_group_programme"))
    made = Programme.objects.current().get(organisation=clinic)
    assert response.status_code == 302 and response["Location"] == reverse("clinician:group_programme", args=[made.id])
    assert made.sessions.filter(record_status="active").count() == 8


def _programme_post(programme, **changes):
    data = {
        "version": programme.version,
        "name": "Living well, Tuesdays",
        "summary": programme.summary,
        "session_minutes": 90,
        "days_between": 7,
        "sessions_to_complete": 6,
        "instruments": ["phq15"],
        "active": "on",
    }
    return data | changes


def test_a_programme_is_changed_and_bad_input_saves_nothing(programme, facilitator):
    client = signed_in(facilitator)
    url = reverse("clinician:group_programme", args=[programme.id])
    bad = client.post(url, _programme_post(programme, name="", session_minutes="0"))
    assert bad.status_code == 400
    programme.refresh_from_db()
    assert programme.name != "Living well, Tuesdays"
    assert client.post(url, _programme_post(programme)).status_code == 302
    programme.refresh_from_db()
    assert programme.name == "Living well, Tuesdays" and programme.instruments == ["phq15"]


def test_a_stale_programme_edit_answers_409_and_keeps_the_colleagues_version(programme, facilitator, coordinator):
    stale = _programme_post(programme, name="Mine")
    services.update_programme(programme, expected_version=programme.version, changes={"name": "Theirs"}, by=coordinator)
    response = signed_in(facilitator).post(reverse("clinician:group_programme", args=[programme.id]), stale)
    assert response.status_code == 409
    assert b"Theirs" in response.content
    programme.refresh_from_db()
    assert programme.name == "Theirs"


def test_a_curriculum_session_is_changed(programme, facilitator):
    url = reverse("clinician:group_curriculum_session", args=[programme.id, 2])
    client = signed_in(facilitator)
    assert client.get(url).status_code == 200
    assert client.post(url, {"title": ""}).status_code == 400
    response = client.post(url, {"title": "Symptoms and worry", "skill": "Noticing"})
    assert response.status_code == 302
    session = programme.sessions.get(record_status="active", number=2)
    assert session.title == "Symptoms and worry"


# --- cohorts --------------------------------------------------------------------------------------------------------


def _cohort_post(facilitator, **changes):
    starts = clock.local_date(clock.now(), "Europe/Amsterdam") + timedelta(days=10)
    data = {
        "name": "Thursday group",
        "capacity": "6",
        "starts_on": starts.isoformat(),
        "session_time": "10:00",
        "session_minutes": "",
        "place": "Room 1",
        "online_link": "",
        "facilitators": [str(facilitator.id)],
    }
    return data | changes


def test_a_cohort_is_planned_from_a_programme_with_its_sessions(programme, facilitator, outsider):
    client = signed_in(facilitator)
    url = reverse("clinician:new_cohort", args=[programme.id])
    assert client.get(url).status_code == 200
    response = client.post(url, _cohort_post(facilitator, facilitators=[str(facilitator.id), str(outsider.id)]))
    made = Cohort.objects.current().get(name="Thursday group")
    assert response.status_code == 302 and response["Location"] == reverse("clinician:cohort", args=[made.id])
    assert made.sessions.count() == 8 and made.session_minutes == 90
    assert signed_in(outsider).get(reverse("clinician:cohort", args=[made.id])).status_code == 200


def test_a_cohort_with_bad_input_saves_nothing(programme, facilitator):
    client = signed_in(facilitator)
    url = reverse("clinician:new_cohort", args=[programme.id])
    for bad in (
        _cohort_post(facilitator, facilitators=[]),
        _cohort_post(facilitator, capacity="0"),
        _cohort_post(facilitator, place="", online_link=""),
    ):
        response = client.post(url, bad)
        assert response.status_code == 400
    assert not Cohort.objects.filter(name="Thursday group").exists()
    assert b"Choose at least one facilitator." in client.post(url, _cohort_post(facilitator, facilitators=[])).content


def test_a_stale_cohort_edit_answers_409(cohort, facilitator, coordinator):
    url = reverse("clinician:edit_cohort", args=[cohort.id])
    stale = {"version": cohort.version, "name": "Mine", "capacity": "8", "place": "Room 2", "online_link": ""}
    services.update_cohort(cohort, expected_version=cohort.version, changes={"name": "Theirs"}, by=coordinator)
    response = signed_in(facilitator).post(url, stale)
    assert response.status_code == 409
    cohort.refresh_from_db()
    assert cohort.name == "Theirs"


# --- enrolment --------------------------------------------------------------------------------------------------


def _enrol_post(patient, **changes):
    data = {
        "patient": str(patient.id),
        "source": "care_plan",
        "shown_name": "first_name",
        "chosen_name": "",
        "consent_given": "on",
    }
    return data | changes


def test_a_coordinator_enrols_a_patient_they_may_see_with_consent(cohort, coordinator, patient_record):
    client = signed_in(coordinator)
    page = client.get(reverse("clinician:cohort_members", args=[cohort.id]))
    assert patient_record.display_name.encode() in page.content  # offered in the form
    response = client.post(reverse("clinician:cohort_enrol", args=[cohort.id]), _enrol_post(patient_record))
    assert response.status_code == 302
    enrolment = Enrolment.objects.current().get(cohort=cohort, patient=patient_record)
    assert enrolment.status == "enrolled" and enrolment.shown_name == "first_name" and enrolment.consent is not None


def test_enrolment_without_consent_or_with_bad_choices_saves_nothing(cohort, coordinator, patient_record):
    client = signed_in(coordinator)
    url = reverse("clinician:cohort_enrol", args=[cohort.id])
    no_consent = _enrol_post(patient_record)
    del no_consent["consent_given"]
    response = client.post(url, no_consent)
    assert response.status_code == 400
    assert b"Their consent is needed" in response.content
    assert client.post(url, _enrol_post(patient_record, shown_name="chosen_name")).status_code == 400
    assert not Enrolment.objects.filter(cohort=cohort).exists()
    cohort.refresh_from_db()
    assert cohort.places_taken == 0


def test_a_patient_the_person_may_not_see_cannot_be_enrolled(cohort, facilitator, patient_record):
    """The facilitator is not on Ada's care team: she is not offered, and sending her id does not enrol her."""
    client = signed_in(facilitator)
    response = client.post(reverse("clinician:cohort_enrol", args=[cohort.id]), _enrol_post(patient_record))
    assert response.status_code == 400
    assert not Enrolment.objects.filter(cohort=cohort).exists()


def test_a_full_cohort_says_so_and_offers_the_waiting_list(
    programme, facilitator, coordinator, patient_record, other_patient_record
):
    small = services.create_cohort(programme, details=_details(capacity=1), facilitators=[facilitator], by=coordinator)
    services.enrol(small, other_patient_record, source="care_plan", consent_given=True, by=coordinator)
    client = signed_in(coordinator)
    url = reverse("clinician:cohort_enrol", args=[small.id])
    response = client.post(url, _enrol_post(patient_record))
    assert response.status_code == 409
    assert b"The last place has just been taken" in response.content
    assert b'name="waiting_list_if_full"' in response.content
    assert not Enrolment.objects.filter(cohort=small, patient=patient_record).exists()
    response = client.post(url, _enrol_post(patient_record, waiting_list_if_full="1"))
    assert response.status_code == 302
    waiting = Enrolment.objects.current().get(cohort=small, patient=patient_record)
    assert waiting.status == "waiting"
    page = client.get(reverse("clinician:cohort_members", args=[small.id]))
    assert b"Waiting list" in page.content and patient_record.display_name.encode() in page.content


def test_a_member_is_withdrawn_with_a_reason_and_the_place_is_offered_to_the_waiting_list(
    programme, facilitator, coordinator, patient_record, other_patient_record
):
    small = services.create_cohort(programme, details=_details(capacity=1), facilitators=[facilitator], by=coordinator)
    first = services.enrol(small, other_patient_record, source="care_plan", consent_given=True, by=coordinator)
    second = services.enrol(
        small, patient_record, source="care_plan", consent_given=True, by=coordinator, waiting_list_if_full=True
    )
    client = signed_in(coordinator)
    withdraw = reverse("clinician:cohort_withdraw", args=[small.id, first.id])
    assert client.post(withdraw, {"reason": ""}).status_code == 302
    first.refresh_from_db()
    assert first.status == "enrolled"  # no reason: nothing changed
    assert client.post(withdraw, {"reason": "Moved away"}).status_code == 302
    first.refresh_from_db()
    assert first.status == "withdrawn" and first.end_reason == "Moved away"
    assert client.post(reverse("clinician:cohort_offer_place", args=[small.id, second.id])).status_code == 302
    second.refresh_from_db()
    assert second.status == "enrolled"


# --- a session --------------------------------------------------------------------------------------------------


def test_attendance_is_recorded_for_every_member_in_one_form(
    cohort, enrolment, coordinator, facilitator, other_patient_record
):
    other = services.enrol(cohort, other_patient_record, source="care_plan", consent_given=True, by=coordinator)
    session = _started(_first_session(cohort))
    client = signed_in(facilitator)
    url = reverse("clinician:group_attendance", args=[cohort.id, session.id])
    page = client.get(reverse("clinician:group_session", args=[cohort.id, session.id]))
    assert f'name="mark_{enrolment.id}"'.encode() in page.content
    half = client.post(url, {f"mark_{enrolment.id}": "present"})
    assert half.status_code == 400
    assert not AttendanceRecord.objects.exists()
    response = client.post(url, {f"mark_{enrolment.id}": "present", f"mark_{other.id}": "absent_with_notice"})
    assert response.status_code == 302
    marks = dict(AttendanceRecord.objects.current().values_list("enrolment_id", "status"))
    assert marks == {enrolment.id: "present", other.id: "absent_with_notice"}
    session.refresh_from_db()
    assert session.status == "held"
    outcomes = client.get(reverse("clinician:cohort_outcomes", args=[cohort.id]))
    assert outcomes.status_code == 200
    assert b'class="cohort-chart"' in outcomes.content and b"<table" in outcomes.content


def test_the_session_note_is_saved_and_its_wording_check_shown_without_blocking(cohort, enrolment, facilitator):
    session = _first_session(cohort)
    url = reverse("clinician:group_session_note", args=[cohort.id, session.id])
    client = signed_in(facilitator)
    assert client.post(url, {"note": "", "skills_practised": ""}).status_code == 400
    response = client.post(
        url, {"note": "One member insists the breathing does nothing.", "skills_practised": "Breathing"}
    )
    assert response.status_code == 200
    assert b"Wording check" in response.content
    session.refresh_from_db()
    assert session.note.startswith("One member insists") and session.skills_practised == "Breathing"


def test_a_note_about_one_member_goes_to_their_record(cohort, enrolment, facilitator, patient_record):
    from commonground.notes.models import Note

    session = _first_session(cohort)
    url = reverse("clinician:group_member_note", args=[cohort.id, session.id])
    client = signed_in(facilitator)
    assert client.post(url, {"enrolment": str(enrolment.id), "text": ""}).status_code == 400
    assert (
        client.post(url, {"enrolment": str(enrolment.id), "text": "Practised the breathing well."}).status_code == 302
    )
    assert Note.objects.filter(patient=patient_record, kind="group").count() == 1
    page = client.get(reverse("clinician:group_session", args=[cohort.id, session.id]))
    assert b"About Ada Lovelace" in page.content and b"by Gina" in page.content
    assert b"Practised the breathing well." in page.content


def test_a_session_is_moved_with_a_reason_and_cancelled(cohort, enrolment, facilitator):
    session = _first_session(cohort)
    client = signed_in(facilitator)
    move = reverse("clinician:group_reschedule", args=[cohort.id, session.id])
    new_day = (session.starts_at + timedelta(days=1)).date()
    data = {"version": session.version, "on": new_day.isoformat(), "at": "15:30", "place": "Room 3", "online_link": ""}
    assert client.post(move, data | {"reason": ""}).status_code == 400
    stale = data | {"reason": "Room taken", "version": session.version + 5}
    assert client.post(move, stale).status_code == 409
    assert client.post(move, data | {"reason": "Room taken"}).status_code == 302
    session.refresh_from_db()
    assert session.place == "Room 3" and session.reschedule_reason == "Room taken"
    cancel = reverse("clinician:group_cancel_session", args=[cohort.id, session.id])
    assert client.post(cancel, {"reason": ""}).status_code == 400
    assert client.post(cancel, {"reason": "Facilitator ill"}).status_code == 302
    session.refresh_from_db()
    assert session.status == "cancelled"


# --- partners, board, concerns --------------------------------------------------------------------------------


def test_partners_are_proposed_and_ended(cohort, enrolment, coordinator, facilitator, other_patient_record):
    from commonground.groups.models import Pairing

    other = services.enrol(cohort, other_patient_record, source="care_plan", consent_given=True, by=coordinator)
    client = signed_in(facilitator)
    url = reverse("clinician:cohort_propose_pairing", args=[cohort.id])
    assert client.post(url, {"first": str(enrolment.id), "second": str(enrolment.id)}).status_code == 400
    assert not Pairing.objects.exists()
    pair = {"first": str(enrolment.id), "second": str(other.id)}
    unasked = client.post(url, pair)  # neither asked for a partner: the facilitator says they asked them
    assert unasked.status_code == 400 and b"did not ask for a partner" in unasked.content
    assert not Pairing.objects.exists()
    assert client.post(url, pair | {"asked": "on"}).status_code == 302
    pairing = Pairing.objects.get()
    assert pairing.status == "proposed"
    assert client.get(reverse("clinician:cohort_partners", args=[cohort.id])).status_code == 200
    assert client.post(reverse("clinician:cohort_end_pairing", args=[cohort.id, pairing.id])).status_code == 302
    pairing.refresh_from_db()
    assert pairing.status not in ("proposed", "active")


def test_the_board_is_posted_to_and_moderated(cohort, enrolment, facilitator, patient_user):
    from commonground.groups.models import BoardPost

    client = signed_in(facilitator)
    url = reverse("clinician:cohort_post", args=[cohort.id])
    assert client.post(url, {"kind": "announcement", "text": ""}).status_code == 400
    assert client.post(url, {"kind": "announcement", "text": "Bring a blanket."}).status_code == 302
    win = services.post_small_win(enrolment, text="I walked to the shop.")
    hide = reverse("clinician:cohort_hide_post", args=[cohort.id, win.id])
    assert client.post(hide, {"reason": ""}).status_code == 302
    win.refresh_from_db()
    assert win.status == "shown"
    assert client.post(hide, {"reason": "Names another member"}).status_code == 302
    win.refresh_from_db()
    assert win.status == "hidden" and win.hidden_reason == "Names another member"
    assert BoardPost.objects.filter(kind="announcement").count() == 1


def test_a_concern_is_answered(cohort, enrolment, facilitator):
    concern = services.raise_concern(enrolment, about="group", text="It goes too fast for me.")
    client = signed_in(facilitator)
    page = client.get(reverse("clinician:cohort_concerns", args=[cohort.id]))
    assert b"It goes too fast for me." in page.content
    url = reverse("clinician:cohort_answer_concern", args=[cohort.id, concern.id])
    assert client.post(url, {"answer": "We will slow down."}).status_code == 302
    concern.refresh_from_db()
    assert concern.status == "answered" and concern.answer == "We will slow down."


# --- the chart's Groups tab -------------------------------------------------------------------------------------


def test_the_care_team_sees_the_groups_tab_and_a_coordinator_offers_a_place(
    cohort, coordinator, therapist, patient_record, outsider
):
    url = reverse("clinician:patient_groups", args=[patient_record.id])
    page = signed_in(therapist).get(url)
    assert page.status_code == 200 and b"Offer a place in a group" in page.content
    assert b"ask them to offer one" in page.content  # a therapist who runs no group is told who gives places
    client = signed_in(coordinator)
    assert b"Tuesday group" in client.get(url).content
    offer = reverse("clinician:offer_group_place", args=[patient_record.id])
    data = {"cohort": str(cohort.id), "source": "referral", "shown_name": "initials"}
    assert client.post(offer, data).status_code == 400
    assert not Enrolment.objects.exists()
    assert client.post(offer, data | {"consent_given": "on"}).status_code == 302
    enrolment = Enrolment.objects.current().get(patient=patient_record)
    assert enrolment.status == "enrolled" and enrolment.source == "referral" and enrolment.shown_name == "initials"
    tab = signed_in(therapist).get(url)
    assert b"Tuesday group" in tab.content and b"No attendance recorded yet" in tab.content
    assert signed_in(outsider).get(url).status_code == 404


def test_the_chart_has_a_groups_tab(patient_record, therapist):
    response = signed_in(therapist).get(reverse("clinician:chart", args=[patient_record.id]))
    assert reverse("clinician:patient_groups", args=[patient_record.id]).encode() in response.content


def test_another_clinic_cannot_be_offered(cohort, foreign_clinician, foreign_patient):
    response = signed_in(foreign_clinician).post(
        reverse("clinician:offer_group_place", args=[foreign_patient.id]),
        {"cohort": str(cohort.id), "source": "care_plan", "shown_name": "first_name", "consent_given": "on"},
    )
    assert response.status_code == 400
    assert not Enrolment.objects.exists()


# --- the charts' geometry ---------------------------------------------------------------------------------------


def test_the_attendance_chart_stacks_shares_of_the_members_marked():
    chart = display.attendance_chart([display.SessionBar("1", 6, 1, 1), display.SessionBar("2", 0, 0, 0, held=False)])
    first, second = chart.bars
    assert [part.kind for part in first.parts] == ["present", "absent_with_notice", "absent"]
    assert sum(part.height for part in first.parts) == pytest.approx(chart.area.height, abs=0.05)
    assert first.parts[0].height == pytest.approx(chart.area.height * 0.75, abs=0.05)
    assert second.parts == ()
    assert display.percent(6, 8) == "75 %" and display.percent(0, 0) == "—"


def test_the_pre_post_chart_marks_reliable_change_with_its_own_shape():
    chart = display.pre_post_chart(
        minimum=0,
        maximum=30,
        pairs=[
            display.PrePost("a", Decimal(20), Decimal(10), IMPROVEMENT),
            display.PrePost("b", 10, 12, PLAIN),
            display.PrePost("c", 5, 15, DETERIORATION),
        ],
    )
    a, b, c = chart.pairs
    assert a.y1 < a.y2  # a lower score is drawn lower
    assert a.shape.startswith("M") and b.shape == "" and c.shape.endswith("Z")
    assert chart.markers_used == (PLAIN, IMPROVEMENT, DETERIORATION)
    with pytest.raises(ValueError, match="must be above the minimum"):
        display.pre_post_chart(minimum=5, maximum=5, pairs=[])


def test_a_local_time_round_trips():
    moment = display.local_moment(date(2026, 3, 29), time(14, 0), "Europe/Amsterdam")
    assert display.local_parts(moment, "Europe/Amsterdam") == (date(2026, 3, 29), time(14, 0))


def test_the_before_and_after_rows_and_chart_come_from_the_members_changes():
    from datetime import UTC, datetime
    from types import SimpleNamespace

    from commonground.groups import outcomes
    from commonground.measures.selectors import instrument_or_none

    phq15 = instrument_or_none("phq15")
    at = datetime(2026, 1, 5, tzinfo=UTC)

    def member(name, pre, post):
        before = outcomes.Scored(at, Decimal(pre)) if pre is not None else None
        after = outcomes.Scored(at, Decimal(post)) if post is not None else None
        change = outcomes.change_of(phq15, before, after, sex=None)
        patient = SimpleNamespace(display_name=name)
        return SimpleNamespace(
            enrolment=SimpleNamespace(patient=patient),
            changes=[
                SimpleNamespace(instrument_id="phq15", short_name="PHQ-15", pre=before, post=after, change=change)
            ],
        )

    members = [member("Ada", 20, 8), member("Grace", 10, 11), member("Iris", 12, None)]
    counts = outcomes.count_changes(m.changes[0].change for m in members)
    summary = SimpleNamespace(instrument_id="phq15", short_name="PHQ-15", pre_mean=15.0, post_mean=9.5, counts=counts)
    shown = display._instrument_shown(summary, members)
    assert [(row.name, row.before, row.after) for row in shown.rows] == [
        ("Ada", "20", "8"),
        ("Grace", "10", "11"),
        ("Iris", "12", "—"),
    ]
    assert shown.rows[0].classification == "Reliable improvement"
    assert shown.rows[2].classification == "Before or after missing"
    assert shown.chart is not None and len(shown.chart.pairs) == 2
    assert shown.chart.pairs[0].marker == IMPROVEMENT
    assert "Reliable improvement: 1" in shown.counts_text and "missing: 1" in shown.counts_text


def test_home_practice_is_given_to_every_member(cohort, enrolment, facilitator, patient_record):
    from commonground.careplans.models import HomePractice
    from commonground.groups.models import SessionPractice

    session = _first_session(cohort)
    url = reverse("clinician:group_session_practice", args=[cohort.id, session.id])
    client = signed_in(facilitator)
    assert client.post(url, {"library_item": "", "title": "", "how_often": "daily"}).status_code == 400
    assert not SessionPractice.objects.exists()
    response = client.post(url, {"library_item": "", "title": "Belly breathing", "how_often": "Twice a day"})
    assert response.status_code == 302
    assert SessionPractice.objects.get().title == "Belly breathing"
    assert HomePractice.objects.filter(patient=patient_record, title="Belly breathing").exists()
    page = client.get(reverse("clinician:group_session", args=[cohort.id, session.id]))
    assert b"Belly breathing" in page.content


def test_the_facilitators_see_check_in_counts_and_only_the_check_ins_shared_with_them(
    cohort, enrolment, coordinator, facilitator, other_patient_record
):
    other = services.enrol(cohort, other_patient_record, source="care_plan", consent_given=True, by=coordinator)
    pairing = services.propose_pairing(cohort, enrolment, other, by=facilitator)
    services.agree_to_pairing(pairing, enrolment)
    pairing = services.agree_to_pairing(pairing, other)
    services.check_in(pairing, enrolment, feeling="well", message="Private words for Grace only.")
    services.check_in(
        pairing, other, feeling="hard", message="Please tell the group leader.", shared_with_facilitators=True
    )
    page = signed_in(facilitator).get(reverse("clinician:cohort_partners", args=[cohort.id]))
    assert page.status_code == 200
    assert b"Please tell the group leader." in page.content
    assert b"Private words for Grace only." not in page.content
    assert b'<td class="num">2</td>' in page.content  # two check-ins this week


def test_a_cohort_is_started_and_cancelled_with_a_reason_on_a_page_of_its_own(cohort, enrolment, facilitator):
    client = signed_in(facilitator)
    url = reverse("clinician:cohort_status", args=[cohort.id])
    overview = client.get(reverse("clinician:cohort", args=[cohort.id])).content.decode()
    start_form = overview[overview.index('id="status"') :]
    assert start_form.count("<form") == 1 and 'name="reason"' not in start_form  # no reason box in the start form
    assert client.post(url, {"action": "start"}).status_code == 302
    cohort.refresh_from_db()
    assert cohort.status == "running"
    # "cancel" sent to the start form goes to the page that asks why; nothing is cancelled
    redirected = client.post(url, {"action": "cancel", "reason": "x"})
    cancel = reverse("clinician:cohort_cancel", args=[cohort.id])
    assert redirected.status_code == 302 and redirected["Location"] == cancel
    page = client.get(cancel)
    assert page.status_code == 200 and b"1 member loses their place" in page.content
    response = client.post(cancel, {"reason": "  "})
    assert response.status_code == 400 and b"Say why the group is cancelled." in response.content
    cohort.refresh_from_db()
    assert cohort.status == "running"
    assert client.post(cancel, {"reason": "Too few members"}).status_code == 302
    cohort.refresh_from_db()
    enrolment.refresh_from_db()
    assert cohort.status == "cancelled" and enrolment.status == "withdrawn"
    assert client.get(cancel).status_code == 302  # already over: back to the group


def test_finishing_asks_to_confirm_and_says_who_finishes_and_what_is_still_scheduled(cohort, enrolment, facilitator):
    services.start_cohort(cohort, by=facilitator)
    client = signed_in(facilitator)
    finish = reverse("clinician:cohort_finish", args=[cohort.id])
    page = client.get(finish)
    assert page.status_code == 200
    assert b"Every member still enrolled will be marked as having finished" in page.content
    assert b"Ada Lovelace" in page.content
    assert b"8 sessions are still scheduled." in page.content
    cohort.refresh_from_db()
    assert cohort.status == "running"  # opening the page changes nothing
    assert client.post(finish, {}).status_code == 400  # without the confirmation
    cohort.refresh_from_db()
    assert cohort.status == "running"
    assert client.post(finish, {"confirmed": "True"}).status_code == 302
    cohort.refresh_from_db()
    enrolment.refresh_from_db()
    assert cohort.status == "finished" and enrolment.status == "finished"


def test_facilitators_are_added_and_the_last_one_is_never_removed(cohort, facilitator, outsider):
    client = signed_in(facilitator)
    remove = reverse("clinician:remove_cohort_facilitator", args=[cohort.id])
    client.post(remove, {"user": str(facilitator.id)})
    assert signed_in(facilitator).get(reverse("clinician:cohort", args=[cohort.id])).status_code == 200
    assert (
        client.post(
            reverse("clinician:add_cohort_facilitator", args=[cohort.id]), {"user": str(outsider.id)}
        ).status_code
        == 302
    )
    assert signed_in(outsider).get(reverse("clinician:cohort", args=[cohort.id])).status_code == 200
    response = client.post(remove, {"user": str(facilitator.id)})
    assert response.status_code == 302 and response["Location"] == reverse("clinician:groups")
    assert signed_in(facilitator).get(reverse("clinician:cohort", args=[cohort.id])).status_code == 404


def test_outcomes_name_only_the_members_whose_care_the_person_shares(
    cohort, enrolment, clinic, coordinator, facilitator
):
    from commonground.audit.models import AuditEvent
    from tests.personas import make_patient

    zoe = make_staff(clinic, "zoe", Role.CARE_COORDINATOR)
    mary = make_patient(clinic, zoe, given="Mary", family="Shelley")
    services.enrol(cohort, mary, source="care_plan", consent_given=True, by=zoe)
    url = reverse("clinician:cohort_outcomes", args=[cohort.id])
    alice_sees = signed_in(coordinator).get(url)
    assert alice_sees.status_code == 200
    assert b"Ada Lovelace" in alice_sees.content and b"Mary Shelley" not in alice_sees.content
    assert b"1 member whose care you do not share" in alice_sees.content
    gina_sees = signed_in(facilitator).get(url)
    assert b"Ada Lovelace" in gina_sees.content and b"Mary Shelley" in gina_sees.content
    assert AuditEvent.objects.filter(patient_id=mary.id, object_type="group_outcome").exists()


# --- after the exploratory test: one thing each -------------------------------------------------------------------


def test_a_group_made_by_someone_who_will_not_run_it_leads_back_to_the_groups_with_a_note(
    programme, facilitator, outsider
):
    client = signed_in(facilitator)
    url = reverse("clinician:new_cohort", args=[programme.id])
    page = client.get(url).content.decode()
    tag = page[page.rindex("<input", 0, page.index(f'value="{facilitator.id}"')) :]
    assert " checked" in tag[: tag.index(">")]  # the creator is ticked by default
    response = client.post(url, _cohort_post(facilitator, facilitators=[str(outsider.id)]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("clinician:groups")
    assert b"Only its facilitators and the care coordinators can open it." in response.content
    assert Cohort.objects.filter(name="Thursday group").exists()


def test_a_new_group_cannot_start_in_the_past_and_its_date_input_says_so(programme, facilitator):
    client = signed_in(facilitator)
    url = reverse("clinician:new_cohort", args=[programme.id])
    today = clock.local_date(clock.now(), "Europe/Amsterdam")
    assert f'min="{today.isoformat()}"'.encode() in client.get(url).content
    response = client.post(url, _cohort_post(facilitator, starts_on="2020-03-02"))
    assert response.status_code == 400 and b"The first session cannot be in the past." in response.content
    assert not Cohort.objects.filter(name="Thursday group").exists()


def test_only_the_next_curriculum_session_can_be_added(programme, facilitator):
    client = signed_in(facilitator)
    count = len(programme.sessions.all()) if hasattr(programme, "sessions") else 8
    assert client.get(reverse("clinician:group_curriculum_session", args=[programme.id, 1])).status_code == 200
    assert client.get(reverse("clinician:group_curriculum_session", args=[programme.id, count + 1])).status_code == 200
    for number in (count + 2, 99):
        url = reverse("clinician:group_curriculum_session", args=[programme.id, number])
        assert client.get(url).status_code == 404
        assert client.post(url, {"title": "Too far"}).status_code == 404


def test_adding_someone_who_already_facilitates_says_so(cohort, facilitator):
    client = signed_in(facilitator)
    url = reverse("clinician:add_cohort_facilitator", args=[cohort.id])
    response = client.post(url, {"user": str(facilitator.id)}, follow=True)
    assert b"Gina already facilitates this group." in response.content
    assert b"now facilitates" not in response.content


def test_a_facilitator_who_sees_no_patients_is_told_who_can_enrol(cohort, facilitator):
    page = signed_in(facilitator).get(reverse("clinician:cohort_members", args=[cohort.id]))
    assert b"ask a care coordinator to enrol others" in page.content
    assert b'name="patient"' not in page.content


def test_the_members_table_fits_a_phone_by_hiding_the_lesser_columns_not_withdraw(cohort, enrolment, facilitator):
    page = signed_in(facilitator).get(reverse("clinician:cohort_members", args=[cohort.id])).content.decode()
    roster = page[page.index('id="roster"') : page.index('id="waiting"')]
    assert roster.count('class="hide-narrow"') + roster.count('class="nowrap hide-narrow"') >= 6
    leaving = roster[roster.index(">Leaving<") - 40 : roster.index(">Leaving<")]
    assert "hide-narrow" not in leaving  # the Withdraw column stays on a phone
    assert 'role="region"' in roster


def test_the_stylesheet_styles_time_and_link_inputs_and_stacks_outcomes():
    from pathlib import Path

    css = (Path(__file__).resolve().parents[2] / "static" / "css" / "app.css").read_text()
    assert "input[type=time]" in css and "input[type=url]" in css
    assert ".trajectory-body.cohort-stacked { grid-template-columns: minmax(0, 1fr); }" in css


def test_attendance_is_not_offered_before_the_session_and_refused_if_sent(cohort, enrolment, facilitator):
    session = _first_session(cohort)  # in two weeks
    client = signed_in(facilitator)
    page = client.get(reverse("clinician:group_session", args=[cohort.id, session.id]))
    assert b"Attendance can be recorded from the session" in page.content
    assert f'name="mark_{enrolment.id}"'.encode() not in page.content
    url = reverse("clinician:group_attendance", args=[cohort.id, session.id])
    assert client.post(url, {f"mark_{enrolment.id}": "present"}).status_code == 400
    assert not AttendanceRecord.objects.exists()
    session.refresh_from_db()
    assert session.status == "scheduled"


def test_a_session_cannot_move_into_the_past_and_its_date_input_has_a_minimum(cohort, enrolment, facilitator):
    session = _first_session(cohort)
    client = signed_in(facilitator)
    today = clock.local_date(clock.now(), "Europe/Amsterdam")
    page = client.get(reverse("clinician:group_session", args=[cohort.id, session.id])).content.decode()
    assert f'min="{today.isoformat()}"' in page and 'type="time"' in page
    move = reverse("clinician:group_reschedule", args=[cohort.id, session.id])
    data = {"version": session.version, "on": "2020-01-06", "at": "15:30", "place": "", "online_link": ""}
    response = client.post(move, data | {"reason": "Room taken"})
    assert response.status_code == 400 and b"A session cannot move to a day in the past." in response.content
    before = session.starts_at
    session.refresh_from_db()
    assert session.starts_at == before


def test_a_finished_group_offers_no_session_actions_and_says_why(cohort, enrolment, facilitator):
    services.start_cohort(cohort, by=facilitator)
    client = signed_in(facilitator)
    assert client.post(reverse("clinician:cohort_finish", args=[cohort.id]), {"confirmed": "True"}).status_code == 302
    session = _first_session(cohort)
    page = client.get(reverse("clinician:group_session", args=[cohort.id, session.id])).content
    assert b"This group has finished or was cancelled" in page
    for action in ("group_attendance", "group_session_practice", "group_reschedule"):
        assert reverse(f"clinician:{action}", args=[cohort.id, session.id]).encode() not in page
    practice = reverse("clinician:group_session_practice", args=[cohort.id, session.id])
    assert client.post(practice, {"title": "Breathing"}).status_code == 400
    from commonground.groups.models import SessionPractice

    assert not SessionPractice.objects.exists()


def test_a_member_note_shows_its_wording_check_and_its_author_changes_it_or_marks_it_in_error(
    cohort, enrolment, facilitator, coordinator, patient_record
):
    from commonground.notes.models import Note

    session = _first_session(cohort)
    client = signed_in(facilitator)
    write = reverse("clinician:group_member_note", args=[cohort.id, session.id])
    response = client.post(write, {"enrolment": str(enrolment.id), "text": "She insists the pain is worse."})
    note = Note.objects.get(patient=patient_record, kind="group")
    assert response.status_code == 302 and response["Location"].endswith(f"#note-{note.id}")
    page = client.get(reverse("clinician:group_session", args=[cohort.id, session.id])).content
    assert b"She insists the pain is worse." in page and b"Wording check" in page
    assert reverse("clinician:group_change_member_note", args=[cohort.id, session.id]).encode() in page
    # someone else (the coordinator) may not change it
    change = reverse("clinician:group_change_member_note", args=[cohort.id, session.id])
    data = {"note": str(note.id), "version": note.version, "text": "She says the pain is worse.", "reason": "Wording"}
    assert signed_in(coordinator).post(change, data).status_code == 404
    assert client.post(change, data | {"reason": ""}).status_code == 400
    assert client.post(change, data).status_code == 302
    note.refresh_from_db()
    assert note.text == "She says the pain is worse." and note.version == 2
    error = reverse("clinician:group_member_note_in_error", args=[cohort.id, session.id])
    assert client.post(error, {"note": str(note.id), "version": note.version, "reason": ""}).status_code == 400
    assert (
        client.post(error, {"note": str(note.id), "version": note.version, "reason": "Wrong member"}).status_code == 302
    )
    note.refresh_from_db()
    assert note.record_status == "entered_in_error"
    page = client.get(reverse("clinician:group_session", args=[cohort.id, session.id])).content
    assert b"She says the pain is worse." not in page


def test_the_outcomes_of_a_running_group_are_so_far(cohort, enrolment, facilitator):
    services.start_cohort(cohort, by=facilitator)
    page = signed_in(facilitator).get(reverse("clinician:cohort_outcomes", args=[cohort.id])).content
    assert b"so far" in page
    assert b"Known when the group finishes" in page
    assert b"Completed (attended" not in page and b"Goal attainment at the end" not in page


def test_weeks_without_check_ins_show_as_0(
    cohort, coordinator, facilitator, patient_record, other_patient_record, patient_user, other_patient_user
):
    from commonground.groups.models import Pairing

    ada = services.enrol(
        cohort, patient_record, source="care_plan", consent_given=True, by=coordinator, wants_partner=True
    )
    grace = services.enrol(
        cohort, other_patient_record, source="care_plan", consent_given=True, by=coordinator, wants_partner=True
    )
    pairing = services.agree_to_pairing(services.ask_to_pair(ada, grace), grace)
    Pairing.objects.filter(pk=pairing.pk).update(started_at=clock.now() - timedelta(days=21))
    services.check_in(pairing, ada, feeling="well")
    page = signed_in(facilitator).get(reverse("clinician:cohort_partners", args=[cohort.id])).content.decode()
    assert page.count('<td class="num">0</td>') >= 3  # the three weeks before this one
    assert '<td class="num">1</td>' in page


def test_every_week_fills_the_gaps_newest_first():
    from commonground.groups.selectors import WeekCount

    weeks = display.every_week([WeekCount(date(2026, 3, 2), 2)], first=date(2026, 2, 18), last=date(2026, 3, 12))
    assert [(w.week_of, w.check_ins) for w in weeks] == [
        (date(2026, 3, 9), 0),
        (date(2026, 3, 2), 2),
        (date(2026, 2, 23), 0),
        (date(2026, 2, 16), 0),
    ]


def test_the_groups_start_page_is_a_dashboard(cohort, enrolment, coordinator, facilitator, programme):
    services.start_cohort(cohort, by=facilitator)
    session = _started(_first_session(cohort), hours=0)
    GroupSession.objects.filter(pk=session.pk).update(starts_at=clock.now() + timedelta(minutes=5))
    services.raise_concern(enrolment, about="group", text="Worried")
    later = services.create_cohort(
        programme,
        details=_details(name="Later group", starts_on=_details()["starts_on"] + timedelta(days=30)),
        facilitators=[facilitator],
        by=coordinator,
    )
    page = signed_in(facilitator).get(reverse("clinician:groups")).content.decode()
    today = page[page.index('id="today"') : page.index('id="this-week"')]
    assert reverse("clinician:group_session", args=[cohort.id, session.id]) in today
    assert f'href="{reverse("clinician:cohort_concerns", args=[cohort.id])}">1<' in page
    assert 'class="cohort-chart cohort-chart-narrow"' in page and "Attendance so far per running group" in page
    current = page[page.index('id="current-heading"') :]
    assert current.index("Tuesday group") < current.index("Later group")  # the sooner session first
    assert later.name in page


def test_the_rate_chart_draws_a_bar_per_group_in_proportion():
    from commonground.clinician.groups_dashboard import rate_chart

    chart = rate_chart([("A", 3, 4), ("B", 0, 0)])
    full = chart.right - chart.left
    assert chart.bars[0].width == round(full * 0.75, 2) and chart.bars[0].text == "75 %"
    assert chart.bars[1].width == 0 and chart.bars[1].text == "—"
    assert chart.bars[1].y > chart.bars[0].y


def test_the_facilitator_is_told_who_already_practises_what_the_group_is_given(
    cohort, enrolment, facilitator, patient_record
):
    from commonground.careplans import services as careplans_services

    slug = "body-scan"
    careplans_services.assign_group_practice(patient_record, details={"library_item": slug}, by=facilitator)
    session = _first_session(cohort)
    client = signed_in(facilitator)
    url = reverse("clinician:group_session_practice", args=[cohort.id, session.id])
    response = client.post(url, {"library_item": slug, "title": "", "how_often": "daily"}, follow=True)
    assert response.status_code == 200
    assert f"Already practising it, so not given again: {patient_record.display_name}." in response.content.decode()


def test_only_the_facilitators_read_and_answer_concerns(cohort, enrolment, coordinator, facilitator):
    from commonground.groups.models import Concern

    concern = services.raise_concern(enrolment, about="group", text="Someone in the group worries me.")
    url = reverse("clinician:cohort_concerns", args=[cohort.id])
    assert b"Someone in the group worries me." in signed_in(facilitator).get(url).content
    page = signed_in(coordinator).get(url)
    assert page.status_code == 200 and b"Someone in the group worries me." not in page.content
    answer = reverse("clinician:cohort_answer_concern", args=[cohort.id, concern.id])
    assert signed_in(coordinator).post(answer, {"answer": "I will look into it."}).status_code == 404
    assert Concern.objects.get(pk=concern.pk).answer == ""
    signed_in(facilitator).post(answer, {"answer": "Thank you for telling us."})
    with pytest.raises(DomainError, match="answered already"):
        services.answer_concern(Concern.objects.get(pk=concern.pk), answer="Again", by=facilitator)
