"""The note-language check, pure (clinical.md section 12): rules as data, findings in text order, `unless`
contexts within a sentence, and the shipped English lexicon on positives and hard negatives per category."""

from __future__ import annotations

import json
from typing import Any

import pytest

from commonground.notes.choices import LanguageCategory
from commonground.notes.language_check import (
    LEXICON_DIR,
    InvalidRule,
    Rule,
    builtin_rules,
    check,
    rule_from_dict,
    sentence_spans,
)


def entry(**fields: Any) -> dict[str, Any]:
    return {
        "key": "claims",
        "category": "credibility",
        "patterns": [r"\bclaims\b"],
        "unless": [],
        "why": "Words like 'claims' signal disbelief (Beach 2021).",
        "suggestion": "Write 'reports'.",
    } | fields


def found(text: str, rules: Any = None) -> list[tuple[str, str]]:
    """(rule key, phrase) of each finding in the shipped English lexicon, or in `rules`."""
    return [(f.rule_key, f.phrase) for f in check(text, builtin_rules("en") if rules is None else rules)]


def categories(text: str) -> set[str]:
    return {f.category for f in check(text, builtin_rules("en"))}


# --- rules ------------------------------------------------------------------------------------------------


def test_a_rule_from_a_lexicon_entry_keeps_its_fields_and_language() -> None:
    rule = rule_from_dict(entry(unless=[r"\bclaims handler\b"]), language="en")
    assert rule == Rule(
        key="claims",
        language="en",
        category="credibility",
        patterns=(r"\bclaims\b",),
        unless=(r"\bclaims handler\b",),
        why="Words like 'claims' signal disbelief (Beach 2021).",
        suggestion="Write 'reports'.",
    )


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"patterns": [r"\bclaims("]}, "not a valid regular expression"),
        ({"patterns": []}, "at least one pattern"),
        ({"patterns": r"\bclaims\b"}, "must be a list"),
        ({"patterns": ["   "]}, "a pattern is empty"),
        ({"patterns": [r"\w*"]}, "matches empty text"),
        ({"patterns": [r"(\w+)+x"]}, "can hang the check"),
        ({"unless": [r"[unclosed"]}, "not a valid regular expression"),
        ({"category": "rude"}, "category must be one of"),
        ({"key": "Has Spaces"}, "key"),
        ({"why": ""}, "why must be a non-empty text"),
        ({"suggestion": None}, "suggestion must be a non-empty text"),
        ({"colour": "red"}, "unknown field"),
    ],
)
def test_a_rule_that_cannot_be_used_says_why(fields: dict[str, Any], reason: str) -> None:
    with pytest.raises(InvalidRule, match=reason):
        rule_from_dict(entry(**fields), language="en")


def test_a_bounded_repeat_of_a_group_is_allowed() -> None:
    rule = rule_from_dict(entry(patterns=[r'"\w+(?:\s\w+){0,3}"']), language="en")
    assert found('Had a "bad reaction" to it.', [rule]) == [("claims", '"bad reaction"')]


def test_the_shipped_lexicons_are_valid_and_cover_every_category() -> None:
    english = builtin_rules("en")
    assert {rule.category for rule in english} == set(LanguageCategory.values)
    assert len({rule.key for rule in english}) == len(english)
    for rule in english:
        assert rule.why.rstrip().endswith((".", ").")) and rule.suggestion
        assert any(year in rule.why for year in ("2002", "2003", "2018", "2021", "2022", "2024")), rule.key
    for path in LEXICON_DIR.glob("*.json"):
        assert builtin_rules(path.stem), path.name
        assert json.loads(path.read_text(encoding="utf-8"))["language"] == path.stem


def test_builtin_rules_are_read_once_and_none_for_an_unknown_or_odd_language() -> None:
    assert builtin_rules("en") is builtin_rules("en")
    assert builtin_rules("xx") == ()
    assert builtin_rules("../secrets") == ()


# --- the check --------------------------------------------------------------------------------------------


def test_sentences_split_at_full_stops_and_lines_but_not_at_abbreviations() -> None:
    text = "Pt v. demanding today. Seen with Dr. Smith, e.g. About pacing! Why?\n\nPlan: review"
    assert [text[a:b] for a, b in sentence_spans(text)] == [
        "Pt v. demanding today.",
        "Seen with Dr. Smith, e.g. About pacing!",
        "Why?",
        "Plan: review",
    ]


