"""The registry: record numbers, versions and conflicts, history, entered in error, consents, supporters."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse

from commonground.kit.errors import DomainError, StaleEdit
from commonground.patients import selectors, services
from commonground.patients.choices import ConsentScope, PatientStatus
from commonground.patients.models import Patient
from tests.personas import make_patient, signed_in

pytestmark = pytest.mark.django_db


def test_record_numbers_are_sequential_per_clinic(clinic, other_clinic, coordinator, foreign_clinician):
    first = make_patient(clinic, coordinator)
    second = make_patient(clinic, coordinator, given="Bo")
    elsewhere = make_patient(other_clinic, foreign_clinician)
    assert (first.record_number, second.record_number, elsewhere.record_number) == (
        "CG-000001",
        "CG-000002",
        "CG-000001",
    )
    assert first.identifiers.get().value == "CG-000001"


def test_a_new_patient_takes_the_clinic_time_zone(patient_record):
    assert patient_record.time_zone == "Europe/Amsterdam"


def test_unknown_symptom_codes_and_impossible_birth_dates_are_refused(clinic):
    with pytest.raises(DomainError, match="Unknown symptom code"):
        services.register_patient(
            organisation=clinic,
            details={
                "given_name": "A",
                "family_name": "B",
                "date_of_birth": date(1990, 1, 1),
                "main_symptoms": ["ZZZ"],
            },
        )
    with pytest.raises(DomainError, match="date of birth"):
        services.register_patient(
            organisation=clinic,
            details={"given_name": "A", "family_name": "B", "date_of_birth": date.today() + timedelta(days=2)},
        )
    assert not Patient.objects.exists()


def test_an_edit_at_the_current_version_saves_and_writes_history(patient_record, coordinator):
    services.update_patient(patient_record, expected_version=1, changes={"phone": "+31 6 1234"}, reason="New number")
    patient_record.refresh_from_db()
    assert (patient_record.phone, patient_record.version) == ("+31 6 1234", 2)
    latest = patient_record.history.latest("history_date")
    assert latest.history_change_reason == "New number" and latest.phone == "+31 6 1234"


def test_a_stale_edit_is_refused_and_overwrites_nothing(patient_record):
    mine = Patient.objects.get(pk=patient_record.pk)
    theirs = Patient.objects.get(pk=patient_record.pk)
    services.update_patient(theirs, expected_version=1, changes={"phone": "theirs"}, reason="Their edit")
    with pytest.raises(StaleEdit) as refused:
        services.update_patient(mine, expected_version=1, changes={"phone": "mine"}, reason="My edit")
    assert refused.value.current.phone == "theirs"
    assert Patient.objects.get(pk=patient_record.pk).phone == "theirs"


def test_the_edit_page_shows_both_versions_on_conflict(patient_record, coordinator):
    client = signed_in(coordinator)
    url = reverse("clinician:edit", args=[patient_record.id])
    services.update_patient(
        Patient.objects.get(pk=patient_record.pk),
        expected_version=1,
        changes={"phone": "+31 20 555"},
        reason="Phoned in",
    )
    form = {
        "given_name": "Ada",
        "family_name": "Lovelace",
        "date_of_birth": "1980-05-17",
        "sex": "female",
        "preferred_language": "en",
        "education_level": "unknown",
        "time_zone": "Europe/Amsterdam",
        "status": "referred",
        "phone": "+44 7700 900",
        "version": "1",
        "reason": "Typo",
    }
    response = client.post(url, form)
    assert response.status_code == 200
    assert b"Someone else saved this record" in response.content
    assert b"+31 20 555" in response.content and b"+44 7700 900" in response.content
    assert Patient.objects.get(pk=patient_record.pk).phone == "+31 20 555"
    # The form now starts from the saved version: re-entering the change saves it.
    assert response.content.count(b'name="version"') == 1
    assert b'name="version" value="2"' in response.content
    resubmitted = client.post(url, {**form, "version": "2", "reason": "Typo, checked with the patient"})
    assert resubmitted.status_code == 302
    assert Patient.objects.get(pk=patient_record.pk).phone == "+44 7700 900"


def test_the_edit_page_keeps_what_was_typed_when_input_is_bad(patient_record, coordinator):
    response = signed_in(coordinator).post(
        reverse("clinician:edit", args=[patient_record.id]), {"given_name": "Ada Augusta", "version": "1"}
    )
    assert response.status_code == 200
    assert b"Ada Augusta" in response.content and b"This field is required" in response.content
    assert Patient.objects.get(pk=patient_record.pk).given_name == "Ada"


def test_entered_in_error_hides_the_record_but_keeps_its_history(patient_record):
    consent = services.record_consent(
        patient_record,
        scope=ConsentScope.RESEARCH,
        text_version="v1",
        recorded_by=patient_record.care_team.care_coordinator,
    )
    services.mark_in_error(consent, expected_version=consent.version, reason="Wrong patient")
    assert not selectors.consents(patient_record).exists()
    assert consent.history.filter(record_status="entered_in_error").exists()
    with pytest.raises(DomainError):
        services.mark_in_error(consent, expected_version=consent.version, reason="")


class TestConsent:
    def test_withdrawal_takes_effect_at_once(self, patient_record, coordinator):
        consent = services.record_consent(
            patient_record,
            scope=ConsentScope.RESEARCH,
            text_version="study-2025.2",
            scope_reference="TRIAL-1",
            recorded_by=coordinator,
        )
        assert selectors.has_consent(patient_record.id, ConsentScope.RESEARCH, "TRIAL-1")
        services.withdraw_consent(consent, expected_version=consent.version)
        assert not selectors.has_consent(patient_record.id, ConsentScope.RESEARCH, "TRIAL-1")
        consent.refresh_from_db()
        assert consent.withdrawn_at is not None and consent.text_version == "study-2025.2"

    def test_a_consent_needs_its_text_version(self, patient_record, coordinator):
        with pytest.raises(DomainError):
            services.record_consent(patient_record, scope=ConsentScope.CARE, text_version=" ", recorded_by=coordinator)

    def test_a_supporter_is_recorded_only_with_consent_and_hidden_after_withdrawal(self, patient_record, coordinator):
        supporter = services.add_supporter(
            patient_record,
            name="Charles Babbage",
            relationship="friend",
            text_version="sharing-1",
            recorded_by=coordinator,
        )
        assert supporter.consent.scope == ConsentScope.SUPPORTER_SHARING
        assert list(selectors.supporters(patient_record)) == [supporter]
        services.withdraw_consent(supporter.consent, expected_version=supporter.consent.version)
        assert not selectors.supporters(patient_record).exists()

    def test_the_supporter_form_needs_the_patients_agreement(self, patient_record, coordinator):
        url = reverse("clinician:consents", args=[patient_record.id])
        response = signed_in(coordinator).post(
            url, {"form": "supporter", "name": "Charles", "relationship": "friend", "text_version": "s1"}
        )
        assert response.status_code == 200
        assert not patient_record.supporters.exists()

    def test_a_patient_withdraws_research_consent_in_the_portal(self, patient_record, patient_user, coordinator):
        consent = services.record_consent(
            patient_record, scope=ConsentScope.RESEARCH, text_version="v1", recorded_by=coordinator
        )
        care = services.record_consent(
            patient_record, scope=ConsentScope.CARE, text_version="v1", recorded_by=coordinator
        )
        client = signed_in(patient_user)
        assert (
            client.post(reverse("portal:withdraw_consent", args=[consent.id]), {"version": consent.version}).status_code
            == 302
        )
        assert (
            client.post(reverse("portal:withdraw_consent", args=[care.id]), {"version": care.version}).status_code
            == 404
        )
        assert not selectors.has_consent(patient_record.id, ConsentScope.RESEARCH)
        assert selectors.has_consent(patient_record.id, ConsentScope.CARE)


class TestEpisodes:
    def test_weeks_in_care_and_discharge(self, patient_record):
        started = date.today() - timedelta(days=50)
        episode = services.open_episode(patient_record, started_on=started)
        assert Patient.objects.get(pk=patient_record.pk).status == PatientStatus.ACTIVE
        assert selectors.weeks_in_care(episode, date.today()) == 7
        with pytest.raises(DomainError):
            services.open_episode(Patient.objects.get(pk=patient_record.pk), started_on=started)
        services.close_episode(
            episode, expected_version=episode.version, ended_on=started + timedelta(days=21), end_reason="Goals reached"
        )
        assert selectors.weeks_in_care(episode, date.today()) == 3
        assert Patient.objects.get(pk=patient_record.pk).status == PatientStatus.DISCHARGED

    def test_an_episode_cannot_end_before_it_starts(self, patient_record):
        episode = services.open_episode(patient_record, started_on=date(2026, 3, 1))
        with pytest.raises(DomainError):
            services.close_episode(episode, expected_version=episode.version, ended_on=date(2026, 2, 1), end_reason="x")


def test_registering_through_the_page_puts_the_clinician_on_the_team(coordinator):
    response = signed_in(coordinator).post(
        reverse("clinician:register"),
        {
            "given_name": "Mary",
            "family_name": "Somerville",
            "date_of_birth": "1975-12-26",
            "sex": "female",
            "preferred_language": "en",
            "education_level": "tertiary",
            "time_zone": "Europe/Amsterdam",
            "main_symptoms": ["A04", "N17"],
            "care_consent_version": "care-2025.1",
            "start_episode": "on",
        },
    )
    patient = Patient.objects.get(family_name="Somerville")
    assert response.status_code == 302
    assert patient.care_team.care_coordinator == coordinator
    assert selectors.has_consent(patient.id, ConsentScope.CARE)
    assert patient.status == PatientStatus.ACTIVE


def test_bad_registration_input_saves_nothing_and_keeps_what_was_typed(coordinator):
    response = signed_in(coordinator).post(
        reverse("clinician:register"),
        {"given_name": "Mary", "family_name": "", "date_of_birth": "not a date", "time_zone": "Europe/Amsterdam"},
    )
    assert response.status_code == 200
    assert b"Mary" in response.content and b"Enter a valid date" in response.content
    assert not Patient.objects.exists()


def test_today_is_the_patients_local_day():
    from datetime import UTC, datetime

    from commonground.kit.clock import local_date

    late_evening_utc = datetime(2026, 3, 1, 23, 30, tzinfo=UTC)
    assert local_date(late_evening_utc, "Europe/Amsterdam") == date(2026, 3, 2)
    assert local_date(late_evening_utc, "America/New_York") == date(2026, 3, 1)


def test_an_identifier_entered_in_error_can_be_recorded_on_the_right_patient(patient_record, other_patient_record):
    wrong = services.add_identifier(patient_record, system="national", value="123456782")
    services.mark_in_error(wrong, expected_version=wrong.version, reason="Wrong patient")
    right = services.add_identifier(other_patient_record, system="national", value="123456782")
    assert right.patient == other_patient_record
    with pytest.raises(DomainError, match="already recorded"):
        services.add_identifier(patient_record, system="national", value="123456782")


def test_a_supporter_goes_when_their_consent_is_entered_in_error(patient_record, coordinator):
    supporter = services.add_supporter(
        patient_record, name="Sam", relationship="friend", text_version="s1", recorded_by=coordinator
    )
    services.mark_in_error(
        supporter.consent, expected_version=supporter.consent.version, reason="Recorded for the wrong patient"
    )
    assert not selectors.supporters(patient_record).exists()


def test_care_episodes_cannot_be_dated_in_the_future(patient_record):
    with pytest.raises(DomainError, match="future"):
        services.open_episode(patient_record, started_on=date.today() + timedelta(days=400))


def test_the_portal_account_follows_the_patients_e_mail(patient_record, coordinator):
    patient_record.email = "typo@wrong.example"
    patient_record.save()
    services.invite_to_portal(patient_record, invited_by=coordinator)
    patient_record.refresh_from_db()
    services.update_patient(
        patient_record,
        expected_version=patient_record.version,
        changes={"email": "ada@right.example"},
        reason="Corrected",
    )
    patient_record.user.refresh_from_db()
    assert patient_record.user.email == "ada@right.example"
