"""Prepared reads answer exactly what the same queryset answers through the ORM, with one statement each."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest
from django.db import connections
from django.db.models import CharField, F, Q, UUIDField

from commonground.access.gateway import PATIENT_OF_CLINIC
from commonground.accounts.backends import USER_BY_ID, AccountBackend
from commonground.careplans.models import HomePractice
from commonground.careplans.selectors import PRACTICE_TITLES
from commonground.careteam import selectors as team_selectors
from commonground.careteam import services as team_services
from commonground.careteam.models import CareTeamMember
from commonground.kit.models import RecordStatus
from commonground.kit.prepared import Param, PreparedRead
from commonground.patients.models import Patient

pytestmark = pytest.mark.django_db

PATIENT_WITH_CLINIC = PATIENT_OF_CLINIC  # the gateway's: two values, a join, a slice
NAMES_OF_MEMBERS = PreparedRead(
    lambda: (
        CareTeamMember.objects.current()
        .filter(patient_id=Param("patient", UUIDField()), record_status=Param("status", CharField()))
        .order_by("staff__display_name")
        .values_list("staff__display_name", "left_at")
    )
)


def _fields(instance):
    return {name: value for name, value in vars(instance).items() if name != "_state"}


def test_a_model_read_gives_the_orm_instances_with_their_joined_rows(patient_record):
    expected = list(
        Patient.objects.filter(pk=patient_record.id, organisation_id=patient_record.organisation_id).select_related(
            "organisation"
        )[:1]
    )
    found = PATIENT_WITH_CLINIC.all(patient=patient_record.id, organisation=patient_record.organisation_id)
    assert len(found) == 1 and isinstance(found[0], Patient)
    assert _fields(found[0]) == _fields(expected[0])
    assert _fields(found[0].organisation) == _fields(expected[0].organisation)
    assert found[0]._state.adding is False and found[0]._state.db == "default"


def test_the_values_are_bound_anew_each_time(patient_record, foreign_patient):
    assert PATIENT_WITH_CLINIC.first(patient=foreign_patient.id, organisation=patient_record.organisation_id) is None
    found = PATIENT_WITH_CLINIC.first(patient=foreign_patient.id, organisation=foreign_patient.organisation_id)
    assert found.id == foreign_patient.id
    # The same read, as text: a uuid in a string is made ready as the ORM makes it.
    again = PATIENT_WITH_CLINIC.first(patient=str(patient_record.id), organisation=str(patient_record.organisation_id))
    assert again.id == patient_record.id


def test_a_values_list_read_gives_the_orm_tuples_in_its_order(patient_record, psychiatrist, outsider):
    for colleague in (psychiatrist, outsider):
        team_services.add_member(patient_record, staff=colleague)
    expected = list(
        CareTeamMember.objects.current()
        .filter(patient_id=patient_record.id, record_status=RecordStatus.ACTIVE)
        .order_by("staff__display_name")
        .values_list("staff__display_name", "left_at")
    )
    assert len(expected) >= 2
    assert NAMES_OF_MEMBERS.all(patient=patient_record.id, status=RecordStatus.ACTIVE) == expected


def test_deferred_fields_stay_deferred_as_with_only(patient_record, psychiatrist):
    team_services.add_member(patient_record, staff=psychiatrist)
    members = team_selectors.TEAM_OVERVIEW.all(patient=patient_record.id)
    expected = list(team_selectors.current_members(patient_record.id))
    assert [(m.staff.display_name, m.team_role) for m in members] == [
        (m.staff.display_name, m.team_role) for m in expected
    ]
    assert "username" in members[0].staff.get_deferred_fields()


def test_each_read_is_one_statement_and_compiled_once_per_connection(patient_record, django_assert_num_queries):
    values = {"patient": patient_record.id, "organisation": patient_record.organisation_id}
    PATIENT_WITH_CLINIC.all(**values)
    compiled = connections["default"].__dict__["prepared_reads"][PATIENT_WITH_CLINIC]
    with django_assert_num_queries(1):
        PATIENT_WITH_CLINIC.all(**values)
    assert connections["default"].__dict__["prepared_reads"][PATIENT_WITH_CLINIC] is compiled


def test_wrong_or_missing_values_are_refused(patient_record):
    with pytest.raises(TypeError, match="exactly"):
        PATIENT_WITH_CLINIC.all(patient=patient_record.id)
    with pytest.raises(TypeError, match="exactly"):
        PATIENT_WITH_CLINIC.all(patient=patient_record.id, organisation=patient_record.organisation_id, extra=1)
    with pytest.raises(ValueError, match="None"):
        PATIENT_WITH_CLINIC.all(patient=patient_record.id, organisation=None)


def test_a_read_that_is_not_rows_or_tuples_is_refused():
    counted = PreparedRead(lambda: Patient.objects.filter(pk=Param("patient", UUIDField())).values("id"))
    with pytest.raises(ValueError, match="model instances or values_list"):
        counted.all(patient=uuid.uuid4())


def test_the_backend_reads_the_active_user_as_django_does(coordinator):
    backend = AccountBackend()
    assert _fields(backend.get_user(coordinator.id)) == _fields(type(coordinator).objects.get(pk=coordinator.id))
    assert backend.get_user(str(coordinator.id)).id == coordinator.id
    for never_a_user in (uuid.uuid4(), "not-a-uuid", None, "\x00"):
        assert backend.get_user(never_a_user) is None
    coordinator.is_active = False
    coordinator.save(update_fields=["is_active"])
    assert USER_BY_ID.first(user=coordinator.id) is not None
    assert backend.get_user(coordinator.id) is None


def test_a_value_used_twice_and_an_or_give_the_orms_rows(patient_record, therapist):
    day = date(2026, 3, 10)
    for title, starts, ends in [
        ("open-ended", day - timedelta(days=9), None),
        ("ended that day", day - timedelta(days=9), day),
        ("ended before", day - timedelta(days=9), day - timedelta(days=1)),
        ("starts after", day + timedelta(days=1), None),
        ("starts that day", day, day + timedelta(days=5)),
    ]:
        HomePractice.objects.create(
            patient=patient_record,
            organisation_id=patient_record.organisation_id,
            title=title,
            starts_on=starts,
            ends_on=ends,
            assigned_by=therapist,
        )
    for on in (day, day - timedelta(days=1), day + timedelta(days=3)):
        expected = list(
            HomePractice.objects.current()
            .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=on), patient_id=patient_record.id, starts_on__lte=on)
            .order_by("starts_on", "created_at")
            .values_list("id", "title")
        )
        assert PRACTICE_TITLES.all(patient=patient_record.id, on=on) == expected
    assert [title for _, title in PRACTICE_TITLES.all(patient=patient_record.id, on=day)] == [
        "open-ended",
        "ended that day",
        "starts that day",
    ]


def test_reads_a_single_statement_cannot_answer_as_the_orm_would_are_refused(patient_record):
    prefetching = PreparedRead(
        lambda: Patient.objects.filter(pk=Param("patient", UUIDField())).prefetch_related("identifiers")
    )
    annotated = PreparedRead(
        lambda: (
            Patient.objects.filter(pk=Param("patient", UUIDField()))
            .annotate(clinic=F("organisation_id"))
            .values_list("clinic", "id")
        )
    )
    with pytest.raises(ValueError, match="prefetch_related"):
        prefetching.all(patient=patient_record.id)
    with pytest.raises(ValueError, match="model fields only"):
        annotated.all(patient=patient_record.id)
