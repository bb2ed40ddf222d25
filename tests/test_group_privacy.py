"""Privacy between the members of a group, and of the group toward everyone else (issue 8 item 8), generated from
the URL table: every route under /clinician/groups/ and /portal/groups/ is tried by every persona.

- Outsiders (a therapist on the member's care team who does not facilitate the group, the physiotherapist on no
  care team, another clinic's coordinator, an administrator, a member using the staff pages; a patient who is
  not in the group, a member of another group, staff using the portal's pages) get 404 for every route that
  names a cohort, programme, member, session, pairing, post, concern or step, and nothing changes.
- A member never sees another member's family name, record number, patient id or clinical data (goals, ladder,
  notes, concerns) on any group page, nor what the other did not share (their plan, their check-ins).
- A partner sees only what the other chose to share (the action plan here, not the ladder) and their check-ins.
- Facilitators see whether partners check in (counts per week), and only the check-ins shared with them.
- A facilitator's relationship to a member opens the group's member pages, never the member's chart (kept
  permanent: a route outside the groups pages that accepts the relationship fails here).
"""

from __future__ import annotations

import re
import uuid
from datetime import time, timedelta
from typing import Any

import pytest
from django.db.models import Model
from django.test import Client
from django.urls import URLPattern

from commonground.accounts.choices import Role
from commonground.accounts.services import create_api_token
from commonground.audit.models import AuditEvent
from commonground.goals import services as goal_services
from commonground.goals.choices import RungState
from commonground.goals.tests.support import make_goal
from commonground.groups import models as group_models
from commonground.groups import selectors, services
from commonground.groups.apps import GROUP_FACILITATOR
from commonground.groups.choices import EnrolmentSource, PartnerShare, PostStatus
from commonground.kit import clock
from commonground.notes.models import Note
from commonground.patients.models import Consent, Patient
from tests.personas import make_patient, make_patient_user, make_staff, signed_in
from tests.test_routes import _fill, our_routes

pytestmark = pytest.mark.django_db

STAFF_PREFIX = "clinician/groups/"
PORTAL_PREFIX = "portal/groups/"
# What each member writes or has, in words found nowhere else.
ADA_GOAL = "Cycle to the allotment unaided"
ADA_RUNG = "Cycle round the block on Sunday"
ADA_STEP = "Plant the beans before the rain"
ADA_CHECK_IN = "Hardly slept, the pain kept me up"
ADA_NOTE = "Ada spoke of the flare after her sister visited"
ADA_CONCERN = "I feel uneasy with one member's jokes"
GRACE_GOAL = "Sing in the choir again"
GRACE_RUNG = "Hum along to one song at home"
GRACE_STEP = "Phone the choir leader about Thursdays"
GRACE_CHECK_IN = "Choir leader said yes, I start next month"
MO_SHARED_STEP = "Swim two lengths at the quiet hour"
MO_WIN = "Took the bus into town on my own"


def group_routes(prefix: str) -> list[tuple[str, URLPattern]]:
    return [(route, pattern) for route, pattern in our_routes() if route.startswith(prefix)]


STAFF_ROUTES = group_routes(STAFF_PREFIX)
PORTAL_ROUTES = group_routes(PORTAL_PREFIX)
CHART_ROUTES = [(r, p) for r, p in our_routes() if "<uuid:patient_id>" in r]


def parameters(route: str) -> set[str]:
    return set(re.findall(r"<(?:\w+:)?(\w+)>", route))


# --- the group -------------------------------------------------------------------------------------------------


@pytest.fixture
def facilitator(clinic: Any) -> Any:
    return make_staff(clinic, "ines", Role.GROUP_FACILITATOR)


@pytest.fixture
def mo(clinic: Any, coordinator: Any) -> Any:
    patient = make_patient(clinic, coordinator, given="Mo", family="Farah")
    return make_patient_user(clinic, patient, "mo")


@pytest.fixture
def stranger(clinic: Any, coordinator: Any) -> Any:
    """A patient of the clinic in another group: a member, but not of this one."""
    patient = make_patient(clinic, coordinator, given="Mary", family="Shelley")
    return make_patient_user(clinic, patient, "mary")


