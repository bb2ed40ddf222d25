"""The synthetic demo clinic: deterministic, plausible, and safe to load twice.

Everything here is made up. The same seed gives the same clinic on every machine. It goes through the
domains' services, so the records carry history rows and audit events like real ones.
"""

from __future__ import annotations

import logging
import random
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import transaction

from commonground.accounts.choices import AccountKind, Role
from commonground.accounts.models import Organisation, User
from commonground.audit import context as audit_context
from commonground.careteam import services as team_services
from commonground.demo import care as demo_care
from commonground.demo import conversations as demo_conversations
from commonground.demo import coordination as demo_coordination
from commonground.demo import diary as demo_diary
from commonground.demo import groups as demo_groups
from commonground.demo import measures as demo_measures
from commonground.demo import referrals as demo_referrals
from commonground.demo import safety as demo_safety
from commonground.kit import clock
from commonground.kit.versioning import save_edit
from commonground.patients import services as patient_services
from commonground.patients.choices import ConsentScope, EducationLevel, Gender, Language, PatientStatus, Sex
from commonground.patients.models import Patient

DEMO_SLUG = "riverside"
DEMO_PASSWORD = "common-ground-demo"
SEED = 20261122
PATIENT_COUNT = 64

STAFF = [
    # username, name, role, may use emergency access
    ("coordinator", "Maria Jansen", Role.CARE_COORDINATOR, False),
    ("coordinator2", "Tom Verhoeven", Role.CARE_COORDINATOR, False),
    ("gp", "Dr Amira Haddad", Role.PRIMARY_CARE_PHYSICIAN, False),
    ("therapist", "Lotte de Vries", Role.PSYCHOSOMATIC_THERAPIST, False),
    ("psychologist", "Daniel Okafor", Role.PSYCHOLOGIST, False),
    ("physio", "Sanne Bakker", Role.PHYSIOTHERAPIST, False),
    ("socialworker", "Yusuf Demir", Role.SOCIAL_WORKER, False),
    ("psychiatrist", "Dr Helen Park", Role.PSYCHIATRIC_CONSULTANT, True),
    ("facilitator", "Ines Moreau", Role.GROUP_FACILITATOR, False),
    ("locum", "Pieter Smit", Role.PHYSIOTHERAPIST, False),
    ("researcher", "Dr Noor Visser", Role.RESEARCHER, False),
    ("admin", "Alex Brouwer", Role.ADMINISTRATOR, False),
    ("privacy", "Ruth Mulder", Role.PRIVACY_OFFICER, False),
]

GIVEN = {
    Sex.FEMALE: [
        "Anna",
        "Fatima",
        "Emma",
        "Sofia",
        "Julia",
        "Noor",
        "Eva",
        "Mila",
        "Sara",
        "Lisa",
        "Hanna",
        "Zeynep",
        "Olga",
        "Maya",
        "Lena",
        "Ayla",
    ],
    Sex.MALE: [
        "Daan",
        "Mohammed",
        "Lucas",
        "Sem",
        "Finn",
        "Omar",
        "Jan",
        "Milan",
        "Bram",
        "Ravi",
        "Kees",
        "Piotr",
        "Thijs",
        "Ahmet",
        "Ruben",
        "Joost",
    ],
}
FAMILY = [
    "de Jong",
    "Jansen",
    "de Vries",
    "van den Berg",
    "Bakker",
    "Visser",
    "Smit",
    "Meijer",
    "de Boer",
    "Mulder",
    "Bos",
    "Vos",
    "Peters",
    "Hendriks",
    "Yilmaz",
    "El Amrani",
    "Kowalski",
    "Dekker",
    "Brouwer",
    "van Dijk",
    "Koster",
    "Prins",
    "Huisman",
    "Kaya",
]
SYMPTOM_SETS = [
    ["A04"],
    ["A04", "L18"],
    ["N01", "N17"],
    ["L02", "L18", "A04"],
    ["D01", "D93"],
    ["K04", "R02"],
    ["N17"],
    ["A01", "P06"],
    ["L03", "A04"],
    ["N01"],
    ["D09", "D01"],
    ["K04", "A11", "P01"],
]
REASONS = [
    "Persistent fatigue and pain limiting work",
    "Dizziness and headaches after a long sick leave",
    "Widespread pain, poor sleep",
    "Bowel complaints and worry about illness",
    "Palpitations and breathlessness without a cardiac finding",
]


@dataclass
class SeedResult:
    created: bool
    patients: int
    staff: int


