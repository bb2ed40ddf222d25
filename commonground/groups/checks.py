"""Input checks and small helpers shared by the groups services. Every message is plain and kind."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

from commonground.accounts.choices import CLINICAL_ROLES, AccountKind, Role
from commonground.groups.choices import CohortStatus
from commonground.groups.models import Cohort, CohortFacilitator
from commonground.kit.errors import DomainError, StaleEdit

PROGRAMME_KEEPERS = frozenset({Role.GROUP_FACILITATOR, Role.CARE_COORDINATOR})
REASON_MAX = 300


def only(values: dict[str, Any], allowed: tuple[str, ...]) -> None:
    unknown = sorted(set(values) - set(allowed))
    if unknown:
        raise DomainError(_("These cannot be changed here: %(fields)s.") % {"fields": ", ".join(unknown)})


def text(value: Any, field: str, *, limit: int, required: bool = False) -> str:
    found = "" if value is None else str(value).strip()
    if required and not found:
        raise DomainError(_("Please fill this in."), field=field)
    if len(found) > limit:
        raise DomainError(_("Please keep this to %(limit)d characters.") % {"limit": limit}, field=field)
    return found


def reason(value: Any, message: str | None = None) -> str:
    found = "" if value is None else str(value).strip()
    if not found:
        raise DomainError(message or _("Say why, in a few words."), field="reason")
    return text(found, "reason", limit=REASON_MAX)


def choice(value: Any, field: str, allowed: Any) -> str:
    if value not in [str(option) for option in allowed]:
        raise DomainError(_("Choose one of the options."), field=field)
    return str(value)


def whole(value: Any, field: str, *, low: int, high: int) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise DomainError(_("Give a whole number."), field=field) from None
    if not low <= number <= high:
        raise DomainError(_("Give a number from %(low)d to %(high)d.") % {"low": low, "high": high}, field=field)
    return number


def day(value: Any, field: str, *, required: bool = False) -> date | None:
    if value in (None, ""):
        if required:
            raise DomainError(_("Give a date."), field=field)
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise DomainError(_("Give a date as year-month-day."), field=field) from None


def clock_time(value: Any, field: str) -> time:
    if isinstance(value, time):
        return value.replace(tzinfo=None)
    try:
        return time.fromisoformat(str(value))
    except ValueError:
        raise DomainError(_("Give a time as hours:minutes, for example 14:30."), field=field) from None


def moment(value: Any, field: str, time_zone: str) -> datetime:
    """An aware moment; a naive one (or text) is read as clock time in the clinic's time zone."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            raise DomainError(_("Give a date and a time."), field=field) from None
    if not isinstance(value, datetime):
        raise DomainError(_("Give a date and a time."), field=field)
    found: datetime = value if value.tzinfo is not None else value.replace(tzinfo=ZoneInfo(time_zone))
    return found


def as_uuid(value: Any) -> UUID | None:
    try:
        return value if isinstance(value, UUID) else UUID(str(value))
    except (TypeError, ValueError, AttributeError):
        return None


def at_version(record: Any, expected_version: int) -> None:
    if record.version != expected_version:
        raise StaleEdit(current=type(record).objects.get(pk=record.pk))


def is_staff_of(user: Any, organisation_id: Any) -> bool:
    return bool(
        user is not None
        and user.is_active
        and user.kind == AccountKind.STAFF
        and user.organisation_id == organisation_id
    )


def is_current_facilitator(user: Any, cohort: Cohort) -> bool:
    return CohortFacilitator.objects.filter(cohort=cohort, user_id=user.id, removed_at__isnull=True).exists()


def runs_cohort(cohort: Cohort, by: Any) -> None:
    """Only the cohort's facilitators and the clinic's care coordinators change a cohort."""
    if not is_staff_of(by, cohort.organisation_id):
        raise DomainError(_("Only the clinic's own staff can change this group."))
    if by.role != Role.CARE_COORDINATOR and not is_current_facilitator(by, cohort):
        raise DomainError(_("Only the group's facilitators and the clinic's care coordinators can change this group."))


def keeps_programmes(organisation_id: Any, by: Any) -> None:
    if not is_staff_of(by, organisation_id) or by.role not in PROGRAMME_KEEPERS:
        raise DomainError(_("Only group facilitators and care coordinators can change programmes."))


def may_facilitate(user: Any, organisation_id: Any) -> bool:
    return is_staff_of(user, organisation_id) and user.role in CLINICAL_ROLES


def not_over(cohort: Cohort) -> None:
    """A finished or cancelled group is closed: no attendance, practice, new times, pairings or posts."""
    if cohort.status == CohortStatus.FINISHED:
        raise DomainError(_("This group has finished."))
    if cohort.status == CohortStatus.CANCELLED:
        raise DomainError(_("This group was cancelled."))
