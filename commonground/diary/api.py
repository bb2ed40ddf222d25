"""The diary in the JSON API: a tidy CSV per patient, for the care team (issue 6 item 7).

`GET /api/patients/{patient_id}/diary.csv`: a `date` column (YYYY-MM-DD), then one column per variable (its
key), one row per day with an entry (a day's extra check-ins averaged with its daily entry), an empty cell
where a value is missing. Only the parts the patient shares with the care team are in it. The gateway opens
the patient for the care team and audits the download as an export; emergency (break-glass) access does not
export (decision 0010). The file's name says nothing about whose diary it is.
"""

from __future__ import annotations

from typing import Any, Final
from uuid import UUID

from django.http import HttpRequest, HttpResponse
from ninja import Router

from commonground.access import gateway
from commonground.audit.choices import Action
from commonground.diary import selectors
from commonground.diary.csvfile import write_csv

CSV: Final = "text/csv"
FILE_NAME: Final = "diary-export.csv"

router = Router(tags=["diary"])


def served_as_csv(description: str) -> dict[str, Any]:
    """The OpenAPI answer of an operation that returns CSV text (ninja would document JSON)."""
    return {"responses": {200: {"description": description, "content": {CSV: {"schema": {"type": "string"}}}}}}


@router.get(
    "/{patient_id}/diary.csv",
    response={200: None},
    summary="Download a patient's diary as a tidy CSV",
    openapi_extra=served_as_csv("date, then one column per variable the patient shares; an empty cell is missing"),
)
def diary_csv(request: HttpRequest, patient_id: UUID) -> HttpResponse:
    patient = gateway.open_patient(
        request, patient_id, action=Action.EXPORT, object_type="diary", allow_break_glass=False
    )
    table = selectors.diary_table(patient, parts=selectors.team_parts(selectors.set_up_of(patient)))
    text = write_csv(table.rows, [column.key for column in table.columns])
    response = HttpResponse(text, content_type=f"{CSV}; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{FILE_NAME}"'
    return response
