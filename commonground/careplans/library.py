"""The exercise and psychoeducation library: plain-language items written for this project, one Markdown-like
file each under `careplans/library/<language>/<slug>.md`, read once and cached (no database rows).

CONTRACT (frozen signatures; other modules are written against them).

File format: a header block of `key: value` lines (title, kind: exercise|psychoeducation, minutes, summary),
a line `---`, then the body: paragraphs separated by blank lines, lines starting with "1. " numbered steps,
lines starting with "- " bullets. No HTML.

Parsing is strict: a file that breaks the format raises `LibraryError` naming the file and the line, so a
mistake in the content stops the tests, never a patient's page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from commonground.careplans.choices import LibraryKind

LIBRARY_DIR = Path(__file__).resolve().parent / "library"
DEFAULT_LANGUAGE = "en"

HEADER_KEYS = ("title", "kind", "minutes", "summary")
REQUIRED_KEYS = ("title", "kind", "summary")
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
SLUG_MAX = 60  # HomePractice.library_item
TITLE_MAX = 200  # HomePractice.title
SUMMARY_MAX = 300
MINUTES_MAX = 120
STEP = re.compile(r"^(\d+)\. (.+)$")
BULLET = re.compile(r"^- (.+)$")
HTML = re.compile(r"<\s*/?\s*[a-zA-Z!][^>]*>|&[a-zA-Z#][a-zA-Z0-9]*;")


class LibraryError(ValueError):
    """A library file breaks the format; the message names the file (and the line where there is one)."""


@dataclass(frozen=True)
class Block:
    kind: str  # "paragraph" | "steps" | "bullets"
    lines: tuple[str, ...]


@dataclass(frozen=True)
class LibraryItem:
    slug: str
    language: str
    title: str
    kind: str  # LibraryKind value
    minutes: int | None
    summary: str
    blocks: tuple[Block, ...]


def items(language: str = "en") -> list[LibraryItem]:
    """Every item in `language` (falling back to English for items not translated), by title."""
    merged = dict(_folder(DEFAULT_LANGUAGE))
    if language != DEFAULT_LANGUAGE:
        merged.update(_folder(language))
    return sorted(merged.values(), key=lambda found: (found.title.casefold(), found.slug))


def item(slug: str, language: str = "en") -> LibraryItem | None:
    if language != DEFAULT_LANGUAGE and slug in _folder(language):
        return _folder(language)[slug]
    return _folder(DEFAULT_LANGUAGE).get(slug)


def slugs() -> frozenset[str]:
    """Every item's slug (the English library holds them all: a translation never adds an item)."""
    return frozenset(_folder(DEFAULT_LANGUAGE))


# --- reading files ----------------------------------------------------------------------------------------


@cache
def _folder(language: str) -> dict[str, LibraryItem]:
    if not re.fullmatch(r"[a-z]{2,3}(?:-[a-z0-9]{2,8})?", language):
        return {}
    return load_folder(LIBRARY_DIR / language, language=language)


def load_folder(folder: Path, *, language: str) -> dict[str, LibraryItem]:
    """Every `*.md` file in `folder`, by slug (an absent folder is an empty library)."""
    if not folder.is_dir():
        return {}
    return {path.stem: load_file(path, language=language) for path in sorted(folder.glob("*.md"))}


def load_file(path: Path, *, language: str) -> LibraryItem:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise LibraryError(f"{path}: not UTF-8 text ({error})") from None
    return parse(text, slug=path.stem, language=language, source=str(path))