@pytest.fixture
def group(
    clinic: Any,
    coordinator: Any,
    facilitator: Any,
    patient_record: Any,
    patient_user: Any,
    other_patient_record: Any,
    other_patient_user: Any,
    therapist: Any,
    mo: Any,
    stranger: Any,
) -> dict[str, Any]:
    """A running group: Ada and Grace are partners (Ada shows Grace her plan; Grace shows nothing), Mo shares his
    plan with the group and a small win; Ada raised a concern; the facilitator wrote a note about Ada."""
    programme = services.create_programme_from_template(clinic, by=coordinator)
    starts = clock.local_date(clock.now(), clinic.time_zone) - timedelta(days=2)
    details = {"name": "Thursday evening group", "capacity": 8, "starts_on": starts, "session_time": time(18, 0)}
    with clock.pinned(clock.now() - timedelta(days=3)):  # planned and joined before the first session
        cohort = services.create_cohort(programme, details=details, facilitators=[facilitator], by=coordinator)
        cohort = services.start_cohort(cohort, by=facilitator)

        def enrol(patient: Any, **choices: Any) -> Any:
            return services.enrol(
                cohort, patient, source=EnrolmentSource.CARE_PLAN, consent_given=True, by=coordinator, **choices
            )

        ada = enrol(patient_record, wants_partner=True)
        grace = enrol(other_patient_record, wants_partner=True)
        mo_enrolment = enrol(Patient.objects.get(user=mo))
    ada_goal = make_goal(patient_record, therapist, title=ADA_GOAL)
    ada_rung = goal_services.add_rung(ada_goal, action=ADA_RUNG, target_date=None, by=therapist)
    goal_services.mark_rung(ada_rung, state=RungState.DONE, by=therapist)
    grace_goal = make_goal(other_patient_record, coordinator, title=GRACE_GOAL)
    grace_rung = goal_services.add_rung(grace_goal, action=GRACE_RUNG, target_date=None, by=coordinator)
    goal_services.mark_rung(grace_rung, state=RungState.DONE, by=coordinator)
    ada_step = services.add_action_step(ada, text=ADA_STEP, when="Saturday")
    services.add_action_step(grace, text=GRACE_STEP, when="Monday", goal_id=grace_goal.id)
    services.add_action_step(mo_enrolment, text=MO_SHARED_STEP, when="Friday")
    services.share_plan_with_group(mo_enrolment, shared=True)
    pairing = services.ask_to_pair(ada, grace)
    pairing = services.agree_to_pairing(pairing, grace)
    pairing = services.set_partner_shares(pairing, ada, [PartnerShare.ACTION_PLAN])
    services.check_in(pairing, ada, feeling="hard", message=ADA_CHECK_IN)
    services.check_in(pairing, grace, feeling="well", message=GRACE_CHECK_IN, shared_with_facilitators=True)
    win = services.post_small_win(mo_enrolment, text=MO_WIN)
    concern = services.raise_concern(ada, about="group", text=ADA_CONCERN)
    session = selectors.sessions_of(cohort)[0]
    services.record_attendance(
        session, marks={ada.id: "present", grace.id: "present", mo_enrolment.id: "absent_with_notice"}, by=facilitator
    )
    services.write_member_note(session, ada, text=ADA_NOTE, by=facilitator)
    other = services.create_cohort(
        programme,
        details={**details, "name": "Monday morning group", "starts_on": starts + timedelta(days=9)},
        facilitators=[coordinator],
        by=coordinator,
    )
    services.enrol(
        other,
        Patient.objects.get(user=stranger),
        source=EnrolmentSource.CARE_PLAN,
        consent_given=True,
        by=coordinator,
    )
    values = {
        "cohort_id": str(cohort.id),
        "programme_id": str(programme.id),
        "enrolment_id": str(ada.id),
        "session_id": str(session.id),
        "number": "1",
        "pairing_id": str(pairing.id),
        "post_id": str(win.id),
        "concern_id": str(concern.id),
        "step_id": str(ada_step.id),
        "patient_id": str(patient_record.id),
    }
    return {
        "cohort": cohort,
        "other_cohort": other,
        "ada": ada,
        "grace": grace,
        "mo": mo_enrolment,
        "pairing": pairing,
        "win": win,
        "step": ada_step,
        "values": values,
    }


def url_of(route: str, group: dict[str, Any], **changes: str) -> str:
    return _fill(route, group["values"] | changes)


