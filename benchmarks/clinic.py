"""The synthetic clinic, as rows: deterministic for a given size, plausible, and every constraint kept.

One organisation; a coordinator `bench-coordinator` with exactly 120 patients (coordinator and member of
each of their teams, of no other); the other patients spread over other coordinators (at most 120 each);
clinicians in every clinical role. Every patient has a record number (CG-nnnnnn), a care team of 2-4
current members, a care episode started within the last year (some ended), consent to care (some to
research, some to a supporter, with the Supporter row), the creation rows of the record history, and about
20 audit events spread over the year, mostly reads and lists by their team, unsealed. Their measurement-based
care (plan, schedule, 12 scored responses, alerts, case-review flags) comes from `clinic_measures`; for a sample
of patients (the coordinator's 120 among them), a portal account and a year of diary from `clinic_diary`.
"""

from __future__ import annotations

import math
import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from benchmarks import clinic_diary, clinic_measures
from benchmarks.config import BENCH_COORDINATOR, CASELOAD_SIZE, DIARY_PATIENTS
from benchmarks.loader import HISTORICAL, history_row

SEED = 20261122
ORGANISATION_SLUG = "bench"
TIME_ZONE = "Europe/Amsterdam"
CLINICAL_ROLES = (
    "primary_care_physician",
    "psychosomatic_therapist",
    "psychologist",
    "physiotherapist",
    "social_worker",
    "psychiatric_consultant",
)
GIVEN = {
    "female": ("Anna", "Fatima", "Emma", "Sofia", "Julia", "Noor", "Eva", "Mila", "Sara", "Lisa", "Hanna", "Zeynep"),
    "male": ("Daan", "Mohammed", "Lucas", "Sem", "Finn", "Omar", "Jan", "Milan", "Bram", "Ravi", "Kees", "Piotr"),
}
FAMILY = (
    "de Jong", "Jansen", "de Vries", "van den Berg", "Bakker", "Visser", "Smit", "Meijer", "de Boer", "Mulder",
    "Bos", "Vos", "Peters", "Hendriks", "Yilmaz", "El Amrani", "Kowalski", "Dekker", "Brouwer", "van Dijk",
    "Koster", "Prins", "Huisman", "Kaya", "Aydin", "Nowak", "Hoekstra", "Willems", "Ramdin", "Chen",
)  # fmt: skip
SYMPTOM_SETS = (
    ["A04"], ["A04", "L18"], ["N01", "N17"], ["L02", "L18", "A04"], ["D01", "D93"], ["K04", "R02"], ["N17"],
    ["A01", "P06"], ["L03", "A04"], ["N01"], ["D09", "D01"], ["K04", "A11", "P01"],
)  # fmt: skip
REASONS = (
    "Persistent fatigue and pain limiting work",
    "Dizziness and headaches after a long sick leave",
    "Widespread pain, poor sleep",
    "Bowel complaints and worry about illness",
    "Palpitations and breathlessness without a cardiac finding",
)
LANGUAGES = ("en", "en", "en", "nl", "nl", "tr", "ar", "es", "pl")
EDUCATION = ("primary", "lower_secondary", "upper_secondary", "tertiary", "unknown")
# Audit actions on a patient's record over the year: mostly reads and lists by the team.
PATIENT_ACTIONS = (
    (("read", "patient"),) * 9
    + (("list", "patient"),) * 6
    + (
        ("read", "care_team"),
        ("read", "consent"),
        ("update", "patient"),
        ("create", "consent"),
    )
)
EVENTS_PER_PATIENT = (15, 25)
LOGINS_PER_STAFF_PER_YEAR = 52


@dataclass(frozen=True)
class Staff:
    id: uuid.UUID
    username: str
    display_name: str
    role: str
    address: str


