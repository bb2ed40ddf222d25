"""Reading an instrument definition document: parsed JSON in, a validated `Instrument` out, or a clear error.

Every error is a `DefinitionError` whose message starts with the file name and the field, for example
`phq9.json: items[2] (item 3).options[1].value: option values must be whole numbers, got 1.5`. Unknown
fields are errors, so a misspelt field never passes silently. Cross-field checks (ranges, bands, licence)
are in `checks.py`; the reliable-change and norm figures in `figures.py`; text extensions in `extensions.py`.
The format is described field by field in `instruments/FORMAT.md`. Pure: the caller reads the file.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from types import MappingProxyType
from typing import TypedDict, cast

from commonground.measures import checks, figures
from commonground.measures.datatypes import (
    LOINC,
    Band,
    Battery,
    Code,
    Codes,
    Composite,
    CriticalItem,
    Flag,
    Instrument,
    Item,
    ItemCountFlag,
    Kind,
    Licence,
    NotApplicableRule,
    Option,
    RecallPeriod,
    Rounding,
    ScoringMethod,
    ScoringRule,
    SyndromeFlag,
    TextIncluded,
    TotalFlag,
    Translation,
)
from commonground.measures.reader import Reader, shown

DEFINITION_FORMAT = "commonground.instrument/1"
EXTENSION_FORMAT = "commonground.instrument-text/1"
ITEM_ID = re.compile(r"^[A-Za-z0-9_.-]{1,20}$")
LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
LOINC_CODE = re.compile(r"^(\d{1,7})-(\d)$")
LOINC_ANSWER = re.compile(r"^L[AL]\d{1,7}-\d$")
KINDS = ("outcome", "screening", "experience", "battery")

COMMON_FIELDS = ("format", "id", "short_name", "title", "version", "kind", "purpose", "recall_period", "licence")
INSTRUMENT_FIELDS = (*COMMON_FIELDS, "items", "scoring", "higher_is_better")
INSTRUMENT_OPTIONAL = (
    "comment",
    "stem",
    "option_sets",
    "bands",
    "critical_items",
    "flags",
    "codes",
    "reliable_change",
    "norms",
    "clinical_norms",
    "mcid",
    "relative_improvement",
    "translations",
    "sources",
    "notes",
)
BATTERY_FIELDS = (*COMMON_FIELDS, "battery")
BATTERY_OPTIONAL = ("comment", "codes", "sources", "notes")


def parse_definition(name: str, document: Mapping[str, object]) -> Instrument:
    """A whole instrument, or a battery (`"kind": "battery"`), from a parsed definition document."""
    r = Reader(name)
    doc = r.mapping("", document)
    if doc.get("format") != DEFINITION_FORMAT:
        hint = f" (this is a text extension of {doc.get('extends')!r})" if doc.get("format") == EXTENSION_FORMAT else ""
        r.fail("format", f"must be {DEFINITION_FORMAT!r}{hint}")
    if "kind" not in doc:
        r.fail("", "missing field 'kind'")
    kind = cast("Kind", r.choice("kind", doc["kind"], KINDS))
    if kind == "battery":
        return _battery(r, r.obj("", doc, BATTERY_FIELDS, BATTERY_OPTIONAL))
    doc = r.obj("", doc, INSTRUMENT_FIELDS, INSTRUMENT_OPTIONAL)
    items = _items(r, doc)
    instrument = Instrument(
        **_common(r, doc),
        kind=kind,
        items=items,
        scoring=_scoring(r, doc["scoring"], items),
        bands=tuple(
            _band(r, f"bands[{i}]", b) for i, b in enumerate(r.array("bands", doc.get("bands", []), empty_ok=True))
        ),
        critical_items=_critical_items(r, doc.get("critical_items", []), items),
        flags=tuple(
            _flag(r, f"flags[{i}]", f, items)
            for i, f in enumerate(r.array("flags", doc.get("flags", []), empty_ok=True))
        ),
        higher_is_better=r.boolean("higher_is_better", doc["higher_is_better"]),
        reliable_change=figures.reliable_change(r, doc.get("reliable_change")),
        norms=figures.norms(r, "norms", doc.get("norms")),
        clinical_norms=figures.norms(r, "clinical_norms", doc.get("clinical_norms")),
        mcid=figures.mcid(r, doc.get("mcid")),
        relative_improvement=figures.relative_improvement(r, doc.get("relative_improvement")),
        translations=MappingProxyType({}),
        battery=None,
    )
    checks.check_instrument(r, instrument)
    instrument = replace(instrument, translations=translations(r, doc.get("translations", {}), instrument))
    checks.check_licence(r, instrument)
    return instrument


class _Common(TypedDict):
    id: str
    short_name: str
    title: str
    version: str
    purpose: str
    recall_period: RecallPeriod
    stem: str | None
    codes: Codes
    licence: Licence
    sources: tuple[str, ...]
    notes: tuple[str, ...]


def _common(r: Reader, doc: dict[str, object]) -> _Common:
    return {
        "id": r.identifier("id", doc["id"]),
        "short_name": r.text("short_name", doc["short_name"]),
        "title": r.text("title", doc["title"]),
        "version": r.text("version", doc["version"]),
        "purpose": r.text("purpose", doc["purpose"]),
        "recall_period": _recall(r, doc["recall_period"]),
        "stem": r.optional_text("stem", doc.get("stem")),
        "codes": _codes(r, doc.get("codes", {})),
        "licence": _licence(r, doc["licence"]),
        "sources": r.texts("sources", doc.get("sources", [])),
        "notes": r.texts("notes", doc.get("notes", [])),
    }


def _battery(r: Reader, doc: dict[str, object]) -> Instrument:
    body = r.obj("battery", doc["battery"], ("parts",), ("composites",))
    parts = r.identifiers("battery.parts", body["parts"])
    composites = r.array("battery.composites", body.get("composites", []), empty_ok=True)
    return Instrument(
        **_common(r, doc),
        kind="battery",
        items=(),
        scoring=None,
        bands=(),
        critical_items=(),
        flags=(),
        higher_is_better=False,
        reliable_change=None,
        norms=None,
        clinical_norms=None,
        mcid=None,
        relative_improvement=None,
        translations=MappingProxyType({}),
        battery=Battery(
            parts=parts,
            composites=tuple(_composite(r, f"battery.composites[{i}]", c, parts) for i, c in enumerate(composites)),
        ),
    )


def _composite(r: Reader, where: str, value: object, parts: tuple[str, ...]) -> Composite:
    body = r.obj(where, value, ("id", "label", "parts", "range", "source"))
    members = r.identifiers(f"{where}.parts", body["parts"])
    for member in members:
        if member not in parts:
            r.fail(f"{where}.parts", f"{member!r} is not a part of this battery")
    low, high = checks.number_range(r, f"{where}.range", body["range"])
    return Composite(
        id=r.identifier(f"{where}.id", body["id"]),
        label=r.text(f"{where}.label", body["label"]),
        parts=members,
        minimum=low,
        maximum=high,
        source=r.text(f"{where}.source", body["source"]),
    )


def _recall(r: Reader, value: object) -> RecallPeriod:
    body = r.obj("recall_period", value, ("days", "text"))
    days = None if body["days"] is None else r.positive("recall_period.days", body["days"])
    return RecallPeriod(days=days, text=r.text("recall_period.text", body["text"]))


def parse_code(r: Reader, where: str, value: object) -> Code:
    """`{"code": ..., "system"?: (LOINC), "display"?, "uncertain"?, "note"?}`; LOINC check digits are verified."""
    body = r.obj(where, value, ("code",), ("system", "display", "uncertain", "note"))
    system = r.text(f"{where}.system", body.get("system", LOINC))
    text = r.text(f"{where}.code", body["code"])
    if system == LOINC:
        _check_loinc(r, f"{where}.code", text)
    uncertain = r.boolean(f"{where}.uncertain", body.get("uncertain", False))
    if uncertain and "note" not in body:
        r.fail(where, "an uncertain code needs a 'note' saying why")
    return Code(
        system=system,
        code=text,
        display=r.text(f"{where}.display", body["display"]) if "display" in body else "",
        uncertain=uncertain,
        note=r.text(f"{where}.note", body["note"]) if "note" in body else "",
    )


def _check_loinc(r: Reader, where: str, text: str) -> None:
    if LOINC_ANSWER.match(text):
        return
    match = LOINC_CODE.match(text)
    if not match:
        r.fail(where, f"{text!r} is not a LOINC code (digits, a hyphen, a check digit)")
    if loinc_check_digit(match.group(1)) != int(match.group(2)):
        r.fail(where, f"{text!r}: the LOINC check digit is wrong")


def loinc_check_digit(body: str) -> int:
    """LOINC's mod-10 check digit (the Luhn algorithm) of the digits before the hyphen."""
    total = 0
    for position, char in enumerate(reversed(body)):
        digit = int(char) * (2 if position % 2 == 0 else 1)
        total += digit // 10 + digit % 10
    return (10 - total % 10) % 10


