"""What a patient's diary asks, as plain data (pure: no database).

The set-up is co-created by clinician and patient. Each change is saved as a new numbered version, and every
entry keeps the version it was made with, so an old entry keeps its meaning when the set-up changes later
(a renamed activity, a symptom no longer rated). Items have stable keys, and the keys are the diary's
variables: the columns of the export and the factors and outcomes of personal patterns.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from commonground.diary.choices import HIGHER_IS_BETTER, Scale, Symptom

MAX_LABEL = 80
MAX_OWN_SYMPTOMS = 6
MAX_ITEMS = 20  # activities, own practice, triggers, warning signs: each list at most this long
OWN_SYMPTOM_PREFIX = "own-"
TRIGGER_PREFIX = "trigger:"
# Ease of taking part is about the activity the patient named. Ratings about an activity the current set-up no
# longer names are their own variable, `ease:<the activity in a key>`: a new activity never inherits the old
# one's ratings (see `ease_key`).
EASE_PREFIX = "ease:"

# Variables every diary has, beside its ratings (column key, label).
SLEEP_HOURS = "sleep_hours"
SLEEP_QUALITY = "sleep_quality"
ACTIVITY_LOAD = "activity_load"
REST_BREAKS = "rest_breaks"
PRACTICE_DONE = "practice_done"


NEUTRAL = frozenset({SLEEP_HOURS, ACTIVITY_LOAD, REST_BREAKS, PRACTICE_DONE})


class InvalidSetUp(ValueError):
    """The set-up cannot be saved; `reason` says why in words for the clinician and patient."""

    def __init__(self, reason: str, *, field: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.field = field


@dataclass(frozen=True)
class Item:
    key: str
    label: str


@dataclass(frozen=True)
class Definition:
    symptoms: tuple[Item, ...] = ()
    scales: tuple[str, ...] = ()
    valued_activity: str = ""
    track_sleep: bool = True
    activities: tuple[Item, ...] = ()
    own_practice: tuple[Item, ...] = ()
    triggers: tuple[Item, ...] = ()
    warning_signs: tuple[Item, ...] = ()
    pacing_symptom: str = ""
    outcomes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def rating_keys(self) -> list[str]:
        return [item.key for item in self.symptoms] + list(self.scales)

    def rating_label(self, key: str) -> str:
        for item in self.symptoms:
            if item.key == key:
                return item.label
        if key == Scale.EASE and self.valued_activity:
            return f"{Scale(key).label}: {self.valued_activity}"
        return str(Scale(key).label) if key in Scale.values else key

    def activity_label(self, key: str) -> str:
        return _label_in(self.activities, key)

    def variables(self) -> list[Item]:
        """The diary's variables in column order: ratings, sleep, activity, rest, practice, each trigger."""
        found = [Item(key, self.rating_label(key)) for key in self.rating_keys]
        if self.track_sleep:
            found += [Item(SLEEP_HOURS, _("Hours of sleep")), Item(SLEEP_QUALITY, _("Sleep quality"))]
        if self.activities:
            found += [Item(ACTIVITY_LOAD, _("Activity (minutes × effort ÷ 10)")), Item(REST_BREAKS, _("Rest breaks"))]
        found.append(Item(PRACTICE_DONE, _("Home practice done")))
        found += [
            Item(TRIGGER_PREFIX + item.key, _("Trigger: %(trigger)s") % {"trigger": item.label})
            for item in self.triggers
        ]
        return found

    def to_json(self) -> dict[str, Any]:
        return {
            "symptoms": [[item.key, item.label] for item in self.symptoms],
            "scales": list(self.scales),
            "valued_activity": self.valued_activity,
            "track_sleep": self.track_sleep,
            "activities": [[item.key, item.label] for item in self.activities],
            "own_practice": [[item.key, item.label] for item in self.own_practice],
            "triggers": [[item.key, item.label] for item in self.triggers],
            "warning_signs": [[item.key, item.label] for item in self.warning_signs],
            "pacing_symptom": self.pacing_symptom,
            "outcomes": list(self.outcomes),
        }


def from_json(data: Mapping[str, Any]) -> Definition:
    def items(name: str) -> tuple[Item, ...]:
        return tuple(Item(str(key), str(label)) for key, label in data.get(name, []))

    return Definition(
        symptoms=items("symptoms"),
        scales=tuple(data.get("scales", [])),
        valued_activity=str(data.get("valued_activity", "")),
        track_sleep=bool(data.get("track_sleep", True)),
        activities=items("activities"),
        own_practice=items("own_practice"),
        triggers=items("triggers"),
        warning_signs=items("warning_signs"),
        pacing_symptom=str(data.get("pacing_symptom", "")),
        outcomes=tuple(data.get("outcomes", [])),
    )


def higher_is_better(key: str) -> bool | None:
    """True for scales where more is better (energy, mood, ease, sleep quality), False for symptoms and stress,
    None where neither is better (activity, rest, practice, hours of sleep, triggers: it depends)."""
    if key in HIGHER_IS_BETTER or key.startswith(EASE_PREFIX):
        return True
    if key in NEUTRAL or key.startswith(TRIGGER_PREFIX):
        return None
    return False


def ease_key(made_with: Definition, current: Definition | None) -> str:
    """The variable under which an entry made with the set-up `made_with` keeps its ease rating: `ease` when
    it is about the activity the current set-up names (the same words, whatever their case or spacing), else
    `ease:<that activity>`, so old entries keep their meaning when the patient names another activity."""
    if current is None or slug(made_with.valued_activity) == slug(current.valued_activity):
        return str(Scale.EASE)
    return EASE_PREFIX + (slug(made_with.valued_activity) or "unnamed")


