"""A patient's questionnaire responses, or their totals, as a FHIR searchset Bundle.

The caller has opened the patient through the access gateway. Only completed responses are searched: a
half-finished form is the patient's until they send it. A response whose instrument is no longer defined
cannot be mapped and is left out.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from fhir.resources.R4B.bundle import Bundle, BundleEntry, BundleEntrySearch, BundleLink
from fhir.resources.R4B.resource import Resource

from commonground.interop.fhir.observations import total_observation
from commonground.interop.fhir.responses import questionnaire_response
from commonground.interop.fhir.terminology import base_url
from commonground.measures import selectors
from commonground.measures.datatypes import Instrument
from commonground.measures.models import Response


def questionnaire_responses(patient_id: Any, *, self_url: str) -> Bundle:
    found = [questionnaire_response(response, instrument) for response, instrument in _completed(patient_id)]
    return searchset(found, self_url=self_url)


def total_observations(patient_id: Any, *, self_url: str) -> Bundle:
    mapped = (total_observation(response, instrument) for response, instrument in _completed(patient_id))
    return searchset([found for found in mapped if found is not None], self_url=self_url)


def searchset(resources: Sequence[Resource], *, self_url: str) -> Bundle:
    return Bundle(
        type="searchset",
        total=len(resources),
        link=[BundleLink(relation="self", url=self_url)],
        entry=[_entry(resource) for resource in resources] or None,
    )


def _entry(resource: Resource) -> BundleEntry:
    return BundleEntry(
        fullUrl=f"{base_url()}/{resource.get_resource_type()}/{resource.id}",
        resource=resource,
        search=BundleEntrySearch(mode="match"),
    )


def _completed(patient_id: Any) -> Iterator[tuple[Response, Instrument]]:
    for response in selectors.completed_responses(patient_id):
        instrument = selectors.instrument_or_none(response.instrument)
        if instrument is not None and instrument.battery is None:
            yield response, instrument