def _codes(r: Reader, value: object) -> Codes:
    body = r.obj("codes", value, (), ("panel", "total"))
    return Codes(
        panel=parse_code(r, "codes.panel", body["panel"]) if "panel" in body else None,
        total=parse_code(r, "codes.total", body["total"]) if "total" in body else None,
    )


def _options(r: Reader, where: str, value: object) -> tuple[Option, ...]:
    entries = r.array(where, value)
    if len(entries) < 2:
        r.fail(where, "needs at least two options")
    options: list[Option] = []
    for i, entry in enumerate(entries):
        body = r.obj(f"{where}[{i}]", entry, ("value", "label"), ("code",))
        raw = body["value"]
        if isinstance(raw, bool) or not isinstance(raw, int):
            r.fail(f"{where}[{i}].value", f"option values must be whole numbers, got {shown(raw)}")
        code = parse_code(r, f"{where}[{i}].code", body["code"]) if "code" in body else None
        options.append(Option(value=raw, label=r.text(f"{where}[{i}].label", body["label"]), code=code))
    values = [option.value for option in options]
    if len(set(values)) != len(values):
        r.fail(where, "two options have the same value")
    return tuple(options)


def _items(r: Reader, doc: dict[str, object]) -> tuple[Item, ...]:
    sets = r.mapping("option_sets", doc.get("option_sets", {}))
    option_sets = {name: _options(r, f"option_sets.{name}", value) for name, value in sets.items()}
    items = tuple(_item(r, i, entry, option_sets) for i, entry in enumerate(r.array("items", doc["items"])))
    ids = [item.id for item in items]
    if len(set(ids)) != len(ids):
        r.fail("items", "two items have the same id")
    if not any(item.scored for item in items):
        r.fail("items", "at least one item must be scored")
    return items


