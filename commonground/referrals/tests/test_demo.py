"""The demo clinic's referrals: realistic waits, some loops closed and some open, deterministic, loaded once."""

from __future__ import annotations

from datetime import date

import pytest

from commonground.accounts.choices import Role
from commonground.demo.referrals import PLANS_IN, PLANS_OUT, seed_referrals
from commonground.patients.models import Patient
from commonground.referrals import selectors, waits
from commonground.referrals.choices import Direction, State
from commonground.referrals.models import CommunityResource, FeedbackLetter, Referral, ReferralStep
from tests.personas import make_patient, make_staff

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 20)


def _staff_and_patients(clinic, coordinator, prefix=""):
    staff = {
        "coordinator": coordinator,
        "therapist": make_staff(clinic, f"{prefix}lotte", Role.PSYCHOSOMATIC_THERAPIST),
        "gp": make_staff(clinic, f"{prefix}amira", Role.PRIMARY_CARE_PHYSICIAN),
    }
    for number in range(30):
        make_patient(clinic, coordinator, given=f"P{number}", family=f"Demo{number:02d}")
    Patient.objects.filter(organisation=clinic).update(status="active")
    return staff


@pytest.fixture
def small_clinic(clinic, coordinator):
    return _staff_and_patients(clinic, coordinator)


def _story(clinic) -> list[tuple[str, ...]]:
    return [
        (r.patient.family_name, r.service, r.state, str(r.sent_at), str(r.first_contact_at))
        for r in Referral.objects.filter(organisation=clinic)
        .select_related("patient")
        .order_by("created_at", "service")
    ]


def test_the_demo_referrals(clinic, small_clinic):
    seed_referrals(clinic, staff=small_clinic, today=TODAY, seed="demo/referrals")
    referrals = list(Referral.objects.filter(organisation=clinic))
    assert len(referrals) == len(PLANS_OUT) + len(PLANS_IN) >= 25
    assert CommunityResource.objects.filter(organisation=clinic).count() == 12
    assert Referral.objects.filter(direction=Direction.INCOMING).count() == len(PLANS_IN)
    states = {r.state for r in referrals}
    assert {State.DRAFT, State.SENT, State.SCHEDULED, State.COMPLETED, State.DECLINED, State.WITHDRAWN} <= states
    # Realistic waits per service, in days from sending to first contact.
    for referral in referrals:
        days = waits.wait_days(referral.sent_at, referral.first_contact_at, "Europe/Amsterdam")
        if days is not None and referral.direction == Direction.OUTGOING:
            low, high = {"physiotherapy": (14, 42), "psychology": (28, 84), "psychiatry": (7, 21)}.get(
                referral.service, (5, 30)
            )
            assert low <= days <= high, (referral.service, days)
    # Some loops closed, some still open; some overdue.
    closed = [r for r in referrals if r.loop_closed]
    assert len(closed) >= 4
    assert selectors.letters_owed(Patient.objects.all(), time_zone="UTC")
    assert FeedbackLetter.objects.filter(status="draft").exists()
    rows = selectors.open_referrals(Patient.objects.all(), now=waits_now(), time_zone="Europe/Amsterdam")
    assert any(row.overdue for row in rows)
    # Every step in order, never in the future.
    for referral in referrals:
        ats = list(ReferralStep.objects.filter(referral=referral).order_by("created_at").values_list("at", flat=True))
        assert ats == sorted(ats)
        assert waits.local_day(ats[-1], "Europe/Amsterdam") <= TODAY


def waits_now():
    from datetime import datetime, time
    from zoneinfo import ZoneInfo

    return datetime.combine(TODAY, time(18), tzinfo=ZoneInfo("Europe/Amsterdam"))


def test_the_same_seed_gives_the_same_referrals_and_a_second_run_adds_none(
    clinic, small_clinic, other_clinic, foreign_clinician
):
    seed_referrals(clinic, staff=small_clinic, today=TODAY, seed="demo/referrals")
    first = _story(clinic)
    seed_referrals(clinic, staff=small_clinic, today=TODAY, seed="demo/referrals")
    assert _story(clinic) == first, "a second run adds nothing"
    other_staff = _staff_and_patients(other_clinic, foreign_clinician, prefix="other-")
    seed_referrals(other_clinic, staff=other_staff, today=TODAY, seed="demo/referrals")
    again = [(name, service, state) for name, service, state, *_ in _story(other_clinic)]
    assert again == [(name, service, state) for name, service, state, *_ in first]