# Enough for any of the group forms to be valid, so that a refusal is the page's doing and not the form's.
POSTED = {
    "version": "1",
    "expected_version": "1",
    "reason": "x",
    "name": "Taken over",
    "text": "Taken over",
    "answer": "Taken over",
    "note": "Taken over",
    "feeling": "well",
    "message": "Taken over",
    "status": "cancelled",
    "kind": "announcement",
    "shown_name": "chosen_name",
    "chosen_name": "Mallory",
    "shared": "on",
    "shares": ["action_plan", "ladder_progress"],
    "about": "group",
    "capacity": "40",
}


def snapshot(group: dict[str, Any]) -> tuple[int, ...]:
    """Every row of the groups domain in this clinic and its history, the notes, consents, and the audit trail
    of the members (another clinic's coordinator may make programmes in their own clinic; a patient reading
    their own record is audited as theirs)."""
    organisation_id = group["cohort"].organisation_id
    counts: list[int] = []
    for model in list(vars(group_models).values()):
        if isinstance(model, type) and issubclass(model, Model) and not model._meta.abstract:
            ours = {"organisation_id": organisation_id} if hasattr(model, "organisation_id") else {}
            counts.append(model.objects.filter(**ours).count())
            history = getattr(model, "history", None)
            if history is not None:
                counts.append(history.filter(**ours).count())
    counts += [Note.objects.count(), Consent.objects.count(), Consent.history.count()]
    members = [group[name].patient_id for name in ("ada", "grace", "mo")]
    counts.append(AuditEvent.objects.filter(patient_id__in=members).count())
    return tuple(counts)


def others_names(person: Any) -> list[str]:
    """The members' family names, but for the signed-in member's own (in the page's header)."""
    return [name for name in ("Lovelace", "Hopper", "Farah") if name not in person.display_name]


def texts_of(group: dict[str, Any]) -> dict[str, str]:
    return {
        "win": group_models.BoardPost.objects.get(pk=group["win"].pk).status,
        "step": str(group_models.ActionStep.objects.get(pk=group["step"].pk).done_at),
        "pairing": group_models.Pairing.objects.get(pk=group["pairing"].pk).status,
        "cohort": group_models.Cohort.objects.get(pk=group["cohort"].pk).name,
    }


# --- the table -------------------------------------------------------------------------------------------------


def test_the_table_has_the_group_routes_and_every_parameter_is_known(group):
    assert len(STAFF_ROUTES) >= 20 and len(PORTAL_ROUTES) >= 15
    for route, _pattern in [*STAFF_ROUTES, *PORTAL_ROUTES]:
        assert parameters(route) <= set(group["values"]), f"{route}: a new parameter for this test to fill"


def test_only_group_pages_accept_the_facilitators_relationship():
    for route, pattern in our_routes():
        if GROUP_FACILITATOR in pattern.callback.access_rule.relationships:
            assert route.startswith(STAFF_PREFIX), f"{route} lets a facilitator reach a patient outside the group"
            assert "<uuid:patient_id>" not in route, f"{route}: group pages name a member, never a patient id"


# --- outsiders -------------------------------------------------------------------------------------------------


STAFF_OUTSIDERS = ("therapist", "outsider", "foreign_clinician", "administrator", "privacy_officer", "patient_user")


@pytest.mark.parametrize(("route", "pattern"), STAFF_ROUTES, ids=[r for r, _ in STAFF_ROUTES])
def test_every_staff_group_route_is_not_found_for_outsiders_and_changes_nothing(route, pattern, group, request):
    url = url_of(route, group)
    before, texts = snapshot(group), texts_of(group)
    for who in STAFF_OUTSIDERS:
        person = request.getfixturevalue(who)
        client = signed_in(person)
        for method in ("get", "post"):
            response = getattr(client, method)(url, POSTED if method == "post" else None)
            if parameters(route):
                assert response.status_code in (404, 405), f"{who} {method.upper()} {url}: {response.status_code}"
            else:  # the groups home and the programme list: open to clinicians, but nothing of this group
                assert response.status_code in (200, 302, 404, 405), f"{who} {method.upper()} {url}"
            page = response.content.decode()
            assert group["cohort"].name not in page, f"{who} {method.upper()} {url} names the group"
            for secret in others_names(person):
                assert secret not in page, f"{who} {method.upper()} {url} shows {secret}"
    assert snapshot(group) == before, f"{url}: a refused request changed something or was audited as an access"
    assert texts_of(group) == texts


