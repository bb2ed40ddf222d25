"""Instrument definitions: the types, loading one file, the library, and the clinic's own instruments.

The public interface other domains build on (services, portal, registry, FHIR):

- Types (frozen dataclasses, defined in `datatypes.py`): `Instrument`, `Item`, `Option`, `Band`,
  `ScoringRule`, `CriticalItem`, `ItemCountFlag` / `TotalFlag` / `SyndromeFlag` (= `Flag`),
  `ReliableChangeFigures`, `Norms` / `NormGroup`, `Mcid`, `RelativeImprovement`, `Code` / `Codes`,
  `Licence`, `RecallPeriod`, `Translation`, `Battery` / `Composite`; errors `DefinitionError`,
  `UnknownInstrument`.
- `load_definition(path_or_text, name=None) -> Instrument`: one definition file, validated; a
  `DefinitionError` names the file and the field ("phq9.json: items[2] (item 3).options[1].value: ...").
- `library(folder=None) -> dict[str, Instrument]`: the built-in instruments (every `instruments/*.json`,
  read once and cached) plus the clinic's files in `folder` (default `clinic_instruments_dir()`), re-read
  only when a file there changes.
- `instrument(id, folder=None) -> Instrument`: one of them; `UnknownInstrument` names the known ids.
- `battery_parts(battery, folder=None) -> dict[str, Instrument]`: the parts of a battery such as PHQ-SADS.
- `install(path, folder=None, replace=False) -> Installed`: what `commonground instruments load FILE` does.

The clinic's own instruments. A clinic may load (1) an instrument of its own (a definition with a new id) and
(2) a text extension (`extensions.py`) that adds full item text or translations to any instrument it holds a
licence for. Both are validated first, and together with everything already installed; an invalid file is
refused with the reason. A definition may never take a built-in id: a built-in instrument's values and
scoring come only with a release. Replacing a file installed earlier needs `replace=True`.

Storage, for now: installed files are kept as files in `COMMONGROUND_INSTRUMENTS_DIR` (default
`<COMMONGROUND_VAR_DIR>/instruments/`), `<id>.json` for an instrument and `<base>+<name>.json` for an
extension, read in addition to the built-in library. A database-backed registry (versioned definitions per
organisation, so that a response always points at the definition it was scored with) may replace the folder
later; `library()` and `instrument()` keep their shape when it does. The setting is read from
`settings.INSTRUMENTS_DIR` when settings define it, else from the environment variable.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Literal

from commonground.measures.datatypes import (
    LOINC,
    Band,
    Battery,
    Code,
    Codes,
    Composite,
    CriticalItem,
    DefinitionError,
    Flag,
    Instrument,
    Item,
    ItemCountFlag,
    Licence,
    Mcid,
    NormGroup,
    Norms,
    Option,
    RecallPeriod,
    RelativeImprovement,
    ReliableChangeFigures,
    ScoringRule,
    SyndromeFlag,
    TotalFlag,
    Translation,
    UnknownInstrument,
)
from commonground.measures.extensions import TextExtension, apply_extension, parse_extension
from commonground.measures.parsing import EXTENSION_FORMAT, parse_definition
from commonground.measures.reader import read_json

__all__ = [
    "LOINC",
    "Band",
    "Battery",
    "Code",
    "Codes",
    "Composite",
    "CriticalItem",
    "DefinitionError",
    "Flag",
    "Installed",
    "Instrument",
    "Item",
    "ItemCountFlag",
    "Licence",
    "Mcid",
    "NormGroup",
    "Norms",
    "Option",
    "RecallPeriod",
    "RelativeImprovement",
    "ReliableChangeFigures",
    "ScoringRule",
    "SyndromeFlag",
    "TextExtension",
    "TotalFlag",
    "Translation",
    "UnknownInstrument",
    "battery_parts",
    "builtin_library",
    "clinic_instruments_dir",
    "install",
    "instrument",
    "library",
    "load_definition",
    "load_document",
]

BUILTIN_DIR = Path(__file__).resolve().parent / "instruments"

Document = Instrument | TextExtension


def load_document(source: Path | str, *, name: str | None = None) -> Document:
    """A definition or a text extension, from a path or from JSON text (text starts with '{')."""
    if isinstance(source, str) and source.lstrip().startswith("{"):
        return _parse(name or "<text>", source)
    path = Path(source)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise DefinitionError(f"{name or path.name}: cannot be read: {error}") from error
    return _parse(name or path.name, text)


def _parse(name: str, text: str) -> Document:
    document = read_json(name, text)
    if document.get("format") == EXTENSION_FORMAT:
        return parse_extension(name, document)
    return parse_definition(name, document)


def load_definition(source: Path | str, *, name: str | None = None) -> Instrument:
    """One instrument (or battery) definition, validated. A text extension is refused here: see `install`."""
    document = load_document(source, name=name)
    if isinstance(document, TextExtension):
        raise DefinitionError(f"{document.name}: extends {document.extends!r}: it adds text, it is not a definition")
    return document


@cache
def builtin_library() -> Mapping[str, Instrument]:
    """Every definition shipped in `instruments/`, read once."""
    documents = [(path.name, load_document(path)) for path in sorted(BUILTIN_DIR.glob("*.json"))]
    return MappingProxyType(_assemble({}, documents, origin="built-in"))


def clinic_instruments_dir() -> Path:
    """Where a clinic's own instruments and text extensions are kept (see the module docstring)."""
    from django.conf import settings

    configured = getattr(settings, "INSTRUMENTS_DIR", None) if settings.configured else None
    if configured:
        return Path(configured)
    from_env = os.environ.get("COMMONGROUND_INSTRUMENTS_DIR")
    if from_env:
        return Path(from_env)
    var_dir = getattr(settings, "VAR_DIR", None) if settings.configured else None
    return Path(var_dir or BUILTIN_DIR.parents[2] / "var") / "instruments"