@dataclass
class ClinicPlan:
    patients: int
    now: datetime  # naive UTC
    password_hash: str
    rng: random.Random = field(default_factory=lambda: random.Random(SEED))
    organisation_id: uuid.UUID = field(init=False)
    staff: list[Staff] = field(init=False)
    coordinators: list[int] = field(init=False)
    clinicians: dict[str, list[int]] = field(init=False)
    bench_patients: frozenset[int] = field(init=False)
    diary_patients: frozenset[int] = field(init=False)
    # (when, patient index or None, staff index, action, object type), collected for the audit trail.
    events: list[tuple[datetime, int | None, int, str, str]] = field(default_factory=list)
    patient_ids: list[uuid.UUID] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.organisation_id = self.new_id()
        self.staff, self.coordinators, self.clinicians = [], [], {role: [] for role in CLINICAL_ROLES}
        self._add_staff(BENCH_COORDINATOR, "Bench Coordinator", "care_coordinator")
        for number in range(1, math.ceil((self.patients - CASELOAD_SIZE) / CASELOAD_SIZE) + 1):
            self.coordinators.append(
                self._add_staff(f"coordinator-{number:03d}", f"Coordinator {number}", "care_coordinator")
            )
        per_role = max(2, math.ceil(self.patients / 400))
        for role in CLINICAL_ROLES:
            for number in range(1, per_role + 1):
                name = f"{role.replace('_', '-')}-{number:03d}"
                self.clinicians[role].append(self._add_staff(name, name.replace("-", " ").title(), role))
        self._add_staff("bench-admin", "Bench Administrator", "administrator")
        self._add_staff("bench-privacy", "Bench Privacy Officer", "privacy_officer")
        step = self.patients / CASELOAD_SIZE
        self.bench_patients = frozenset(round(number * step) for number in range(CASELOAD_SIZE))
        self.diary_patients = diary_sample(self.patients, self.bench_patients)

    def new_id(self) -> uuid.UUID:
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    def _add_staff(self, username: str, display_name: str, role: str) -> int:
        index = len(self.staff)
        address = f"10.{1 + index // 65536}.{index // 256 % 256}.{index % 256}"
        self.staff.append(Staff(self.new_id(), username, display_name, role, address))
        return index

    @property
    def today(self) -> date:
        return self.now.date()


