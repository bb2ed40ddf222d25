"""The groups selectors: who sees a cohort, what members see of each other, the facilitator relationship."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from typing import Any

import pytest

from commonground.access import relationships
from commonground.groups import selectors, services
from commonground.groups.apps import GROUP_FACILITATOR
from commonground.groups.choices import Attendance, CheckInFeeling, EnrolmentStatus, ShownName
from commonground.groups.models import Cohort, GroupSession
from commonground.groups.names import shown_name
from commonground.kit import clock

pytestmark = pytest.mark.django_db


def test_facilitators_and_coordinators_see_the_cohort_and_no_one_else(
    cohort: Cohort,
    facilitator: Any,
    coordinator: Any,
    therapist: Any,
    outsider: Any,
    foreign_clinician: Any,
    patient_user: Any,
) -> None:
    assert selectors.cohort_for_staff(facilitator, cohort.id) == cohort
    assert selectors.cohort_for_staff(coordinator, cohort.id) == cohort
    for person in (therapist, outsider, foreign_clinician, patient_user):
        assert selectors.cohort_for_staff(person, cohort.id) is None
        assert selectors.cohorts_for_staff(person) == []
    assert selectors.cohort_for_staff(facilitator, "not-a-uuid") is None


def test_members_see_each_other_by_first_name_only(cohort: Cohort, ada: Any, grace: Any) -> None:
    seen = selectors.fellow_members(cohort)
    assert [(m.enrolment_id, m.shown_name) for m in seen] == [(ada.id, "Ada"), (grace.id, "Grace")]


def test_the_facilitator_relationship_follows_membership(
    cohort: Cohort, ada: Any, facilitator: Any, therapist: Any, patient_record: Any
) -> None:
    assert selectors.is_facilitator_of_patient(facilitator, patient_record.id)
    assert not selectors.is_facilitator_of_patient(therapist, patient_record.id)
    assert patient_record.id in set(selectors.patients_of_facilitator(facilitator).values_list("patient_id", flat=True))
    services.withdraw(ada, reason="", by=facilitator)
    assert not selectors.is_facilitator_of_patient(facilitator, patient_record.id)


# --- privacy between members ----------------------------------------------------------------------------------


def test_shown_names() -> None:
    assert shown_name("Ada Mary", "Lovelace", ShownName.FIRST_NAME, "") == "Ada"
    assert shown_name("Ada", "Lovelace", ShownName.INITIALS, "") == "A. L."
    assert shown_name("Ada", "Lovelace", ShownName.CHOSEN_NAME, "Birdie") == "Birdie"
    assert shown_name("Ada", "Lovelace", ShownName.CHOSEN_NAME, "  ") == "Ada"


def test_what_a_member_sees_of_another_is_a_handle_and_a_shown_name_only(cohort: Cohort, ada: Any, grace: Any) -> None:
    services.change_member_choices(grace, shown_name=ShownName.CHOSEN_NAME, chosen_name="G", wants_partner=True)
    assert [f.name for f in dataclasses.fields(selectors.SeenMember)] == ["enrolment_id", "shown_name"]
    seen = selectors.fellow_members(cohort)
    assert [m.shown_name for m in seen] == ["Ada", "G"]
    text = repr(seen)
    for secret in (
        "Lovelace",
        "Hopper",
        "Grace",
        str(ada.patient_id),
        str(grace.patient_id),
        ada.patient.record_number,
    ):
        assert secret not in text


def test_only_members_are_listed_and_only_members_reach_the_group(
    cohort: Cohort, ada: Any, grace: Any, make_member: Any, facilitator: Any, other_patient_record: Any
) -> None:
    hana = make_member("Hana")
    waiting = make_member("Ivo", waiting_list_if_full=True)
    services.withdraw(hana, reason="", by=facilitator)
    assert [m.enrolment_id for m in selectors.fellow_members(cohort)] == [ada.id, grace.id]
    assert selectors.membership_for_patient(ada.patient, cohort.id) == ada
    assert selectors.membership_for_patient(waiting.patient, cohort.id) is None
    assert selectors.membership_for_patient(hana.patient, cohort.id) is None
    assert selectors.membership_for_patient(ada.patient, "nonsense") is None


def test_the_waiting_list_is_oldest_first(cohort: Cohort, ada: Any, grace: Any, make_member: Any) -> None:
    make_member("Hana")
    first = make_member("Ivo", waiting_list_if_full=True)
    second = make_member("Jo", waiting_list_if_full=True)
    assert [e.id for e in selectors.waiting_list(cohort)] == [first.id, second.id]
    assert {e.id for e in selectors.roster(cohort)} == {
        ada.id,
        grace.id,
        cohort.enrolments.get(patient__given_name="Hana").id,
    }


def test_facilitators_see_check_in_counts_but_not_their_content_unless_shared(
    cohort: Cohort, ada: Any, grace: Any
) -> None:
    pairing = services.agree_to_pairing(services.ask_to_pair(ada, grace), grace)
    services.check_in(pairing, ada, feeling=CheckInFeeling.HARD, message="My back was bad all week")
    services.check_in(
        pairing, grace, feeling=CheckInFeeling.WELL, message="I swam twice", shared_with_facilitators=True
    )
    (activity,) = selectors.pairings_for_facilitator(cohort)
    assert activity.total == 2 and [w.check_ins for w in activity.weeks] == [2]
    assert [(s.message, s.feeling) for s in activity.shared] == [("I swam twice", CheckInFeeling.WELL)]
    assert "My back" not in repr(activity)
    # The partners themselves see both.
    view = selectors.partner_view(pairing, ada)
    assert {c.message for c in view.check_ins} == {"My back was bad all week", "I swam twice"}
    assert view.checked_in_this_week and view.partner_checked_in_this_week


def test_no_one_views_a_pairing_they_are_not_in(cohort: Cohort, ada: Any, grace: Any, make_member: Any) -> None:
    pairing = services.ask_to_pair(ada, grace)
    hana = make_member("Hana")
    with pytest.raises(LookupError):
        selectors.partner_view(pairing, hana)
    assert selectors.pairing_for_member(hana, pairing.id) is None
    assert selectors.pairing_of(ada) == pairing and selectors.pairing_of(hana) is None


def test_partner_candidates_want_a_partner_and_have_none(
    cohort: Cohort, ada: Any, grace: Any, make_member: Any
) -> None:
    hana = make_member("Hana", wants_partner=True)
    make_member("Ivo", cohort=cohort, waiting_list_if_full=True, wants_partner=True)
    assert [c.shown_name for c in selectors.partner_candidates(hana)] == ["Ada", "Grace"]
    services.ask_to_pair(ada, grace)
    assert selectors.partner_candidates(hana) == []


def test_the_attendance_grid_has_rates_per_member_and_session(
    cohort: Cohort, ada: Any, grace: Any, facilitator: Any
) -> None:
    first, second = GroupSession.objects.filter(cohort=cohort).order_by("number")[:2]
    with clock.pinned(second.starts_at + timedelta(hours=2)):
        services.record_attendance(
            first, marks={ada.id: Attendance.PRESENT, grace.id: Attendance.ABSENT}, by=facilitator
        )
        services.record_attendance(second, marks={ada.id: Attendance.ABSENT_WITH_NOTICE}, by=facilitator)
    grid = selectors.attendance_grid(cohort)
    rows = {r.enrolment.id: r for r in grid.rows}
    assert rows[ada.id].marks[:3] == [Attendance.PRESENT, Attendance.ABSENT_WITH_NOTICE, ""]
    assert (rows[ada.id].rate, rows[grace.id].rate) == (0.5, 0.0)
    assert [s.rate for s in grid.per_session[:3]] == [0.5, 0.0, None]
    assert grid.mark(first.id, grace.id) == Attendance.ABSENT


def test_the_relationship_is_registered_and_ends_with_the_facilitator(
    cohort: Cohort, ada: Any, facilitator: Any, coordinator: Any, patient_record: Any, clinic: Any
) -> None:
    from commonground.accounts.choices import Role
    from tests.personas import make_staff

    relationship = relationships.get(GROUP_FACILITATOR)
    assert relationship.allows(facilitator, patient_record.id)
    second = make_staff(clinic, "gus", Role.PSYCHOLOGIST)
    services.add_facilitator(cohort, second, by=coordinator)
    services.remove_facilitator(cohort, facilitator, by=coordinator)
    assert not relationship.allows(facilitator, patient_record.id)
    assert selectors.cohort_for_staff(facilitator, cohort.id) is None
    assert relationship.allows(second, patient_record.id)
    with pytest.raises(services.DomainError):
        services.remove_facilitator(cohort, second, by=coordinator)  # the last one stays


def test_a_finished_member_stays_visible_to_the_facilitator(cohort: Cohort, ada: Any, facilitator: Any) -> None:
    services.finish_cohort(cohort, by=facilitator, early=True)
    ada.refresh_from_db()
    assert ada.status == EnrolmentStatus.FINISHED
    assert selectors.is_facilitator_of_patient(facilitator, ada.patient_id)
    assert selectors.membership_for_patient(ada.patient, cohort.id) == ada
