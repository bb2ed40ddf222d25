"""A patient's diary ratings as FHIR R4 Observations (issue 6 item 7), for the care team.

- **One Observation per value per entry**: each 0-10 rating recorded in a daily entry or an extra check-in,
  and, from a daily entry, the hours of sleep and the sleep quality. A rating left blank has none.
- **Only what the patient shares with the care team** (`diary.selectors.team_parts`): the ratings part gives
  the ratings, the sleep part the two sleep values; nothing else of the diary is mapped. An entry entered in
  error is never exported.
- `status` is `final`, or `amended` once the entry has been changed (its version is above 1).
- `category` is `survey`; `subject` and `performer` are the patient (the values are theirs, self-reported).
- `code` is Common Ground's diary item code, `<base>/CodeSystem/diary-items`, code = the item's key (`pain`,
  `energy`, `own-back-ache`, `sleep_hours`), display and text = the item's label **in the set-up version the
  entry was made with**, so an old entry keeps its meaning after the set-up changes. No LOINC code: the diary
  words its items its own way (a pain rating is not necessarily LOINC 72514-3's verbal rating), and a code
  that cannot be confirmed is left out rather than guessed.
- **When**: a daily entry is about a calendar day, so `effectiveDateTime` is that day at date precision
  (`2025-03-03`): the patient rates the day, not a moment, and a day filled in late is still about that day. A
  check-in is a moment, so its `effectiveDateTime` is when it was recorded. `issued` is when this version of
  the entry was saved. `method.text` says which kind of entry it was, as check-ins are averaged into their
  day in the diary itself.
- **Value**: a rating is `valueInteger` 0-10 with a `referenceRange` 0-10 whose text says which way is
  better (the scale's bounds, not a normal range); hours of sleep are `valueQuantity` in UCUM `h`.
- **Ids** are `<entry id>-<n>` for the n-th rating of the entry's set-up version (its items never change, so
  n is stable) and `<entry id>-sleep-hours` / `<entry id>-sleep-quality`: a FHIR id has at most 64
  characters, too few for the entry id and a patient's own symptom key together.

Displays follow the set-up's stored words; computed ones (the everyday scales) are read in English, whatever
the reader's language (decision 0012).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import Any, Final
from uuid import UUID

from django.utils.translation import override
from fhir.resources.R4B.codeableconcept import CodeableConcept
from fhir.resources.R4B.coding import Coding
from fhir.resources.R4B.observation import Observation, ObservationReferenceRange
from fhir.resources.R4B.quantity import Quantity
from fhir.resources.R4B.reference import Reference

from commonground.diary import selectors
from commonground.diary.choices import Part
from commonground.diary.definitions import SLEEP_HOURS, SLEEP_QUALITY, Definition, from_json, higher_is_better
from commonground.diary.models import DiaryEntry
from commonground.interop.fhir.terminology import OBSERVATION_CATEGORY, UCUM, base_url, exact, patient_reference_of
from commonground.patients.models import Patient

# The two sleep values of a daily entry: id suffix -> the diary's variable (the item code).
SLEEP_VALUES: Final = {"sleep-hours": SLEEP_HOURS, "sleep-quality": SLEEP_QUALITY}
UUID_TEXT: Final = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
OBSERVATION_ID: Final = re.compile(rf"(?P<entry>{UUID_TEXT})-(?P<value>[1-9][0-9]?|sleep-hours|sleep-quality)")
METHOD: Final = {True: "Daily diary entry", False: "Extra check-in"}


def diary_items_system() -> str:
    """The diary's items: code = the item's key in the patient's set-up (`pain`, `own-back-ache`, `energy`)."""
    return f"{base_url()}/CodeSystem/diary-items"


def shared_observations(patient: Patient) -> list[Observation]:
    """Every value of the patient's current entries that the patient shares with the care team, oldest first."""
    parts = selectors.team_parts(selectors.set_up_of(patient))
    if not parts & {Part.RATINGS, Part.SLEEP}:
        return []
    definitions: dict[Any, Definition] = {}
    found: list[Observation] = []
    for entry in selectors.entries_of(patient):
        definition = definitions.get(entry.made_with_id)
        if definition is None:
            definition = definitions[entry.made_with_id] = from_json(entry.made_with.definition)
        found += entry_observations(entry, definition, parts)
    return found


def entry_observations(entry: DiaryEntry, definition: Definition, parts: Iterable[str]) -> list[Observation]:
    """The entry's values in the parts given, as Observations; `definition` is the version it was made with."""
    if entry.is_entered_in_error:
        return []
    shared = set(parts)
    found: list[Observation] = []
    if Part.RATINGS in shared:
        found += [_rating(entry, definition, number, key) for number, key in _ratings(entry, definition)]
    if Part.SLEEP in shared and entry.is_daily:
        recorded = [suffix for suffix in SLEEP_VALUES if _sleep_value(entry, suffix) is not None]
        found += [_sleep(entry, definition, suffix) for suffix in recorded]
    return found


