"""The demo clinic's group programmes: the standard programme, a finished group with attendance history and
outcomes (reliable-change counts, a drop-out, goal attainment), a running group in which the `patient` login
has a partner who checks in, a small win on the board and an action plan; nothing written twice."""

from __future__ import annotations

from typing import Any

import pytest

from commonground.accounts.models import User
from commonground.demo.groups import seed_groups
from commonground.demo.seed import DEMO_SLUG, SeedResult
from commonground.groups import selectors
from commonground.groups.choices import CohortStatus, EnrolmentStatus, PairingStatus, PostKind, SessionStatus
from commonground.groups.models import (
    ActionStep,
    AttendanceRecord,
    BoardPost,
    CheckIn,
    Cohort,
    Enrolment,
    Pairing,
    PracticeCopy,
    Programme,
)
from commonground.kit import clock
from tests.personas import signed_in

pytestmark = pytest.mark.django_db


def user(username: str) -> User:
    return User.objects.get(username=username, organisation__slug=DEMO_SLUG)


def cohort(status: str) -> Cohort:
    return Cohort.objects.select_related("programme").get(organisation__slug=DEMO_SLUG, status=status)


def test_the_standard_programme_and_two_groups_run_by_the_facilitator(demo_clinic: SeedResult) -> None:
    programme = Programme.objects.get(organisation__slug=DEMO_SLUG)
    assert programme.instruments == ["phq15", "wsas"] and programme.sessions.count() == 8
    facilitator = user("facilitator")
    assert {c.status for c in selectors.cohorts_for_staff(facilitator)} == {
        CohortStatus.FINISHED,
        CohortStatus.RUNNING,
    }
    assert selectors.cohorts_for_staff(user("physio")) == []


def test_the_finished_group_has_its_history_and_outcomes(demo_clinic: SeedResult) -> None:
    finished = cohort(CohortStatus.FINISHED)
    assert {s.status for s in selectors.sessions_of(finished)} == {SessionStatus.HELD}
    assert AttendanceRecord.objects.filter(session__cohort=finished).count() >= 8 * 7
    statuses = sorted(Enrolment.objects.filter(cohort=finished).values_list("status", flat=True))
    assert statuses.count(EnrolmentStatus.FINISHED) == 7 and statuses.count(EnrolmentStatus.WITHDRAWN) == 1
    outcomes = selectors.cohort_outcomes(finished)
    assert outcomes.ever_placed == 8 and outcomes.left_early == 1
    assert outcomes.attendance_rate is not None and 0.7 < outcomes.attendance_rate < 1
    assert outcomes.completed >= 5
    by_instrument = {found.instrument_id: found.counts for found in outcomes.instruments}
    assert set(by_instrument) == {"phq15", "wsas"}
    phq15 = by_instrument["phq15"]
    assert phq15.compared >= 7 and phq15.improved >= 1 and phq15.missing <= 1
    assert outcomes.gas_members >= 1 and outcomes.gas_mean_t is not None


def test_the_running_group_has_partners_a_small_win_and_a_plan(demo_clinic: SeedResult) -> None:
    running = cohort(CohortStatus.RUNNING)
    held = [s for s in selectors.sessions_of(running) if s.status == SessionStatus.HELD]
    assert len(held) == 3
    fourth = selectors.sessions_of(running)[3]
    assert fourth.status == SessionStatus.SCHEDULED
    assert clock.local_date(fourth.starts_at, "Europe/Amsterdam") == clock.local_date(clock.now(), "Europe/Amsterdam")
    assert len(selectors.waiting_list(running)) == 1
    milan = Enrolment.objects.get(cohort=running, patient__user__username="patient")
    joost = Enrolment.objects.get(cohort=running, patient__user__username="patient2")
    pairing = selectors.pairing_of(milan)
    assert pairing is not None and pairing.status == PairingStatus.ACTIVE
    assert {pairing.first_id, pairing.second_id} == {milan.id, joost.id}
    assert CheckIn.objects.filter(pairing=pairing).count() == 6
    assert Pairing.objects.filter(cohort=running, status=PairingStatus.ACTIVE).count() == 2
    wins = BoardPost.objects.filter(cohort=running, kind=PostKind.SMALL_WIN)
    assert [post.author_enrolment_id for post in wins] == [joost.id]
    steps = ActionStep.objects.filter(plan__enrolment=milan)
    assert steps.count() == 3 and steps.filter(goal_id__isnull=False).exists() and steps.filter(done_at__isnull=False)
    assert [plan.enrolment_id for plan in selectors.plans_shared_with_group(running)] == [joost.id]
    assert PracticeCopy.objects.filter(enrolment=milan, practice__session__cohort=running).exists()


def test_what_the_facilitator_sees_of_the_check_ins(demo_clinic: SeedResult) -> None:
    activity = selectors.pairings_for_facilitator(cohort(CohortStatus.RUNNING))
    assert len(activity) == 2
    shared = [check_in for found in activity for check_in in found.shared]
    assert len(shared) == 1  # only the one its writer shared with the facilitators


def test_the_demo_group_pages_open(demo_clinic: SeedResult) -> None:
    running = cohort(CohortStatus.RUNNING)
    finished = cohort(CohortStatus.FINISHED)
    staff = signed_in(user("facilitator"))
    for found in (running, finished):
        assert staff.get(f"/clinician/groups/cohorts/{found.id}/").status_code == 200
    assert staff.get(f"/clinician/groups/cohorts/{finished.id}/outcomes/").status_code == 200
    member = signed_in(user("patient"))
    assert member.get(f"/portal/groups/{running.id}/").status_code == 200
    assert member.get(f"/portal/groups/{finished.id}/").status_code == 404
    assert signed_in(user("physio")).get(f"/clinician/groups/cohorts/{running.id}/").status_code == 404


def test_a_second_run_writes_nothing(demo_clinic: SeedResult) -> None:
    before = Cohort.objects.count(), Enrolment.objects.count(), CheckIn.objects.count()
    organisation: Any = user("facilitator").organisation
    today = clock.local_date(clock.now(), organisation.time_zone)
    seed_groups(organisation, staff={"facilitator": user("facilitator")}, today=today, seed="again")
    assert (Cohort.objects.count(), Enrolment.objects.count(), CheckIn.objects.count()) == before
