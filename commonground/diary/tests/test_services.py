"""The diary's set-up, entries, check-ins and sharing (issue 6, items 1, 2 and 6)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import pytest

from commonground.audit.models import AuditEvent
from commonground.diary import definitions, selectors, services
from commonground.diary.choices import EntryKind, Part
from commonground.diary.entries import Activity, EntryValues
from commonground.diary.models import DiaryEntry, DiaryVersion
from commonground.diary.tests.support import set_up, today_for
from commonground.kit.errors import DomainError, StaleEdit

pytestmark = pytest.mark.django_db


def test_starting_a_diary_saves_version_one_and_audits_it(patient_record: Any, therapist: Any) -> None:
    diary = set_up(patient_record, therapist)
    assert diary.current is not None and diary.current.number == 1
    assert selectors.definition_of(selectors.set_up_of(patient_record)).rating_keys == [  # type: ignore[union-attr]
        "pain",
        "fatigue",
        "energy",
        "mood",
        "stress",
        "ease",
    ]
    assert AuditEvent.objects.filter(object_type="diary_set_up", action="create").count() == 1


def test_a_changed_set_up_is_a_new_version_and_old_entries_keep_their_meaning(
    patient_record: Any, therapist: Any
) -> None:
    diary = set_up(patient_record, therapist)
    entry = services.record_entry(
        patient_record, day=today_for(patient_record), values=EntryValues(ratings={"pain": 4, "fatigue": 6})
    )
    changed = set_up(patient_record, therapist, symptoms=["pain"], own_symptoms=["Jaw ache"])
    assert changed.current.number == 2  # type: ignore[union-attr]
    assert set(DiaryVersion.objects.values_list("number", flat=True)) == {1, 2}
    entry.refresh_from_db()
    assert entry.made_with.number == 1
    table = selectors.diary_table(patient_record)
    keys = [column.key for column in table.columns]
    assert "fatigue" in keys and "own-jaw-ache" in keys  # the old variable stays, the new one joins
    assert table.rows[entry.day]["fatigue"] == 6.0
    assert diary.id == changed.id


def test_an_unchanged_set_up_saves_no_new_version(patient_record: Any, therapist: Any) -> None:
    set_up(patient_record, therapist)
    set_up(patient_record, therapist)
    assert DiaryVersion.objects.count() == 1


def test_a_colleagues_change_in_between_is_a_stale_edit(patient_record: Any, therapist: Any) -> None:
    diary = set_up(patient_record, therapist)
    opened = diary.current.number  # type: ignore[union-attr]
    set_up(patient_record, therapist, symptoms=["pain"])
    with pytest.raises(StaleEdit):
        services.set_up_diary(
            patient_record,
            definition=definitions.build(symptoms=["fatigue"]),
            by=therapist,
            expected_version=opened,
        )
    with pytest.raises(StaleEdit):  # a second "start the diary" after the first
        services.set_up_diary(
            patient_record, definition=definitions.build(symptoms=["fatigue"]), by=therapist, expected_version=0
        )


def test_the_patients_own_settings_never_clash_with_a_set_up_change(patient_record: Any, therapist: Any) -> None:
    diary = set_up(patient_record, therapist)
    opened, settings_version = diary.current.number, diary.version  # type: ignore[union-attr]
    services.set_reminder(
        patient_record, at=time(19), quiet_from=time(21), quiet_until=time(8), expected_version=settings_version
    )
    changed = services.set_up_diary(
        patient_record, definition=definitions.build(symptoms=["pain"]), by=therapist, expected_version=opened
    )
    assert changed.current.number == 2  # type: ignore[union-attr]
    services.set_sharing(patient_record, parts=["ratings"], expected_version=settings_version + 1)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"symptoms": [], "scales": []}, "symptoms"),
        ({"symptoms": ["toothache"]}, "symptoms"),
        ({"valued_activity": ""}, "valued_activity"),
        ({"activities": ["x" * 81]}, "activities"),
        ({"activities": [f"Activity {n}" for n in range(21)]}, "activities"),
        ({"own_symptoms": ["!!!"]}, "own_symptoms"),
        ({"pacing_symptom": "dizziness"}, "pacing_symptom"),
        ({"outcomes": ["shoe size"]}, "outcomes"),
    ],
)
def test_a_set_up_that_cannot_work_is_refused_with_its_reason(changes: dict[str, Any], field: str) -> None:
    from commonground.diary.tests.support import typical_definition

    with pytest.raises(definitions.InvalidSetUp) as refused:
        typical_definition(**changes)
    assert refused.value.field == field and refused.value.reason


def test_a_typical_entry_is_saved_with_its_activity_and_audited(patient_record: Any, therapist: Any) -> None:
    set_up(patient_record, therapist)
    values = EntryValues(
        ratings={"pain": 4, "fatigue": 6, "energy": 3, "mood": 5, "stress": 7, "ease": 4},
        sleep_hours=Decimal("6.5"),
        sleep_quality=5,
        activities=(Activity("walking-the-dog", planned=True, done=True, minutes=30, effort=6),),
        practice=("stretching-in-the-morning",),
        triggers=("a-late-night",),
        small_win="Walked to the corner shop",
    )
    entry = services.record_entry(patient_record, day=today_for(patient_record), values=values)
    assert entry.kind == EntryKind.DAILY and not entry.late
    row = selectors.diary_table(patient_record).rows[entry.day]
    assert row["activity_load"] == 18.0  # 30 minutes × effort 6 ÷ 10
    assert row["practice_done"] == 1.0 and row["trigger:a-late-night"] == 1.0 and row["sleep_hours"] == 6.5
    assert AuditEvent.objects.filter(object_type="diary_entry", object_id=str(entry.id), action="create").exists()


@pytest.mark.parametrize(
    ("values", "field"),
    [
        (EntryValues(ratings={"pain": 11}), "pain"),
        (EntryValues(ratings={"pain": -1}), "pain"),
        (EntryValues(ratings={"dizziness": 3}), "ratings"),
        (EntryValues(sleep_hours=Decimal("6.3")), "sleep_hours"),
        (EntryValues(sleep_hours=Decimal(15)), "sleep_hours"),
        (EntryValues(sleep_quality=12), "sleep_quality"),
        (EntryValues(activities=(Activity("swimming", done=True, minutes=30, effort=3),)), "activities"),
        (EntryValues(activities=(Activity("gardening", done=True, minutes=30),)), "minutes-gardening"),
        (EntryValues(activities=(Activity("gardening", done=True, minutes=7, effort=2),)), "minutes-gardening"),
        (EntryValues(activities=(Activity("gardening", minutes=30, effort=4),)), "minutes-gardening"),
        (EntryValues(activities=(Activity("gardening", planned=True, effort=4),)), "minutes-gardening"),
        (EntryValues(practice=("plan:nothing",)), "practice"),
        (EntryValues(triggers=("coffee",)), "triggers"),
        (EntryValues(), None),
    ],
)
def test_bad_input_is_refused_with_a_clear_message_and_saves_nothing(
    patient_record: Any, therapist: Any, values: EntryValues, field: str | None
) -> None:
    set_up(patient_record, therapist)
    with pytest.raises(DomainError) as refused:
        services.record_entry(patient_record, day=today_for(patient_record), values=values)
    assert refused.value.field == field and refused.value.message
    assert not DiaryEntry.objects.exists()


def test_one_daily_entry_a_day_and_the_same_form_twice_saves_once(patient_record: Any, therapist: Any) -> None:
    set_up(patient_record, therapist)
    key = uuid.uuid4()
    today = today_for(patient_record)
    first = services.record_entry(
        patient_record, day=today, values=EntryValues(ratings={"pain": 3}), submission_key=key
    )
    again = services.record_entry(
        patient_record, day=today, values=EntryValues(ratings={"pain": 3}), submission_key=key
    )
    assert again.id == first.id
    with pytest.raises(DomainError, match="already an entry"):
        services.record_entry(patient_record, day=today, values=EntryValues(ratings={"pain": 5}))
    assert DiaryEntry.objects.count() == 1


def test_the_last_three_days_can_be_filled_in_late_and_are_marked(patient_record: Any, therapist: Any) -> None:
    set_up(patient_record, therapist)
    today = today_for(patient_record)
    late = services.record_entry(patient_record, day=today - timedelta(days=3), values=EntryValues(ratings={"pain": 2}))
    assert late.late
    with pytest.raises(DomainError, match="last three days"):
        services.record_entry(patient_record, day=today - timedelta(days=4), values=EntryValues(ratings={"pain": 2}))
    with pytest.raises(DomainError, match="not come yet"):
        services.record_entry(patient_record, day=today + timedelta(days=1), values=EntryValues(ratings={"pain": 2}))


def test_edits_are_versioned_and_the_earlier_version_is_kept(patient_record: Any, therapist: Any) -> None:
    set_up(patient_record, therapist)
    entry = services.record_entry(
        patient_record, day=today_for(patient_record), values=EntryValues(ratings={"pain": 3})
    )
    edited = services.edit_entry(entry, values=EntryValues(ratings={"pain": 6}), expected_version=1)
    assert edited.version == 2 and edited.ratings == {"pain": 6}
    assert [h.ratings for h in entry.history.order_by("history_date")] == [{"pain": 3}, {"pain": 6}]
    with pytest.raises(StaleEdit):
        services.edit_entry(entry, values=EntryValues(ratings={"pain": 1}), expected_version=1)


def test_check_ins_are_averaged_into_their_day(patient_record: Any, therapist: Any) -> None:
    set_up(patient_record, therapist)
    today = today_for(patient_record)
    services.record_entry(patient_record, day=today, values=EntryValues(ratings={"pain": 2}, sleep_hours=Decimal(7)))
    services.record_check_in(patient_record, values=EntryValues(ratings={"pain": 6, "mood": 4}))
    row = selectors.diary_table(patient_record).rows[today]
    assert row["pain"] == 4.0 and row["mood"] == 4.0 and row["sleep_hours"] == 7.0
    assert row["practice_done"] == 0.0  # the check-in asked no practice: it does not dilute the day's
    with pytest.raises(DomainError, match="ratings and a note only"):
        services.record_check_in(patient_record, values=EntryValues(sleep_hours=Decimal(7)))


def test_an_entry_removed_in_error_leaves_every_view(patient_record: Any, therapist: Any) -> None:
    set_up(patient_record, therapist)
    entry = services.record_entry(
        patient_record, day=today_for(patient_record), values=EntryValues(ratings={"pain": 3})
    )
    services.remove_entry(entry, expected_version=1)
    assert selectors.diary_table(patient_record).rows == {}
    again = services.record_entry(patient_record, day=entry.day, values=EntryValues(ratings={"pain": 4}))
    assert again.id != entry.id  # the day is free again


def test_the_team_sees_only_the_parts_the_patient_shares(patient_record: Any, therapist: Any) -> None:
    diary = set_up(patient_record, therapist)
    services.record_entry(
        patient_record,
        day=today_for(patient_record),
        values=EntryValues(ratings={"pain": 3}, sleep_hours=Decimal(8), note="private words"),
    )
    diary = services.set_sharing(patient_record, parts=[Part.SLEEP], expected_version=diary.version)
    parts = selectors.team_parts(diary)
    table = selectors.diary_table(patient_record, parts=parts)
    assert [column.key for column in table.columns] == ["sleep_hours", "sleep_quality"]
    assert next(iter(table.rows.values())) == {"sleep_hours": 8.0, "sleep_quality": None}
    with pytest.raises(DomainError):
        services.set_sharing(patient_record, parts=["everything"], expected_version=diary.version)


def test_a_reminder_time_inside_quiet_hours_is_refused(patient_record: Any, therapist: Any) -> None:
    diary = set_up(patient_record, therapist)
    with pytest.raises(DomainError, match="quiet hours"):
        services.set_reminder(
            patient_record, at=time(22, 30), quiet_from=time(21), quiet_until=time(8), expected_version=diary.version
        )
    saved = services.set_reminder(
        patient_record, at=time(19, 0), quiet_from=time(21), quiet_until=time(8), expected_version=diary.version
    )
    assert saved.reminder_at == time(19, 0)


@pytest.mark.parametrize(
    ("moment", "quiet"),
    [(time(20, 59), False), (time(21, 0), True), (time(23, 59), True), (time(0, 0), True), (time(8, 0), False)],
)
def test_quiet_hours_run_past_midnight(moment: time, quiet: bool) -> None:
    assert services.in_quiet_hours(moment, time(21), time(8)) is quiet
    assert services.in_quiet_hours(moment, time(13), time(13)) is False


def test_the_day_is_the_patients_own(patient_record: Any, therapist: Any) -> None:
    """At 23:30 UTC it is already tomorrow in Amsterdam: 'today' is the patient's calendar day."""
    from commonground.kit import clock

    set_up(patient_record, therapist)
    with clock.pinned(datetime(2026, 3, 9, 23, 30, tzinfo=UTC)):
        entry = services.record_entry(
            patient_record, day=today_for(patient_record), values=EntryValues(ratings={"pain": 3})
        )
    assert entry.day.isoformat() == "2026-03-10"