def exportable_owner(observation_id: str) -> UUID | None:
    """The patient whose shared diary value the id names, or None (unknown, entered in error, not shared, not
    recorded): asked before the gateway opens the patient, so a value not shared is not found like any other."""
    found = _entry_and_value(observation_id)
    if found is None:
        return None
    entry, value = found
    parts = selectors.team_parts(selectors.set_up_of(entry.patient))
    definition = from_json(entry.made_with.definition)
    return entry.patient_id if _resource(entry, definition, value, parts) is not None else None


def observation_of(patient: Patient, observation_id: str) -> Observation | None:
    """One shared diary value of this patient, by its Observation id."""
    found = _entry_and_value(observation_id)
    if found is None or found[0].patient_id != patient.id:
        return None
    entry, value = found
    parts = selectors.team_parts(selectors.set_up_of(patient))
    return _resource(entry, from_json(entry.made_with.definition), value, parts)


def _entry_and_value(observation_id: str) -> tuple[DiaryEntry, str] | None:
    match = OBSERVATION_ID.fullmatch(observation_id)
    if match is None:
        return None
    entry = DiaryEntry.objects.current().select_related("made_with", "patient").filter(pk=match.group("entry")).first()
    return (entry, match.group("value")) if entry is not None else None


def _resource(entry: DiaryEntry, definition: Definition, value: str, parts: frozenset[str]) -> Observation | None:
    if value in SLEEP_VALUES:
        shared = Part.SLEEP in parts and entry.is_daily and _sleep_value(entry, value) is not None
        return _sleep(entry, definition, value) if shared else None
    if Part.RATINGS not in parts:
        return None
    for number, key in _ratings(entry, definition):
        if str(number) == value:
            return _rating(entry, definition, number, key)
    return None


def _ratings(entry: DiaryEntry, definition: Definition) -> Iterator[tuple[int, str]]:
    """(position in the version's ratings, key) of each rating recorded; a key the version does not know has
    no stable id and is left out."""
    for number, key in enumerate(definition.rating_keys, start=1):
        if entry.ratings.get(key) is not None:
            yield number, key


def _rating(entry: DiaryEntry, definition: Definition, number: int, key: str) -> Observation:
    with override("en"):
        label = definition.rating_label(key)
    return _observation(
        entry,
        f"{entry.id}-{number}",
        _code(key, label),
        valueInteger=int(entry.ratings[key]),
        referenceRange=[_scale(key)],
    )


def _sleep(entry: DiaryEntry, definition: Definition, suffix: str) -> Observation:
    key = SLEEP_VALUES[suffix]
    labels = {item.key: item.label for item in definition.variables()}
    code = _code(key, labels.get(key, key))
    if key == SLEEP_HOURS:
        hours = exact(Decimal(entry.sleep_hours or 0))
        quantity = Quantity(value=hours, unit="h", system=UCUM, code="h")
        return _observation(entry, f"{entry.id}-{suffix}", code, valueQuantity=quantity)
    return _observation(
        entry, f"{entry.id}-{suffix}", code, valueInteger=entry.sleep_quality, referenceRange=[_scale(key)]
    )


def _sleep_value(entry: DiaryEntry, suffix: str) -> Any:
    return entry.sleep_hours if SLEEP_VALUES[suffix] == SLEEP_HOURS else entry.sleep_quality


def _observation(entry: DiaryEntry, observation_id: str, code: CodeableConcept, **value: Any) -> Observation:
    patient = Reference(reference=patient_reference_of(entry.patient_id))
    # A FHIR dateTime may be a date (a daily entry is about its day); the model's typing says datetime only.
    effective: dict[str, Any] = {"effectiveDateTime": entry.day if entry.is_daily else entry.recorded_at}
    return Observation(
        id=observation_id,
        status="amended" if entry.version > 1 else "final",
        category=[CodeableConcept(coding=[Coding(system=OBSERVATION_CATEGORY, code="survey", display="Survey")])],
        code=code,
        subject=patient,
        issued=entry.updated_at,
        performer=[patient],
        method=CodeableConcept(text=METHOD[entry.is_daily]),
        **effective,
        **value,
    )


def _code(key: str, label: str) -> CodeableConcept:
    return CodeableConcept(coding=[Coding(system=diary_items_system(), code=key, display=label)], text=label)


def _scale(key: str) -> ObservationReferenceRange:
    better = "higher" if higher_is_better(key) else "lower"
    return ObservationReferenceRange(
        low=Quantity(value=Decimal(0)),
        high=Quantity(value=Decimal(10)),
        text=f"A rating from 0 to 10; {better} is better.",
    )