def parse(text: str, *, slug: str, language: str, source: str) -> LibraryItem:
    """One library item from the text of its file; `source` names the file in errors."""
    if not SLUG.match(slug) or len(slug) > SLUG_MAX:
        raise LibraryError(f"{source}: the file name must be lower-case words joined by '-' (at most {SLUG_MAX}).")
    lines = text.replace("\r\n", "\n").split("\n")
    try:
        divider = next(number for number, line in enumerate(lines) if line.strip() == "---")
    except StopIteration:
        raise LibraryError(f"{source}: no '---' line between the header and the body.") from None
    header = _header(lines[:divider], source)
    blocks = _body(lines[divider + 1 :], source, first_line=divider + 2)
    return LibraryItem(
        slug=slug,
        language=language,
        title=header["title"],
        kind=header["kind"],
        minutes=_minutes(header.get("minutes"), source),
        summary=header["summary"],
        blocks=blocks,
    )


def _header(lines: list[str], source: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line:
            continue
        key, colon, value = line.partition(":")
        key, value = key.strip().lower(), value.strip()
        where = f"{source}, line {number}"
        if not colon or key not in HEADER_KEYS:
            raise LibraryError(f"{where}: expected one of {', '.join(HEADER_KEYS)} as 'key: value'.")
        if key in found:
            raise LibraryError(f"{where}: '{key}' is given twice.")
        if not value:
            raise LibraryError(f"{where}: '{key}' is empty.")
        _plain_text(value, where)
        found[key] = value
    missing = [key for key in REQUIRED_KEYS if key not in found]
    if missing:
        raise LibraryError(f"{source}: the header lacks {', '.join(missing)}.")
    if found["kind"] not in LibraryKind.values:
        raise LibraryError(f"{source}: kind must be one of {', '.join(LibraryKind.values)}, not '{found['kind']}'.")
    if len(found["title"]) > TITLE_MAX:
        raise LibraryError(f"{source}: the title is longer than {TITLE_MAX} characters.")
    if len(found["summary"]) > SUMMARY_MAX:
        raise LibraryError(f"{source}: the summary is longer than {SUMMARY_MAX} characters.")
    return found


def _minutes(value: str | None, source: str) -> int | None:
    if value is None:
        return None
    if not value.isdigit() or not 1 <= int(value) <= MINUTES_MAX:
        raise LibraryError(f"{source}: minutes must be a whole number from 1 to {MINUTES_MAX}, not '{value}'.")
    return int(value)


def _body(lines: list[str], source: str, *, first_line: int) -> tuple[Block, ...]:
    blocks: list[Block] = []
    chunk: list[tuple[int, str]] = []
    for number, raw in enumerate([*lines, ""], start=first_line):
        line = raw.strip()
        if line:
            _plain_text(line, f"{source}, line {number}")
            chunk.append((number, line))
        elif chunk:
            blocks.append(_block(chunk, source))
            chunk = []
    if not blocks:
        raise LibraryError(f"{source}: the body is empty.")
    return tuple(blocks)


def _block(chunk: list[tuple[int, str]], source: str) -> Block:
    """One block: all numbered steps (1, 2, 3 ...), all bullets, or a paragraph (its lines joined)."""
    first = chunk[0][1]
    if STEP.match(first):
        steps: list[str] = []
        for number, line in chunk:
            match = STEP.match(line)
            if match is None or int(match.group(1)) != len(steps) + 1:
                raise LibraryError(f"{source}, line {number}: expected step {len(steps) + 1} as '{len(steps) + 1}. '.")
            steps.append(match.group(2).strip())
        return Block("steps", tuple(steps))
    if BULLET.match(first):
        bullets: list[str] = []
        for number, line in chunk:
            match = BULLET.match(line)
            if match is None:
                raise LibraryError(f"{source}, line {number}: every line of a list starts with '- '.")
            bullets.append(match.group(1).strip())
        return Block("bullets", tuple(bullets))
    for number, line in chunk:
        if STEP.match(line) or BULLET.match(line):
            raise LibraryError(f"{source}, line {number}: leave a blank line between a paragraph and a list.")
    return Block("paragraph", (" ".join(line for _number, line in chunk),))


def _plain_text(text: str, where: str) -> None:
    if HTML.search(text):
        raise LibraryError(f"{where}: no HTML in the library (write plain text).")
