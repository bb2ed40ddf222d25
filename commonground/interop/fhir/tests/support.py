"""Helpers for the FHIR tests: responses made through the measures services, and round trips through the models."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta
from typing import Any

from fhir.resources.R4B.resource import Resource

from commonground.kit import clock
from commonground.measures import services
from commonground.measures.choices import EntryMode
from commonground.measures.models import Response


def round_trip(resource: Resource) -> Any:
    """The resource as JSON, read back through its FHIR model (which validates it), and as plain data."""
    data = json.loads(resource.model_dump_json())
    again = type(resource).model_validate(data)
    assert json.loads(again.model_dump_json()) == data
    return data


def answers_of(values: list[Any]) -> dict[str, Any]:
    """Answers by item id "1", "2", ... in published order."""
    return {str(number): value for number, value in enumerate(values, start=1)}


def from_portal(patient: Any, user: Any, instrument_id: str, values: list[Any]) -> Any:
    """A questionnaire the patient filled in and sent in the portal."""
    response = services.start_response(patient, instrument_id=instrument_id, entered_by=user, mode=EntryMode.PORTAL)
    services.save_answers(response, answers_of(values))
    return stored(services.submit_response(response.id, patient=patient).response)


def from_paper(patient: Any, staff: Any, instrument_id: str, values: list[Any], *, days_ago: int = 1) -> Any:
    """A paper form entered by staff."""
    response = services.enter_response(
        patient,
        instrument_id=instrument_id,
        answers=answers_of(values),
        entered_by=staff,
        submission_key=uuid.uuid4(),
        completed_on=clock.now() - timedelta(days=days_ago),
    ).response
    return stored(response)


def stored(response: Response) -> Response:
    """The response as the database keeps it (totals to the column's 4 decimals), as the API reads it."""
    return Response.objects.get(pk=response.pk)
