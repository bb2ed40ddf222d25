"""SEC-AC-01/03/04/07: a test generated from the URL table.

Every page declares who may open it; every page needs sign-in unless it says it is public; every
patient page answers 404, with no side effect, to staff outside the care team, to staff of another
clinic and to another patient. The same holds for every API path with a patient in it.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from commonground.access.routes import Audience, RouteRule, audience_admits
from commonground.accounts.services import create_api_token
from commonground.audit.models import AuditEvent
from commonground.patients.models import Patient
from tests.personas import signed_in

pytestmark = pytest.mark.django_db

# Routes that are not ours to declare: Django's admin (its own login_required + is_staff) and the
# API (token or session auth on every operation, checked from the OpenAPI document below).
FOREIGN_PREFIXES = ("admin/", "api/")


def _walk(patterns: list[Any], prefix: str = "") -> Iterator[tuple[str, URLPattern]]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry


def our_routes() -> list[tuple[str, URLPattern]]:
    return [(route, p) for route, p in _walk(get_resolver().url_patterns) if not route.startswith(FOREIGN_PREFIXES)]


def _fill(route: str, values: dict[str, str]) -> str:
    import re

    def value(match: re.Match[str]) -> str:
        converter, name = match.group(1), match.group(2)
        if name in values:
            return values[name]
        if converter == "uuid":
            return str(uuid.uuid4())
        return "1" if converter == "int" else "x"

    return "/" + re.sub(r"<(?:(\w+):)?(\w+)>", value, route).replace("^", "").replace("$", "")


def test_there_are_routes_to_check():
    assert len(our_routes()) > 25


@pytest.mark.parametrize(("route", "pattern"), our_routes(), ids=[r for r, _ in our_routes()])
def test_every_route_declares_who_may_open_it(route, pattern):
    rule = getattr(pattern.callback, "access_rule", None)
    assert isinstance(rule, RouteRule), f"{route} has no @route(...) declaration"
    if "patient_id" in route:
        assert rule.audience in (Audience.CLINICIAN, Audience.STAFF), f"{route}: patient routes are for staff"
        assert rule.relationships, f"{route}: a patient route names the relationships that grant access"


@pytest.mark.parametrize(("route", "pattern"), our_routes(), ids=[r for r, _ in our_routes()])
def test_every_route_needs_sign_in_unless_public(route, pattern):
    rule = pattern.callback.access_rule
    url = _fill(route, {"patient_id": str(uuid.uuid4())})
    for method in ("get", "post"):
        response = getattr(Client(), method)(url)
        if rule.audience == Audience.PUBLIC:
            assert response.status_code != 500
        else:
            assert response.status_code == 302 and response["Location"].startswith("/accounts/sign-in/"), (method, url)


@pytest.fixture
def intruders(outsider, foreign_clinician, other_patient_user, administrator, privacy_officer) -> dict[str, Any]:
    return {
        "staff outside the care team": outsider,
        "staff of another clinic": foreign_clinician,
        "another patient": other_patient_user,
        "an administrator": administrator,
        "a privacy officer": privacy_officer,
    }


def _patient_routes() -> list[tuple[str, URLPattern]]:
    return [(r, p) for r, p in our_routes() if "<uuid:patient_id>" in r]


@pytest.mark.parametrize(("route", "pattern"), _patient_routes(), ids=[r for r, _ in _patient_routes()])
def test_every_patient_route_is_not_found_for_anyone_outside_the_care_team(route, pattern, patient_record, intruders):
    consent = patient_record.consents.create(
        organisation=patient_record.organisation,
        scope="research",
        text_version="v1",
        given_at=patient_record.created_at,
        recorded_by=patient_record.care_team.care_coordinator,
    )
    member = patient_record.care_team_members.first()
    values = {
        "patient_id": str(patient_record.id),
        "consent_id": str(consent.id),
        "member_id": str(member.id),
        "record_id": str(consent.id),
        "kind": "consent",
    }
    url = _fill(route, values)
    before = Patient.history.count(), AuditEvent.objects.filter(patient_id=patient_record.id).count()
    for who, person in intruders.items():
        client = signed_in(person)
        for method in ("get", "post"):
            response = getattr(client, method)(url, {"version": "1", "reason": "x"} if method == "post" else None)
            assert response.status_code in (404, 405), f"{who} {method.upper()} {url}: {response.status_code}"
            assert patient_record.family_name.encode() not in response.content
    after = Patient.history.count(), AuditEvent.objects.filter(patient_id=patient_record.id).count()
    assert before == after, "a refused request changed something or was audited as an access"
    consent.refresh_from_db()
    assert consent.withdrawn_at is None


@pytest.mark.parametrize(("route", "pattern"), _patient_routes(), ids=[r for r, _ in _patient_routes()])
def test_every_patient_route_opens_for_the_care_team(route, pattern, patient_record, therapist):
    url = _fill(route, {"patient_id": str(patient_record.id), "kind": "consent"})
    response = signed_in(therapist).get(url)
    # GET pages open; POST-only actions refuse GET with 405; unknown sub-records are 404.
    assert response.status_code in (200, 404, 405)
    if "<uuid:" not in route.replace("<uuid:patient_id>", ""):
        assert response.status_code in (200, 405), url


@pytest.mark.parametrize(("route", "pattern"), our_routes(), ids=[r for r, _ in our_routes()])
def test_staff_pages_are_not_found_for_the_wrong_audience(
    route, pattern, patient_user, therapist, administrator, privacy_officer
):
    rule: RouteRule = pattern.callback.access_rule
    if rule.audience in (Audience.PUBLIC, Audience.SIGNED_IN):
        return
    url = _fill(route, {})
    for person in (patient_user, therapist, administrator, privacy_officer):
        if audience_admits(rule.audience, person):
            continue
        response = signed_in(person).get(url)
        assert response.status_code == 404, f"{person.username} GET {url}: {response.status_code}"


def _api_patient_operations(client: Client) -> list[tuple[str, str]]:
    spec = client.get("/api/openapi.json").json()
    return [(method, path) for path, item in spec["paths"].items() if "{patient_id}" in path for method in item]


def test_every_api_patient_path_is_not_found_for_anyone_outside_the_care_team(
    patient_record, outsider, foreign_clinician, other_patient_user
):
    operations = _api_patient_operations(Client())
    assert len(operations) >= 6
    intruders = [outsider, foreign_clinician]
    for person in intruders:
        _token, secret = create_api_token(person, name="probe", scope="write", days=1, created_by=person)
        client = Client(headers={"Authorization": f"Bearer {secret}"})
        for method, path in operations:
            url = "/api" + path.removeprefix("/api").replace("{patient_id}", str(patient_record.id))
            url = url.replace("{consent_id}", str(uuid.uuid4())).replace("{member_id}", str(uuid.uuid4()))
            response = getattr(client, method)(
                url, data={"version": 1, "reason": "x", "given_name": "Mallory"}, content_type="application/json"
            )
            assert response.status_code in (404, 422), (
                f"{person.username} {method.upper()} {url}: {response.status_code}"
            )
    session = signed_in(other_patient_user)
    assert session.get(f"/api/patients/{patient_record.id}").status_code == 404
    assert Patient.objects.get(pk=patient_record.pk).given_name == "Ada"


def test_every_api_path_needs_authentication():
    client = Client()
    spec = client.get("/api/openapi.json").json()
    for path, item in spec["paths"].items():
        for method in item:
            url = (
                path.replace("{patient_id}", str(uuid.uuid4()))
                .replace("{consent_id}", str(uuid.uuid4()))
                .replace("{member_id}", str(uuid.uuid4()))
            )
            response = getattr(client, method)(url, data={}, content_type="application/json")
            assert response.status_code in (401, 403), f"{method.upper()} {url}: {response.status_code}"