def slug(label: str) -> str:
    """A stable key from words in any script: lower case letters and digits (accents dropped where the letter
    has a plain form, as in "café" → "cafe"), joined by hyphens, at most 40 characters."""
    plain = "".join(ch for ch in unicodedata.normalize("NFKD", label) if not unicodedata.combining(ch))
    words = re.sub(r"[\W_]+", "-", unicodedata.normalize("NFKC", plain).lower())
    return words.strip("-")[:40].strip("-")


def build(
    *,
    symptoms: Iterable[str],
    own_symptoms: Iterable[str] = (),
    scales: Iterable[str] = (),
    valued_activity: str = "",
    track_sleep: bool = True,
    activities: Iterable[str] = (),
    own_practice: Iterable[str] = (),
    triggers: Iterable[str] = (),
    warning_signs: Iterable[str] = (),
    pacing_symptom: str = "",
    outcomes: Iterable[str] = (),
) -> Definition:
    """A checked set-up from what the form says. Raises InvalidSetUp.

    Keys come from the words, so an item whose words are unchanged keeps its key (and its history) across
    versions of the set-up.
    """
    chosen = [key for key in dict.fromkeys(symptoms) if key]
    unknown = [key for key in chosen if key not in Symptom.values]
    if unknown:
        raise InvalidSetUp(_("Unknown symptom: %(symptom)s.") % {"symptom": unknown[0]}, field="symptoms")
    own = _items(own_symptoms, "own_symptoms", MAX_OWN_SYMPTOMS, prefix=OWN_SYMPTOM_PREFIX)
    symptom_items = tuple(Item(key, str(Symptom(key).label)) for key in chosen) + own
    scale_keys = tuple(key for key in dict.fromkeys(scales) if key)
    if any(key not in Scale.values for key in scale_keys):
        raise InvalidSetUp(_("Unknown scale."), field="scales")
    if not symptom_items and not scale_keys:
        raise InvalidSetUp(_("Choose at least one thing to rate each day."), field="symptoms")
    valued = " ".join(str(valued_activity or "").split())
    if Scale.EASE in scale_keys and not valued:
        raise InvalidSetUp(
            _("Name the activity that matters to the patient, so that 'ease of taking part' says what it is about."),
            field="valued_activity",
        )
    if len(valued) > MAX_LABEL:
        raise InvalidSetUp(
            _("Please keep the activity's name to %(most)d characters.") % {"most": MAX_LABEL}, field="valued_activity"
        )
    definition = Definition(
        symptoms=symptom_items,
        scales=scale_keys,
        valued_activity=valued,
        track_sleep=bool(track_sleep),
        activities=_items(activities, "activities", MAX_ITEMS),
        own_practice=_items(own_practice, "own_practice", MAX_ITEMS),
        triggers=_items(triggers, "triggers", MAX_ITEMS),
        warning_signs=_items(warning_signs, "warning_signs", MAX_ITEMS),
    )
    return _with_pacing_and_outcomes(definition, pacing_symptom, outcomes)


def _with_pacing_and_outcomes(definition: Definition, pacing_symptom: str, outcomes: Iterable[str]) -> Definition:
    symptom_keys = [item.key for item in definition.symptoms]
    pacing = pacing_symptom or (symptom_keys[0] if symptom_keys else "")
    if pacing and pacing not in symptom_keys:
        raise InvalidSetUp(_("Pacing follows one of the symptoms being rated."), field="pacing_symptom")
    variables = {item.key for item in definition.variables()}
    chosen = tuple(key for key in dict.fromkeys(outcomes) if key)
    if any(key not in variables for key in chosen):
        raise InvalidSetUp(_("An outcome must be one of the things the diary records."), field="outcomes")
    if not chosen:
        chosen = _default_outcomes(definition)
    return Definition(**{**definition.__dict__, "pacing_symptom": pacing, "outcomes": chosen})


def _default_outcomes(definition: Definition) -> tuple[str, ...]:
    """What a patient usually cares about: taking part in what matters, and their main symptom."""
    found: list[str] = [str(Scale.EASE)] if Scale.EASE in definition.scales else []
    if definition.symptoms:
        found.append(definition.symptoms[0].key)
    elif definition.scales:
        found.append(definition.scales[0])
    return tuple(str(key) for key in found)


def _items(lines: Iterable[str], field: str, limit: int, *, prefix: str = "") -> tuple[Item, ...]:
    found: dict[str, Item] = {}
    for line in lines:
        label = " ".join(str(line).split())
        if not label:
            continue
        if len(label) > MAX_LABEL:
            raise InvalidSetUp(
                _("Please keep each item to %(most)d characters: “%(start)s…”.")
                % {"most": MAX_LABEL, "start": label[:30]},
                field=field,
            )
        key = slug(label)
        if not key:
            raise InvalidSetUp(_("“%(item)s” needs at least one letter or digit.") % {"item": label}, field=field)
        earlier = found.get(prefix + key)
        if earlier is not None and earlier.label.casefold() != label.casefold():
            raise InvalidSetUp(
                _("“%(one)s” and “%(other)s” are too alike to keep apart: please word one differently.")
                % {"one": earlier.label, "other": label},
                field=field,
            )
        found.setdefault(prefix + key, Item(prefix + key, label))
    if len(found) > limit:
        raise InvalidSetUp(_("Please keep this list to %(most)d items.") % {"most": limit}, field=field)
    return tuple(found.values())


def _label_in(items: Iterable[Item], key: str) -> str:
    for item in items:
        if item.key == key:
            return item.label
    return key
