"""The clinician's Notes tab (issue 5, item 7): the notes, writing, editing and marking one entered in error,
and the note-language check's suggestions, which advise and never block; and who may not open any of it."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.urls import reverse

from commonground.clinician.notes_views import Segment, marked_segments
from commonground.kit.models import RecordStatus
from commonground.notes import services as note_services
from commonground.notes.choices import NoteKind
from commonground.notes.models import LanguageSuggestion, Note
from commonground.notes.selectors import ShownSuggestion
from tests.personas import signed_in

pytestmark = pytest.mark.django_db

DOUBTING = "The patient claims the headache has lasted for three weeks."
NEUTRAL = "The patient describes a headache that has lasted for three weeks."


def url(name: str, *args: Any) -> str:
    return reverse(f"clinician:{name}", args=args)


@pytest.fixture
def note(patient_record, therapist) -> Note:
    return note_services.write_note(patient_record, kind=NoteKind.SESSION, text=DOUBTING, by=therapist)


def open_suggestion(note: Note) -> LanguageSuggestion:
    return LanguageSuggestion.objects.get(note=note, current=True, dismissed_at__isnull=True)


def test_the_tab_explains_the_check_and_offers_a_note(patient_record, therapist):
    page = signed_in(therapist).get(url("notes", patient_record.id))
    assert page.status_code == 200
    text = page.content.decode()
    assert "<summary>About the wording check</summary>" in text
    assert "It only advises: the note is always saved as written" in text
    assert "Write a note" in text and "No notes yet." in text
    for kind in ("Session note", "Review note", "Other note"):
        assert kind in text


def test_a_note_is_written_and_listed_with_kind_author_and_time(patient_record, therapist):
    client = signed_in(therapist)
    response = client.post(url("notes", patient_record.id), {"kind": NoteKind.REVIEW, "text": NEUTRAL})
    saved = Note.objects.get(patient=patient_record)
    assert response.status_code == 302 and response["Location"].endswith(f"#note-{saved.id}")
    assert (saved.kind, saved.author, saved.text) == (NoteKind.REVIEW, therapist, NEUTRAL)
    page = client.get(url("notes", patient_record.id)).content.decode()
    assert f'id="note-{saved.id}"' in page
    assert "Review note" in page and "by Bob" in page and NEUTRAL in page
    assert "The note is saved." in page
    assert "<mark>" not in page


def test_a_doubting_note_is_saved_and_its_suggestion_shown_with_the_phrase_marked(patient_record, therapist):
    client = signed_in(therapist)
    response = client.post(url("notes", patient_record.id), {"kind": NoteKind.SESSION, "text": DOUBTING})
    assert response.status_code == 302  # the check advises; it never blocks
    saved = Note.objects.get(patient=patient_record)
    assert saved.text == DOUBTING
    page = client.get(url("notes", patient_record.id)).content.decode()
    assert "The patient <mark>claims</mark> the headache" in page
    assert "Casting doubt on the patient" in page
    assert "Why it matters:" in page and "Instead, you could write:" in page
    assert "The wording check has 1 suggestion on it" in page
    assert url("dismiss_note_suggestion", patient_record.id, saved.id, open_suggestion(saved).id) in page


def test_a_suggestion_is_dismissed_and_no_longer_shown(patient_record, therapist, note):
    suggestion = open_suggestion(note)
    client = signed_in(therapist)
    dismiss = url("dismiss_note_suggestion", patient_record.id, note.id, suggestion.id)
    response = client.post(dismiss, {"next": url("notes", patient_record.id) + f"#note-{note.id}"})
    assert response.status_code == 302 and response["Location"].endswith(f"#note-{note.id}")
    suggestion.refresh_from_db()
    assert suggestion.dismissed_at is not None and suggestion.dismissed_by == therapist
    page = client.get(url("notes", patient_record.id)).content.decode()
    assert dismiss not in page and "<mark>" not in page
    assert DOUBTING in page  # the note itself is untouched


def test_dismissing_never_goes_to_another_site(patient_record, therapist, note):
    suggestion = open_suggestion(note)
    dismiss = url("dismiss_note_suggestion", patient_record.id, note.id, suggestion.id)
    response = signed_in(therapist).post(dismiss, {"next": "https://elsewhere.example/"})
    assert response["Location"] == url("notes", patient_record.id) + f"#note-{note.id}"


def test_an_empty_note_is_refused_and_nothing_saved(patient_record, therapist):
    response = signed_in(therapist).post(url("notes", patient_record.id), {"kind": NoteKind.OTHER, "text": ""})
    assert response.status_code == 200 and b"This field is required." in response.content
    bad_kind = signed_in(therapist).post(url("notes", patient_record.id), {"kind": "gossip", "text": NEUTRAL})
    assert bad_kind.status_code == 200 and b"Select a valid choice." in bad_kind.content
    assert not Note.objects.filter(patient=patient_record).exists()


def test_notes_can_be_shown_by_kind(patient_record, therapist, note):
    note_services.write_note(patient_record, kind=NoteKind.REVIEW, text="Reviewed the plan together.", by=therapist)
    client = signed_in(therapist)
    page = client.get(url("notes", patient_record.id), {"kind": NoteKind.REVIEW}).content.decode()
    assert "Reviewed the plan together." in page and DOUBTING not in page
    page = client.get(url("notes", patient_record.id)).content.decode()
    assert "Reviewed the plan together." in page and "the headache has lasted" in page


def test_a_note_is_edited_with_a_reason_and_checked_again(patient_record, therapist, note):
    client = signed_in(therapist)
    edit = url("edit_note", patient_record.id, note.id)
    page = client.get(edit)
    assert page.status_code == 200 and f'name="version" value="{note.version}"'.encode() in page.content
    no_reason = client.post(edit, {"text": NEUTRAL, "version": note.version})
    assert no_reason.status_code == 200 and b"This field is required." in no_reason.content
    note.refresh_from_db()
    assert note.text == DOUBTING
    response = client.post(edit, {"text": NEUTRAL, "version": note.version, "reason": "Neutral wording"})
    assert response.status_code == 302
    note.refresh_from_db()
    assert note.text == NEUTRAL and note.history.first().history_change_reason == "Neutral wording"
    assert not LanguageSuggestion.objects.filter(note=note, current=True).exists()
    listed = client.get(url("notes", patient_record.id)).content.decode()
    assert "<mark>" not in listed and "changed" in listed


def test_an_edit_goes_back_where_it_came_from(patient_record, therapist, note):
    back = url("care_plan", patient_record.id)
    client = signed_in(therapist)
    page = client.get(url("edit_note", patient_record.id, note.id), {"next": back}).content.decode()
    assert f'name="next" value="{back}"' in page
    response = client.post(
        url("edit_note", patient_record.id, note.id),
        {"text": NEUTRAL, "version": note.version, "reason": "Wording", "next": back},
    )
    assert response["Location"] == back


def test_two_clinicians_editing_the_same_note_the_second_sees_both(patient_record, therapist, coordinator, note):
    edit = url("edit_note", patient_record.id, note.id)
    first = signed_in(therapist).post(
        edit, {"text": "Bob wrote this version.", "version": note.version, "reason": "Clearer"}
    )
    assert first.status_code == 302
    second = signed_in(coordinator).post(
        edit, {"text": "Alice wrote this version.", "version": note.version, "reason": "Fuller"}
    )
    assert second.status_code == 200
    page = second.content.decode()
    assert "Both versions" in page and "Someone else saved this record" in page
    assert "Bob wrote this version." in page and "Alice wrote this version." in page
    note.refresh_from_db()
    assert note.text == "Bob wrote this version."
    assert f'name="version" value="{note.version}"' in page


def test_a_note_is_marked_entered_in_error_only_with_a_reason(patient_record, therapist, note):
    client = signed_in(therapist)
    in_error = url("note_in_error", patient_record.id, note.id)
    client.post(in_error, {"version": note.version, "reason": ""})
    note.refresh_from_db()
    assert note.record_status == RecordStatus.ACTIVE
    response = client.post(in_error, {"version": note.version, "reason": "Written in the wrong record"})
    assert response.status_code == 302
    note.refresh_from_db()
    assert note.record_status == RecordStatus.ENTERED_IN_ERROR
    assert DOUBTING not in client.get(url("notes", patient_record.id)).content.decode()


# --- who may not ----------------------------------------------------------------------------------------------


def test_nobody_outside_the_care_team_reads_or_writes_notes(
    patient_record, note, outsider, foreign_clinician, patient_user, other_patient_user
):
    suggestion = open_suggestion(note)
    addresses = [
        url("notes", patient_record.id),
        url("edit_note", patient_record.id, note.id),
        url("note_in_error", patient_record.id, note.id),
        url("dismiss_note_suggestion", patient_record.id, note.id, suggestion.id),
    ]
    for person in (outsider, foreign_clinician, patient_user, other_patient_user):
        client = signed_in(person)
        for address in addresses:
            got = client.get(address)
            assert got.status_code in (404, 405), (person.username, address)
            assert DOUBTING.encode() not in got.content
            posted = client.post(address, {"kind": "other", "text": "x", "version": note.version, "reason": "x"})
            assert posted.status_code == 404, (person.username, address)
    note.refresh_from_db()
    suggestion.refresh_from_db()
    assert note.text == DOUBTING and note.record_status == RecordStatus.ACTIVE and suggestion.dismissed_at is None
    assert Note.objects.filter(patient=patient_record).count() == 1


def test_another_patients_note_is_not_found_through_this_patients_pages(
    patient_record, other_patient_record, therapist, coordinator, note
):
    theirs = note_services.write_note(other_patient_record, kind=NoteKind.OTHER, text=DOUBTING, by=coordinator)
    their_suggestion = open_suggestion(theirs)
    client = signed_in(therapist)
    assert client.get(url("edit_note", patient_record.id, theirs.id)).status_code == 404
    assert (
        client.post(url("note_in_error", patient_record.id, theirs.id), {"version": 1, "reason": "x"}).status_code
        == 404
    )
    # A suggestion belongs to its note: another note's suggestion is not found under this one.
    assert (
        client.post(url("dismiss_note_suggestion", patient_record.id, theirs.id, their_suggestion.id)).status_code
        == 404
    )
    assert (
        client.post(url("dismiss_note_suggestion", patient_record.id, note.id, their_suggestion.id)).status_code == 404
    )
    their_suggestion.refresh_from_db()
    theirs.refresh_from_db()
    assert their_suggestion.dismissed_at is None and theirs.record_status == RecordStatus.ACTIVE


# --- marking the phrases ----------------------------------------------------------------------------------------


def shown(phrase: str, start: int | None) -> ShownSuggestion:
    return ShownSuggestion(
        id=uuid.uuid4(),
        phrase=phrase,
        category="credibility",
        category_label="Casting doubt on the patient",
        why="",
        suggestion="",
        dismissed=False,
        start=start,
    )


def marked(segments: list[Segment]) -> str:
    return "".join(f"[{part.text}]" if part.marked else part.text for part in segments)


def test_a_phrase_is_marked_where_the_check_found_it_not_where_it_first_appears():
    text = "She says it claims nothing; the patient claims pain."
    assert marked(marked_segments(text, [shown("claims", text.rindex("claims"))])) == (
        "She says it claims nothing; the patient [claims] pain."
    )


def test_overlapping_phrases_make_one_mark_and_a_suggestion_without_its_place_is_found():
    text = "Patient is non-compliant and difficult."
    found = [shown("non-compliant", None), shown("compliant and", 15), shown("difficult", None)]
    assert marked(marked_segments(text, found)) == "Patient is [non-compliant and] [difficult]."
    assert marked(marked_segments(text, [])) == text
    assert marked(marked_segments(text, [shown("absent words", None)])) == text
