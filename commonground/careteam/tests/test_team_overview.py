"""The chart's view of the team: the same names, roles and order as the team and its current members,
read in one query."""

from __future__ import annotations

import uuid

import pytest

from commonground.careteam import selectors, services
from commonground.careteam.models import CareTeamMember
from commonground.kit import clock

pytestmark = pytest.mark.django_db


def _shown(team, members):
    """What the chart's overview reads of them."""
    coordinator = team.care_coordinator.display_name if team and team.care_coordinator else None
    clinician = team.responsible_clinician.display_name if team and team.responsible_clinician else None
    return coordinator, clinician, [(m.staff.display_name, m.get_team_role_display()) for m in members]


def test_the_overview_shows_what_the_team_and_its_current_members_show(
    patient_record, coordinator, therapist, psychiatrist, outsider
):
    for colleague in (psychiatrist, outsider):
        services.add_member(patient_record, staff=colleague)
    team = patient_record.care_team
    services.assign_roles(
        team, expected_version=team.version, coordinator=coordinator, responsible_clinician=psychiatrist, reason="Rota"
    )
    leaver = patient_record.care_team_members.get(staff=outsider)
    services.end_membership(leaver, expected_version=leaver.version, reason="Moved to another clinic")
    expected = _shown(selectors.care_team_of(patient_record.id), selectors.current_members(patient_record.id))
    assert expected[1] == psychiatrist.display_name and len(expected[2]) == 3
    assert _shown(*selectors.team_overview(patient_record.id)) == expected


def test_the_overview_is_one_query_however_large_the_team(
    patient_record, psychiatrist, outsider, django_assert_num_queries
):
    for colleague in (psychiatrist, outsider):
        services.add_member(patient_record, staff=colleague)
    with django_assert_num_queries(1):
        shown = _shown(*selectors.team_overview(patient_record.id))
    assert len(shown[2]) == 4


def test_a_team_without_current_members_still_shows_its_coordinator(patient_record, coordinator):
    CareTeamMember.objects.filter(patient=patient_record).update(left_at=clock.now())
    team, members = selectors.team_overview(patient_record.id)
    assert members == []
    assert _shown(team, members) == (coordinator.display_name, None, [])


def test_a_patient_without_a_team_has_no_overview(clinic):
    assert selectors.team_overview(uuid.uuid4()) == (None, [])