def _item(r: Reader, index: int, value: object, option_sets: dict[str, tuple[Option, ...]]) -> Item:
    body = r.obj(
        f"items[{index}]", value, ("id", "label", "options"), ("number", "text", "scored", "not_applicable", "code")
    )
    item_id = r.text(f"items[{index}].id", body["id"])
    if not ITEM_ID.match(item_id):
        r.fail(f"items[{index}].id", f"{item_id!r} must be letters, digits, '_', '.' or '-'")
    where = f"items[{index}] (item {item_id})"
    if isinstance(body["options"], str):
        if body["options"] not in option_sets:
            r.fail(f"{where}.options", f"no option set named {body['options']!r}")
        options = option_sets[body["options"]]
    else:
        options = _options(r, f"{where}.options", body["options"])
    na_label: str | None = None
    na_for: tuple[str, ...] = ()
    if "not_applicable" in body:
        na = r.obj(f"{where}.not_applicable", body["not_applicable"], ("label",), ("if_unanswered_for",))
        na_label = r.text(f"{where}.not_applicable.label", na["label"])
        na_for = r.texts(f"{where}.not_applicable.if_unanswered_for", na.get("if_unanswered_for", []))
    return Item(
        id=item_id,
        number=r.text(f"{where}.number", body.get("number", item_id)),
        label=r.text(f"{where}.label", body["label"]),
        text=r.optional_text(f"{where}.text", body.get("text")),
        options=options,
        scored=r.boolean(f"{where}.scored", body.get("scored", True)),
        not_applicable_allowed=na_label is not None,
        not_applicable_label=na_label,
        not_applicable_if_unanswered_for=na_for,
        code=parse_code(r, f"{where}.code", body["code"]) if "code" in body else None,
    )


