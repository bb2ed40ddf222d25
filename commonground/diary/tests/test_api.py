"""The diary's CSV export in the API (issue 6 item 7): its shape, what the patient shares, audit and denials.

The diary is made through its services, on days pinned with the clock: the patient (Europe/Amsterdam) may fill
in today and the three days before.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from commonground.access import services as access_services
from commonground.accounts.services import create_api_token
from commonground.audit.models import AuditEvent
from commonground.diary import definitions, selectors, services
from commonground.diary.entries import Activity, EntryValues
from commonground.kit import clock
from tests.personas import signed_in

pytestmark = pytest.mark.django_db

# Noon in Amsterdam on Monday 10 March 2025: the patient's "today".
MONDAY = datetime(2025, 3, 10, 11, 0, tzinfo=UTC)
HEADER = "date,pain,fatigue,energy,sleep_hours,sleep_quality,activity_load,rest_breaks,practice_done"


def token_client(user: Any, scope: str = "read") -> Client:
    _token, secret = create_api_token(user, name="csv test", scope=scope, days=1, created_by=user)
    return Client(headers={"Authorization": f"Bearer {secret}"})


def url(patient: Any) -> str:
    return f"/api/patients/{patient.id}/diary.csv"


def share(patient: Any, parts: list[str]) -> None:
    current = selectors.set_up_of(patient)
    services.set_sharing(patient, parts=parts, expected_version=current.version)


def lines(response: Any) -> list[str]:
    assert response.status_code == 200, response.content
    text: str = response.content.decode()
    return text.splitlines()


@pytest.fixture
def diary(patient_record: Any, coordinator: Any) -> dict[str, Any]:
    """Saturday: pain and sleep only. Sunday: every rating, sleep, a walk and a rest break. Monday: pain 2 in the
    daily entry and pain 5 in an extra check-in."""
    with clock.pinned(MONDAY):
        set_up = services.set_up_diary(
            patient_record,
            definition=definitions.build(symptoms=["pain", "fatigue"], scales=["energy"], activities=["Walking"]),
            by=coordinator,
        )
        saturday = services.record_entry(
            patient_record, day=date(2025, 3, 8), values=EntryValues(ratings={"pain": 3}, sleep_hours=Decimal("7.5"))
        )
        sunday = services.record_entry(
            patient_record,
            day=date(2025, 3, 9),
            values=EntryValues(
                ratings={"pain": 4, "fatigue": 6, "energy": 5},
                sleep_hours=Decimal(6),
                sleep_quality=7,
                activities=(Activity("walking", done=True, minutes=30, effort=4),),
                rest_breaks=2,
            ),
        )
        monday = services.record_entry(patient_record, day=date(2025, 3, 10), values=EntryValues(ratings={"pain": 2}))
        check_in = services.record_check_in(patient_record, values=EntryValues(ratings={"pain": 5, "energy": 3}))
    return {"set_up": set_up, "saturday": saturday, "sunday": sunday, "monday": monday, "check_in": check_in}


def test_the_csv_is_tidy_a_date_then_one_column_per_variable_and_empty_cells_for_missing(
    diary, patient_record, therapist
):
    assert lines(token_client(therapist).get(url(patient_record))) == [
        HEADER,
        "2025-03-08,3,,,7.5,,,,",  # practice done: empty, there was no practice to do (docs/patterns.md)
        "2025-03-09,4,6,5,6,7,12,2,",  # 30 minutes at effort 4: 30 × 4 ÷ 10 = 12
        "2025-03-10,3.5,,3,,,,,",  # pain (2 + 5) / 2; energy from the check-in alone
    ]


def test_the_download_is_an_attachment_whose_name_says_nothing_about_the_patient(diary, patient_record, therapist):
    response = token_client(therapist).get(url(patient_record))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="diary-export.csv"'
    for private in (patient_record.family_name, patient_record.given_name, patient_record.record_number):
        assert str(private).encode() not in response["Content-Disposition"].encode()
        assert str(private).encode() not in response.content


def test_a_signed_in_clinician_downloads_it_too(diary, patient_record, coordinator):
    assert lines(signed_in(coordinator).get(url(patient_record)))[0] == HEADER


def test_only_the_parts_the_patient_shares_are_in_the_file(diary, patient_record, therapist):
    share(patient_record, ["ratings"])
    assert lines(token_client(therapist).get(url(patient_record))) == [
        "date,pain,fatigue,energy",
        "2025-03-08,3,,",
        "2025-03-09,4,6,5",
        "2025-03-10,3.5,,3",
    ]
    share(patient_record, ["sleep", "notes"])
    assert lines(token_client(therapist).get(url(patient_record)))[:3] == [
        "date,sleep_hours,sleep_quality",
        "2025-03-08,7.5,",
        "2025-03-09,6,7",
    ]


def test_an_entry_entered_in_error_is_left_out(diary, patient_record, therapist):
    with clock.pinned(MONDAY):
        services.remove_entry(diary["saturday"], expected_version=1)
    assert [line.split(",")[0] for line in lines(token_client(therapist).get(url(patient_record)))] == [
        "date",
        "2025-03-09",
        "2025-03-10",
    ]


def test_a_patient_without_a_diary_gets_the_header_only(other_patient_record, coordinator):
    assert lines(token_client(coordinator).get(url(other_patient_record))) == ["date"]


def test_the_download_is_audited_as_an_export_of_the_diary(diary, patient_record, therapist):
    token_client(therapist).get(url(patient_record))
    event = AuditEvent.objects.get(patient_id=patient_record.id, action="export")
    assert (event.actor_id, event.object_type) == (therapist.id, "diary")


# --- denials ----------------------------------------------------------------------------------------------


def test_the_export_needs_authentication(diary, patient_record):
    assert Client().get(url(patient_record)).status_code == 401


@pytest.mark.parametrize("who", ["outsider", "foreign_clinician", "administrator", "privacy_officer"])
def test_staff_outside_the_care_team_get_not_found_and_nothing_is_audited(diary, patient_record, who, request):
    client = token_client(request.getfixturevalue(who))
    before = AuditEvent.objects.filter(patient_id=patient_record.id).count()
    response = client.get(url(patient_record))
    assert response.status_code == 404, who
    assert b"pain" not in response.content
    assert AuditEvent.objects.filter(patient_id=patient_record.id).count() == before


@pytest.mark.parametrize("who", ["patient_user", "other_patient_user"])
def test_a_patient_token_or_session_gets_not_found_even_for_their_own_diary(diary, patient_record, who, request):
    person = request.getfixturevalue(who)
    for client in (token_client(person), signed_in(person)):
        assert client.get(url(patient_record)).status_code == 404, who


def test_emergency_access_does_not_export_the_diary(diary, patient_record, psychiatrist):
    access_services.start_break_glass(
        psychiatrist, record_number=patient_record.record_number, reason="Crisis call out of hours; team unreachable"
    )
    assert token_client(psychiatrist).get(url(patient_record)).status_code == 404


def test_an_unknown_patient_is_not_found_and_a_malformed_id_is_refused(coordinator):
    client = token_client(coordinator)
    assert client.get(f"/api/patients/{uuid.uuid4()}/diary.csv").status_code == 404
    assert client.get("/api/patients/not-a-uuid/diary.csv").status_code == 422
