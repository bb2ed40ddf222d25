"""The exercise and psychoeducation library: plain-language items written for this project, one Markdown-like
file each under `careplans/library/<language>/<slug>.md`, read once and cached (no database rows).

CONTRACT (frozen signatures; other modules are written against them).

File format: a header block of `key: value` lines (title, kind: exercise|psychoeducation, minutes, summary),
a line `---`, then the body: paragraphs separated by blank lines, lines starting with "1. " numbered steps,
lines starting with "- " bullets. No HTML.
"""

from __future__ import annotations

from dataclasses import dataclass


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
    raise NotImplementedError


def item(slug: str, language: str = "en") -> LibraryItem | None:
    raise NotImplementedError
