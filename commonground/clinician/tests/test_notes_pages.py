"""The clinician's Notes tab (issue 5, item 7): the notes, writing, editing and marking one entered in error,
and the note-language check's suggestions, which advise and never block; and who may not open any of it."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest
from django.urls import reverse
from django.utils import translation

from commonground.clinician.notes_forms import NoteForm
from commonground.clinician.notes_views import Segment, marked_segments
from commonground.kit.models import RecordStatus
from commonground.notes import selectors as note_selectors
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
    response = client.post(
        url("notes", patient_record.id), {"kind": NoteKind.REVIEW, "text": NEUTRAL, "language": "en"}
    )
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
    response = client.post(
        url("notes", patient_record.id), {"kind": NoteKind.SESSION, "text": DOUBTING, "language": "en"}
    )
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
    response = signed_in(therapist).post(
        url("notes", patient_record.id), {"kind": NoteKind.OTHER, "text": "", "language": "en"}
    )
    assert response.status_code == 200 and b"This field is required." in response.content
    bad_kind = signed_in(therapist).post(
        url("notes", patient_record.id), {"kind": "gossip", "text": NEUTRAL, "language": "en"}
    )
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


def test_the_same_note_edited_in_two_tabs_the_second_sees_both(patient_record, therapist, note):
    edit = url("edit_note", patient_record.id, note.id)
    first = signed_in(therapist).post(
        edit, {"text": "Bob wrote this version.", "version": note.version, "reason": "Clearer"}
    )
    assert first.status_code == 302
    second = signed_in(therapist).post(
        edit, {"text": "Bob's other tab wrote this.", "version": note.version, "reason": "Fuller"}
    )
    assert second.status_code == 200
    page = second.content.decode()
    assert "Both versions" in page and "Someone else saved this record" in page
    assert "Bob wrote this version." in page and "Bob&#39;s other tab wrote this." in page
    note.refresh_from_db()
    assert note.text == "Bob wrote this version."
    assert f'name="version" value="{note.version}"' in page


# --- the note's language ----------------------------------------------------------------------------------------

DUTCH = "De patiënt beweert dat de hoofdpijn al drie weken duurt."


def test_the_note_form_offers_the_languages_with_a_lexicon_the_pages_language_first(patient_record, therapist):
    page = signed_in(therapist).get(url("notes", patient_record.id)).content.decode()
    assert "Language of the note" in page
    options = re.findall(
        r'<option value="([a-z]+)"( selected)?>', page.split('name="language"')[1].split("</select>")[0]
    )
    assert options == [("en", " selected"), ("nl", "")]
    with translation.override("nl"):
        form = NoteForm()
    assert form.fields["language"].initial == "nl"
    with translation.override("de"):  # no German lexicon: English
        assert NoteForm().fields["language"].initial == "en"


def test_a_dutch_note_is_checked_with_the_dutch_rules(patient_record, therapist):
    client = signed_in(therapist)
    response = client.post(url("notes", patient_record.id), {"kind": NoteKind.SESSION, "text": DUTCH, "language": "nl"})
    assert response.status_code == 302
    saved = Note.objects.get(patient=patient_record)
    assert saved.language == "nl"
    page = client.get(url("notes", patient_record.id)).content.decode()
    assert "De patiënt <mark>beweert</mark> dat" in page
    assert "Schrijf &#39;meldt&#39; of &#39;beschrijft&#39;" in page
    refused = client.post(url("notes", patient_record.id), {"kind": NoteKind.SESSION, "text": DUTCH, "language": "xx"})
    assert refused.status_code == 200 and b"Select a valid choice." in refused.content
    assert Note.objects.filter(patient=patient_record).count() == 1


def test_an_edited_note_keeps_its_language(patient_record, therapist):
    note = note_services.write_note(patient_record, kind=NoteKind.OTHER, text=DUTCH, by=therapist, language="nl")
    edit = url("edit_note", patient_record.id, note.id)
    assert 'name="language"' not in signed_in(therapist).get(edit).content.decode()
    changed = "De patiënt beweert nu dat de hoofdpijn minder is."
    signed_in(therapist).post(edit, {"text": changed, "version": note.version, "reason": "Update"})
    note.refresh_from_db()
    assert (note.text, note.language) == (changed, "nl")
    assert [s.phrase for s in note_selectors.open_suggestions(note)] == ["beweert"]


# --- only the author changes a note; its history --------------------------------------------------------------


def test_only_the_author_is_offered_edit_and_dismiss(patient_record, therapist, coordinator, note):
    suggestion = open_suggestion(note)
    dismiss = url("dismiss_note_suggestion", patient_record.id, note.id, suggestion.id)
    edit = url("edit_note", patient_record.id, note.id)
    mine = signed_in(therapist).get(url("notes", patient_record.id)).content.decode()
    assert edit in mine and dismiss in mine
    assert "Written by Bob" not in mine
    theirs = signed_in(coordinator).get(url("notes", patient_record.id)).content.decode()
    assert edit not in theirs and dismiss not in theirs
    assert "Written by Bob. Only they can change it or dismiss its suggestions." in theirs
    assert "<mark>claims</mark>" in theirs and "Casting doubt on the patient" in theirs  # the advice is still shown
    page = signed_in(coordinator).get(edit).content.decode()
    assert "Only the author can change a note" in page and 'name="text"' not in page


def test_someone_else_cannot_change_the_note_or_dismiss_its_suggestion(patient_record, coordinator, note):
    suggestion = open_suggestion(note)
    client = signed_in(coordinator)
    edit = client.post(
        url("edit_note", patient_record.id, note.id), {"text": NEUTRAL, "version": note.version, "reason": "Mine now"}
    )
    assert edit.status_code == 200
    dismissed = client.post(url("dismiss_note_suggestion", patient_record.id, note.id, suggestion.id))
    assert dismissed.status_code == 302
    note.refresh_from_db()
    suggestion.refresh_from_db()
    assert note.text == DOUBTING and note.version == 1 and suggestion.dismissed_at is None


def test_a_changed_note_says_who_changed_it_and_keeps_its_earlier_versions(patient_record, therapist, note):
    client = signed_in(therapist)
    edit = url("edit_note", patient_record.id, note.id)
    client.post(edit, {"text": NEUTRAL, "version": 1, "reason": "Neutral wording"})
    client.post(edit, {"text": NEUTRAL + " Better since.", "version": 2, "reason": "Added progress"})
    page = client.get(url("notes", patient_record.id)).content.decode()
    assert "changed by Bob on" in page
    details = page.split('<details class="versions-earlier">')[1].split("</details>")[0]
    assert "Earlier versions (2)" in details
    assert details.index("Version 2") < details.index("Version 1")  # newest first
    assert NEUTRAL in details and DOUBTING in details and "Neutral wording" in details
    assert NEUTRAL + " Better since." not in details  # the current wording is the note itself


def test_an_unchanged_note_shows_no_history(patient_record, therapist, note):
    page = signed_in(therapist).get(url("notes", patient_record.id)).content.decode()
    assert "versions-earlier" not in page and "changed by" not in page


def test_edit_links_name_the_note_they_edit(patient_record, therapist, note):
    page = signed_in(therapist).get(url("notes", patient_record.id)).content.decode()
    assert re.search(
        r'Edit<span class="sr-only"> this note: Session note of \d{2} \w{3} \d{4}, \d{2}:\d{2}</span>', page
    )


def test_the_edit_page_shows_suggestions_without_dismiss_buttons(patient_record, therapist, note):
    suggestion = open_suggestion(note)
    page = signed_in(therapist).get(url("edit_note", patient_record.id, note.id)).content.decode()
    assert "<mark>claims</mark>" in page and "Casting doubt on the patient" in page
    assert url("dismiss_note_suggestion", patient_record.id, note.id, suggestion.id) not in page
    assert 'name="text"' in page


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
