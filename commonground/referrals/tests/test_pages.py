"""The referrals pages: the chart tab, moves as buttons, the letter, the coordinator's list, the directory.
Happy paths, and denial for people outside the care team, other clinics and other roles."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from commonground.kit import clock
from commonground.referrals import services
from commonground.referrals.models import CommunityResource, FeedbackLetter, Referral, ReferralStep
from tests.personas import signed_in

pytestmark = pytest.mark.django_db

OUT = {"service": "psychology", "counterpart": "Praktijk Noord", "reason": "Worry about symptoms", "urgency": "routine"}


def tab(patient):
    return f"/clinician/patients/{patient.id}/referrals/"


def sent_referral(patient, by, when=None):
    with clock.pinned(when or datetime(2026, 1, 5, 9, tzinfo=UTC)):
        return services.create_outgoing(patient, details=OUT, by=by, send_now=True)


def test_the_tab_lists_referrals_with_only_the_allowed_moves(patient_record, therapist, coordinator):
    referral = sent_referral(patient_record, coordinator)
    page = signed_in(therapist).get(tab(patient_record))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Praktijk Noord" in html and "Worry about symptoms" in html
    assert 'value="received"' in html and 'value="withdrawn"' in html
    for never in ("accepted", "scheduled", "first_contact", "completed", "declined"):
        assert f'name="to_state" value="{never}"' not in html
    assert f"referral-{referral.id}" in html
    assert "Waiting longer than expected" in html  # psychology, sent in January 2026, still waiting


def test_a_referral_is_drafted_then_sent_and_moved_by_buttons(patient_record, therapist):
    client = signed_in(therapist)
    response = client.post(tab(patient_record) + "new/", OUT | {"resource_id": "", "send": "0"})
    assert response.status_code == 302
    referral = Referral.objects.get()
    assert referral.state == "draft"
    move = tab(patient_record) + f"{referral.id}/move/"
    assert client.post(move, {"to_state": "sent", "version": "1"}).status_code == 302
    # The same click again (the page not reloaded): a conflict, not a second move.
    again = client.post(move, {"to_state": "sent", "version": "1"})
    assert again.status_code == 409
    assert "now Sent" in again.content.decode()
    assert ReferralStep.objects.filter(referral=referral, to_state="sent").count() == 1
    # A move the machine does not allow is refused with the reason.
    refused = client.post(move, {"to_state": "completed", "version": "2"})
    assert refused.status_code == 400
    assert "it cannot become Completed" in refused.content.decode()
    assert Referral.objects.get().state == "sent"


def test_bad_input_is_shown_again_and_nothing_saved(patient_record, therapist):
    client = signed_in(therapist)
    response = client.post(tab(patient_record) + "new/", OUT | {"reason": ""})
    assert response.status_code == 400
    response = client.post(
        tab(patient_record) + "incoming/",
        {"counterpart": "Dr. J", "reason": "x", "referred_on": "2999-01-01", "urgency": "soon"},
    )
    assert response.status_code == 400
    assert "future" in response.content.decode()
    assert not Referral.objects.exists()


def test_an_incoming_referral_and_its_letter_to_the_gp(patient_record, therapist):
    client = signed_in(therapist)
    today = clock.now().date().isoformat()
    response = client.post(
        tab(patient_record) + "incoming/",
        {"counterpart": "Dr. Jansen", "referred_on": today, "reason": "Pain and fatigue", "urgency": "routine"},
    )
    assert response.status_code == 302
    referral = Referral.objects.get()
    assert referral.state == "received"
    move = tab(patient_record) + f"{referral.id}/move/"
    for version, target in enumerate(("accepted", "scheduled", "first_contact", "completed"), start=1):
        assert client.post(move, {"to_state": target, "version": str(version)}).status_code == 302
    letter_url = tab(patient_record) + f"{referral.id}/letter/"
    page = client.get(letter_url)
    assert page.status_code == 200 and "Dr. Jansen" in page.content.decode()
    saved = client.post(
        letter_url, {"recipient": "Dr. Jansen", "findings": "Central sensitisation", "plan": "CBT", "advice": ""}
    )
    assert saved.status_code == 302
    letter = FeedbackLetter.objects.get()
    assert not Referral.objects.get().loop_closed
    printed = client.get(letter_url + "print/")
    assert printed.status_code == 200 and "DRAFT" in printed.content.decode()
    closed = client.post(
        letter_url + "send/",
        {"version": str(letter.version), "recipient": "Dr. Jansen", "findings": "Central sensitisation", "plan": "CBT"},
    )
    assert closed.status_code == 302
    assert Referral.objects.get().loop_closed
    printed = client.get(letter_url + "print/").content.decode()
    assert "Central sensitisation" in printed and "DRAFT" not in printed


def test_a_stale_letter_edit_is_a_conflict(patient_record, therapist, coordinator):
    referral = sent_referral(patient_record, coordinator)
    for target in ("received", "declined"):
        referral = services.move(
            referral, to_state=target, expected_version=referral.version, by=coordinator, note="No capacity"
        )
    services.save_letter(referral, details={"findings": "A"}, by=coordinator)
    services.save_letter(referral, details={"findings": "B"}, by=coordinator, expected_version=1)
    url = tab(patient_record) + f"{referral.id}/letter/"
    response = signed_in(therapist).post(url, {"version": "1", "findings": "C"})
    assert response.status_code == 409
    assert FeedbackLetter.objects.get().findings == "B"


def test_the_coordinators_list_shows_open_referrals_waits_and_filters(
    patient_record, other_patient_record, coordinator
):
    late = sent_referral(patient_record, coordinator)
    done = sent_referral(other_patient_record, coordinator, when=clock.now() - timedelta(days=60))
    for target in ("received", "accepted", "scheduled", "first_contact", "completed"):
        done = services.move(done, to_state=target, expected_version=done.version, by=coordinator)
    client = signed_in(coordinator)
    page = client.get("/clinician/referrals/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Lovelace, Ada" in html and 'class="overdue"' in html
    assert "Loops still open" in html and "Hopper, Grace" in html  # completed, no letter
    assert "Median days" in html and '<td class="num">0</td>' in html and "0.0" not in html
    filtered = client.get("/clinician/referrals/?state=draft").content.decode()
    assert "Lovelace, Ada" not in filtered.split("waiting-heading")[1].split("owed-heading")[0]
    assert late.state == "sent"


def test_the_list_shows_only_patients_the_person_may_see(patient_record, coordinator, outsider, foreign_clinician):
    sent_referral(patient_record, coordinator)
    for person in (outsider, foreign_clinician):
        html = signed_in(person).get("/clinician/referrals/").content.decode()
        assert "Lovelace" not in html


def test_outsiders_and_other_clinics_get_404(patient_record, coordinator, outsider, foreign_clinician, foreign_patient):
    referral = sent_referral(patient_record, coordinator)
    urls = [
        tab(patient_record),
        tab(patient_record) + f"{referral.id}/letter/",
        tab(patient_record) + f"{referral.id}/letter/print/",
    ]
    for person in (outsider, foreign_clinician):
        client = signed_in(person)
        for url in urls:
            assert client.get(url).status_code == 404
        assert (
            client.post(
                tab(patient_record) + f"{referral.id}/move/", {"to_state": "received", "version": "2"}
            ).status_code
            == 404
        )
    assert Referral.objects.get().state == "sent"
    # A referral of one patient is not found under another patient's address.
    own = signed_in(foreign_clinician)
    assert own.get(tab(foreign_patient)).status_code == 200
    assert own.get(tab(foreign_patient) + f"{referral.id}/letter/").status_code == 404
    assert signed_in(coordinator).get(tab(foreign_patient)).status_code == 404


def test_the_directory_is_read_by_all_staff_and_kept_by_coordinators_and_administrators(
    coordinator, administrator, therapist, privacy_officer, patient_user
):
    coordinator_client = signed_in(coordinator)
    response = coordinator_client.post(
        "/clinician/referrals/directory/new/",
        {
            "name": "Walking group West",
            "kind": "exercise",
            "languages": "Dutch, Arabic",
            "cost": "free",
            "active": "on",
        },
    )
    assert response.status_code == 302
    resource = CommunityResource.objects.get()
    edit = f"/clinician/referrals/directory/{resource.id}/"
    assert (
        signed_in(administrator)
        .post(edit, {"version": "1", "name": "Walking group", "kind": "exercise", "cost": "free"})
        .status_code
        == 302
    )
    resource.refresh_from_db()
    assert resource.name == "Walking group" and not resource.active
    stale = coordinator_client.post(edit, {"version": "1", "name": "X", "kind": "exercise", "cost": "free"})
    assert stale.status_code == 409
    for reader in (therapist, privacy_officer, administrator, coordinator):
        page = signed_in(reader).get("/clinician/referrals/directory/?q=walk")
        assert page.status_code == 200 and "Walking group" in page.content.decode()
    for other in (therapist, privacy_officer):
        client = signed_in(other)
        assert client.get("/clinician/referrals/directory/new/").status_code == 404
        assert client.post(edit, {"version": "2", "name": "Hacked", "kind": "other", "cost": "free"}).status_code == 404
        assert "Change" not in client.get("/clinician/referrals/directory/").content.decode().split("<tbody>")[1]
    assert signed_in(patient_user).get("/clinician/referrals/directory/").status_code == 404
    resource.refresh_from_db()
    assert resource.name == "Walking group"


def test_another_clinics_directory_entry_is_not_found(coordinator, foreign_clinician):
    theirs = services.create_resource(
        organisation_id=foreign_clinician.organisation_id,
        details={"name": "Far away", "kind": "other"},
        by=foreign_clinician,
    )
    client = signed_in(coordinator)
    assert client.get(f"/clinician/referrals/directory/{theirs.id}/").status_code == 404
    assert "Far away" not in client.get("/clinician/referrals/directory/").content.decode()


def test_a_draft_is_changed_on_its_own_page(patient_record, therapist, coordinator, outsider):
    referral = services.create_outgoing(patient_record, details=OUT, by=coordinator)
    url = tab(patient_record) + f"{referral.id}/edit/"
    client = signed_in(therapist)
    page = client.get(url)
    assert page.status_code == 200 and "Worry about symptoms" in page.content.decode()
    posted = OUT | {"reason": "Worry and low mood", "resource_id": "", "version": "1"}
    assert client.post(url, posted).status_code == 302
    assert Referral.objects.get().reason == "Worry and low mood"
    stale = client.post(url, posted | {"reason": "Again"})
    assert stale.status_code == 409
    assert signed_in(outsider).post(url, posted | {"version": "2", "reason": "X"}).status_code == 404
    assert Referral.objects.get().reason == "Worry and low mood"


def test_declining_without_a_reason_is_refused_on_the_page(patient_record, therapist, coordinator):
    referral = services.register_incoming(
        patient_record, details={"counterpart": "Dr. J", "reason": "x"}, by=coordinator
    )
    move = tab(patient_record) + f"{referral.id}/move/"
    client = signed_in(therapist)
    refused = client.post(move, {"to_state": "declined", "version": "1", "note": ""})
    assert refused.status_code == 400
    assert "Say in the note why the referral is declined." in refused.content.decode()
    assert (
        client.post(move, {"to_state": "declined", "version": "1", "note": "Needs the pain clinic"}).status_code == 302
    )
    assert Referral.objects.get().state == "declined"


# --- found by exploratory testing ------------------------------------------------------------------------------


def seen(patient, by, *, when=None, service="psychology"):
    with clock.pinned(when or datetime(2026, 1, 5, 9, tzinfo=UTC)):
        referral = services.create_outgoing(patient, details=OUT | {"service": service}, by=by, send_now=True)
    for target in ("received", "accepted", "scheduled", "first_contact"):
        referral = services.move(referral, to_state=target, expected_version=referral.version, by=by)
    return referral


def test_mark_as_received_closes_the_loop_with_what_is_typed_not_the_old_draft(patient_record, therapist, coordinator):
    referral = seen(patient_record, coordinator)
    services.save_letter(referral, details={"findings": "Old findings", "plan": "Old plan"}, by=coordinator)
    url = tab(patient_record) + f"{referral.id}/letter/"
    client = signed_in(therapist)
    page = client.get(url).content.decode()
    # One form holds the text and both buttons: closing the loop cannot leave typed text behind.
    form = page.split(f'action="{url}"')[1].split("</form>")[0]
    assert 'name="findings"' in form and "Save the draft" in form
    assert f'formaction="{url}send/"' in form and "Mark as received — close the loop" in form
    typed = {"version": "1", "recipient": "Fysio De Brug", "findings": "New findings", "plan": "New plan"}
    response = client.post(url + "send/", typed)
    assert response.status_code == 302
    letter = FeedbackLetter.objects.get()
    assert (letter.findings, letter.plan, letter.status) == ("New findings", "New plan", "sent")
    assert Referral.objects.get().loop_closed
    shown = client.get(url).content.decode()
    assert "New findings" in shown and "Old findings" not in shown


def test_closing_the_loop_with_a_bad_or_stale_form_sends_nothing_and_keeps_the_typed_text(
    patient_record, therapist, coordinator
):
    referral = seen(patient_record, coordinator)
    services.save_letter(referral, details={"findings": "Old findings"}, by=coordinator)
    url = tab(patient_record) + f"{referral.id}/letter/send/"
    client = signed_in(therapist)
    empty = client.post(url, {"version": "1", "findings": "", "plan": "A plan I typed"})
    assert empty.status_code == 400
    assert "A plan I typed" in empty.content.decode()
    services.save_letter(referral, details={"findings": "A colleague's"}, by=coordinator, expected_version=1)
    stale = client.post(url, {"version": "1", "findings": "Mine"})
    assert stale.status_code == 409 and "A colleague changed this letter" in stale.content.decode()
    letter = FeedbackLetter.objects.get()
    assert (letter.findings, letter.status) == ("A colleague's", "draft")
    assert not Referral.objects.get().loop_closed
    # Sent once, a second click (the page not reloaded) changes nothing and says why.
    assert client.post(url, {"version": "2", "findings": "Final"}).status_code == 302
    again = client.post(url, {"version": "2", "findings": "Changed after sending"})
    assert again.status_code == 400 and "can no longer be changed" in again.content.decode()
    assert FeedbackLetter.objects.get().findings == "Final"


def test_closing_the_loop_is_denied_to_outsiders(patient_record, coordinator, outsider, foreign_clinician):
    referral = seen(patient_record, coordinator)
    services.save_letter(referral, details={"findings": "Old"}, by=coordinator)
    url = tab(patient_record) + f"{referral.id}/letter/send/"
    for person in (outsider, foreign_clinician):
        assert signed_in(person).post(url, {"version": "1", "findings": "Hacked"}).status_code == 404
    letter = FeedbackLetter.objects.get()
    assert (letter.findings, letter.status) == ("Old", "draft")


def test_a_directory_entry_that_does_not_fit_the_service_is_refused_on_the_form(patient_record, coordinator):
    debt = services.create_resource(
        organisation_id=coordinator.organisation_id, details={"name": "Debt Help Line", "kind": "debt"}, by=coordinator
    )
    client = signed_in(coordinator)
    page = client.get(tab(patient_record)).content.decode()
    assert "Debt Help Line (Debt advice) — for social work, community services" in page
    response = client.post(
        tab(patient_record) + "new/", OUT | {"service": "physiotherapy", "resource_id": str(debt.id), "send": "1"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    error = html.split('id="out_resource_id_error"')[1].split("</p>")[0]
    assert "does not fit a referral to physiotherapy" in error
    assert not Referral.objects.exists()


def table(html, section):
    """The rows of a section's table: each row's cells as text."""
    body = html.split(f'id="{section}-heading"')[1].split("</table>")[0]
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", body.split("<tbody>")[1], re.S)
    return [
        [
            " ".join(re.sub(r"<[^>]+>", " ", cell).split())
            for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        ]
        for row in rows
    ]


def test_the_board_orders_waits_longest_first_and_keeps_finished_waits_and_drafts_apart(
    patient_record, other_patient_record, coordinator
):
    from commonground.patients.models import Patient

    Patient.objects.filter(pk=other_patient_record.pk).update(given_name="Ada", family_name="Lovelace")
    now = clock.now()
    physio = sent_referral(patient_record, coordinator, when=now - timedelta(days=50))
    Referral.objects.filter(pk=physio.pk).update(service="physiotherapy")  # 42 days expected: overdue
    sent_referral(other_patient_record, coordinator, when=now - timedelta(days=60))  # psychology, 84 expected
    seen(patient_record, coordinator, when=now - timedelta(days=30))
    with clock.pinned(now - timedelta(days=10)):
        services.create_outgoing(other_patient_record, details=OUT, by=coordinator)
    html = signed_in(coordinator).get("/clinician/referrals/").content.decode()
    waiting = table(html, "waiting")
    assert [(row[2].split(" ")[0], row[6].split(" ")[0]) for row in waiting] == [
        ("Psychology", "60"),
        ("Physiotherapy", "50"),
    ]
    assert "overdue" in waiting[1][6] and "overdue" not in waiting[0][6]
    header = html.split('id="waiting-heading"')[1].split("</thead>")[0]
    assert "Sent on" in header and ">Since<" not in html
    assert "“Sent on” is the day the referral was sent" in header
    assert waiting[0][5] == (now - timedelta(days=60)).strftime("%d %b %Y")
    finished = table(html, "seen")
    assert len(finished) == 1 and "First contact on" in html.split('id="seen-heading"')[1].split("</thead>")[0]
    drafts = table(html, "drafts")
    assert len(drafts) == 1 and drafts[0][-1] == "10 not sent"
    # Two patients of the same name are told apart by their record numbers, in every list.
    numbers = {patient_record.record_number, other_patient_record.record_number}
    assert len(numbers) == 2
    for section in ("waiting", "seen", "drafts", "owed"):
        for row in table(html, section):
            assert "Lovelace, Ada" in row[0] and any(f"record {number}" in row[0] for number in numbers), section
    assert table(html, "owed")  # the referral seen: its loop is open


def test_a_date_in_an_error_message_is_written_as_on_the_page(patient_record, therapist, coordinator):
    referral = sent_referral(patient_record, coordinator)  # sent 05 Jan 2026
    response = signed_in(therapist).post(
        tab(patient_record) + f"{referral.id}/move/", {"to_state": "received", "version": "2", "on": "2026-01-01"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "before the referral&#39;s last step, on 05 Jan 2026" in html and "2026-01-05" not in html