def _scoring(r: Reader, value: object, items: tuple[Item, ...]) -> ScoringRule:
    fields = ("method", "range", "max_missing", "rounding", "description", "source")
    body = r.obj("scoring", value, fields, ("not_applicable",))
    scored = [item for item in items if item.scored]
    max_missing = r.whole("scoring.max_missing", body["max_missing"])
    if not 0 <= max_missing < len(scored):
        r.fail("scoring.max_missing", f"must be 0 to {len(scored) - 1} (there are {len(scored)} scored items)")
    allows_na = any(item.not_applicable_allowed for item in scored)
    if allows_na and "not_applicable" not in body:
        r.fail("scoring", "missing field 'not_applicable' ('excluded' or 'prorated'): an item allows not applicable")
    if not allows_na and "not_applicable" in body:
        r.fail("scoring.not_applicable", "no scored item allows not applicable, so this field has no meaning")
    low, high = checks.number_range(r, "scoring.range", body["range"])
    return ScoringRule(
        method=cast("ScoringMethod", r.choice("scoring.method", body["method"], ("sum", "mean"))),
        minimum=low,
        maximum=high,
        max_missing=max_missing,
        not_applicable=cast(
            "NotApplicableRule",
            r.choice("scoring.not_applicable", body.get("not_applicable", "prorated"), ("excluded", "prorated")),
        ),
        rounding=cast("Rounding", r.choice("scoring.rounding", body["rounding"], ("half_up", "none"))),
        description=r.text("scoring.description", body["description"]),
        source=r.text("scoring.source", body["source"]),
    )


def _band(r: Reader, where: str, value: object) -> Band:
    body = r.obj(where, value, ("id", "label", "min", "max"), ("min_exclusive", "max_exclusive"))
    return Band(
        id=r.identifier(f"{where}.id", body["id"]),
        label=r.text(f"{where}.label", body["label"]),
        minimum=r.number(f"{where}.min", body["min"]),
        maximum=r.number(f"{where}.max", body["max"]),
        minimum_exclusive=r.boolean(f"{where}.min_exclusive", body.get("min_exclusive", False)),
        maximum_exclusive=r.boolean(f"{where}.max_exclusive", body.get("max_exclusive", False)),
    )


def _scored_item(r: Reader, where: str, value: object, items: tuple[Item, ...]) -> Item:
    item_id = r.text(where, value)
    for item in items:
        if item.id == item_id and item.scored:
            return item
    r.fail(where, f"{item_id!r} is not a scored item of this instrument")


def _critical_items(r: Reader, value: object, items: tuple[Item, ...]) -> tuple[CriticalItem, ...]:
    result: list[CriticalItem] = []
    for i, entry in enumerate(r.array("critical_items", value, empty_ok=True)):
        where = f"critical_items[{i}]"
        body = r.obj(where, entry, ("item", "at_least", "flag", "label", "action"), ("unanswered_flag",))
        item = _scored_item(r, f"{where}.item", body["item"], items)
        at_least = r.whole(f"{where}.at_least", body["at_least"])
        if not item.lowest < at_least <= item.highest:
            r.fail(f"{where}.at_least", f"must be above {item.lowest} and at most {item.highest}")
        unanswered = body.get("unanswered_flag")
        result.append(
            CriticalItem(
                item=item.id,
                at_least=at_least,
                flag=r.identifier(f"{where}.flag", body["flag"]),
                unanswered_flag=None if unanswered is None else r.identifier(f"{where}.unanswered_flag", unanswered),
                label=r.text(f"{where}.label", body["label"]),
                action=r.text(f"{where}.action", body["action"]),
            )
        )
    return tuple(result)


def _flag(r: Reader, where: str, value: object, items: tuple[Item, ...]) -> Flag:
    rule = r.choice(
        f"{where}.rule", r.mapping(where, value).get("rule"), ("items_at_least", "total_at_least", "syndrome")
    )
    common = ("rule", "id", "label", "source")
    if rule == "items_at_least":
        body = r.obj(where, value, (*common, "value_at_least", "count_at_least"))
        return ItemCountFlag(
            id=r.identifier(f"{where}.id", body["id"]),
            label=r.text(f"{where}.label", body["label"]),
            value_at_least=r.whole(f"{where}.value_at_least", body["value_at_least"]),
            count_at_least=r.positive(f"{where}.count_at_least", body["count_at_least"]),
            source=r.text(f"{where}.source", body["source"]),
        )
    if rule == "total_at_least":
        body = r.obj(where, value, (*common, "at_least"))
        return TotalFlag(
            id=r.identifier(f"{where}.id", body["id"]),
            label=r.text(f"{where}.label", body["label"]),
            at_least=r.number(f"{where}.at_least", body["at_least"]),
            source=r.text(f"{where}.source", body["source"]),
        )
    body = r.obj(where, value, (*common, "core_items", "symptoms", "min_core", "min_symptoms"), ("max_symptoms",))
    return _syndrome(r, where, body, items)


