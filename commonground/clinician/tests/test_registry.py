"""The coordinator's caseload registry page (issue 4 item 8): rows, flags, search, filter, sort, access, audit."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse

from commonground.audit.models import AuditEvent
from commonground.careteam import services as team_services
from commonground.coordination.choices import ReviewReason
from commonground.coordination.models import CaseReviewFlag
from commonground.kit import clock
from commonground.measures import services as measure_services
from commonground.measures.models import RegistrySettings
from commonground.measures.tests.support import answers_with_total, get
from commonground.patients import services as patient_services
from tests.personas import make_patient, signed_in

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}


def today() -> Any:
    return clock.local_date(clock.now(), "Europe/Amsterdam")


def in_care(patient: Any, weeks: int) -> Any:
    patient_services.open_episode(patient, started_on=today() - timedelta(weeks=weeks))
    return patient


def answered(patient: Any, by: Any, instrument: str, total: int, *, weeks_ago: int, **items: Any) -> None:
    """A paper form entered by staff, adding up to `total` (items given by number override)."""
    definition = get(instrument)
    answers = dict(
        zip([item.id for item in definition.scored_items], answers_with_total(definition, total), strict=True)
    )
    answers.update({number.removeprefix("item"): value for number, value in items.items()})
    measure_services.enter_response(
        patient,
        instrument_id=instrument,
        answers=answers,
        entered_by=by,
        submission_key=uuid.uuid4(),
        completed_on=clock.now() - timedelta(weeks=weeks_ago, hours=1),
    )


def registry(client: Any, data: dict[str, Any] | None = None, **headers: Any) -> str:
    url = reverse("clinician:registry")
    response = client.post(url, data, **headers) if data is not None else client.get(url, **headers)
    assert response.status_code == 200
    return response.content.decode()


def row_of(page: str, name: str) -> str:
    found = re.search(r"<tr>\s*<th scope=\"row\">(?:(?!</tr>).)*?" + re.escape(name) + r".*?</tr>", page, re.S)
    assert found, f"no row for {name}"
    return found.group(0)


def names(page: str) -> list[str]:
    return re.findall(r"<th scope=\"row\"><a href=\"[^\"]*\">([^<]+)</a>", page)


# --- what a row shows ---------------------------------------------------------------------------------------


def test_a_row_shows_first_and_latest_score_change_and_its_class(patient_record, coordinator):
    in_care(patient_record, 12)
    answered(patient_record, coordinator, "phq9", 18, weeks_ago=11)
    answered(patient_record, coordinator, "phq9", 12, weeks_ago=6)
    answered(patient_record, coordinator, "phq9", 9, weeks_ago=1)
    row = row_of(registry(signed_in(coordinator)), "Lovelace, Ada")
    assert '18 <span aria-hidden="true">→</span>' in row and ' 9<br><span class="muted">Mild</span></td>' in row
    assert "-50 %" in row
    assert "reliable improvement" in row  # 9 points > 5.06 (PHQ-9: SD 5.5, r 0.89)
    assert "<td>12</td>" in row  # weeks in care
    assert patient_record.record_number in row


def test_the_name_links_to_the_patients_measures(patient_record, coordinator):
    page = registry(signed_in(coordinator))
    expected = reverse("clinician:measures", args=[patient_record.id])
    assert f'href="{expected}">Lovelace, Ada</a>' in page


def test_percent_change_is_a_dash_when_the_first_score_is_zero(patient_record, coordinator):
    answered(patient_record, coordinator, "gad7", 0, weeks_ago=8)
    answered(patient_record, coordinator, "gad7", 3, weeks_ago=1)
    row = row_of(registry(signed_in(coordinator)), "Lovelace, Ada")
    assert '<span class="nowrap">—</span>' in row


def test_a_key_questionnaire_never_answered_says_none_yet(patient_record, coordinator):
    row = row_of(registry(signed_in(coordinator)), "Lovelace, Ada")
    assert row.count("none yet") == 5  # PHQ-15, SSS-8, PHQ-9, GAD-7, WSAS


# --- flags ---------------------------------------------------------------------------------------------------------


def test_no_improvement_after_ten_weeks_is_flagged_not_improving(patient_record, coordinator):
    in_care(patient_record, 11)
    answered(patient_record, coordinator, "phq15", 16, weeks_ago=10)
    answered(patient_record, coordinator, "phq15", 15, weeks_ago=1)
    row = row_of(registry(signed_in(coordinator)), "Lovelace, Ada")
    assert 'class="flag flag-not_improving">Not improving<' in row


def test_the_clinic_sets_the_weeks_and_percent_of_not_improving(patient_record, coordinator, clinic):
    RegistrySettings.objects.create(organisation=clinic, not_improving_weeks=4, not_improving_percent=10)
    in_care(patient_record, 5)
    answered(patient_record, coordinator, "phq15", 16, weeks_ago=4)
    answered(patient_record, coordinator, "phq15", 15, weeks_ago=1)  # 6 % better: less than 10 %
    page = registry(signed_in(coordinator))
    assert 'flag-not_improving">Not improving' in row_of(page, "Lovelace, Ada")
    assert "in care for 4 weeks or more" in page and "less than 10 % improvement" in page


def test_reliable_deterioration_is_flagged(patient_record, coordinator):
    answered(patient_record, coordinator, "gad7", 4, weeks_ago=6)
    answered(patient_record, coordinator, "gad7", 12, weeks_ago=1)
    row = row_of(registry(signed_in(coordinator)), "Lovelace, Ada")
    assert 'flag-deteriorated">Deteriorated' in row and "reliable deterioration" in row


def test_a_positive_item9_is_flagged_critical_item_with_its_open_alert(patient_record, coordinator):
    answered(patient_record, coordinator, "phq9", 12, weeks_ago=0, item9=1)
    row = row_of(registry(signed_in(coordinator)), "Lovelace, Ada")
    assert 'flag-critical_item">Critical item' in row
    assert "(1 urgent)" in row


def test_an_overdue_questionnaire_is_flagged_overdue(patient_record, coordinator):
    measure_services.request_measure(
        patient_record, instrument_id="phq15", by=coordinator, due_on=today() - timedelta(days=10)
    )
    measure_services.request_measure(patient_record, instrument_id="gad7", by=coordinator, due_on=today())
    row = row_of(registry(signed_in(coordinator)), "Lovelace, Ada")
    assert "1 due, <strong>1 overdue</strong>" in row
    assert 'flag-overdue">Measures overdue' in row


def test_flags_are_counted_and_filtered(patient_record, other_patient_record, coordinator):
    measure_services.request_measure(
        patient_record, instrument_id="phq15", by=coordinator, due_on=today() - timedelta(days=10)
    )
    client = signed_in(coordinator)
    assert names(registry(client)) == ["Lovelace, Ada", "Hopper, Grace"]  # most flags first, then by name
    page = registry(client, {"q": "", "coordinating": "on", "flag": "overdue"})
    assert names(page) == ["Lovelace, Ada"]
    assert "Measures overdue</span>: 1" in page
    assert names(registry(client, {"q": "", "coordinating": "on", "flag": "any"})) == ["Lovelace, Ada"]
    assert names(registry(client, {"q": "", "coordinating": "on", "flag": "critical_item"})) == []


# --- search, the coordinating filter, sorting ---------------------------------------------------------------------


def test_search_is_posted_and_narrows_the_rows(patient_record, other_patient_record, coordinator):
    client = signed_in(coordinator)
    page = registry(client, {"q": "hop", "coordinating": "on"})
    assert names(page) == ["Hopper, Grace"]
    assert names(registry(client, {"q": other_patient_record.record_number, "coordinating": "on"})) == ["Hopper, Grace"]
    assert 'method="post"' in page and "hop" not in reverse("clinician:registry")


def test_a_search_in_the_query_string_is_ignored(patient_record, other_patient_record, coordinator):
    page = signed_in(coordinator).get(reverse("clinician:registry") + "?q=hop").content.decode()
    assert set(names(page)) == {"Hopper, Grace", "Lovelace, Ada"}


def test_htmx_gets_only_the_rows_and_the_full_page_works_without_javascript(patient_record, coordinator):
    client = signed_in(coordinator)
    partial = registry(client, {"q": "love", "coordinating": "on"}, **HX)
    assert "<h1>" not in partial and "Lovelace, Ada" in partial
    full = registry(client, {"q": "love", "coordinating": "on"})
    assert "<h1>Caseload registry</h1>" in full and 'id="registry-filters"' in full and "Lovelace, Ada" in full


def test_coordinators_see_the_patients_they_coordinate_by_default(clinic, coordinator, therapist, patient_record):
    theirs = make_patient(clinic, therapist, given="Tom", family="Thumb")  # bob coordinates; alice is a member
    team_services.add_member(theirs, staff=coordinator)
    client = signed_in(coordinator)
    assert names(registry(client)) == ["Lovelace, Ada"]
    assert 'id="id_coordinating" checked' in registry(client)
    assert set(names(registry(client, {"q": "", "flag": ""}))) == {"Lovelace, Ada", "Thumb, Tom"}


def test_other_clinicians_see_their_whole_caseload_by_default(clinic, coordinator, therapist, patient_record):
    assert names(registry(signed_in(therapist))) == ["Lovelace, Ada"]


def test_sorting_by_a_column_and_again_reverses_it(clinic, coordinator, patient_record, other_patient_record):
    answered(patient_record, coordinator, "phq9", 20, weeks_ago=3)
    answered(other_patient_record, coordinator, "phq9", 5, weeks_ago=3)
    client = signed_in(coordinator)
    page = registry(client, {"coordinating": "on", "sort": "flags", "direction": "desc", "sort_by": "phq9_latest"})
    assert names(page) == ["Lovelace, Ada", "Hopper, Grace"]  # highest latest PHQ-9 first
    assert (
        '<th scope="col" aria-sort="descending"><button type="submit" form="registry-filters" name="sort_by" '
        + ('value="phq9_latest"')
        in page
    )
    again = registry(
        client, {"coordinating": "on", "sort": "phq9_latest", "direction": "desc", "sort_by": "phq9_latest"}
    )
    assert names(again) == ["Hopper, Grace", "Lovelace, Ada"]
    assert 'aria-sort="ascending"' in again
    assert 'name="direction" value="asc"' in again
    by_name = registry(client, {"coordinating": "on", "sort_by": "name"})
    assert names(by_name) == ["Hopper, Grace", "Lovelace, Ada"]


def test_patients_without_the_sorted_figure_come_last(clinic, coordinator, patient_record, other_patient_record):
    answered(other_patient_record, coordinator, "phq9", 5, weeks_ago=3)
    client = signed_in(coordinator)
    for direction in ("asc", "desc"):
        page = registry(client, {"coordinating": "on", "sort": "phq9_latest", "direction": direction})
        assert names(page) == ["Hopper, Grace", "Lovelace, Ada"]


def test_an_unknown_sort_falls_back_to_flags(patient_record, coordinator):
    page = registry(signed_in(coordinator), {"coordinating": "on", "sort_by": "date_of_birth"})
    assert 'name="sort" value="flags"' in page


def test_the_table_is_labelled_scrolls_on_a_phone_and_says_its_flags_in_words(patient_record, coordinator):
    measure_services.request_measure(
        patient_record, instrument_id="phq15", by=coordinator, due_on=today() - timedelta(days=10)
    )
    page = registry(signed_in(coordinator))
    assert (
        '<div class="table-wrap registry-wrap" role="region" aria-labelledby="registry-caption" tabindex="0">' in page
    )
    assert '<caption id="registry-caption">1 patient</caption>' in page
    assert page.count('<th scope="col"') == 7 + 2 * 5
    assert '<span class="flag flag-overdue">Measures overdue</span>' in row_of(page, "Lovelace, Ada")


# --- flagging for case review ------------------------------------------------------------------------------------


def flag_url(patient: Any) -> str:
    return reverse("clinician:flag_for_case_review", args=[patient.id])


def test_each_row_offers_flagging_for_case_review_with_its_flags_as_reasons(patient_record, coordinator):
    measure_services.request_measure(
        patient_record, instrument_id="phq15", by=coordinator, due_on=today() - timedelta(days=10)
    )
    row = row_of(registry(signed_in(coordinator)), "Lovelace, Ada")
    url = flag_url(patient_record)
    assert f'action="{url}"' in row
    assert '<option value="overdue">' in row and '<option value="manual">' in row
    assert f'name="next" value="{reverse("clinician:registry")}"' in row


def test_flagging_from_the_registry_comes_back_to_it(patient_record, coordinator):
    url = flag_url(patient_record)
    client = signed_in(coordinator)
    response = client.post(url, {"reason": ReviewReason.MANUAL, "note": "", "next": reverse("clinician:registry")})
    assert response.status_code == 302 and response["Location"] == reverse("clinician:registry")
    assert CaseReviewFlag.objects.filter(patient=patient_record, status="open").exists()
    row = row_of(registry(client), "Lovelace, Ada")
    assert "On the case-review list" in row and "Raised by a team member" in row


# --- who may see it -------------------------------------------------------------------------------------------------


def test_a_patient_cannot_reach_the_registry(patient_user):
    assert signed_in(patient_user).get(reverse("clinician:registry")).status_code == 404


def test_staff_who_are_not_clinicians_cannot_reach_it(administrator, privacy_officer):
    for user in (administrator, privacy_officer):
        assert signed_in(user).get(reverse("clinician:registry")).status_code == 404


def test_staff_outside_the_care_team_see_no_patients(patient_record, outsider, foreign_clinician):
    for user in (outsider, foreign_clinician):
        page = registry(signed_in(user), {"q": "", "flag": ""})
        assert names(page) == [] and "Lovelace" not in page


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get(reverse("clinician:registry"))
    assert response.status_code == 302 and "sign-in" in response["Location"]


def test_each_patient_listed_is_audited_once(patient_record, other_patient_record, coordinator):
    before = AuditEvent.objects.filter(action="list").count()
    registry(signed_in(coordinator))
    listed = AuditEvent.objects.filter(action="list").order_by("-id")[:2]
    assert AuditEvent.objects.filter(action="list").count() == before + 2
    assert {event.patient_id for event in listed} == {patient_record.id, other_patient_record.id}


# --- home ---------------------------------------------------------------------------------------------------------


def test_coordinators_start_on_the_registry_and_other_clinicians_on_the_caseload(coordinator, therapist):
    assert signed_in(coordinator).get(reverse("home"))["Location"] == reverse("clinician:registry")
    assert signed_in(therapist).get(reverse("home"))["Location"] == reverse("clinician:caseload")


def test_a_hostile_name_is_escaped_exactly_once(clinic, coordinator):
    from tests.personas import make_patient

    patient = make_patient(clinic, coordinator, given="<b>Eve</b>", family="O'Brien & <script>x</script>")
    in_care(patient, 3)
    page = registry(signed_in(coordinator))
    assert "<script>x</script>" not in page and "<b>Eve</b>" not in page
    assert "O&#39;Brien &amp; &lt;script&gt;x&lt;/script&gt;, &lt;b&gt;Eve&lt;/b&gt;" in page
    assert "&amp;amp;" not in page and "&amp;lt;" not in page  # never escaped twice
