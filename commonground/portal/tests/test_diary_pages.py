"""The patient's diary pages (issue 6, items 2, 4, 5, 6 and 7): filling in a day, check-ins, patterns, what the
team sees, reminders and the export."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from commonground.audit.models import AuditEvent
from commonground.diary import pacing, selectors, services
from commonground.diary.models import DiaryEntry, DiarySetUp
from commonground.diary.tests.support import set_up, today_for
from tests.personas import signed_in

pytestmark = pytest.mark.django_db


def typical_post(key: str = "") -> dict[str, Any]:
    """Six ratings, sleep and one activity: the typical entry, all taps."""
    data: dict[str, Any] = {
        "rating-pain": "4",
        "rating-fatigue": "6",
        "rating-energy": "3",
        "rating-mood": "5",
        "rating-stress": "7",
        "rating-ease": "4",
        "sleep_hours": "6.5",
        "sleep_quality": "5",
        "done-walking-the-dog": "on",
        "minutes-walking-the-dog": "30",
        "effort-walking-the-dog": "6",
    }
    if key:
        data["submission_key"] = key
    return data


@pytest.fixture
def diary(patient_record: Any, therapist: Any) -> Any:
    return set_up(patient_record, therapist)


def test_a_patient_without_a_diary_is_told_it_is_set_up_together(patient_user: Any, patient_record: Any) -> None:
    page = signed_in(patient_user).get("/portal/diary/")
    assert page.status_code == 200 and "not set up yet" in page.content.decode()


def test_the_patient_fills_in_today_and_sees_it(patient_user: Any, patient_record: Any, diary: Any) -> None:
    client = signed_in(patient_user)
    today = today_for(patient_record)
    form = client.get(f"/portal/diary/days/{today.isoformat()}/")
    assert form.status_code == 200 and "How is today going?" in form.content.decode()
    saved = client.post(f"/portal/diary/days/{today.isoformat()}/", typical_post())
    assert saved.status_code == 302
    entry = DiaryEntry.objects.get()
    assert entry.ratings["pain"] == 4 and entry.activities[0]["minutes"] == 30
    home = client.get("/portal/diary/").content.decode()
    assert "Filled in" in home and "Today&#39;s entry is saved" in home
    assert AuditEvent.objects.filter(object_type="diary_entry", action="create").exists()


def test_bad_input_comes_back_with_the_reason_and_saves_nothing(
    patient_user: Any, patient_record: Any, diary: Any
) -> None:
    today = today_for(patient_record).isoformat()
    data = typical_post() | {"minutes-walking-the-dog": ""}
    page = signed_in(patient_user).post(f"/portal/diary/days/{today}/", data)
    assert page.status_code == 400
    assert "say roughly how long it took" in page.content.decode()
    assert not DiaryEntry.objects.exists()
    odd = signed_in(patient_user).post(f"/portal/diary/days/{today}/", {"rating-pain": "11"})
    assert odd.status_code == 400 and not DiaryEntry.objects.exists()


@pytest.mark.parametrize("day", ["old", "tomorrow", "not-a-day", "2026-02-30", "compact", "9999-12-31"])
def test_only_today_and_the_last_three_days_are_pages(
    patient_user: Any, patient_record: Any, diary: Any, day: str
) -> None:
    today = today_for(patient_record)
    address = {
        "old": (today - timedelta(days=4)).isoformat(),
        "tomorrow": (today + timedelta(days=1)).isoformat(),
        "compact": today.strftime("%Y%m%d"),
    }.get(day, day)
    client = signed_in(patient_user)
    assert client.get(f"/portal/diary/days/{address}/").status_code == 404
    assert client.post(f"/portal/diary/days/{address}/", typical_post()).status_code == 404
    assert not DiaryEntry.objects.exists()


def test_changing_an_entry_keeps_one_entry_and_its_history(patient_user: Any, patient_record: Any, diary: Any) -> None:
    client = signed_in(patient_user)
    url = f"/portal/diary/days/{today_for(patient_record).isoformat()}/"
    client.post(url, typical_post())
    page = client.get(url).content.decode()
    assert 'name="expected_version" value="1"' in page and "changing the entry" in page
    client.post(url, typical_post() | {"rating-pain": "2", "expected_version": "1"})
    entry = DiaryEntry.objects.get()
    assert entry.ratings["pain"] == 2 and entry.history.count() == 2


def test_the_same_form_sent_twice_saves_one_entry_and_says_so_kindly(
    patient_user: Any, patient_record: Any, diary: Any
) -> None:
    client = signed_in(patient_user)
    url = f"/portal/diary/days/{today_for(patient_record).isoformat()}/"
    key = "3f0d4b7e-8f1e-4f55-9d7e-2a6a3c3b9f10"
    assert client.post(url, typical_post(key)).status_code == 302
    again = client.post(url, typical_post(key), follow=True).content.decode()
    assert DiaryEntry.objects.count() == 1
    assert "saved" in again and "changed somewhere else" not in again


def test_an_entry_made_in_another_window_meanwhile_loses_nothing(
    patient_user: Any, patient_record: Any, diary: Any
) -> None:
    client = signed_in(patient_user)
    url = f"/portal/diary/days/{today_for(patient_record).isoformat()}/"
    client.post(url, typical_post())  # the first window
    second = client.post(url, typical_post() | {"rating-pain": "8", "small_win": "Made soup"})
    page = second.content.decode()
    assert second.status_code == 409 and "saved in another window" in page
    assert 'value="Made soup"' in page and 'name="expected_version" value="1"' in page
    assert DiaryEntry.objects.get().ratings["pain"] == 4  # nothing replaced until the patient says so
    client.post(url, typical_post() | {"rating-pain": "8", "expected_version": "1"})
    assert DiaryEntry.objects.get().ratings["pain"] == 8


def test_a_check_in_is_saved(patient_user: Any, patient_record: Any, diary: Any) -> None:
    client = signed_in(patient_user)
    assert client.get("/portal/diary/check-in/").status_code == 200
    assert client.post("/portal/diary/check-in/", {"rating-pain": "7", "note": "after lunch"}).status_code == 302
    assert DiaryEntry.objects.get().kind == "check_in"


def test_sharing_is_the_patients_choice(patient_user: Any, patient_record: Any, diary: Any) -> None:
    client = signed_in(patient_user)
    page = client.post("/portal/diary/settings/sharing/", {"parts": ["ratings"], "expected_version": diary.version})
    assert page.status_code == 302
    assert selectors.team_parts(selectors.set_up_of(patient_record)) == {"ratings"}
    bad = client.post("/portal/diary/settings/sharing/", {"parts": ["everything"], "expected_version": 99})
    assert bad.status_code == 400


def test_reminder_settings_refuse_a_time_in_quiet_hours(patient_user: Any, patient_record: Any, diary: Any) -> None:
    client = signed_in(patient_user)
    data = {"remind": "on", "at": "22:30", "quiet_from": "21:00", "quiet_until": "08:00", "expected_version": 1}
    page = client.post("/portal/diary/settings/reminder/", data)
    assert page.status_code == 400 and "quiet hours" in page.content.decode()
    ok = client.post("/portal/diary/settings/reminder/", data | {"at": "19:00"})
    assert ok.status_code == 302
    assert str(selectors.set_up_of(patient_record).reminder_at) == "19:00:00"  # type: ignore[union-attr]


def test_the_export_is_a_tidy_csv_and_audited(patient_user: Any, patient_record: Any, diary: Any) -> None:
    client = signed_in(patient_user)
    today = today_for(patient_record).isoformat()
    client.post(f"/portal/diary/days/{today}/", typical_post())
    response = client.get("/portal/diary/export.csv")
    lines = response.content.decode().splitlines()
    assert response["Content-Type"].startswith("text/csv")
    assert lines[0].startswith("date,pain,fatigue,energy,mood,stress,ease,sleep_hours,sleep_quality,activity_load")
    assert lines[1].startswith(f"{today},4,6,3,5,7,4,6.5,5,18,")
    assert AuditEvent.objects.filter(object_type="diary", action="export").exists()


def test_the_patterns_page_says_how_many_days_are_needed(patient_user: Any, patient_record: Any, diary: Any) -> None:
    page = signed_in(patient_user).get("/portal/diary/patterns/").content.decode()
    assert "0 days in your diary so far" in page
    outcomes = "Ease of taking part in what matters to me: Playing with my grandchildren and Pain"
    assert f"go together with {outcomes}, on the same day" in page


def test_another_patient_cannot_reach_my_entry(
    patient_user: Any, other_patient_user: Any, patient_record: Any, diary: Any
) -> None:
    today = today_for(patient_record).isoformat()
    signed_in(patient_user).post(f"/portal/diary/days/{today}/", typical_post())
    entry = DiaryEntry.objects.get()
    other = signed_in(other_patient_user)
    assert other.post(f"/portal/diary/entries/{entry.id}/remove/", {"expected_version": 1}).status_code == 404
    assert other.get("/portal/diary/").status_code == 200  # their own (not set up) diary
    assert DiaryEntry.objects.current().count() == 1


def test_staff_cannot_open_the_patients_diary_pages(therapist: Any, diary: Any) -> None:
    assert signed_in(therapist).get("/portal/diary/").status_code == 404


def test_the_today_page_invites_the_days_entry_then_thanks(patient_user: Any, patient_record: Any, diary: Any) -> None:
    client = signed_in(patient_user)
    assert "A minute for today" in client.get("/portal/").content.decode()
    client.post(f"/portal/diary/days/{today_for(patient_record).isoformat()}/", typical_post())
    assert "Today's entry is filled in" in client.get("/portal/").content.decode()


def test_settings_changed_in_another_window_come_back_fresh(patient_user: Any, patient_record: Any, diary: Any) -> None:
    client = signed_in(patient_user)
    opened = diary.version
    client.post("/portal/diary/settings/sharing/", {"parts": ["ratings"], "expected_version": opened})
    stale = client.post("/portal/diary/settings/sharing/", {"parts": ["sleep"], "expected_version": opened})
    assert stale.status_code == 302
    page = client.get("/portal/diary/settings/").content.decode()
    assert "changed in another window" in page and f'name="expected_version" value="{opened + 1}"' in page
    assert selectors.team_parts(selectors.set_up_of(patient_record)) == {"ratings"}


def test_a_form_with_a_broken_hidden_field_says_what_to_do(patient_user: Any, patient_record: Any, diary: Any) -> None:
    client = signed_in(patient_user)
    url = f"/portal/diary/days/{today_for(patient_record).isoformat()}/"
    page = client.post(url, typical_post() | {"submission_key": "not-a-key"})
    assert page.status_code == 400 and "Something went wrong with this form" in page.content.decode()
    sharing = client.post("/portal/diary/settings/sharing/", {"parts": ["ratings"], "expected_version": "x"})
    assert sharing.status_code == 400 and "Something went wrong with this form" in sharing.content.decode()
    assert not DiaryEntry.objects.exists()


def test_errors_are_listed_at_the_top_with_links_to_their_fields(
    patient_user: Any, patient_record: Any, diary: Any
) -> None:
    url = f"/portal/diary/days/{today_for(patient_record).isoformat()}/"
    page = signed_in(patient_user).post(url, typical_post() | {"effort-walking-the-dog": ""}).content.decode()
    summary = page.split('id="error-summary"')[1].split("</div>")[0]
    assert 'href="#field-minutes-walking-the-dog"' in summary and "how hard it felt" in summary
    assert 'id="field-minutes-walking-the-dog"' in page


def test_the_entry_page_says_what_the_team_sees(patient_user: Any, patient_record: Any, diary: Any) -> None:
    url = f"/portal/diary/days/{today_for(patient_record).isoformat()}/"
    page = signed_in(patient_user).get(url).content.decode()
    small_win = page.split('id="field-small_win"')[1].split("</section>")[0][:1500]
    assert "Only you see this." in small_win  # small wins stay private until the patient shares them
    ratings = page.split('id="ratings-heading"')[1][:400]
    assert "Your care team sees this." in ratings


def test_todays_check_ins_are_listed_and_can_be_removed(patient_user: Any, patient_record: Any, diary: Any) -> None:
    client = signed_in(patient_user)
    client.post("/portal/diary/check-in/", {"rating-pain": "7"})
    home = client.get("/portal/diary/").content.decode()
    assert "Today&#39;s check-ins" in home or "Today's check-ins" in home
    check_in = DiaryEntry.objects.get()
    assert client.post(f"/portal/diary/entries/{check_in.id}/remove/", {"expected_version": 1}).status_code == 302
    assert not DiaryEntry.objects.current().exists()


def test_a_check_in_needs_a_rating_and_takes_nothing_else(patient_user: Any, patient_record: Any, diary: Any) -> None:
    client = signed_in(patient_user)
    page = client.post("/portal/diary/check-in/", {"note": "just a note"})
    assert page.status_code == 400 and "at least one rating" in page.content.decode()
    assert not DiaryEntry.objects.exists()


def test_the_entry_offers_durations_and_hours_of_sleep_in_words(
    patient_user: Any, patient_record: Any, diary: Any
) -> None:
    client = signed_in(patient_user)
    address = f"/portal/diary/days/{today_for(patient_record).isoformat()}/"
    for _ in range(2):  # the words are made once per language: the second page offers the same
        page = client.get(address).content.decode()
        for value, words in [("10", "10 minutes"), ("45", "45 minutes"), ("60", "1 hour"), ("90", "1½ hours")]:
            assert f'<option value="{value}">{words}</option>' in page
        assert '<option value="180">3 hours</option>' in page
        assert '<option value="6.5">6½</option>' in page and '<option value="0.0">0</option>' in page
        assert '<option value="0.5">½</option>' in page
        assert '<option value="" selected>How long?</option>' in page


def test_while_the_baseline_is_read_the_home_page_says_from_when_days_compare(
    patient_user: Any, patient_record: Any, diary: Any
) -> None:
    today = today_for(patient_record)
    first = today - timedelta(days=5)
    DiarySetUp.objects.filter(pk=diary.pk).update(started_on=first)
    for back in range(6):  # six complete days: the baseline is found, its two weeks run on
        DiaryEntry.objects.create(
            patient=patient_record,
            organisation_id=patient_record.organisation_id,
            made_with=diary.current,
            day=first + timedelta(days=back),
            recorded_at=timezone.now(),
            ratings={"pain": 4, "fatigue": 5},
            activities=[{"key": "walking-the-dog", "planned": False, "done": True, "minutes": 30, "effort": 5}],
        )
    page = signed_in(patient_user).get("/portal/diary/").content.decode()
    compares_from = first + timedelta(days=pacing.BASELINE_DAYS)
    assert "We are still learning what a usual day is for you." in page
    assert (
        f"From {compares_from:%A} {compares_from.day} {compares_from:%B}, you will see how each day compares." in page
    )
    assert "0 more days" not in page


def test_a_time_without_the_done_tick_is_asked_about_not_counted_as_nothing(
    patient_user: Any, patient_record: Any, diary: Any
) -> None:
    data = typical_post()
    del data["done-walking-the-dog"]
    page = signed_in(patient_user).post(f"/portal/diary/days/{today_for(patient_record).isoformat()}/", data)
    assert page.status_code == 400
    body = page.content.decode()
    assert "tick Done if you did it" in body
    assert 'href="#field-minutes-walking-the-dog"' in body and 'id="field-minutes-walking-the-dog"' in body
    beside = body.split('id="field-minutes-walking-the-dog"')[1].split("</fieldset>")[0]
    assert "tick Done if you did it" in beside  # beside the activity, not only at the top
    assert not DiaryEntry.objects.exists()


def test_the_check_in_says_who_sees_its_ratings_and_its_note(
    patient_user: Any, patient_record: Any, diary: Any
) -> None:
    client = signed_in(patient_user)
    page = client.get("/portal/diary/check-in/").content.decode()
    ratings, note = page.split('name="note"')[0], page.split("Save my check-in")[0]
    assert ratings.index("Your care team sees this.") < ratings.index('name="rating-pain"')  # ratings: shared
    assert "Only you see this." in note.split('name="rating-')[-1]  # the note: private by default
    services.set_sharing(patient_record, parts=["notes"], expected_version=diary.version)
    page = client.get("/portal/diary/check-in/").content.decode()
    assert page.split('name="rating-pain"')[0].count("Only you see this.") == 1
    assert "Your care team sees this." in page.split('name="rating-')[-1].split('name="note"')[0]


def test_on_the_entry_each_notice_comes_before_what_it_is_about(
    patient_user: Any, patient_record: Any, diary: Any
) -> None:
    page = signed_in(patient_user).get(f"/portal/diary/days/{today_for(patient_record).isoformat()}/").content.decode()
    before_win = page.split('name="small_win"')[0].rsplit("seen-by", 1)[1]
    before_note = page.split('name="note"')[0].rsplit("seen-by", 1)[1]
    assert "Only you see this." in before_win and "Only you see this." in before_note  # private by default
    before_practice = page.split('name="practice"')[0].rsplit("seen-by", 1)[1]
    assert "Your care team sees this." in before_practice


def test_the_settings_page_gives_each_control_its_own_id_and_asks_plainly_for_quiet_hours(
    patient_user: Any, patient_record: Any, diary: Any
) -> None:
    import re

    client = signed_in(patient_user)
    page = client.get("/portal/diary/settings/").content.decode()
    ids = re.findall(r' id="([^"]+)"', page)
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})
    for name in ("at", "quiet_from", "quiet_until"):
        assert f'<label for="reminder_{name}">' in page and f'id="reminder_{name}"' in page
    refused = client.post(
        "/portal/diary/settings/reminder/", {"quiet_from": "", "quiet_until": "", "expected_version": diary.version}
    )
    assert refused.status_code == 400
    assert "Please choose the quiet hours" in refused.content.decode()
    assert "This field is required" not in refused.content.decode()
