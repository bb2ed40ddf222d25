"""`commonground instruments list|show ID|load FILE [--replace]`: the instrument library.

- `list` prints every instrument: id, name, scored items, whether the full item text is included, and where
  it comes from (built-in, the clinic's own, or built-in with text added by the clinic). `--json` for tools.
- `show ID` prints one instrument: recall period, items and options, scoring rule, bands, flags, codes,
  reliable-change figures, norms, MCID, licence and notes.
- `load FILE` validates a clinic's file and installs it into the clinic's instrument folder
  (`COMMONGROUND_INSTRUMENTS_DIR`, default `var/instruments/`): either an instrument of its own (a definition
  with a new id) or a text extension (full item text or translations for an instrument it holds a licence
  for). An invalid file is refused with the reason. A definition may never reuse a built-in id; only a text
  extension may add to a built-in instrument, and it cannot change values or scoring. A file installed
  earlier is replaced only with `--replace`. See `commonground/measures/instruments/FORMAT.md`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from commonground.measures.definitions import (
    Band,
    DefinitionError,
    Instrument,
    UnknownInstrument,
    install,
    instrument,
    library,
)


class Command(BaseCommand):
    help = "List, show or load instrument definitions."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        listing = actions.add_parser("list", help="every instrument")
        listing.add_argument("--json", action="store_true", help="as JSON")
        show = actions.add_parser("show", help="one instrument in full")
        show.add_argument("id")
        load = actions.add_parser("load", help="validate and install a clinic's definition or text extension")
        load.add_argument("file")
        load.add_argument("--replace", action="store_true", help="replace a file installed earlier")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["action"] == "list":
                self._list(as_json=options["json"])
            elif options["action"] == "show":
                self.stdout.write("\n".join(describe(instrument(options["id"]))))
            else:
                self._load(Path(options["file"]), replace=options["replace"])
        except (DefinitionError, UnknownInstrument) as error:
            raise CommandError(str(error)) from None

    def _list(self, *, as_json: bool) -> None:
        rows = [
            {
                "id": found.id,
                "name": found.short_name,
                "title": found.title,
                "kind": found.kind,
                "scored_items": len(found.scored_items),
                "text": found.licence.text,
                "origin": found.origin,
            }
            for found in sorted(library().values(), key=lambda found: found.id)
        ]
        if as_json:
            self.stdout.write(json.dumps(rows))
            return
        for row in rows:
            self.stdout.write(
                f"{row['id']:<12} {row['name']:<12} {row['kind']:<11} {row['scored_items']:>3} items  "
                f"{row['text']:<12} {row['origin']}"
            )

    def _load(self, path: Path, *, replace: bool) -> None:
        installed = install(path, replace=replace)
        found = installed.instrument
        what = "text extension for" if installed.kind == "extension" else "instrument"
        verb = "replaced" if installed.replaced else "installed"
        self.stdout.write(
            f"{verb} {what} {found.id} ({found.short_name}) as {installed.path}; item text: {found.licence.text}"
        )


def describe(found: Instrument) -> list[str]:
    lines = [f"{found.id}: {found.title} ({found.short_name}), version {found.version}", f"  {found.purpose}"]
    lines.append(f"  kind: {found.kind}; recall period: {found.recall_period.text}; origin: {found.origin}")
    if found.battery is not None:
        lines.append(f"  parts: {', '.join(found.battery.parts)}")
        lines += [
            f"  composite {c.id}: {' + '.join(c.parts)} ({c.minimum}-{c.maximum})" for c in found.battery.composites
        ]
    if found.scoring is not None:
        rule = found.scoring
        lines.append(f"  scoring: {rule.method}, {rule.minimum}-{rule.maximum}; {rule.description}")
        lines.append(f"  higher is better: {'yes' if found.higher_is_better else 'no'}")
    for number, item in enumerate(found.scored_items, start=1):
        options = ", ".join(f"{o.value} {o.label}" for o in item.options)
        na = f"; not applicable: {item.not_applicable_label}" if item.not_applicable_allowed else ""
        printed = f" ({item.number})" if item.number != str(number) else ""
        lines.append(f"  item {number}{printed} {item.display_text} [{options}{na}]")
    lines += [f"  recorded, not scored: {item.display_text}" for item in found.items if not item.scored]
    lines += [f"  band {b.id}: {b.label} ({_band_range(b)})" for b in found.bands]
    lines += [f"  critical item {c.item}: {c.flag} at {c.at_least} or more; {c.action}" for c in found.critical_items]
    lines += [f"  flag {flag.id}: {flag.label}" for flag in found.flags]
    for name, code in (("panel", found.codes.panel), ("total", found.codes.total)):
        if code is not None:
            lines.append(
                f"  {name} code: {code.code} ({code.system}){' UNCERTAIN: ' + code.note if code.uncertain else ''}"
            )
    if found.reliable_change is not None:
        rc = found.reliable_change
        lines.append(f"  reliable change: SD {rc.sd} ({rc.source}), r {rc.reliability} ({rc.reliability_source})")
        lines.append(f"    {'ASSUMED' if rc.assumed else 'published'}; {rc.note}")
    if found.norms is not None:
        groups = "; ".join(f"{g.sex or 'everyone'} mean {g.mean} SD {g.sd}" for g in found.norms.groups)
        lines.append(f"  norms: {groups} ({found.norms.source})")
    if found.mcid is not None:
        lines.append(f"  MCID: {found.mcid.points} points ({found.mcid.source})")
    if found.relative_improvement is not None:
        lines.append(f"  {found.relative_improvement.label} ({found.relative_improvement.source})")
    lines.append(f"  licence: {found.licence.holder}; item text: {found.licence.text}. {found.licence.note}")
    if found.licence.clinic_note:
        lines.append(f"  clinic's licence note: {found.licence.clinic_note}")
    lines += [f"  translations: {', '.join(sorted(found.translations))}"] if found.translations else []
    lines += [f"  note: {note}" for note in found.notes]
    return lines


def _band_range(band: Band) -> str:
    low = f"above {band.minimum}" if band.minimum_exclusive else f"{band.minimum}"
    high = f"below {band.maximum}" if band.maximum_exclusive else f"{band.maximum}"
    return f"{low} to {high}"
