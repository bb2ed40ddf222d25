"""THE gateway to patient data (DESIGN rule 2).

Every read or write of a patient's data, by a page, an API endpoint or a job acting for a person,
starts here: `open_patient` checks the relationship and writes the audit event; `visible_patients`
scopes lists. Not found and not yours both raise `Http404`, so the caller cannot tell them apart.
Any error while deciding denies (fail closed).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from uuid import UUID

from django.db.models import Q, QuerySet, UUIDField
from django.http import Http404

from commonground.access import relationships
from commonground.access.models import BreakGlassGrant
from commonground.accounts.choices import AccountKind
from commonground.audit import context as audit_context
from commonground.audit.choices import Action, Outcome
from commonground.audit.services import record_patient_access, record_patient_accesses, record_security_event
from commonground.kit import clock
from commonground.kit.prepared import Param, PreparedRead
from commonground.patients.models import Patient

# The patient of the user's clinic, with the clinic: every chart page shows the clinic's day, and joining it
# here costs less than the query for it later. A slice, not `.first()`: the id is unique, and `.first()`
# would add an ORDER BY. Prepared (kit/prepared.py): every patient page asks it.
PATIENT_OF_CLINIC = PreparedRead(
    lambda: (
        Patient.objects.current()
        .filter(pk=Param("patient", UUIDField()), organisation_id=Param("organisation", UUIDField()))
        .select_related("organisation")[:1]
    )
)
# The portal's every page: the patient record of the signed-in patient (`.first()`'s SQL).
OWN_RECORD = PreparedRead(
    lambda: Patient.objects.current().filter(user_id=Param("user", UUIDField())).order_by("pk")[:1]
)


def open_patient(
    actor: Any,
    patient_id: UUID | str,
    *,
    action: str = Action.READ,
    object_type: str = "patient",
    object_id: str = "",
    allow_break_glass: bool = True,
) -> Patient:
    """The patient, if `actor` (a request or a user) may see them now; else 404. Writes the audit event.

    `allow_break_glass=False` for actions emergency access must never reach (changing the care team:
    otherwise a time-boxed emergency grant could make itself permanent).
    """
    user, accepted = _user_and_relationships(actor)
    patient = _find(user, patient_id)
    if patient is None or not _may_see(user, patient, accepted, allow_break_glass):
        _refuse(patient_id, object_type)
        raise Http404()
    record_patient_access(
        patient.id, patient.organisation_id, action=action, object_type=object_type, object_id=object_id
    )
    return patient


def own_patient_record(user: Any, *, action: str = Action.READ, object_type: str = "patient") -> Patient:
    """A patient's own record, for the portal."""
    if not (user.is_authenticated and user.kind == AccountKind.PATIENT):
        raise Http404()
    patient: Patient | None = OWN_RECORD.first(user=user.id)
    if patient is None:
        raise Http404()
    record_patient_access(patient.id, patient.organisation_id, action=action, object_type=object_type)
    return patient


def visible_patients(actor: Any) -> QuerySet[Patient]:
    """Every patient the actor may see through the route's relationships (no audit: see `audit_listed`)."""
    user, accepted = _user_and_relationships(actor)
    if not (user.is_authenticated and user.is_active) or user.kind != AccountKind.STAFF:
        return Patient.objects.none()
    allowed = Q()
    for name in accepted:
        allowed |= Q(id__in=relationships.get(name).patient_ids(user))
    return Patient.objects.current().filter(allowed, organisation_id=user.organisation_id)


def audit_listed(patients: Iterable[Patient], *, object_type: str = "patient") -> None:
    """A list shown to a person writes one event per patient in one bulk insert."""
    by_organisation: dict[UUID, list[UUID]] = {}
    for patient in patients:
        by_organisation.setdefault(patient.organisation_id, []).append(patient.id)
    for organisation_id, ids in by_organisation.items():
        record_patient_accesses(ids, organisation_id, action=Action.LIST, object_type=object_type)


def audit_listed_ids(patients: Iterable[tuple[UUID, UUID]], *, object_type: str = "patient") -> None:
    """As `audit_listed`, for lists read as plain values: (patient id, organisation id) pairs."""
    by_organisation: dict[UUID, list[UUID]] = {}
    for patient_id, organisation_id in patients:
        by_organisation.setdefault(organisation_id, []).append(patient_id)
    for organisation_id, ids in by_organisation.items():
        record_patient_accesses(ids, organisation_id, action=Action.LIST, object_type=object_type)


def record_write(patient: Patient, *, action: str, object_type: str, object_id: str = "") -> None:
    """A change to a patient's data: the audit event in the same transaction as the change."""
    record_patient_access(
        patient.id, patient.organisation_id, action=action, object_type=object_type, object_id=object_id
    )


def _user_and_relationships(actor: Any) -> tuple[Any, tuple[str, ...]]:
    if hasattr(actor, "user"):  # a request
        rule = getattr(actor, "access_rule", None)
        accepted = rule.relationships if rule else (relationships.CARE_TEAM,)
        return actor.user, accepted
    return actor, (relationships.CARE_TEAM,)


def _find(user: Any, patient_id: UUID | str) -> Patient | None:
    """The patient, if of the user's clinic (docs/benchmarks.md, "What we learned")."""
    if not (user.is_authenticated and user.is_active):
        return None
    try:
        found: Patient | None = PATIENT_OF_CLINIC.first(patient=patient_id, organisation=user.organisation_id)
        return found
    except (ValueError, TypeError):
        return None
    except Exception:  # a malformed id on some backends: not found, never a crash
        return None


def _may_see(user: Any, patient: Patient, accepted: tuple[str, ...], allow_break_glass: bool) -> bool:
    """Asked after `_find`, in a query of each relationship's own. Folding the care-team check into
    `_find`'s query (an `IN` or `Exists` annotation of `patient_ids`) was measured and is slower: patient
    and check took 1.19 ms instead of 0.90 on SQLite, 1.64 instead of 1.58 on PostgreSQL. Building and
    compiling the annotation costs the ORM ~0.4 ms, as much as the separate `exists()` costs in all."""
    try:
        if user.kind == AccountKind.PATIENT:
            # A patient reaches their own record only where a route says so (the portal's routes).
            return relationships.SELF in accepted and bool(patient.user_id == user.id)
        if user.kind != AccountKind.STAFF:
            return False
        if any(relationships.get(name).allows(user, patient.id) for name in accepted):
            return True
        return allow_break_glass and _break_glass_in_force(user, patient)
    except LookupError:
        raise
    except Exception:
        return False  # fail closed


def _break_glass_in_force(user: Any, patient: Patient) -> bool:
    if not user.can_break_glass:
        return False
    grant = (
        BreakGlassGrant.objects.filter(
            user_id=user.id, patient_id=patient.id, expires_at__gt=clock.now(), ended_at__isnull=True
        )
        .order_by("-started_at")
        .first()
    )
    if grant is None:
        return False
    audit_context.current().break_glass_reason = grant.reason
    return True


def _refuse(patient_id: UUID | str, object_type: str) -> None:
    record_security_event(
        Action.ACCESS_REFUSED,
        outcome=Outcome.DENIED,
        object_type=object_type,
        object_id=str(patient_id)[:64],
        survive_rollback=True,
    )