def _syndrome(r: Reader, where: str, body: dict[str, object], items: tuple[Item, ...]) -> SyndromeFlag:
    levels = r.mapping(f"{where}.symptoms", body["symptoms"], keys=[item.id for item in items if item.scored])
    symptoms = tuple((item_id, r.whole(f"{where}.symptoms.{item_id}", level)) for item_id, level in levels.items())
    core = tuple(
        _scored_item(r, f"{where}.core_items[{i}]", entry, items).id
        for i, entry in enumerate(r.array(f"{where}.core_items", body["core_items"]))
    )
    for item_id in core:
        if item_id not in levels:
            r.fail(f"{where}.core_items", f"core item {item_id!r} must also be listed in 'symptoms'")
    high = body.get("max_symptoms")
    return SyndromeFlag(
        id=r.identifier(f"{where}.id", body["id"]),
        label=r.text(f"{where}.label", body["label"]),
        core_items=core,
        symptoms=symptoms,
        min_core=r.positive(f"{where}.min_core", body["min_core"]),
        min_symptoms=r.positive(f"{where}.min_symptoms", body["min_symptoms"]),
        max_symptoms=None if high is None else r.positive(f"{where}.max_symptoms", high),
        source=r.text(f"{where}.source", body["source"]),
    )


def _licence(r: Reader, value: object) -> Licence:
    body = r.obj("licence", value, ("holder", "text", "note"))
    return Licence(
        holder=r.text("licence.holder", body["holder"]),
        text=cast("TextIncluded", r.choice("licence.text", body["text"], ("full", "labels_only"))),
        note=r.text("licence.note", body["note"]),
    )


def translations(r: Reader, value: object, instrument: Instrument) -> Mapping[str, Translation]:
    """`{"de": {"source": ..., "title"?, "stem"?, "items"?: {ID: {"text"?, "label"?, "options"?, ...}}}}`."""
    result: dict[str, Translation] = {}
    for language, entry in r.mapping("translations", value).items():
        if not LANGUAGE.match(language):
            r.fail(f"translations.{language}", "the key must be a language code such as 'de' or 'pt-BR'")
        result[language] = _translation(r, f"translations.{language}", language, entry, instrument)
    return MappingProxyType(result)


def _translation(r: Reader, where: str, language: str, value: object, instrument: Instrument) -> Translation:
    body = r.obj(where, value, ("source",), ("title", "stem", "items"))
    texts, labels, options, na_labels = item_texts(r, f"{where}.items", body.get("items", {}), instrument)
    return Translation(
        language=language,
        title=r.optional_text(f"{where}.title", body.get("title")),
        stem=r.optional_text(f"{where}.stem", body.get("stem")),
        item_texts=texts,
        item_labels=labels,
        option_labels=options,
        not_applicable_labels=na_labels,
        source=r.text(f"{where}.source", body["source"]),
    )


ItemTexts = tuple[Mapping[str, str], Mapping[str, str], Mapping[str, Mapping[int, str]], Mapping[str, str]]


def item_texts(r: Reader, where: str, value: object, instrument: Instrument) -> ItemTexts:
    """Per-item texts, labels, option labels and not-applicable labels, for existing items and values only."""
    texts: dict[str, str] = {}
    labels: dict[str, str] = {}
    options: dict[str, Mapping[int, str]] = {}
    na_labels: dict[str, str] = {}
    for item_id, entry in r.mapping(where, value, keys=[item.id for item in instrument.items]).items():
        at = f"{where}.{item_id}"
        item = instrument.item(item_id)
        body = r.obj(at, entry, (), ("text", "label", "options", "not_applicable"))
        if "text" in body:
            texts[item_id] = r.text(f"{at}.text", body["text"])
        if "label" in body:
            labels[item_id] = r.text(f"{at}.label", body["label"])
        if "options" in body:
            given = r.mapping(f"{at}.options", body["options"], keys=[str(v) for v in sorted(item.values)])
            options[item_id] = MappingProxyType({int(k): r.text(f"{at}.options.{k}", v) for k, v in given.items()})
        if "not_applicable" in body:
            if not item.not_applicable_allowed:
                r.fail(f"{at}.not_applicable", f"item {item_id} does not allow not applicable")
            na_labels[item_id] = r.text(f"{at}.not_applicable", body["not_applicable"])
    return MappingProxyType(texts), MappingProxyType(labels), MappingProxyType(options), MappingProxyType(na_labels)
