"""What the staff's group pages share: finding the cohort the person may see (404 otherwise), the cohort's tabs
and page frame, and small helpers (the clinic's time zone, the library's items, a service's error on a form).

The views themselves are split by area: groups_views (the groups start page, programmes, a cohort's overview and
status), groups_member_views (members, waiting list, a member, the chart's Groups tab), groups_session_views (a
session) and groups_partner_views (partners, board, concerns, outcomes).
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from commonground.careplans import library
from commonground.groups import selectors
from commonground.kit import clock
from commonground.kit.errors import DomainError

SECTION = "groups"


def language() -> str:
    return (translation.get_language() or "en").split("-")[0]


def library_choices() -> list[tuple[str, str]]:
    return [(item.slug, item.title) for item in library.items(language())]


def apply_error(form: Any, error: DomainError) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.message)


def with_status(response: HttpResponse, status: int) -> HttpResponse:
    response.status_code = status
    return response


def time_zone(request: HttpRequest) -> str:
    user: Any = request.user
    return str(user.organisation.time_zone)


def today(request: HttpRequest) -> Any:
    return clock.local_date(clock.now(), time_zone(request))


def staff_choices(request: HttpRequest) -> list[tuple[str, str]]:
    from commonground.accounts import selectors as account_selectors

    user: Any = request.user
    return [
        (str(person.id), f"{person.display_name} ({person.get_role_display()})")
        for person in account_selectors.active_clinicians(user.organisation_id)
    ]


def cohort_of(request: HttpRequest, cohort_id: Any) -> Any:
    """The cohort, if the person may see it (its facilitators, the clinic's coordinators); else 404."""
    cohort = selectors.cohort_for_staff(request.user, cohort_id)
    if cohort is None:
        raise Http404()
    return cohort


def enrolment_of(found: Any, enrolment_id: Any) -> Any:
    enrolment = selectors.enrolment_for_staff(found, enrolment_id)
    if enrolment is None:
        raise Http404()
    return enrolment


def is_over(cohort: Any) -> bool:
    """A finished or cancelled group: its sessions take no more attendance, practice or new times."""
    from commonground.groups.choices import CohortStatus

    return cohort.status not in (CohortStatus.PLANNED, CohortStatus.RUNNING)


COHORT_TABS = (
    ("overview", "clinician:cohort"),
    ("members", "clinician:cohort_members"),
    ("partners", "clinician:cohort_partners"),
    ("board", "clinician:cohort_board"),
    ("concerns", "clinician:cohort_concerns"),
    ("outcomes", "clinician:cohort_outcomes"),
)


def cohort_tabs() -> list[tuple[str, str, str]]:
    labels = {
        "overview": _("Schedule"),
        "members": _("Members"),
        "partners": _("Partners"),
        "board": _("Board"),
        "concerns": _("Concerns"),
        "outcomes": _("Outcomes"),
    }
    return [(key, labels[key], url_name) for key, url_name in COHORT_TABS]


def cohort_page(
    request: HttpRequest, cohort: Any, tab: str, template: str, *, status: int = 200, **context: Any
) -> HttpResponse:
    context.update(section=SECTION, cohort=cohort, tab=tab, tabs=cohort_tabs(), tz=time_zone(request))
    return with_status(render(request, template, context), status)


def back_to(cohort: Any, url_name: str = "clinician:cohort", anchor: str = "") -> HttpResponse:
    return redirect(reverse(url_name, args=[cohort.id]) + (f"#{anchor}" if anchor else ""))