_clinic_cache: dict[Path, tuple[tuple[tuple[str, int, int], ...], Mapping[str, Instrument]]] = {}


def _signature(folder: Path) -> tuple[tuple[str, int, int], ...]:
    if not folder.is_dir():
        return ()
    return tuple((path.name, path.stat().st_mtime_ns, path.stat().st_size) for path in sorted(folder.glob("*.json")))


def _library(folder: Path | None) -> Mapping[str, Instrument]:
    folder = folder or clinic_instruments_dir()
    signature = _signature(folder)
    cached = _clinic_cache.get(folder)
    if cached is not None and cached[0] == signature:
        return cached[1]
    documents = [(name, load_document(folder / name)) for name, _, _ in signature]
    result = MappingProxyType(_assemble(builtin_library(), documents, origin="clinic"))
    _clinic_cache[folder] = (signature, result)
    return result


def library(folder: Path | None = None) -> dict[str, Instrument]:
    """The built-in instruments plus the clinic's own, by id (a fresh dict the caller may change)."""
    return dict(_library(folder))


def instrument(instrument_id: str, folder: Path | None = None) -> Instrument:
    """One instrument by id; `UnknownInstrument` if there is none."""
    known = _library(folder)
    try:
        return known[instrument_id]
    except KeyError:
        raise UnknownInstrument(
            f"unknown instrument {instrument_id!r}; known instruments: {', '.join(sorted(known))}"
        ) from None


def battery_parts(battery: Instrument, folder: Path | None = None) -> dict[str, Instrument]:
    """The instruments a battery is made of, by id, in the battery's order."""
    if battery.battery is None:
        raise ValueError(f"{battery.id} is not a battery")
    return {part: instrument(part, folder) for part in battery.battery.parts}