def test_findings_come_in_text_order_with_their_place_and_advice() -> None:
    text = "Uncooperative with the exam. Claims the pain is 10/10."
    findings = check(text, builtin_rules("en"))
    assert [(f.rule_key, f.category, text[f.start : f.end]) for f in findings] == [
        ("uncooperative", "blame", "Uncooperative"),
        ("claims-insists", "credibility", "Claims"),
    ]
    assert all(f.phrase == text[f.start : f.end] and f.why and f.suggestion for f in findings)


def test_overlapping_matches_of_one_rule_become_one_finding() -> None:
    rule = rule_from_dict(entry(patterns=[r"\bclaims the pain\b", r"\bpain is severe\b"]), language="en")
    text = "She claims the pain is severe."
    assert found(text, [rule]) == [("claims", "claims the pain is severe")]


def test_unless_excuses_only_a_match_inside_its_own_match_in_the_same_sentence() -> None:
    rule = rule_from_dict(
        entry(key="refuses", category="blame", patterns=[r"\brefuses\b"], unless=[r"\brefuses\b.*\bcapacity\b"]),
        language="en",
    )
    assert found("Refuses the blood test; capacity assessed.", [rule]) == []
    assert found("Refuses the blood test. Capacity assessed.", [rule]) == [("refuses", "Refuses")]
    assert found("Capacity assessed; refuses the blood test.", [rule]) == [("refuses", "refuses")]


def test_empty_text_and_no_rules_find_nothing() -> None:
    assert check("", builtin_rules("en")) == []
    assert check("Claims the pain is 10/10.", []) == []


# --- the English lexicon: positives per category ----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("Claims the headaches started after the vaccine.", "credibility"),
        ("She insists the dizziness is worse.", "credibility"),
        ("Reportedly unable to walk to the shops.", "credibility"),
        ('Had a "reaction" to the amitriptyline.', "credibility"),
        ("States the pain is 9/10 but was seen laughing in the corridor.", "credibility"),
        ("Likely exaggerating her symptoms.", "credibility"),
        ("Difficult patient.", "difficult"),
        ("Combative when the plan was discussed.", "difficult"),
        ("An angry young man.", "difficult"),
        ("Very demanding on the phone again.", "difficult"),
        ("Non-compliant with the exercises.", "blame"),
        ("Refuses to try the pacing diary.", "blame"),
        ("Resistant to any suggestion that stress plays a part.", "blame"),
        ("Failed to attend for the third time.", "blame"),
        ("I told the patient that no further tests are needed.", "authority"),
        ("She was instructed to stop googling her symptoms.", "authority"),
        ("Lectured him about his weight.", "authority"),
        ("Frequent flyer at the out-of-hours service.", "stereotyping"),
        ("No drug-seeking behaviour observed.", "stereotyping"),
        ("Single mother on benefits with back pain.", "stereotyping"),
        ("Psychogenic dizziness.", "dismissive"),
        ("It is all in her head.", "dismissive"),
        ("Symptoms are likely supratentorial.", "dismissive"),
        ("Functional overlay noted.", "dismissive"),
        ("Pseudoseizures, not epilepsy.", "dismissive"),
        ("Heartsink patient.", "dismissive"),
        ("Worried well.", "dismissive"),
        ("Her abdominal pain is psychosomatic.", "dismissive"),
    ],
)
def test_stigmatising_wording_is_found_in_its_category(text: str, category: str) -> None:
    assert category in categories(text)


# --- the English lexicon: hard negatives ------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Functional neurological disorder diagnosed on positive signs.",
        "Functional seizures discussed; the explanation fitted her experience.",
        "Denies chest pain, palpitations or fainting.",
        "DENIES CHEST PAIN OR SOB.",
        "She reports that the dizziness is worse when she turns over in bed.",
        "States she sleeps about five hours a night.",
        "He says the fatigue has eased since he started an afternoon rest.",
        "Refused the lumbar puncture after a full discussion; she has capacity.",
        "Acutely agitated in the context of delirium.",
        "She feels agitated and restless in the evenings.",
        "Angry about the eight-month wait, which is understandable.",
        "CT head: no supratentorial or infratentorial abnormality.",
        "Session 3 of psychosomatic therapy: breathing and body awareness.",
        "Referred to the psychosomatic physiotherapist.",
        "Treatment-resistant depression.",
        "Resisted elbow flexion painless.",
        "Aggressive lymphoma was excluded.",
        "Returning to work is a challenging goal.",
        "A demanding week caring for her father.",
        "Her job as a nurse is physically demanding.",
        "Reduced chest wall compliance.",
        "Claims handler from her insurer called; consent on file.",
        "Identified by the frequent-attender search.",
        'Describes the pain as "like a hot wire down the leg".',
        'In her own words, her goal is "to walk the dog".',
        "I told her I would write to the neurologist today.",
        "She was told years ago that there was nothing wrong with her, which she still finds hurtful.",
        'She worried that the symptoms were "all in her mind"; we discussed that they are real.',
        "The orthopaedic surgeon found nothing wrong with the knee joint itself.",
        "Refuse collection day is the hardest.",
        "Declined the group programme for now.",
        "Not tolerating the CPAP mask at night.",
        "Has not been taking the tablets because of nausea.",
    ],
)
def test_legitimate_clinical_wording_is_left_alone(text: str) -> None:
    assert found(text) == []