def load_demo_clinic(progress: Callable[[int, int], None] | None = None) -> SeedResult:
    """Load the demo clinic once. A second run finds it and changes nothing."""
    if Organisation.objects.filter(slug=DEMO_SLUG).exists():
        return SeedResult(
            created=False, patients=Patient.objects.filter(organisation__slug=DEMO_SLUG).count(), staff=len(STAFF)
        )
    rng = random.Random(SEED)
    today = clock.local_date(clock.now(), "Europe/Amsterdam")
    with _quiet_job_queue(), transaction.atomic():
        organisation = Organisation.objects.create(
            name="Riverside Integrated Care", slug=DEMO_SLUG, time_zone="Europe/Amsterdam"
        )
        staff = _create_staff(organisation)
        demo_measures.configure_clinic(organisation)
        token = audit_context.begin(audit_context.AuditContext(request_id="demo-seed"))
        try:
            coordinator = staff["coordinator"]
            audit_context.identify(coordinator.id, coordinator.username, coordinator.role, organisation.id)
            casting = demo_measures.Casting()
            for number in range(PATIENT_COUNT):
                patient = _create_patient(number, organisation, staff, rng, today)
                story = demo_measures.measurement_history(
                    patient,
                    seed=f"{SEED}/measures/{number}",
                    casting=casting,
                    main_coordinator=_coordinator_of(number) == "coordinator",
                    staff=staff,
                    today=today,
                )
                demo_care.care_history(
                    patient,
                    course=story.course if story else None,
                    staff=staff,
                    today=today,
                    seed=f"{SEED}/care/{number}",
                    reflects=number == 0,
                )
                if progress:
                    progress(number + 1, PATIENT_COUNT)
            _create_patient_accounts(organisation)
            # Before the diaries: the practice the group was given is in its members' diaries.
            demo_groups.seed_groups(organisation, staff=staff, today=today, seed=f"{SEED}/groups")
            demo_diary.seed_diaries(organisation, staff=staff, today=today, seed=f"{SEED}/diary")
            demo_referrals.seed_referrals(organisation, staff=staff, today=today, seed=f"{SEED}/referrals")
            demo_conversations.seed_conversations(organisation, staff=staff, today=today, seed=f"{SEED}/messages")
            demo_safety.seed_safety(organisation, staff=staff, today=today, seed=f"{SEED}/safety")
            demo_coordination.seed_coordination(organisation, staff=staff, today=today, seed=f"{SEED}/coordination")
        finally:
            audit_context.end(token)
    return SeedResult(created=True, patients=PATIENT_COUNT, staff=len(STAFF))


@contextmanager
def _quiet_job_queue() -> Iterator[None]:
    """The alerts the histories raise queue e-mails to staff; one log line each would bury the progress bar."""
    queue_log = logging.getLogger("django-q")
    level = queue_log.level
    queue_log.setLevel(logging.WARNING)
    try:
        yield
    finally:
        queue_log.setLevel(level)


def _create_staff(organisation: Organisation) -> dict[str, User]:
    password = make_password(DEMO_PASSWORD)
    staff = {}
    for username, name, role, break_glass in STAFF:
        staff[username] = User.objects.create(
            username=username,
            display_name=name,
            email=f"{username}@riverside.example",
            kind=AccountKind.STAFF,
            role=role,
            organisation=organisation,
            can_break_glass=break_glass,
            is_staff=role == Role.ADMINISTRATOR,
            password=password,
        )
    return staff


def _create_patient(
    number: int, organisation: Organisation, staff: dict[str, User], rng: random.Random, today: date
) -> Patient:
    sex = Sex.FEMALE if rng.random() < 0.68 else Sex.MALE  # PSS care sees more women than men
    given = rng.choice(GIVEN[sex])
    family = rng.choice(FAMILY)
    details: dict[str, Any] = {
        "given_name": given,
        "family_name": family,
        "date_of_birth": today - timedelta(days=rng.randint(19 * 365, 78 * 365)),
        "sex": sex,
        "gender": Gender.WOMAN if sex == Sex.FEMALE else Gender.MAN,
        "preferred_language": rng.choice(
            [Language.ENGLISH] * 5 + [Language.DUTCH] * 3 + [Language.TURKISH, Language.ARABIC, Language.SPANISH]
        ),
        "education_level": rng.choice(EducationLevel.values),
        "email": f"{given.lower()}.{family.lower().replace(' ', '')}{number}@example.org" if rng.random() < 0.8 else "",
        "phone": _fictional_phone(rng.randint(10000000, 99999999)),
        "main_symptoms": rng.choice(SYMPTOM_SETS),
        "time_zone": "Europe/Amsterdam",
    }
    patient = patient_services.register_patient(organisation=organisation, details=details, reason="Referred by the GP")
    team_services.form_care_team(
        patient,
        coordinator=staff[_coordinator_of(number)],
        # The therapist treats the odd-numbered patients and the first, who has the `patient` portal login.
        responsible_clinician=staff["therapist"] if number % 2 or number == 0 else staff["gp"],
    )
    for username in rng.sample(["gp", "psychologist", "physio", "socialworker", "psychiatrist"], k=rng.randint(1, 3)):
        if (
            username not in ("therapist",)
            and not patient.care_team_members.filter(staff=staff[username], left_at__isnull=True).exists()
        ):
            team_services.add_member(patient, staff=staff[username])
    _history_of_care(number, patient, staff, rng, today)
    return patient