PORTAL_OUTSIDERS = ("stranger", "facilitator", "coordinator", "therapist", "foreign_clinician")


@pytest.mark.parametrize(("route", "pattern"), PORTAL_ROUTES, ids=[r for r, _ in PORTAL_ROUTES])
def test_every_portal_group_route_is_not_found_for_outsiders_and_changes_nothing(route, pattern, group, request):
    url = url_of(route, group)
    before, texts = snapshot(group), texts_of(group)
    for who in PORTAL_OUTSIDERS:
        person = request.getfixturevalue(who)
        client = signed_in(person)
        for method in ("get", "post"):
            response = getattr(client, method)(url, POSTED if method == "post" else None)
            if "cohort_id" in parameters(route):
                assert response.status_code in (404, 405), f"{who} {method.upper()} {url}: {response.status_code}"
            page = response.content.decode()
            assert group["cohort"].name not in page, f"{who} {method.upper()} {url} names the group"
            for secret in others_names(person):
                assert secret not in page, f"{who} {method.upper()} {url} shows {secret}"
    assert snapshot(group) == before, f"{url}: a refused request changed something or was audited as an access"
    assert texts_of(group) == texts


OWNED = [(r, p) for r, p in PORTAL_ROUTES if parameters(r) & {"step_id", "post_id"}]


@pytest.mark.parametrize(("route", "pattern"), OWNED, ids=[r for r, _ in OWNED])
def test_a_member_cannot_act_on_another_members_step_or_post(route, pattern, group, other_patient_user, patient_user):
    """Ada's step by Grace (her partner, who sees it), Mo's small win by Ada."""
    url = url_of(route, group, post_id=str(group["win"].id), step_id=str(group["step"].id))
    actor = other_patient_user if "step_id" in parameters(route) else patient_user
    before, texts = snapshot(group), texts_of(group)
    response = signed_in(actor).post(url, POSTED)
    assert response.status_code == 404, f"{actor.username} POST {url}: {response.status_code}"
    assert snapshot(group) == before and texts_of(group) == texts
    assert group_models.BoardPost.objects.get(pk=group["win"].pk).status == PostStatus.SHOWN


# --- what members see of each other ---------------------------------------------------------------------------


def member_pages(client: Client, group: dict[str, Any], **changes: str) -> dict[str, str]:
    """Every portal group page a member can GET (POST-only routes answer 405 and show nothing)."""
    pages = {}
    for route, _pattern in PORTAL_ROUTES:
        url = url_of(route, group, **changes)
        response = client.get(url)
        assert response.status_code in (200, 302, 404, 405), f"GET {url}: {response.status_code}"
        pages[url] = response.content.decode()
    return pages


def private_of(patient: Patient) -> list[str]:
    return [patient.family_name, patient.record_number, str(patient.id)]


def test_a_member_sees_no_other_members_name_record_or_clinical_data(group, mo, patient_record, other_patient_record):
    pages = member_pages(signed_in(mo), group, enrolment_id=str(group["ada"].id))
    assert any("Ada" in page and "Grace" in page for page in pages.values())  # first names: the default
    assert any(MO_SHARED_STEP in page for page in pages.values())
    hidden = [
        *private_of(patient_record),
        *private_of(other_patient_record),
        ADA_GOAL,
        ADA_RUNG,
        ADA_STEP,
        ADA_CHECK_IN,
        ADA_NOTE,
        ADA_CONCERN,
        GRACE_GOAL,
        GRACE_RUNG,
        GRACE_STEP,
        GRACE_CHECK_IN,
    ]
    for url, page in pages.items():
        for secret in hidden:
            assert secret not in page, f"Mo sees {secret!r} on {url}"


def test_a_partner_sees_only_what_the_other_chose_to_share(
    group, patient_user, other_patient_user, patient_record, other_patient_record
):
    graces = member_pages(signed_in(other_patient_user), group, enrolment_id=str(group["ada"].id))
    seen = "\n".join(graces.values())
    assert ADA_STEP in seen  # Ada shows Grace her action plan
    assert ADA_CHECK_IN in seen  # a check-in goes to the partner
    for url, page in graces.items():
        for secret in [*private_of(patient_record), ADA_GOAL, ADA_RUNG, ADA_NOTE, ADA_CONCERN]:
            assert secret not in page, f"Grace sees {secret!r} on {url}"
    adas = member_pages(signed_in(patient_user), group, enrolment_id=str(group["grace"].id))
    assert GRACE_CHECK_IN in "\n".join(adas.values())
    for url, page in adas.items():
        for secret in [*private_of(other_patient_record), GRACE_STEP, GRACE_GOAL, GRACE_RUNG]:
            assert secret not in page, f"Ada sees {secret!r} on {url}"


