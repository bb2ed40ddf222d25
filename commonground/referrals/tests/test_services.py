"""Referral writes: drafts, moves with their steps, incoming referrals, letters closing the loop, the directory.
Every write is audited; a refused write leaves nothing behind; a stale version is a conflict."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from commonground.audit.models import AuditEvent
from commonground.kit import clock
from commonground.kit.errors import DomainError, StaleEdit
from commonground.notifications.models import OutgoingEmail
from commonground.referrals import selectors, services, states
from commonground.referrals.choices import Direction, LetterStatus, State
from commonground.referrals.models import CommunityResource, FeedbackLetter, Referral, ReferralStep
from tests.personas import make_staff

pytestmark = pytest.mark.django_db

MONDAY = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
OUT = {"service": "physiotherapy", "counterpart": "Fysio De Brug", "reason": "Graded activity", "urgency": "routine"}


def outgoing(patient, by, *, send=False, when=MONDAY, **details):
    with clock.pinned(when):
        return services.create_outgoing(patient, details=OUT | details, by=by, send_now=send)


def walk(referral, by, *targets, start=MONDAY, days_apart=7):
    for number, target in enumerate(targets, start=1):
        with clock.pinned(start + timedelta(days=days_apart * number)):
            referral = services.move(
                referral, to_state=target, expected_version=referral.version, by=by, note=f"Now {target}"
            )
    return referral


def audited(patient, object_type):
    return AuditEvent.objects.filter(patient_id=patient.id, object_type=object_type).count()


def test_a_draft_is_saved_with_its_first_step_and_audited(patient_record, coordinator):
    referral = outgoing(patient_record, coordinator)
    assert referral.state == State.DRAFT and referral.direction == Direction.OUTGOING
    assert referral.sent_at is None
    assert [(s.from_state, s.to_state, s.by_id) for s in referral.steps.all()] == [("", "draft", coordinator.id)]
    assert audited(patient_record, "referral") == 1


def test_each_move_records_its_step_time_and_person(patient_record, coordinator, therapist):
    referral = outgoing(patient_record, coordinator)
    referral = walk(referral, therapist, "sent", "received", "accepted", "scheduled", "first_contact", "completed")
    steps = list(referral.steps.order_by("at"))
    assert [s.to_state for s in steps] == [
        "draft",
        "sent",
        "received",
        "accepted",
        "scheduled",
        "first_contact",
        "completed",
    ]
    assert all(s.by_id == therapist.id for s in steps[1:])
    assert steps[1].at == MONDAY + timedelta(days=7)
    assert referral.sent_at == MONDAY + timedelta(days=7)
    assert referral.first_contact_at == MONDAY + timedelta(days=35)
    assert referral.state_changed_at == MONDAY + timedelta(days=42)
    assert referral.version == 7
    assert referral.history.count() == 7


def test_send_now_sends_in_the_same_transaction(patient_record, coordinator):
    referral = outgoing(patient_record, coordinator, send=True)
    assert referral.state == State.SENT and referral.sent_at == MONDAY


def test_a_refused_move_changes_nothing(patient_record, coordinator):
    referral = outgoing(patient_record, coordinator)
    before = (ReferralStep.objects.count(), Referral.history.count(), audited(patient_record, "referral"))
    with pytest.raises(states.RefusedMove) as refused:
        services.move(referral, to_state="completed", expected_version=referral.version, by=coordinator)
    assert "Draft" in refused.value.message and "Sent" in refused.value.message
    referral.refresh_from_db()
    assert referral.state == State.DRAFT and referral.version == 1
    assert (ReferralStep.objects.count(), Referral.history.count(), audited(patient_record, "referral")) == before


def test_a_stale_version_is_a_conflict_not_a_double_move(patient_record, coordinator, therapist):
    referral = outgoing(patient_record, coordinator)
    seen = referral.version
    first = Referral.objects.get(pk=referral.pk)
    second = Referral.objects.get(pk=referral.pk)
    services.move(first, to_state="sent", expected_version=seen, by=coordinator)
    with pytest.raises(StaleEdit) as conflict:
        services.move(second, to_state="sent", expected_version=seen, by=therapist)
    assert conflict.value.current.state == State.SENT
    assert ReferralStep.objects.filter(referral=referral, to_state="sent").count() == 1
    # A stale form on a fresh copy is a conflict too.
    fresh = Referral.objects.get(pk=referral.pk)
    with pytest.raises(StaleEdit):
        services.move(fresh, to_state="withdrawn", expected_version=seen, by=therapist, note="Not needed")


def test_a_move_may_be_recorded_for_an_earlier_day_not_the_future_nor_before_the_last_step(patient_record, coordinator):
    referral = outgoing(patient_record, coordinator, send=True)
    with clock.pinned(MONDAY + timedelta(days=20)):
        with pytest.raises(DomainError) as future:
            services.move(referral, to_state="received", expected_version=2, by=coordinator, on="2026-03-25")
        assert future.value.field == "on"
        with pytest.raises(DomainError):
            services.move(referral, to_state="received", expected_version=2, by=coordinator, on="2026-03-01")
        moved = services.move(referral, to_state="received", expected_version=2, by=coordinator, on="2026-03-05")
    assert moved.state_changed_at.date().isoformat() == "2026-03-05"


def test_an_incoming_referral_arrives_received_with_the_gps_day_as_sent(patient_record, coordinator):
    with clock.pinned(MONDAY):
        referral = services.register_incoming(
            patient_record,
            details={
                "counterpart": "Dr. Jansen, Huisartsen Oost",
                "referred_on": "2026-02-23",
                "reason": "Persistent fatigue and pain",
                "question": "Assessment and treatment advice",
                "symptoms": "Fatigue, widespread pain",
            },
            by=coordinator,
        )
    assert referral.state == State.RECEIVED and referral.direction == Direction.INCOMING
    assert [s.to_state for s in referral.steps.order_by("at")] == ["sent", "received"]
    assert referral.sent_at.date().isoformat() in ("2026-02-22", "2026-02-23")  # local midnight in UTC
    assert states.next_states(referral.state) == ("accepted", "declined")


def test_incoming_needs_the_referrer_and_a_reason_and_a_real_date(patient_record, coordinator):
    for details, field in (
        ({"counterpart": "", "reason": "x"}, "counterpart"),
        ({"counterpart": "GP", "reason": ""}, "reason"),
        ({"counterpart": "GP", "reason": "x", "referred_on": "2099-01-01"}, "referred_on"),
        ({"counterpart": "GP", "reason": "x", "referred_on": "someday"}, "referred_on"),
    ):
        with pytest.raises(DomainError) as refused:
            services.register_incoming(patient_record, details=details, by=coordinator)
        assert refused.value.field == field
    assert not Referral.objects.exists() and not ReferralStep.objects.exists()


def test_bad_outgoing_input_saves_nothing(patient_record, coordinator):
    for details, field in (
        ({"service": "astrology"}, "service"),
        ({"reason": "  "}, "reason"),
        ({"urgency": "yesterday"}, "urgency"),
        ({"resource_id": "not-an-id"}, "resource_id"),
    ):
        with pytest.raises(DomainError) as refused:
            services.create_outgoing(patient_record, details=OUT | details, by=coordinator)
        assert refused.value.field == field
    with pytest.raises(DomainError):
        services.create_outgoing(patient_record, details=OUT | {"colour": "red"}, by=coordinator)
    assert not Referral.objects.exists() and audited(patient_record, "referral") == 0


def test_a_directory_entry_of_another_clinic_cannot_be_used(patient_record, coordinator, foreign_clinician):
    theirs = services.create_resource(
        organisation_id=foreign_clinician.organisation_id,
        details={"name": "Far", "kind": "other"},
        by=foreign_clinician,
    )
    with pytest.raises(DomainError):
        services.create_outgoing(patient_record, details=OUT | {"resource_id": str(theirs.id)}, by=coordinator)
    ours = services.create_resource(
        organisation_id=coordinator.organisation_id, details={"name": "Walk group", "kind": "exercise"}, by=coordinator
    )
    referral = services.create_outgoing(
        patient_record,
        details=OUT | {"service": "community", "counterpart": "", "resource_id": str(ours.id)},
        by=coordinator,
    )
    assert referral.resource == ours and referral.counterpart == "Walk group"


# --- the loop ----------------------------------------------------------------------------------------------


LETTER = {"findings": "Deconditioning, fear of movement", "plan": "Graded activity 8 weeks", "advice": "Encourage"}


def test_completed_without_a_letter_is_not_closed(patient_record, coordinator):
    referral = walk(
        outgoing(patient_record, coordinator),
        coordinator,
        "sent",
        "received",
        "accepted",
        "scheduled",
        "first_contact",
        "completed",
    )
    assert referral.state == State.COMPLETED
    assert not selectors.loop_closed(referral)


def test_a_drafted_letter_does_not_close_the_loop_a_sent_one_does(patient_record, coordinator):
    referral = walk(
        outgoing(patient_record, coordinator),
        coordinator,
        "sent",
        "received",
        "accepted",
        "scheduled",
        "first_contact",
        "completed",
    )
    letter = services.save_letter(referral, details=LETTER, by=coordinator)
    assert letter.status == LetterStatus.DRAFT
    assert not selectors.loop_closed(Referral.objects.get(pk=referral.pk))
    letter = services.save_letter(referral, details=LETTER | {"plan": "Ten weeks"}, by=coordinator, expected_version=1)
    services.send_letter(letter, expected_version=letter.version, by=coordinator)
    assert selectors.loop_closed(Referral.objects.get(pk=referral.pk))
    with pytest.raises(DomainError):
        services.save_letter(referral, details=LETTER, by=coordinator, expected_version=letter.version)
    with pytest.raises(DomainError):
        services.send_letter(FeedbackLetter.objects.get(pk=letter.pk), expected_version=3, by=coordinator)
    assert audited(patient_record, "feedback_letter") == 2  # created; changed and sent (one per request)


def test_no_letter_before_the_person_was_seen(patient_record, coordinator):
    referral = walk(outgoing(patient_record, coordinator), coordinator, "sent", "received")
    with pytest.raises(DomainError):
        services.save_letter(referral, details=LETTER, by=coordinator)
    assert not FeedbackLetter.objects.exists()


def test_a_letter_needs_findings(patient_record, coordinator):
    referral = walk(outgoing(patient_record, coordinator), coordinator, "sent", "received", "declined")
    with pytest.raises(DomainError) as refused:
        services.save_letter(referral, details=LETTER | {"findings": ""}, by=coordinator)
    assert refused.value.field == "findings"
    assert not FeedbackLetter.objects.exists()


def test_a_stale_letter_edit_is_a_conflict(patient_record, coordinator, therapist):
    referral = walk(outgoing(patient_record, coordinator), coordinator, "sent", "received", "declined")
    letter = services.save_letter(referral, details=LETTER, by=coordinator)
    services.save_letter(referral, details=LETTER | {"plan": "A"}, by=coordinator, expected_version=1)
    with pytest.raises(StaleEdit):
        services.save_letter(referral, details=LETTER | {"plan": "B"}, by=therapist, expected_version=1)
    with pytest.raises(StaleEdit):
        services.send_letter(letter, expected_version=1, by=therapist)


def test_feedback_in_tells_the_referrer_without_clinical_content(
    django_capture_on_commit_callbacks, patient_record, coordinator, therapist
):
    therapist.email = "bob@example.org"
    therapist.save()
    referral = walk(
        outgoing(patient_record, therapist), coordinator, "sent", "received", "accepted", "scheduled", "first_contact"
    )
    letter = services.save_letter(referral, details=LETTER, by=coordinator)
    with django_capture_on_commit_callbacks():
        services.send_letter(letter, expected_version=1, by=coordinator)
    email = OutgoingEmail.objects.get()
    assert email.to == "bob@example.org"
    for secret in ("Ada", "Lovelace", "Deconditioning", "Graded", "physio", str(patient_record.id)):
        assert secret.lower() not in (email.subject + email.body).lower()


def test_the_letter_to_the_gp_is_addressed_to_the_referrer(patient_record, coordinator):
    referral = services.register_incoming(
        patient_record, details={"counterpart": "Dr. Jansen", "reason": "x"}, by=coordinator
    )
    referral = walk(referral, coordinator, "accepted", "scheduled", "first_contact")
    letter = services.save_letter(referral, details=LETTER, by=coordinator)
    assert letter.recipient == "Dr. Jansen"
    services.send_letter(letter, expected_version=1, by=coordinator)
    assert not OutgoingEmail.objects.exists()  # the letter itself goes by the clinic's usual secure route


# --- waiting_since (the case-review agenda's long-wait source) -----------------------------------------------


def test_waiting_since_is_the_oldest_outgoing_referral_still_waiting(patient_record, other_patient_record, coordinator):
    old = outgoing(patient_record, coordinator, send=True, when=MONDAY)
    newer = outgoing(patient_record, coordinator, send=True, when=MONDAY + timedelta(days=10))
    seen = walk(
        outgoing(other_patient_record, coordinator, send=True),
        coordinator,
        "received",
        "accepted",
        "scheduled",
        "first_contact",
    )
    outgoing(other_patient_record, coordinator)  # a draft does not wait
    services.register_incoming(other_patient_record, details={"counterpart": "GP", "reason": "x"}, by=coordinator)
    assert selectors.waiting_since([patient_record.id, other_patient_record.id]) == {patient_record.id: MONDAY}
    walk(old, coordinator, "withdrawn")
    assert selectors.waiting_since([patient_record.id]) == {patient_record.id: newer.sent_at}
    assert selectors.waiting_since([]) == {}
    assert seen.state == State.FIRST_CONTACT


def test_waiting_since_ignores_referrals_entered_in_error(patient_record, coordinator):
    referral = outgoing(patient_record, coordinator, send=True)
    services.referral_in_error(referral, expected_version=referral.version, reason="Wrong patient")
    assert selectors.waiting_since([patient_record.id]) == {}


# --- the coordinator's lists -----------------------------------------------------------------------------------


def test_open_list_waits_overdue_and_medians(patient_record, other_patient_record, coordinator):
    from commonground.patients.models import Patient

    late = outgoing(patient_record, coordinator, send=True, when=MONDAY)  # physio, waiting 50 days by now
    quick = walk(
        outgoing(other_patient_record, coordinator, send=True),
        coordinator,
        "received",
        "accepted",
        "scheduled",
        "first_contact",
        "completed",
    )
    also = walk(
        outgoing(patient_record, coordinator, send=True),
        coordinator,
        "received",
        "accepted",
        "scheduled",
        "first_contact",
        days_apart=10,
    )
    now = MONDAY + timedelta(days=50)
    patients = Patient.objects.all()
    rows = selectors.open_referrals(patients, now=now, time_zone="Europe/Amsterdam")
    assert [row.id for row in rows] == [late.id, also.id]
    assert rows[0].overdue and rows[0].days_waiting == 50
    assert not rows[1].overdue and rows[1].days_waiting == 40
    assert [r.id for r in selectors.open_referrals(patients, now=now, time_zone="UTC", state="sent")] == [late.id]
    medians = {w.service: w for w in selectors.waits_per_service(patients, time_zone="Europe/Amsterdam")}
    assert medians["physiotherapy"].count == 2 and medians["physiotherapy"].median_days == 34.0
    assert medians["psychology"].median_days is None
    owed = selectors.letters_owed(patients, time_zone="UTC")
    assert {row.id for row in owed} == {quick.id, also.id}


# --- the directory ---------------------------------------------------------------------------------------------


def test_only_coordinators_and_administrators_keep_the_directory(coordinator, administrator, therapist):
    for keeper in (coordinator, administrator):
        services.create_resource(
            organisation_id=keeper.organisation_id,
            details={"name": f"By {keeper.username}", "kind": "other"},
            by=keeper,
        )
    with pytest.raises(DomainError):
        services.create_resource(
            organisation_id=therapist.organisation_id, details={"name": "X", "kind": "other"}, by=therapist
        )
    resource = CommunityResource.objects.get(name="By alice")
    with pytest.raises(DomainError):
        services.update_resource(resource, expected_version=1, changes={"name": "Y"}, by=therapist)
    changed = services.update_resource(resource, expected_version=1, changes={"active": False}, by=administrator)
    assert not changed.active and changed.name == "By alice"
    with pytest.raises(StaleEdit):
        services.update_resource(resource, expected_version=1, changes={"name": "Z"}, by=coordinator)
    other = make_staff(therapist.organisation, "gina", "care_coordinator")
    assert services.may_keep_directory(other)


def test_directory_search(coordinator):
    for name, languages in (("Walking group", "Dutch, English"), ("Debt help", "Turkish")):
        services.create_resource(
            organisation_id=coordinator.organisation_id,
            details={"name": name, "kind": "other", "languages": languages},
            by=coordinator,
        )
    assert [r.name for r in selectors.directory(coordinator.organisation_id, search="turk")] == ["Debt help"]
    with pytest.raises(DomainError) as refused:
        services.create_resource(
            organisation_id=coordinator.organisation_id,
            details={"name": "X", "kind": "other", "website": "javascript:alert(1)"},
            by=coordinator,
        )
    assert refused.value.field == "website"


def test_a_draft_can_be_changed_until_it_is_sent(patient_record, coordinator, therapist):
    referral = outgoing(patient_record, coordinator)
    changed = services.update_draft(
        referral, expected_version=1, changes={"reason": "Graded activity and pacing", "urgency": "soon"}, by=therapist
    )
    assert (changed.reason, changed.urgency, changed.counterpart, changed.version) == (
        "Graded activity and pacing",
        "soon",
        "Fysio De Brug",
        2,
    )
    with pytest.raises(StaleEdit):
        services.update_draft(Referral.objects.get(pk=referral.pk), expected_version=1, changes={}, by=therapist)
    with pytest.raises(DomainError) as refused:
        services.update_draft(changed, expected_version=2, changes={"reason": ""}, by=therapist)
    assert refused.value.field == "reason"
    sent = services.move(changed, to_state="sent", expected_version=2, by=therapist)
    with pytest.raises(DomainError):
        services.update_draft(sent, expected_version=3, changes={"reason": "Later"}, by=therapist)
    assert Referral.objects.get(pk=referral.pk).reason == "Graded activity and pacing"


@pytest.mark.parametrize("path", [("withdrawn",), ("received", "declined")])
def test_declining_or_withdrawing_says_why(patient_record, coordinator, path):
    referral = outgoing(patient_record, coordinator, send=True)
    *before, last = path
    referral = walk(referral, coordinator, *before)
    with pytest.raises(DomainError) as refused:
        services.move(referral, to_state=last, expected_version=referral.version, by=coordinator, note="  ")
    assert refused.value.field == "note"
    moved = services.move(referral, to_state=last, expected_version=referral.version, by=coordinator, note="Moved away")
    assert moved.steps.order_by("at").last().note == "Moved away"


def test_waiting_too_long_is_past_the_wait_expected_for_the_service_and_urgency(
    patient_record, other_patient_record, coordinator
):
    physio = outgoing(patient_record, coordinator, send=True)  # routine physiotherapy: 42 days expected
    outgoing(other_patient_record, coordinator, send=True, service="psychiatry", urgency="urgent")  # 7 days
    both = [patient_record.id, other_patient_record.id]
    assert selectors.waiting_too_long(both, now=MONDAY + timedelta(days=7)) == {}
    assert selectors.waiting_too_long(both, now=MONDAY + timedelta(days=8)) == {other_patient_record.id: MONDAY}
    assert selectors.waiting_too_long(both, now=MONDAY + timedelta(days=43)) == {
        patient_record.id: physio.sent_at,
        other_patient_record.id: MONDAY,
    }
    walk(physio, coordinator, "received", "accepted", "scheduled", "first_contact")
    assert patient_record.id not in selectors.waiting_too_long(both, now=MONDAY + timedelta(days=60))


# --- found by exploratory testing ------------------------------------------------------------------------------


def seen_referral(patient, by):
    return walk(outgoing(patient, by), by, "sent", "received", "accepted", "scheduled", "first_contact")


def test_closing_the_loop_saves_the_letter_as_typed_then_sends_it(patient_record, coordinator):
    referral = seen_referral(patient_record, coordinator)
    services.save_letter(referral, details=LETTER, by=coordinator)
    sent = services.save_and_send_letter(
        referral, details=LETTER | {"findings": "Typed just now"}, by=coordinator, expected_version=1
    )
    letter = FeedbackLetter.objects.get()
    assert letter.findings == "Typed just now" and letter.status == LetterStatus.SENT and sent.pk == letter.pk
    assert letter.sent_by == coordinator and selectors.loop_closed(Referral.objects.get(pk=referral.pk))
    # The history holds the typed version before the sending: nothing went out that was not saved.
    assert [(h.findings, h.status) for h in letter.history.order_by("history_date")] == [
        (LETTER["findings"], "draft"),
        ("Typed just now", "draft"),
        ("Typed just now", "sent"),
    ]


def test_closing_the_loop_on_a_letter_not_saved_yet_writes_and_sends_it(patient_record, coordinator):
    referral = seen_referral(patient_record, coordinator)
    services.save_and_send_letter(referral, details=LETTER, by=coordinator)
    assert FeedbackLetter.objects.get().is_sent


def test_closing_the_loop_with_a_stale_or_bad_form_saves_and_sends_nothing(patient_record, coordinator, therapist):
    referral = seen_referral(patient_record, coordinator)
    services.save_letter(referral, details=LETTER, by=coordinator)
    services.save_letter(referral, details=LETTER | {"plan": "A colleague's plan"}, by=therapist, expected_version=1)
    with pytest.raises(StaleEdit):
        services.save_and_send_letter(referral, details=LETTER | {"plan": "Mine"}, by=coordinator, expected_version=1)
    with pytest.raises(DomainError) as refused:
        services.save_and_send_letter(referral, details=LETTER | {"findings": " "}, by=coordinator, expected_version=2)
    assert refused.value.field == "findings"
    letter = FeedbackLetter.objects.get()
    assert (letter.plan, letter.status, letter.version) == ("A colleague's plan", "draft", 2)


def test_a_refused_send_undoes_the_save_of_the_same_request(patient_record, coordinator, monkeypatch):
    referral = seen_referral(patient_record, coordinator)
    services.save_letter(referral, details=LETTER, by=coordinator)

    def refuse(*args, **kwargs):
        raise DomainError("refused")

    monkeypatch.setattr(services, "send_letter", refuse)
    with pytest.raises(DomainError):
        services.save_and_send_letter(
            referral, details=LETTER | {"findings": "New"}, by=coordinator, expected_version=1
        )
    letter = FeedbackLetter.objects.get()
    assert (letter.findings, letter.version, letter.status) == (LETTER["findings"], 1, "draft")


def directory_entry(by, name, kind):
    return services.create_resource(organisation_id=by.organisation_id, details={"name": name, "kind": kind}, by=by)


def test_a_directory_entry_must_fit_the_service(patient_record, coordinator):
    debt = directory_entry(coordinator, "Debt Help Line", "debt")
    walking = directory_entry(coordinator, "Walking group", "exercise")
    anything = directory_entry(coordinator, "Unsorted", "other")
    with pytest.raises(DomainError) as refused:
        services.create_outgoing(
            patient_record, details=OUT | {"service": "physiotherapy", "resource_id": str(debt.id)}, by=coordinator
        )
    assert refused.value.field == "resource_id"
    assert "Debt Help Line (debt advice) does not fit a referral to physiotherapy" in refused.value.message
    assert "exercise and movement" in refused.value.message
    assert not Referral.objects.exists() and audited(patient_record, "referral") == 0
    for service, entry in (
        ("physiotherapy", walking),
        ("social_work", debt),
        ("community", debt),
        ("community", walking),
        ("psychiatry", anything),
    ):
        referral = services.create_outgoing(
            patient_record, details=OUT | {"service": service, "resource_id": str(entry.id)}, by=coordinator
        )
        assert referral.resource == entry


def test_a_draft_cannot_be_changed_to_a_service_its_directory_entry_does_not_fit(patient_record, coordinator):
    debt = directory_entry(coordinator, "Debt Help Line", "debt")
    draft = services.create_outgoing(
        patient_record, details=OUT | {"service": "social_work", "resource_id": str(debt.id)}, by=coordinator
    )
    with pytest.raises(DomainError) as refused:
        services.update_draft(draft, expected_version=1, changes={"service": "physiotherapy"}, by=coordinator)
    assert refused.value.field == "resource_id"
    assert Referral.objects.get().service == "social_work"


def test_a_day_in_a_message_is_written_as_on_the_pages(patient_record, coordinator):
    referral = outgoing(patient_record, coordinator, send=True)  # sent on Monday 2 March 2026
    with clock.pinned(MONDAY + timedelta(days=20)), pytest.raises(DomainError) as refused:
        services.move(referral, to_state="received", expected_version=2, by=coordinator, on="2026-03-01")
    assert "on 02 Mar 2026" in refused.value.message and "2026-03-02" not in refused.value.message


def test_the_board_lists_the_longest_wait_first_whatever_the_service(patient_record, other_patient_record, coordinator):
    from commonground.patients.models import Patient

    now = MONDAY + timedelta(days=60)
    physio = outgoing(patient_record, coordinator, send=True, when=now - timedelta(days=50))  # overdue after 42
    psychology = outgoing(
        other_patient_record, coordinator, send=True, when=now - timedelta(days=60), service="psychology"
    )  # 84 expected: not overdue, but longer
    seen = walk(
        outgoing(patient_record, coordinator, send=True, when=now - timedelta(days=90)),
        coordinator,
        "received",
        "accepted",
        "scheduled",
        "first_contact",
        start=now - timedelta(days=90),
        days_apart=5,
    )  # waited 20 days; its wait is over
    draft = outgoing(other_patient_record, coordinator, when=now - timedelta(days=100))
    rows = selectors.open_referrals(Patient.objects.all(), now=now, time_zone="Europe/Amsterdam")
    assert [(row.id, row.stage, row.days_waiting, row.draft_days) for row in rows] == [
        (psychology.id, "waiting", 60, None),
        (physio.id, "waiting", 50, None),
        (seen.id, "seen", 20, None),
        (draft.id, "draft", None, 100),
    ]
    assert rows[1].overdue and not rows[0].overdue
    assert rows[0].sent_on == (now - timedelta(days=60)).date() and rows[2].first_contact_on is not None
    stages = selectors.by_stage(rows)
    assert [[row.id for row in stages[stage]] for stage in selectors.STAGES] == [
        [psychology.id, physio.id],
        [seen.id],
        [draft.id],
    ]
    assert all(row.record_number for row in rows)


def test_loops_still_open_name_the_record_number(patient_record, coordinator):
    from commonground.patients.models import Patient

    seen_referral(patient_record, coordinator)
    [owed] = selectors.letters_owed(Patient.objects.all(), time_zone="UTC")
    assert owed.record_number == patient_record.record_number


def test_medians_are_whole_days_or_a_half(patient_record, coordinator):
    from commonground.patients.models import Patient

    for days_apart in (4, 5):  # first contact 16 and 20 days after sending: median 18
        walk(
            outgoing(patient_record, coordinator, send=True),
            coordinator,
            "received",
            "accepted",
            "scheduled",
            "first_contact",
            days_apart=days_apart,
        )
    medians = {w.service: w for w in selectors.waits_per_service(Patient.objects.all(), time_zone="UTC")}
    assert medians["physiotherapy"].median_text == "18"
    assert medians["psychology"].median_text == ""
