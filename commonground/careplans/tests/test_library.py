"""The exercise and psychoeducation library: every shipped item loads, reads plainly, and a broken file
stops with an error that names it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from commonground.careplans import library
from commonground.careplans.choices import LibraryKind
from commonground.careplans.library import LibraryError, parse

GOOD = """title: Belly breathing
kind: exercise
minutes: 5
summary: Slow breathing into your belly.
---
A first paragraph
that runs over two lines.

1. Sit comfortably.
2. Breathe in slowly.

- a bullet
- another bullet
"""

SHIPPED = sorted((library.LIBRARY_DIR / "en").glob("*.md"))


def test_the_library_ships_at_least_twelve_items_and_all_of_them_load() -> None:
    found = library.items()
    assert len(SHIPPED) >= 12
    assert {item.slug for item in found} == {path.stem for path in SHIPPED}
    assert [item.title.casefold() for item in found] == sorted(item.title.casefold() for item in found)


@pytest.mark.parametrize("path", SHIPPED, ids=lambda path: path.stem)
def test_each_shipped_item_is_complete(path: Path) -> None:
    item = library.load_file(path, language="en")
    assert item.title and item.summary and item.minutes is not None
    assert item.kind in LibraryKind.values
    assert len(item.blocks) >= 3 and item.blocks[0].kind == "paragraph"
    if item.kind == LibraryKind.EXERCISE:
        assert any(block.kind == "steps" and len(block.lines) >= 3 for block in item.blocks)


BLAMING_OR_PROMISING = re.compile(
    r"\bcure|\bfail|\blazy\b|\bweak\b|\bguarantee|\byou must\b|all in your head|\bcomply|\bnon-?complian", re.I
)


@pytest.mark.parametrize("path", SHIPPED, ids=lambda path: path.stem)
def test_shipped_items_speak_plainly_and_kindly(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert not BLAMING_OR_PROMISING.search(text)
    sentences = [s for s in re.split(r"(?<=[.!?])\s+", text.split("---", 1)[1]) if s.strip()]
    words = [len(sentence.split()) for sentence in sentences]
    assert sum(words) / len(words) <= 16  # short sentences for a reading age of about eleven


def test_an_item_is_found_by_slug_and_missing_ones_are_none() -> None:
    breathing = library.item("diaphragmatic-breathing")
    assert breathing is not None and breathing.title == "Belly breathing"
    assert breathing.blocks[2].kind == "steps" and breathing.blocks[2].lines[0].startswith("Sit or lie down")
    assert library.item("no-such-exercise") is None
    assert "pacing" in library.slugs()


def test_a_language_without_translations_falls_back_to_english() -> None:
    assert library.item("pacing", "nl") == library.item("pacing")
    assert [item.slug for item in library.items("nl")] == [item.slug for item in library.items()]
    assert library.item("pacing", "../en") == library.item("pacing")


@pytest.fixture
def own_library(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setattr(library, "LIBRARY_DIR", tmp_path)
    library._folder.cache_clear()
    yield tmp_path
    library._folder.cache_clear()


def test_a_translation_replaces_the_english_item_and_the_rest_stay_english(own_library: Path) -> None:
    (own_library / "en").mkdir()
    (own_library / "nl").mkdir()
    (own_library / "en" / "breathing.md").write_text(GOOD, encoding="utf-8")
    (own_library / "en" / "walking.md").write_text(GOOD.replace("Belly breathing", "Walking"), encoding="utf-8")
    (own_library / "nl" / "breathing.md").write_text(GOOD.replace("Belly breathing", "Buikademhaling"))
    dutch = library.items("nl")
    assert [(item.slug, item.title, item.language) for item in dutch] == [
        ("breathing", "Buikademhaling", "nl"),
        ("walking", "Walking", "en"),
    ]
    assert library.item("walking", "nl") is not None


def test_the_format_is_read_into_blocks() -> None:
    item = parse(GOOD, slug="belly-breathing", language="en", source="belly-breathing.md")
    assert (item.title, item.kind, item.minutes) == ("Belly breathing", "exercise", 5)
    assert [(block.kind, block.lines) for block in item.blocks] == [
        ("paragraph", ("A first paragraph that runs over two lines.",)),
        ("steps", ("Sit comfortably.", "Breathe in slowly.")),
        ("bullets", ("a bullet", "another bullet")),
    ]


def test_minutes_may_be_left_out() -> None:
    text = GOOD.replace("minutes: 5\n", "")
    assert parse(text, slug="x", language="en", source="x.md").minutes is None


@pytest.mark.parametrize(
    ("text", "slug", "message"),
    [
        (GOOD.replace("---\n", ""), "x", "no '---' line"),
        (GOOD.replace("minutes: 5", "colour: blue"), "x", "line 3: expected one of"),
        (GOOD.replace("title: Belly breathing\n", ""), "x", "lacks title"),
        (GOOD.replace("kind: exercise", "kind: recipe"), "x", "kind must be one of"),
        (GOOD.replace("minutes: 5", "minutes: five"), "x", "minutes must be a whole number"),
        (GOOD.replace("minutes: 5", "minutes: 0"), "x", "minutes must be a whole number"),
        (GOOD.replace("2. Breathe", "3. Breathe"), "x", "line 10: expected step 2"),
        (GOOD.replace("- another", "another"), "x", "every line of a list"),
        (GOOD.replace("A first paragraph", "A <b>first</b> paragraph"), "x", "no HTML"),
        (GOOD.replace("Slow breathing", "Slow &amp; breathing"), "x", "no HTML"),
        (GOOD.split("---")[0] + "---\n\n\n", "x", "the body is empty"),
        (GOOD.replace("kind: exercise", "kind: exercise\ntitle: Again"), "x", "'title' is given twice"),
        (GOOD.replace("summary: Slow breathing into your belly.", "summary:"), "x", "'summary' is empty"),
        (GOOD.replace("that runs over two lines.", "1. a step inside a paragraph"), "x", "blank line between"),
        (GOOD, "Belly_Breathing", "the file name must be"),
        (GOOD, "x" * 61, "the file name must be"),
    ],
)
def test_a_malformed_file_is_refused_naming_the_file(text: str, slug: str, message: str) -> None:
    with pytest.raises(LibraryError, match=re.escape(message)) as refused:
        parse(text, slug=slug, language="en", source="library/en/broken.md")
    assert str(refused.value).startswith("library/en/broken.md")


def test_loading_a_broken_file_names_its_path(own_library: Path) -> None:
    folder = own_library / "en"
    folder.mkdir()
    (folder / "good.md").write_text(GOOD, encoding="utf-8")
    (folder / "broken.md").write_text(GOOD.replace("kind: exercise", "kind: nothing"), encoding="utf-8")
    with pytest.raises(LibraryError, match=re.escape(str(folder / "broken.md"))):
        library.items()
    (folder / "broken.md").write_bytes(b"title: \xff\xfe\n---\nbody\n")
    library._folder.cache_clear()
    with pytest.raises(LibraryError, match="not UTF-8"):
        library.items()
