"""Notes and the note-language check on saving (issue 5 item 7): the check advises and never blocks;
suggestions keep rule, category and place, never the words; an edit checks again; dismissals are counted;
each clinic's lexicon replaces, turns off or adds rules, and a broken clinic rule never stops a save."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

import pytest

from commonground.audit.models import AuditEvent
from commonground.kit import clock
from commonground.kit.errors import DomainError, StaleEdit
from commonground.notes import selectors, services
from commonground.notes.choices import LanguageCategory, NoteKind
from commonground.notes.models import LanguageSuggestion, LexiconEntry, Note

pytestmark = pytest.mark.django_db

FLAGGED = (
    "Difficult patient, non-compliant with the exercises. Claims the pain is 10/10. "
    "Frequent flyer; symptoms all in her head. I told the patient that the scans are normal."
)


def write(patient: Any, by: Any, text: str = FLAGGED, **options: Any) -> Note:
    return services.write_note(patient, kind=options.pop("kind", NoteKind.SESSION), text=text, by=by, **options)


def clinic_rule(clinic: Any, **fields: Any) -> LexiconEntry:
    values = {
        "organisation": clinic,
        "language": "en",
        "key": "bed-blocker",
        "category": LanguageCategory.STEREOTYPING,
        "patterns": [r"\bbed[-\s]?blockers?\b"],
        "unless": [],
        "why": "Blames a patient for a delayed discharge (clinic rule).",
        "suggestion": "Say what the discharge is waiting for.",
    } | fields
    return LexiconEntry.objects.create(**values)


# --- writing ----------------------------------------------------------------------------------------------


def test_a_note_full_of_flagged_words_is_saved_with_its_suggestions(patient_record: Any, therapist: Any) -> None:
    note = write(patient_record, therapist)
    assert Note.objects.get(pk=note.pk).text == FLAGGED
    shown = selectors.open_suggestions(note)
    assert [s.category for s in shown] == [
        "difficult",
        "blame",
        "credibility",
        "stereotyping",
        "dismissive",
        "authority",
    ]
    assert [s.phrase for s in shown] == [
        "Difficult patient",
        "non-compliant",
        "Claims",
        "Frequent flyer",
        "all in her head",
        "I told the patient",
    ]
    assert all(s.why and s.suggestion and not s.dismissed for s in shown)
    assert shown[0].category_label == str(LanguageCategory.DIFFICULT.label)
    assert [FLAGGED[s.start : s.start + len(s.phrase)] for s in shown if s.start is not None] == [
        s.phrase for s in shown
    ]


def test_a_note_records_who_when_what_and_its_language(patient_record: Any, therapist: Any) -> None:
    note = write(patient_record, therapist, text="  Practised diaphragmatic breathing.  ", kind=NoteKind.REVIEW)
    assert (note.text, note.kind, note.language, note.author_id, note.version) == (
        "Practised diaphragmatic breathing.",
        NoteKind.REVIEW,
        "en",
        therapist.id,
        1,
    )
    assert abs(note.written_at - clock.now()) < timedelta(minutes=1)
    assert note.organisation_id == patient_record.organisation_id
    assert selectors.open_suggestions(note) == []
    assert AuditEvent.objects.filter(
        patient_id=patient_record.id, action="create", object_type="note", object_id=str(note.id)
    ).exists()


def test_suggestions_store_no_words_of_the_note(patient_record: Any, therapist: Any) -> None:
    note = write(patient_record, therapist, text="Alleges the pain is unbearable; a frequent flier at A&E.")
    rows = list(LanguageSuggestion.objects.filter(note=note))
    assert {(r.rule_key, r.category) for r in rows} == {
        ("claims-insists", "credibility"),
        ("frequent-flyer", "stereotyping"),
    }
    phrases = ["alleges", "frequent flier", "unbearable", "a&e"]
    stored = [
        str(getattr(row, field.attname)).lower() for row in rows for field in LanguageSuggestion._meta.concrete_fields
    ]
    assert not [value for value in stored for phrase in phrases if phrase in value]
    assert all(
        (r.note_version, r.organisation_id, r.current) == (1, patient_record.organisation_id, True) for r in rows
    )


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"text": "   "}, "text", "Write the note"),
        ({"text": "x" * 20001}, "text", "at most 20000"),
        ({"kind": "diary"}, "kind", "what kind of note"),
        ({"language": "../en"}, "language", "language"),
    ],
)
def test_a_note_needs_text_a_kind_and_a_language(
    patient_record: Any, therapist: Any, fields: dict[str, Any], field: str, message: str
) -> None:
    values = {"kind": NoteKind.SESSION, "text": "Fine."} | fields
    with pytest.raises(DomainError, match=message) as raised:
        services.write_note(patient_record, by=therapist, **values)
    assert raised.value.field == field
    assert not Note.objects.exists()


def test_a_note_is_never_written_by_another_clinic(patient_record: Any, foreign_clinician: Any) -> None:
    with pytest.raises(DomainError):
        write(patient_record, foreign_clinician)
    assert not Note.objects.exists()


def test_a_note_in_a_language_without_a_lexicon_is_saved_without_suggestions(
    patient_record: Any, therapist: Any
) -> None:
    note = write(patient_record, therapist, text="Claims the pain is 10/10.", language="ar")
    assert note.language == "ar" and selectors.open_suggestions(note) == []


# --- editing ----------------------------------------------------------------------------------------------


def test_an_edit_checks_again_and_earlier_suggestions_stop_being_current(patient_record: Any, therapist: Any) -> None:
    note = write(patient_record, therapist, text="Claims the pain is 10/10. Non-compliant with physio.")
    first = set(LanguageSuggestion.objects.filter(note=note).values_list("id", flat=True))
    note = services.edit_note(
        note,
        expected_version=1,
        text="Reports pain of 10/10. Non-compliant with physio.",
        reason="Kinder wording",
        by=therapist,
    )
    assert note.version == 2
    assert not LanguageSuggestion.objects.filter(id__in=first, current=True).exists()
    current = LanguageSuggestion.objects.filter(note=note, current=True)
    assert [(s.rule_key, s.note_version) for s in current] == [("non-compliant", 2)]
    assert [s.phrase for s in selectors.open_suggestions(note)] == ["Non-compliant"]
    assert note.history.latest().history_change_reason == "Kinder wording"
    assert AuditEvent.objects.filter(patient_id=patient_record.id, action="update", object_type="note").exists()


def test_an_edit_keeps_a_dismissal_of_the_same_words(patient_record: Any, therapist: Any, coordinator: Any) -> None:
    note = write(patient_record, therapist, text="Refuses the injection. Non-compliant with physio.")
    refuses = LanguageSuggestion.objects.get(note=note, rule_key="refuses")
    services.dismiss_suggestion(refuses, by=therapist)
    note = services.edit_note(
        note,
        expected_version=1,
        text="Typo fixed. Refuses the injection. Non-compliant with physio.",
        reason="Typo",
        by=therapist,
    )
    shown = {s.phrase: s.dismissed for s in selectors.suggestions_shown(note)}
    assert shown == {"Refuses": True, "Non-compliant": False}
    assert [s.phrase for s in selectors.open_suggestions(note)] == ["Non-compliant"]


def test_an_edit_needs_a_reason_and_the_version_it_started_from(patient_record: Any, therapist: Any) -> None:
    note = write(patient_record, therapist, text="First words.")
    with pytest.raises(DomainError, match="Say why"):
        services.edit_note(note, expected_version=1, text="Second words.", reason=" ", by=therapist)
    services.edit_note(note, expected_version=1, text="Second words.", reason="Clearer", by=therapist)
    stale = Note.objects.get(pk=note.pk)
    with pytest.raises(StaleEdit):
        services.edit_note(stale, expected_version=1, text="Third words.", reason="Clearer", by=therapist)
    assert Note.objects.get(pk=note.pk).text == "Second words."


def test_a_note_marked_in_error_leaves_the_list_and_the_counts(
    patient_record: Any, therapist: Any, clinic: Any
) -> None:
    note = write(patient_record, therapist, text="Claims the pain is 10/10.")
    with pytest.raises(DomainError):
        services.mark_note_in_error(note, expected_version=1, reason="")
    services.mark_note_in_error(note, expected_version=1, reason="Wrong patient")
    assert list(selectors.notes_of(patient_record)) == []
    assert selectors.note_of(patient_record, note.id) is None
    assert selectors.category_counts(clinic.id)["credibility"] == {"raised": 0, "dismissed": 0, "resolved": 0}
    with pytest.raises(DomainError):
        services.edit_note(Note.objects.get(pk=note.pk), expected_version=2, text="x", reason="y", by=therapist)


# --- dismissing and counting ------------------------------------------------------------------------------


def test_dismissing_keeps_the_suggestion_for_the_counts(patient_record: Any, therapist: Any, clinic: Any) -> None:
    note = write(patient_record, therapist, text="Claims the pain is 10/10. Insists it is worse. Non-compliant.")
    claims = LanguageSuggestion.objects.filter(note=note, rule_key="claims-insists").order_by("start").first()
    assert claims is not None
    dismissed = services.dismiss_suggestion(claims, by=therapist)
    assert dismissed.dismissed_by_id == therapist.id and dismissed.dismissed_at is not None
    again = services.dismiss_suggestion(claims, by=therapist)
    assert again.dismissed_at == dismissed.dismissed_at
    assert [s.phrase for s in selectors.open_suggestions(note)] == ["Insists", "Non-compliant"]
    assert [(s.phrase, s.dismissed) for s in selectors.suggestions_shown(note)] == [
        ("Claims", True),
        ("Insists", False),
        ("Non-compliant", False),
    ]
    counts = selectors.category_counts(clinic.id)
    assert counts["credibility"] == {"raised": 2, "dismissed": 1, "resolved": 0}
    assert counts["blame"] == {"raised": 1, "dismissed": 0, "resolved": 0}
    assert counts["authority"] == {"raised": 0, "dismissed": 0, "resolved": 0}
    assert set(counts) == set(LanguageCategory.values)


def test_counts_follow_the_latest_wording_the_clinic_and_the_period(
    patient_record: Any, therapist: Any, clinic: Any, other_clinic: Any, foreign_patient: Any, foreign_clinician: Any
) -> None:
    note = write(patient_record, therapist, text="Claims the pain is 10/10.")
    services.edit_note(note, expected_version=1, text="Claims it is 9/10 now.", reason="Update", by=therapist)
    write(foreign_patient, foreign_clinician, text="Claims the pain is 10/10.")
    assert selectors.category_counts(clinic.id)["credibility"] == {"raised": 1, "dismissed": 0, "resolved": 0}
    assert selectors.category_counts(other_clinic.id)["credibility"] == {"raised": 1, "dismissed": 0, "resolved": 0}
    later = clock.now() + timedelta(days=1)
    assert selectors.category_counts(clinic.id, since=later)["credibility"] == {
        "raised": 0,
        "dismissed": 0,
        "resolved": 0,
    }


def test_a_suggestion_of_an_earlier_wording_cannot_be_dismissed(patient_record: Any, therapist: Any) -> None:
    note = write(patient_record, therapist, text="Claims the pain is 10/10.")
    old = LanguageSuggestion.objects.get(note=note)
    services.edit_note(note, expected_version=1, text="Reports pain of 10/10.", reason="Kinder", by=therapist)
    with pytest.raises(DomainError, match="no longer applies"):
        services.dismiss_suggestion(old, by=therapist)


def test_a_suggestion_is_found_only_on_its_own_note(patient_record: Any, therapist: Any) -> None:
    first = write(patient_record, therapist, text="Claims the pain is 10/10.")
    second = write(patient_record, therapist, text="Fine today.")
    suggestion = LanguageSuggestion.objects.get(note=first)
    assert selectors.suggestion_of(first, suggestion.id) == suggestion
    assert selectors.suggestion_of(second, suggestion.id) is None
    assert selectors.suggestion_of(first, "not-a-uuid") is None
    assert selectors.note_of(patient_record, "not-a-uuid") is None


def test_notes_are_listed_newest_first_and_by_kind(
    patient_record: Any, other_patient_record: Any, therapist: Any
) -> None:
    with clock.pinned(clock.now() - timedelta(days=2)):
        older = write(patient_record, therapist, text="Older.", kind=NoteKind.REVIEW)
    newer = write(patient_record, therapist, text="Newer.")
    write(other_patient_record, therapist, text="Someone else.")
    assert list(selectors.notes_of(patient_record)) == [newer, older]
    assert list(selectors.notes_of(patient_record, kind=NoteKind.REVIEW)) == [older]
    assert selectors.note_of(patient_record, older.id) == older
    assert selectors.note_of(other_patient_record, older.id) is None


# --- each clinic's lexicon --------------------------------------------------------------------------------


def test_a_clinic_turns_a_built_in_rule_off_and_adds_its_own(
    patient_record: Any, therapist: Any, clinic: Any, other_clinic: Any
) -> None:
    clinic_rule(clinic, key="claims-insists", enabled=False)
    clinic_rule(clinic)
    keys = {rule.key for rule in selectors.rules_for(clinic.id, "en")}
    assert "claims-insists" not in keys and "bed-blocker" in keys
    assert {"claims-insists"} <= {rule.key for rule in selectors.rules_for(other_clinic.id, "en")}
    assert "bed-blocker" not in {rule.key for rule in selectors.rules_for(other_clinic.id, "en")}
    note = write(patient_record, therapist, text="Claims the pain is 10/10. A bed blocker now.")
    shown = selectors.open_suggestions(note)
    assert [(s.phrase, s.category) for s in shown] == [("bed blocker", "stereotyping")]
    assert shown[0].why == "Blames a patient for a delayed discharge (clinic rule)."


def test_a_clinic_rule_with_a_built_in_key_replaces_it(patient_record: Any, therapist: Any, clinic: Any) -> None:
    clinic_rule(clinic, key="refuses", category=LanguageCategory.BLAME, patterns=[r"\bdeclines\b"])
    note = write(patient_record, therapist, text="Refuses the group. Declines the leaflet.")
    assert [s.phrase for s in selectors.open_suggestions(note)] == ["Declines"]


def test_a_clinic_rule_with_a_broken_pattern_is_skipped_and_logged_without_the_note(
    patient_record: Any, therapist: Any, clinic: Any, caplog: pytest.LogCaptureFixture
) -> None:
    clinic_rule(clinic, key="broken", patterns=[r"\bbed blocker("])
    with caplog.at_level(logging.WARNING, logger="commonground.notes"):
        note = write(patient_record, therapist, text="Secret words: claims the pain is 10/10.")
    assert [s.phrase for s in selectors.open_suggestions(note)] == ["claims"]
    assert "broken" in caplog.text and "not a valid regular expression" in caplog.text
    assert "Secret words" not in caplog.text


def test_rules_follow_the_language(clinic: Any) -> None:
    clinic_rule(clinic, language="nl", key="lastig", patterns=[r"\blastige?\s+patiënt\b"])
    assert "lastig" in {rule.key for rule in selectors.rules_for(clinic.id, "nl")}
    assert "lastig" not in {rule.key for rule in selectors.rules_for(clinic.id, "en")}


def test_a_suggestion_whose_rule_the_clinic_later_dropped_still_shows_plainly(
    patient_record: Any, therapist: Any, clinic: Any
) -> None:
    note = write(patient_record, therapist, text="Claims the pain is 10/10.")
    clinic_rule(clinic, key="claims-insists", enabled=False)
    shown = selectors.open_suggestions(note)
    assert [(s.phrase, s.category) for s in shown] == [("Claims", "credibility")]
    assert shown[0].why and shown[0].suggestion == ""


def test_a_failing_check_never_stops_a_save(
    patient_record: Any, therapist: Any, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("regex engine gave up")

    monkeypatch.setattr(services, "check", broken)
    with caplog.at_level(logging.ERROR, logger="commonground.notes"):
        note = write(patient_record, therapist, text="Private words, claims it is 10/10.")
    assert Note.objects.filter(pk=note.pk).exists()
    assert not LanguageSuggestion.objects.filter(note=note).exists()
    assert "Private words" not in caplog.text


def test_a_suggestion_the_author_acted_on_still_counts_as_raised_and_resolved(
    patient_record: Any, therapist: Any, clinic: Any
) -> None:
    note = write(patient_record, therapist, text="Non-compliant with the breathing. Claims it does not help.")
    services.edit_note(
        note,
        expected_version=1,
        text="Has not done the breathing: it does not help yet. Claims it does not help.",
        reason="Kinder wording",
        by=therapist,
    )
    counts = selectors.category_counts(clinic.id)
    assert counts["blame"] == {"raised": 1, "dismissed": 0, "resolved": 1}
    assert counts["credibility"] == {"raised": 1, "dismissed": 0, "resolved": 0}  # still there: counted once


def test_only_the_author_changes_a_note_or_dismisses_its_suggestions(
    patient_record: Any, therapist: Any, coordinator: Any
) -> None:
    note = write(patient_record, therapist, text="Claims the pain is 10/10.")
    with pytest.raises(DomainError, match="Only the author"):
        services.edit_note(note, expected_version=1, text="Reports 10/10 pain.", reason="Kinder", by=coordinator)
    suggestion = LanguageSuggestion.objects.get(note=note)
    with pytest.raises(DomainError, match="author"):
        services.dismiss_suggestion(suggestion, by=coordinator)
    assert LanguageSuggestion.objects.get(note=note).dismissed_at is None


def test_the_same_words_many_times_are_one_suggestion(patient_record: Any, therapist: Any) -> None:
    note = write(patient_record, therapist, text="Claims this. " * 50 + "Non-compliant.")
    assert [s.phrase for s in selectors.open_suggestions(note)] == ["Claims", "Non-compliant"]