# --- the small Dutch lexicon ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("Patiënt beweert dat de pijn 10/10 is.", "credibility"),
        ("Lastige patiënte.", "difficult"),
        ("Weigert de fysiotherapie.", "blame"),
        ("Ik heb patiënte verteld dat de scan normaal is.", "authority"),
        ("Bekende draaideurpatiënt.", "stereotyping"),
        ("Klachten zitten tussen de oren.", "dismissive"),
    ],
)
def test_the_dutch_lexicon_finds_each_category(text: str, category: str) -> None:
    assert [f.category for f in check(text, builtin_rules("nl"))] == [category]


@pytest.mark.parametrize(
    "text",
    [
        "Weigert de punctie; wilsbekwaam en goed geïnformeerd.",
        "Verwezen naar de psychosomatische fysiotherapeut.",
        "Functionele neurologische stoornis.",
        "Ontkent pijn op de borst.",
        "Zij meldt dat de duizeligheid erger is.",
        "Ze is bang dat de klachten tussen de oren zitten.",
    ],
)
def test_the_dutch_lexicon_leaves_legitimate_wording_alone(text: str) -> None:
    assert check(text, builtin_rules("nl")) == []


def test_a_nested_repeat_ending_in_an_optional_part_is_refused() -> None:
    with pytest.raises(InvalidRule, match="can hang"):
        rule_from_dict(entry(patterns=[r"(?:\w+\s?)+!"]), language="en")


def test_a_pattern_that_cannot_finish_in_time_is_skipped_and_logged_by_key_never_text(caplog) -> None:
    # Overlapping alternatives repeated: slips past the shape check, backtracks for ever on this text.
    slow = rule_from_dict(entry(key="clinic-slow", patterns=[r"(?:a|aa)+$"]), language="en")
    quick = rule_from_dict(entry(), language="en")
    text = "a" * 80 + "b. The patient claims the pain is worse."
    with caplog.at_level("WARNING", logger="commonground.notes.language_check"):
        found = check(text, [slow, quick])
    assert [finding.rule_key for finding in found] == ["claims"]
    assert "clinic-slow" in caplog.text and "aaaa" not in caplog.text and "patient" not in caplog.text


def test_a_very_long_sentence_is_checked_in_pieces_and_findings_keep_their_place() -> None:
    rule = rule_from_dict(entry(), language="en")
    filler = "walked to the shop and back " * 400  # one sentence of about 11,000 characters
    text = filler + "and she claims it helped"
    found = check(text, [rule])
    assert [(f.phrase, f.start) for f in found] == [("claims", text.index("claims"))]


def test_a_rule_that_ran_out_of_time_is_left_out_for_the_rest_of_the_note(caplog) -> None:
    slow = rule_from_dict(entry(key="clinic-slow", patterns=[r"(?:a|aa)+$"]), language="en")
    text = ("a" * 80 + "b. ") * 5
    with caplog.at_level("WARNING", logger="commonground.notes.language_check"):
        assert check(text, [slow]) == []
    assert caplog.text.count("clinic-slow") == 1  # tried once, then left out


def test_a_check_past_its_time_budget_stops_and_says_so(caplog) -> None:
    quick = rule_from_dict(entry(), language="en")
    with caplog.at_level("WARNING", logger="commonground.notes.language_check"):
        assert check("The patient claims it hurts.", [quick], budget_seconds=-1) == []
    assert "stopped" in caplog.text and "patient" not in caplog.text