def test_pacing_steps_are_checked(patient_record: Any, therapist: Any) -> None:
    today = today_for(patient_record)
    step = services.add_pacing_step(
        patient_record, starts_on=today, daily_load=40, note="Walk a bit more", by=therapist
    )
    assert selectors.planned_load([step], [today, today - timedelta(days=1)]) == {today: 40.0}
    with pytest.raises(DomainError):
        services.add_pacing_step(patient_record, starts_on=today, daily_load=0, note="", by=therapist)


@pytest.mark.parametrize(
    ("words", "key"),
    [("Walking the dog", "walking-the-dog"), ("Café with Ana", "cafe-with-ana"), ("المشي مع الكلب", "المشي-مع-الكلب")],
)
def test_items_in_any_script_get_a_key_from_their_words(words: str, key: str) -> None:
    from commonground.diary.tests.support import typical_definition

    definition = typical_definition(activities=[words])
    assert [item.key for item in definition.activities] == [key]


def test_two_items_too_alike_to_keep_apart_are_refused() -> None:
    from commonground.diary.tests.support import typical_definition

    with pytest.raises(definitions.InvalidSetUp, match="too alike"):
        typical_definition(activities=["Walking, the dog", "Walking the dog!"])
    same = typical_definition(activities=["Walking the dog", "walking the dog"])
    assert len(same.activities) == 1  # the same words twice are one activity