def _assemble(
    base: Mapping[str, Instrument], documents: Iterable[tuple[str, Document]], *, origin: str
) -> dict[str, Instrument]:
    """Definitions first (new ids only), then extensions in file-name order; batteries checked last."""
    result = dict(base)
    documents = list(documents)
    for name, document in documents:
        if isinstance(document, TextExtension):
            continue
        if document.id in base:
            raise DefinitionError(
                f"{name}: id {document.id!r} is a built-in instrument; a clinic may only add text to it "
                f'with a text extension ({EXTENSION_FORMAT!r}, "extends": {document.id!r})'
            )
        if document.id in result:
            raise DefinitionError(f"{name}: another file already defines {document.id!r}")
        result[document.id] = replace(document, origin=origin)
    for name, document in documents:
        if isinstance(document, TextExtension):
            if document.extends not in result:
                raise DefinitionError(f"{name}: extends {document.extends!r}, which is not a known instrument")
            result[document.extends] = apply_extension(result[document.extends], document)
    for instrument_ in result.values():
        _check_battery(instrument_, result)
    return result


def _check_battery(battery: Instrument, known: Mapping[str, Instrument]) -> None:
    if battery.battery is None:
        return
    for part in battery.battery.parts:
        found = known.get(part)
        if found is None or found.scoring is None:
            raise DefinitionError(f"{battery.id}: battery.parts: {part!r} is not a known single instrument")
    for composite in battery.battery.composites:
        scorings = [known[part].scoring for part in composite.parts]
        low = sum(s.minimum for s in scorings if s is not None)
        high = sum(s.maximum for s in scorings if s is not None)
        if (composite.minimum, composite.maximum) != (low, high):
            raise DefinitionError(
                f"{battery.id}: battery.composites ({composite.id}).range is {composite.minimum}..{composite.maximum}"
                f" but its parts add up to {low}..{high}"
            )


@dataclass(frozen=True)
class Installed:
    instrument: Instrument  # the instrument as it now stands (new, or extended)
    path: Path  # where the file was installed
    kind: Literal["instrument", "extension"]
    replaced: bool


def install(source: Path, folder: Path | None = None, *, replace: bool = False) -> Installed:
    """Validate a clinic's definition or text extension, and install it into the clinic's folder.

    Refused with a `DefinitionError` saying why: an invalid file; a definition with a built-in id; an
    extension of an unknown instrument; a file that would break what is installed; an existing file without
    `replace=True`. The file is written atomically, byte for byte as given.
    """
    folder = folder or clinic_instruments_dir()
    text = _read(source)
    document = load_document(text, name=source.name)
    if isinstance(document, TextExtension):
        destination = folder / f"{document.extends}+{_slug(source.stem)}.json"
    else:
        destination = folder / f"{document.id}.json"
    existing = [(name, load_document(folder / name)) for name, _, _ in _signature(folder) if name != destination.name]
    if not replace and (destination.exists() or _defines(existing, document)):
        raise DefinitionError(
            f"{source.name}: {destination.name} is already installed; load it with --replace to replace it"
        )
    # In the order the library will read them (by installed name), each named as the clinic knows it.
    entries = [*((name, name, found) for name, found in existing), (destination.name, source.name, document)]
    ordered = sorted(entries, key=lambda entry: entry[0])
    assembled = _assemble(builtin_library(), [(shown, found) for _, shown, found in ordered], origin="clinic")
    folder.mkdir(parents=True, exist_ok=True)
    temporary = folder / f".{destination.name}.tmp"
    temporary.write_text(text, encoding="utf-8")
    was_there = destination.exists()
    os.replace(temporary, destination)
    target = document.extends if isinstance(document, TextExtension) else document.id
    kind: Literal["instrument", "extension"] = "extension" if isinstance(document, TextExtension) else "instrument"
    return Installed(instrument=assembled[target], path=destination, kind=kind, replaced=was_there)


def _read(source: Path) -> str:
    try:
        return source.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise DefinitionError(f"{source.name}: cannot be read: {error}") from error


def _defines(existing: list[tuple[str, Document]], document: Document) -> bool:
    if isinstance(document, TextExtension):
        return False
    return any(isinstance(other, Instrument) and other.id == document.id for _, other in existing)


def _slug(stem: str) -> str:
    return re.sub(r"[^a-z0-9_-]+", "-", stem.lower()).strip("-") or "text"
