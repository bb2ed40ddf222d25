"""Text extensions: a clinic adds full item text, labels or translations to an existing instrument.

Section 13 item 9: the library ships full item text only where the licence allows it (PHQ-15, PHQ-9, GAD-7);
for SSS-8, WSAS, Whiteley-7, PEG and CARE it ships structure, scoring and short labels. A clinic that holds the
licence loads the wording through this format:

    {"format": "commonground.instrument-text/1", "extends": "wsas",
     "licence_note": "Full text used with the permission of ..., letter of 2025-01-10",
     "items": {"1": {"text": "...", "options": {"0": "..."}}, ...},
     "translations": {"de": {"source": "...", "items": {...}}}}

An extension can change words only: `title`, `stem`, item `text`/`label`/option labels/not-applicable labels,
`translations` and `sources`. Any other field (values, scoring, bands, flags, figures) is refused, so loading
text can never change a score. Full text must be given for every item or for none. Pure.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from types import MappingProxyType

from commonground.measures import checks
from commonground.measures.datatypes import Instrument, Item, Licence
from commonground.measures.parsing import EXTENSION_FORMAT, ItemTexts, item_texts, translations
from commonground.measures.reader import Reader

REQUIRED = ("format", "extends", "licence_note")
OPTIONAL = ("comment", "title", "stem", "items", "translations", "sources")


@dataclass(frozen=True)
class TextExtension:
    """A parsed extension; its texts are checked against the instrument when applied."""

    name: str
    extends: str
    licence_note: str
    document: Mapping[str, object]


def parse_extension(name: str, document: Mapping[str, object]) -> TextExtension:
    r = Reader(name)
    doc = r.obj("", document, REQUIRED, OPTIONAL)
    if doc["format"] != EXTENSION_FORMAT:
        r.fail("format", f"must be {EXTENSION_FORMAT!r}")
    return TextExtension(
        name=name,
        extends=r.identifier("extends", doc["extends"]),
        licence_note=r.text("licence_note", doc["licence_note"]),
        document=MappingProxyType(dict(doc)),
    )


def apply_extension(instrument: Instrument, extension: TextExtension) -> Instrument:
    """The instrument with the extension's texts; refuses texts for items or values the instrument lacks."""
    r = Reader(extension.name)
    doc = extension.document
    texts = item_texts(r, "items", doc.get("items", {}), instrument)
    items = tuple(_item_with_texts(item, texts) for item in instrument.items)
    if texts[0]:
        missing = [item.id for item in items if item.text is None]
        if missing:
            r.fail("items", f"full text must be given for every item or for none; missing: {', '.join(missing)}")
    full = bool(items) and all(item.text is not None for item in items)
    extended = replace(
        instrument,
        title=r.text("title", doc["title"]) if "title" in doc else instrument.title,
        stem=r.text("stem", doc["stem"]) if "stem" in doc else instrument.stem,
        items=items,
        licence=_licence(instrument.licence, extension.licence_note, full),
        sources=(*instrument.sources, *r.texts("sources", doc.get("sources", []))),
        origin="built-in, text added by the clinic" if instrument.origin == "built-in" else instrument.origin,
    )
    added = translations(r, doc.get("translations", {}), extended)
    extended = replace(extended, translations=MappingProxyType({**instrument.translations, **added}))
    checks.check_licence(r, extended)
    return extended


def _item_with_texts(item: Item, texts: ItemTexts) -> Item:
    item_text, labels, option_labels, na_labels = texts
    given = option_labels.get(item.id, {})
    return replace(
        item,
        text=item_text.get(item.id, item.text),
        label=labels.get(item.id, item.label),
        options=tuple(replace(option, label=given.get(option.value, option.label)) for option in item.options),
        not_applicable_label=na_labels.get(item.id, item.not_applicable_label),
    )


def _licence(licence: Licence, note: str, full: bool) -> Licence:
    clinic_note = f"{licence.clinic_note}\n{note}" if licence.clinic_note else note
    return replace(licence, text="full" if full else licence.text, clinic_note=clinic_note)