def _coordinator_of(number: int) -> str:
    """Two patients in three are on the `coordinator` login's caseload, the two portal patients among them."""
    return "coordinator2" if number % 3 == 2 else "coordinator"


def _history_of_care(number: int, patient: Patient, staff: dict[str, User], rng: random.Random, today: date) -> None:
    if number % 8 == 7:
        return  # referred, not started yet
    started = today - timedelta(days=rng.randint(21, 300))
    patient_services.record_consent(
        patient,
        scope=ConsentScope.CARE,
        text_version="care-2025.1",
        recorded_by=staff["coordinator"],
        given_at=_at(started),
    )
    episode = patient_services.open_episode(patient, started_on=started, reason_for_care=rng.choice(REASONS))
    if rng.random() < 0.3:
        patient_services.record_consent(
            patient,
            scope=ConsentScope.RESEARCH,
            text_version="study-pss-2025.2",
            scope_reference="PSS-TRIAL-1",
            recorded_by=staff["coordinator"],
            given_at=_at(started + timedelta(days=7)),
        )
    if rng.random() < 0.35:
        given = _supporter_given_name(patient, rng.choice([*GIVEN[Sex.FEMALE], *GIVEN[Sex.MALE]]))
        patient_services.add_supporter(
            patient,
            name=f"{given} {patient.family_name}",
            relationship=rng.choice(["partner", "daughter", "son", "friend", "sister"]),
            phone=_fictional_phone(rng.randint(10000000, 99999999)),
            text_version="sharing-2025.1",
            recorded_by=staff["coordinator"],
        )
    if rng.random() < 0.25:
        patient.refresh_from_db()
        save_edit(
            patient,
            expected_version=patient.version,
            reason="New phone number given at the session",
            changes={"phone": _fictional_phone(rng.randint(10000000, 99999999))},
        )
    if number % 8 == 6 and (today - started).days > 120:
        patient.refresh_from_db()
        episode.refresh_from_db()
        patient_services.close_episode(
            episode,
            expected_version=episode.version,
            ended_on=started + timedelta(days=rng.randint(90, 120)),
            end_reason="Goals reached; back to the GP with a relapse plan",
        )


def _supporter_given_name(patient: Patient, drawn: str) -> str:
    """The drawn name, or the next one in the list when it is the patient's own (one draw either way, so the
    rest of the clinic stays the same)."""
    if drawn != patient.given_name:
        return drawn
    names = [*GIVEN[Sex.FEMALE], *GIVEN[Sex.MALE]]
    return names[(names.index(drawn) + 1) % len(names)]


def _fictional_phone(draw: int) -> str:
    """A number from 555-0100 to 555-0199, the range kept for fiction: no real person is ever called."""
    return f"555-01{draw % 100:02d}"


def _at(day: date) -> Any:
    from datetime import datetime, time
    from zoneinfo import ZoneInfo

    return datetime.combine(day, time(10, 0), ZoneInfo("Europe/Amsterdam"))


def _create_patient_accounts(organisation: Organisation) -> None:
    """Two patients can sign in to the demo portal: `patient` and `patient2`."""
    active = Patient.objects.filter(organisation=organisation, status=PatientStatus.ACTIVE).order_by("record_number")
    password = make_password(DEMO_PASSWORD)
    for username, patient in zip(("patient", "patient2"), active[:2], strict=True):
        user = User.objects.create(
            username=username,
            display_name=patient.display_name,
            email=patient.email,
            kind=AccountKind.PATIENT,
            organisation=organisation,
            password=password,
        )
        save_edit(patient, expected_version=patient.version, reason="Portal account created", changes={"user": user})


def print_progress(done: int, total: int) -> None:
    width = 30
    filled = width * done // total
    sys.stdout.write(f"\r  demo clinic [{'#' * filled}{'.' * (width - filled)}] {done}/{total} patients")
    if done == total:
        sys.stdout.write("\n")
    sys.stdout.flush()
