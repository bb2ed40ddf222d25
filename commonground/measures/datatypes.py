"""The shape of an instrument definition: frozen dataclasses, no Django, no input or output.

Import these names from `commonground.measures.definitions`, which also loads them from the JSON files
(`instruments/FORMAT.md` describes the file format field by field). Every number that scoring or change uses
is a `Decimal` read exactly from the file, so a band boundary or a norm is never a binary approximation.

The main types:

- `Instrument`: one questionnaire (or, with `battery` set, a battery of questionnaires such as PHQ-SADS).
  `items` are in published order and include recorded-not-scored items (`Item.scored` is False, e.g. the
  PHQ-9 "how difficult" question); `scored_items` are the ones `scoring.score` takes.
- `Item`, `Option`: what is asked and which values an answer may take. `Item.label` is a short domain label,
  always present; `Item.text` is the full wording, present only where the licence allows it or a clinic has
  loaded it (`Licence.text` says which).
- `ScoringRule`: sum or mean, the missing-data rule (`max_missing`, how *not applicable* counts), rounding.
- `Band`, `CriticalItem`, and the flag rules `ItemCountFlag`, `TotalFlag`, `SyndromeFlag`.
- `ReliableChangeFigures` (SD and reliability for the RCI, with sources and an `assumed` mark), `Norms`
  (population means and SDs, per sex where published), `Mcid`, `RelativeImprovement` (PEG's 30 %).
- `Code` (LOINC and others, with an `uncertain` mark), `Licence`, `RecallPeriod`, `Translation`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from functools import cached_property
from types import MappingProxyType
from typing import Final, Literal

LOINC: Final = "http://loinc.org"

Kind = Literal["outcome", "screening", "experience", "battery"]
ScoringMethod = Literal["sum", "mean"]
Rounding = Literal["half_up", "none"]
NotApplicableRule = Literal["excluded", "prorated"]
TextIncluded = Literal["full", "labels_only"]

_EMPTY: Mapping[str, str] = MappingProxyType({})


class DefinitionError(ValueError):
    """A definition file is invalid. The message names the file and the field."""


class UnknownInstrument(LookupError):
    """No instrument has this id."""


@dataclass(frozen=True)
class Code:
    """A code in a terminology. `uncertain` marks codes the reference could not confirm (section 13 item 10)."""

    system: str
    code: str
    display: str = ""
    uncertain: bool = False
    note: str = ""


@dataclass(frozen=True)
class Codes:
    """Codes for the whole questionnaire (`panel`) and for its total score (`total`)."""

    panel: Code | None = None
    total: Code | None = None


@dataclass(frozen=True)
class Option:
    value: int
    label: str
    code: Code | None = None


@dataclass(frozen=True)
class Item:
    """One question. `id` is the stable key; `number` is how the form prints it ("d" for PHQ-15 item 4)."""

    id: str
    number: str
    label: str
    text: str | None
    options: tuple[Option, ...]
    scored: bool = True
    not_applicable_allowed: bool = False
    not_applicable_label: str | None = None
    # The patient's recorded sex values for which an unanswered item counts as not applicable (PHQ-15 item 4).
    not_applicable_if_unanswered_for: tuple[str, ...] = ()
    code: Code | None = None

    @cached_property
    def values(self) -> frozenset[int]:
        return frozenset(option.value for option in self.options)

    @property
    def lowest(self) -> int:
        return min(self.values)

    @property
    def highest(self) -> int:
        return max(self.values)

    @property
    def display_text(self) -> str:
        return self.text or self.label

    def option(self, value: int) -> Option:
        for option in self.options:
            if option.value == value:
                return option
        raise KeyError(value)


@dataclass(frozen=True)
class RecallPeriod:
    days: int | None
    text: str


@dataclass(frozen=True)
class ScoringRule:
    """How the scored items become a total.

    `method`: "sum" or "mean". `max_missing`: how many gaps may be filled by prorating (mean substitution):
    total = sum of answered items x items counted / items answered. `not_applicable`: "excluded" (the item
    leaves the total and the count; PHQ-15 item 4) or "prorated" (it is a gap like a missing item; WSAS item 1,
    CARE). `rounding`: "half_up" (to a whole number; `total_unrounded` keeps the exact value) or "none".
    """

    method: ScoringMethod
    minimum: Decimal
    maximum: Decimal
    max_missing: int
    not_applicable: NotApplicableRule
    rounding: Rounding
    description: str
    source: str


@dataclass(frozen=True)
class Band:
    """A severity band; bounds are inclusive unless marked exclusive (WSAS: "<10", "10-20", ">20")."""

    id: str
    label: str
    minimum: Decimal
    maximum: Decimal
    minimum_exclusive: bool = False
    maximum_exclusive: bool = False

    def contains(self, total: Decimal) -> bool:
        above = total > self.minimum if self.minimum_exclusive else total >= self.minimum
        below = total < self.maximum if self.maximum_exclusive else total <= self.maximum
        return above and below


@dataclass(frozen=True)
class CriticalItem:
    """An item whose answer matters whatever the total (PHQ-9 item 9). Raised also when the total is unscorable."""

    item: str
    at_least: int
    flag: str
    unanswered_flag: str | None
    label: str
    action: str


@dataclass(frozen=True)
class ItemCountFlag:
    """Set when at least `count_at_least` answered items have a value of at least `value_at_least`."""

    id: str
    label: str
    value_at_least: int
    count_at_least: int
    source: str


@dataclass(frozen=True)
class TotalFlag:
    """Set when the response is scorable and `total` is at least `at_least`."""

    id: str
    label: str
    at_least: Decimal
    source: str


@dataclass(frozen=True)
class SyndromeFlag:
    """A symptom-count algorithm (Kroenke's PHQ-9 syndromes) on the answered items; a missing item is absent.

    An item counts as a symptom when its value reaches its threshold in `symptoms`. The flag is set when at
    least `min_core` of `core_items` are symptoms and the number of symptoms is within
    `min_symptoms`..`max_symptoms` (no upper limit when None).
    """

    id: str
    label: str
    core_items: tuple[str, ...]
    symptoms: tuple[tuple[str, int], ...]
    min_core: int
    min_symptoms: int
    max_symptoms: int | None
    source: str


Flag = ItemCountFlag | TotalFlag | SyndromeFlag


@dataclass(frozen=True)
class ReliableChangeFigures:
    """SD and reliability for the Reliable Change Index, with their sources; `assumed` marks an assumption."""

    sd: Decimal
    reliability: Decimal
    source: str
    reliability_source: str
    assumed: bool
    note: str = ""


@dataclass(frozen=True)
class NormGroup:
    sex: str | None
    mean: Decimal
    sd: Decimal
    n: int | None = None


@dataclass(frozen=True)
class Norms:
    """Means and SDs of a reference population, per sex where the source gives them per sex."""

    population: str
    source: str
    groups: tuple[NormGroup, ...]
    assumed: bool = False

    @property
    def sex_specific(self) -> bool:
        return any(group.sex is not None for group in self.groups)

    def group_for(self, sex: str | None) -> NormGroup | None:
        for group in self.groups:
            if group.sex is None or group.sex == sex:
                return group
        return None


@dataclass(frozen=True)
class Mcid:
    """Minimal clinically important difference, in points of improvement."""

    points: Decimal
    source: str
    note: str = ""


@dataclass(frozen=True)
class RelativeImprovement:
    """A relative improvement shown as meaningful (PEG: 30 %, an IMMPACT convention, labelled as such)."""

    percent: Decimal
    label: str
    source: str


@dataclass(frozen=True)
class Licence:
    """Who holds the rights and whether the full item text is included ("full") or only short labels."""

    holder: str
    text: TextIncluded
    note: str
    clinic_note: str | None = None


@dataclass(frozen=True)
class Translation:
    """Texts of one language. Whatever is absent falls back to the instrument's own text."""

    language: str
    title: str | None = None
    stem: str | None = None
    item_texts: Mapping[str, str] = field(default_factory=lambda: _EMPTY)
    item_labels: Mapping[str, str] = field(default_factory=lambda: _EMPTY)
    option_labels: Mapping[str, Mapping[int, str]] = field(default_factory=lambda: MappingProxyType({}))
    not_applicable_labels: Mapping[str, str] = field(default_factory=lambda: _EMPTY)
    source: str = ""


@dataclass(frozen=True)
class Composite:
    """A total made of the totals of a battery's parts (PHQ-ADS = PHQ-9 + GAD-7), shown without bands."""

    id: str
    label: str
    parts: tuple[str, ...]
    minimum: Decimal
    maximum: Decimal
    source: str


@dataclass(frozen=True)
class Battery:
    """Questionnaires given together, each scored and banded on its own; answers are never copied between them."""

    parts: tuple[str, ...]
    composites: tuple[Composite, ...] = ()


@dataclass(frozen=True)
class Instrument:
    """One questionnaire, or a battery of them (`battery` set, no items, `scoring` None).

    `items` are in published order, scored and recorded-not-scored alike; `scored_items` are what
    `scoring.score` takes. `origin` says where the definition came from (built-in or the clinic's).
    """

    id: str
    short_name: str
    title: str
    version: str
    kind: Kind
    purpose: str
    recall_period: RecallPeriod
    stem: str | None
    items: tuple[Item, ...]
    scoring: ScoringRule | None  # None only for a battery
    bands: tuple[Band, ...]
    critical_items: tuple[CriticalItem, ...]
    flags: tuple[Flag, ...]
    higher_is_better: bool
    codes: Codes
    licence: Licence
    reliable_change: ReliableChangeFigures | None
    norms: Norms | None
    clinical_norms: Norms | None
    mcid: Mcid | None
    relative_improvement: RelativeImprovement | None
    translations: Mapping[str, Translation]
    battery: Battery | None
    sources: tuple[str, ...]
    notes: tuple[str, ...]
    origin: str = "built-in"  # "built-in", "clinic", or "built-in, text added by the clinic"

    @cached_property
    def scored_items(self) -> tuple[Item, ...]:
        return tuple(item for item in self.items if item.scored)

    @property
    def is_battery(self) -> bool:
        return self.battery is not None

    @property
    def flag_ids(self) -> tuple[str, ...]:
        """Every flag the instrument can raise, in the order `Score.flags` lists them."""
        ids: list[str] = []
        for critical in self.critical_items:
            ids.append(critical.flag)
            if critical.unanswered_flag:
                ids.append(critical.unanswered_flag)
        return (*ids, *(flag.id for flag in self.flags))

    def item(self, item_id: str) -> Item:
        for item in self.items:
            if item.id == item_id:
                return item
        raise KeyError(f"{self.id} has no item {item_id!r}")

    def band(self, band_id: str) -> Band:
        for band in self.bands:
            if band.id == band_id:
                return band
        raise KeyError(f"{self.id} has no band {band_id!r}")

    def localised(self, language: str) -> Instrument:
        """The instrument with the texts of `language` where a translation gives them, else unchanged."""
        translation = self.translations.get(language)
        if translation is None:
            return self
        items = tuple(_localised_item(item, translation) for item in self.items)
        return replace(
            self,
            title=translation.title or self.title,
            stem=translation.stem or self.stem,
            items=items,
        )


def _localised_item(item: Item, translation: Translation) -> Item:
    labels = translation.option_labels.get(item.id, {})
    options = tuple(replace(option, label=labels.get(option.value, option.label)) for option in item.options)
    return replace(
        item,
        label=translation.item_labels.get(item.id, item.label),
        text=translation.item_texts.get(item.id, item.text),
        options=options,
        not_applicable_label=translation.not_applicable_labels.get(item.id, item.not_applicable_label),
    )