def test_what_a_partner_sees_follows_the_choice_at_once(group, other_patient_user):
    services.set_partner_shares(group["pairing"], group["ada"], [])
    seen = "\n".join(member_pages(signed_in(other_patient_user), group).values())
    assert ADA_STEP not in seen and ADA_CHECK_IN in seen


# --- what facilitators see -------------------------------------------------------------------------------------


def staff_pages(client: Client, group: dict[str, Any]) -> dict[str, str]:
    pages = {}
    for route, _pattern in STAFF_ROUTES:
        url = url_of(route, group)
        response = client.get(url)
        assert response.status_code in (200, 302, 404, 405), f"GET {url}: {response.status_code}"
        if response.status_code == 200:
            pages[url] = response.content.decode()
    return pages


@pytest.mark.parametrize("who", ["facilitator", "coordinator"])
def test_facilitators_see_check_in_counts_but_not_unshared_content(group, who, request):
    """The cohort's staff see how many check-ins there were; only its facilitators read those shared with them,
    and nobody reads one that was not shared."""
    pages = staff_pages(signed_in(request.getfixturevalue(who)), group)
    partners = next(page for url, page in pages.items() if url.endswith("/partners/"))
    # Grace shared hers with the facilitators: they read it; a coordinator who does not facilitate sees counts only.
    assert (GRACE_CHECK_IN in partners) is (who == "facilitator")
    [activity] = selectors.pairings_for_facilitator(group["cohort"])
    assert activity.total == 2 and [week.check_ins for week in activity.weeks] == [2]
    for url, page in pages.items():
        assert ADA_CHECK_IN not in page, f"{who} reads Ada's unshared check-in on {url}"
    assert len(pages) >= 10  # the pages opened: the refusals above are not a broken fixture


def test_a_facilitators_relationship_opens_the_member_page_not_the_chart(group, facilitator, patient_record):
    member = signed_in(facilitator).get(f"/clinician/groups/cohorts/{group['cohort'].id}/members/{group['ada'].id}/")
    assert member.status_code == 200
    client = signed_in(facilitator)
    for route, _pattern in CHART_ROUTES:
        if route.startswith(STAFF_PREFIX):
            continue
        url = _fill(route, {"patient_id": str(patient_record.id), "kind": "consent"})
        response = client.get(url)
        assert response.status_code in (404, 405), f"the facilitator opens {url}: {response.status_code}"
        assert patient_record.family_name.encode() not in response.content
    _token, secret = create_api_token(facilitator, name="probe", scope="read", days=1, created_by=facilitator)
    api = Client(headers={"Authorization": f"Bearer {secret}"})
    for url in (
        f"/api/patients/{patient_record.id}",
        f"/api/fhir/Patient/{patient_record.id}/Observation",
        f"/api/fhir/Goal?patient={patient_record.id}",
        f"/api/fhir/Consent?patient={patient_record.id}",
    ):
        assert api.get(url).status_code == 404, url


def test_a_removed_facilitator_loses_the_group_and_its_members(group, facilitator, coordinator):
    services.add_facilitator(group["cohort"], coordinator, by=coordinator)
    services.remove_facilitator(group["cohort"], facilitator, by=coordinator)
    client = signed_in(facilitator)
    for route, _pattern in STAFF_ROUTES:
        if parameters(route) & {"cohort_id"}:
            url = url_of(route, group)
            assert client.get(url).status_code in (404, 405), url


def test_an_unknown_id_is_not_found_like_one_not_yours(group, facilitator):
    client = signed_in(facilitator)
    for route, _pattern in STAFF_ROUTES:
        if parameters(route) - {"number"}:
            changes = {name: str(uuid.uuid4()) for name in parameters(route) - {"number", "cohort_id"}}
            url = url_of(route, group, **changes) if changes else url_of(route, group, cohort_id=str(uuid.uuid4()))
            assert client.get(url).status_code in (404, 405), url