def diary_sample(patients: int, bench_patients: frozenset[int]) -> frozenset[int]:
    """The patients with a portal account and a year of diary: the coordinator's 120, and others evenly spread."""
    wanted = min(DIARY_PATIENTS, patients)
    others = [index for index in range(patients) if index not in bench_patients]
    extra = max(0, wanted - len(bench_patients))
    return bench_patients | frozenset(others[number * len(others) // extra] for number in range(extra))


def organisation_and_staff(plan: ClinicPlan) -> dict[str, list[tuple[Any, ...]]]:
    created = plan.now - timedelta(days=400)
    organisation = (plan.organisation_id, "Bench Integrated Care", ORGANISATION_SLUG, TIME_ZONE, created)
    users = [
        (
            person.id,
            plan.password_hash,
            None,
            False,
            person.username,
            person.display_name,
            f"{person.username}@bench.example",
            "staff",
            person.role,
            person.role == "psychiatric_consultant",
            True,
            person.role == "administrator",
            created,
            None,
            "",
            plan.organisation_id,
        )
        for person in plan.staff
    ]
    return {"accounts_organisation": [organisation], "accounts_user": users}


def patient_rows(plan: ClinicPlan, start: int, stop: int) -> dict[str, list[tuple[Any, ...]]]:
    """Every record of patients start..stop-1, with their history rows; their audit events go to the plan."""
    rows: dict[str, list[tuple[Any, ...]]] = {}
    for index in range(start, stop):
        _one_patient(plan, index, rows)
    return rows


def _add(
    rows: dict[str, list[tuple[Any, ...]]], table: str, row: tuple[Any, ...], reason: str, user: uuid.UUID
) -> None:
    rows.setdefault(table, []).append(row)
    rows.setdefault(HISTORICAL[table], []).append(history_row(row, reason, user))


def _record(plan: ClinicPlan, when: datetime) -> tuple[Any, ...]:
    return (plan.new_id(), when, when, 1, "active")


def _one_patient(plan: ClinicPlan, index: int, rows: dict[str, list[tuple[Any, ...]]]) -> None:
    rng, org = plan.rng, plan.organisation_id
    registered = plan.now - timedelta(days=rng.randint(14, 364), seconds=rng.randint(0, 86_399))
    coordinator = 0 if index in plan.bench_patients else plan.coordinators[index % len(plan.coordinators)]
    coordinator_id = plan.staff[coordinator].id
    sex = "female" if rng.random() < 0.68 else "male"
    given, family = rng.choice(GIVEN[sex]), rng.choice(FAMILY)
    started = min(plan.today, (registered + timedelta(days=rng.randint(0, 14))).date())
    in_care_days = (plan.today - started).days
    diary = index in plan.diary_patients
    email = f"{given}.{family.replace(' ', '')}{index}@example.org".lower()
    ended = (
        started + timedelta(days=rng.randint(60, min(240, in_care_days - 1)))
        if in_care_days > 90 and rng.random() < 0.2
        else None
    )
    patient = (
        *_record(plan, registered),
        org,
        clinic_diary.user_id(SEED, index) if diary else None,
        f"CG-{index + 1:06d}",
        given,
        family,
        "",
        plan.today - timedelta(days=rng.randint(19 * 365, 80 * 365)),
        sex,
        "woman" if sex == "female" else "man",
        rng.choice(LANGUAGES),
        rng.choice(EDUCATION),
        email,
        f"+31 6 {rng.randint(10_000_000, 99_999_999)}",
        "",
        TIME_ZONE,
        rng.choice(SYMPTOM_SETS),
        "discharged" if ended else "active",
    )
    patient_id = patient[0]
    plan.patient_ids.append(patient_id)
    _add(rows, "patients_patient", patient, "Registered", coordinator_id)
    _identifiers(plan, index, patient_id, registered, rows, coordinator_id)
    members, responsible = _care_team(plan, patient_id, registered, coordinator, rows)
    _episode_and_consents(plan, patient_id, started, ended, rows, coordinator_id)
    _patient_events(plan, index, registered, coordinator, members)
    measured = clinic_measures.Patient(index, patient_id, org, sex, started, ended, coordinator_id, responsible)
    clinic_measures.patient_measures(SEED, plan.now, measured, rows)
    if diary:
        diarist = clinic_diary.DiaryPatient(
            index, patient_id, patient[6], org, f"{given} {family}", email, coordinator_id, registered
        )
        clinic_diary.patient_diary(SEED, plan.now, diarist, plan.password_hash, rows)


def _identifiers(
    plan: ClinicPlan,
    index: int,
    patient_id: uuid.UUID,
    when: datetime,
    rows: dict[str, list[tuple[Any, ...]]],
    user: uuid.UUID,
) -> None:
    org = plan.organisation_id
    number = (*_record(plan, when), org, patient_id, "record_number", f"CG-{index + 1:06d}")
    _add(rows, "patients_patientidentifier", number, "Registered", user)
    if plan.rng.random() < 0.6:
        national = (*_record(plan, when), org, patient_id, "national", f"{900_000_000 + index}")
        _add(rows, "patients_patientidentifier", national, "Identifier added", user)


def _care_team(
    plan: ClinicPlan, patient_id: uuid.UUID, when: datetime, coordinator: int, rows: dict[str, list[tuple[Any, ...]]]
) -> tuple[list[int], uuid.UUID | None]:
    rng, org = plan.rng, plan.organisation_id
    roles = rng.sample(CLINICAL_ROLES, k=rng.randint(1, 3))
    clinicians = [rng.choice(plan.clinicians[role]) for role in roles]
    responsible = plan.staff[clinicians[0]].id if rng.random() < 0.8 else None
    coordinator_id = plan.staff[coordinator].id
    team = (*_record(plan, when), org, patient_id, coordinator_id, responsible)
    _add(rows, "careteam_careteam", team, "Care team formed", coordinator_id)
    for member in [coordinator, *clinicians]:
        person = plan.staff[member]
        row = (*_record(plan, when), org, team[0], patient_id, person.id, person.role, when, None)
        _add(rows, "careteam_careteammember", row, "Joined the care team", coordinator_id)
    if rng.random() < 0.1:  # a colleague who has left the team (a row with left_at, not a current place)
        role = rng.choice([role for role in CLINICAL_ROLES if role not in roles])
        person = plan.staff[rng.choice(plan.clinicians[role])]
        left = min(plan.now, when + timedelta(days=rng.randint(7, 120)))
        row = (*_record(plan, when), org, team[0], patient_id, person.id, person.role, when, left)
        _add(rows, "careteam_careteammember", row, "Joined the care team", coordinator_id)
    return [coordinator, *clinicians], responsible


def _episode_and_consents(
    plan: ClinicPlan,
    patient_id: uuid.UUID,
    started: date,
    ended: date | None,
    rows: dict[str, list[tuple[Any, ...]]],
    user: uuid.UUID,
) -> None:
    rng, org = plan.rng, plan.organisation_id
    start_at = min(plan.now, datetime.combine(started, datetime.min.time()) + timedelta(hours=9))
    episode = (
        *_record(plan, start_at),
        org,
        patient_id,
        started,
        ended,
        rng.choice(REASONS),
        "Goals reached; back to the GP with a relapse plan" if ended else "",
    )
    _add(rows, "patients_careepisode", episode, "Care episode started", user)
    care = (*_record(plan, start_at), org, patient_id, "care", "", "care-2025.1", start_at, None, user, "")
    _add(rows, "patients_consent", care, "Consent given", user)
    if rng.random() < 0.3:
        given = min(plan.now, start_at + timedelta(days=7))
        withdrawn = min(plan.now, given + timedelta(days=30)) if rng.random() < 0.05 else None
        research = (
            *_record(plan, given),
            org,
            patient_id,
            "research",
            "PSS-TRIAL-1",
            "study-pss-2025.2",
            given,
            withdrawn,
            user,
            "Changed their mind" if withdrawn else "",
        )
        _add(rows, "patients_consent", research, "Consent given", user)
    if rng.random() < 0.35:
        given = min(plan.now, start_at + timedelta(days=rng.randint(0, 30)))
        supporter_id = plan.new_id()
        consent = (
            *_record(plan, given),
            org,
            patient_id,
            "supporter_sharing",
            str(supporter_id),
            "sharing-2025.1",
            given,
            None,
            user,
            "",
        )
        _add(rows, "patients_consent", consent, "Consent given", user)
        name = f"{rng.choice(GIVEN['female'] + GIVEN['male'])} {rng.choice(FAMILY)}"
        relationship = rng.choice(("partner", "daughter", "son", "friend", "sister"))
        phone = f"+31 6 {rng.randint(10_000_000, 99_999_999)}"
        supporter = (
            supporter_id,
            given,
            given,
            1,
            "active",
            org,
            patient_id,
            consent[0],
            name,
            relationship,
            phone,
            "",
        )
        _add(rows, "patients_supporter", supporter, "Supporter added with consent", user)


def _patient_events(plan: ClinicPlan, index: int, registered: datetime, coordinator: int, members: list[int]) -> None:
    rng = plan.rng
    plan.events.append((registered, index, coordinator, "create", "patient"))
    span = (plan.now - registered).total_seconds()
    for _ in range(rng.randint(*EVENTS_PER_PATIENT) - 1):
        action, object_type = rng.choice(PATIENT_ACTIONS)
        when = registered + timedelta(seconds=rng.random() * span)
        plan.events.append((when, index, rng.choice(members), action, object_type))


def staff_logins(plan: ClinicPlan) -> None:
    """Sign-ins of the clinical staff over the year: events of the organisation's chain without a patient."""
    year = 365 * 86_400
    for index, person in enumerate(plan.staff):
        if person.role in ("administrator", "privacy_officer"):
            continue
        for _ in range(LOGINS_PER_STAFF_PER_YEAR):
            plan.events.append((plan.now - timedelta(seconds=plan.rng.random() * year), None, index, "login", ""))


def audit_rows(plan: ClinicPlan, chunk: int = 20_000) -> Iterator[list[tuple[Any, ...]]]:
    """The audit trail in time order (ids ascend with time, as in a real clinic), unsealed."""
    plan.events.sort(key=lambda event: event[0])
    rng, org = plan.rng, plan.organisation_id
    batch: list[tuple[Any, ...]] = []
    for when, patient, actor, action, object_type in plan.events:
        person = plan.staff[actor]
        patient_id = plan.patient_ids[patient] if patient is not None else None
        batch.append(
            (
                when,
                org,
                person.id,
                person.username,
                person.role,
                None,
                action,
                "success",
                patient_id,
                object_type,
                str(patient_id) if patient_id else "",
                f"{rng.getrandbits(128):032x}",
                person.address,
                "",
                "",
                None,
                "",
                None,
                None,
            )
        )
        if len(batch) >= chunk:
            yield batch
            batch = []
    if batch:
        yield batch
