"""Issue 4, items 5 and 6 (patient side): filling in a questionnaire in the portal, one question per page.

The clinical rules (critical item, scoring) are the measures domain's; here we check that the portal asks
every question, saves as it goes, sends once, shows crisis resources at once when a critical item says so,
and never shows the patient a score, band or flag.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse

from commonground.kit import clock
from commonground.measures import definitions
from commonground.measures import services as measures_services
from commonground.measures.choices import ReminderChannel, ResponseStatus, ScheduleStatus
from commonground.measures.models import Reminder, Response, ScheduledMeasure
from commonground.safety.choices import AlertKind, Urgency
from commonground.safety.models import Alert, AlertRecipient, CrisisResource
from tests.personas import signed_in

pytestmark = pytest.mark.django_db


def _today(patient):
    return clock.local_date(clock.now(), patient.time_zone)


def _ask(patient, coordinator, instrument_id, *, days_ago=0):
    due_on = _today(patient) - timedelta(days=days_ago)
    return measures_services.request_measure(patient, instrument_id=instrument_id, by=coordinator, due_on=due_on)


def _plan(patient, coordinator, instruments, *, days_ago=0):
    today = _today(patient)
    details = {"instruments": instruments, "starts_on": today - timedelta(days=days_ago), "interval_weeks": 4}
    measures_services.create_plan(patient, by=coordinator, details=details, today=today)
    return ScheduledMeasure.objects.get(patient=patient, instrument=instruments[0], occasion="baseline")


def _start(client, scheduled):
    started = client.post(reverse("portal:start_questionnaire", args=[scheduled.id]))
    assert started.status_code == 302
    return Response.objects.get(scheduled=scheduled), started["Location"]


def _question_url(response, number, then=""):
    url = reverse("portal:question", args=[response.id, number])
    return f"{url}?then={then}" if then else url


def _answer(client, response, values):
    """Answer questions 1..n; each Next goes to the following question, the last to the check page."""
    for number, value in enumerate(values, 1):
        sent = client.post(_question_url(response, number), {"answer": value})
        assert sent.status_code == 302, (number, sent.content[:400])
        following = (
            reverse("portal:check_answers", args=[response.id])
            if number == len(values)
            else _question_url(response, number + 1)
        )
        if number < len(values):
            assert sent["Location"] == following


def _phq9(item9="0"):
    return ["1", "1", "0", "2", "0", "1", "0", "0", item9, "1"]


PHQ15 = ["1", "0", "2", "not_applicable", "0", "1", "0", "0", "1", "0", "0", "1", "2", "2", "1"]


class TestToday:
    def test_today_lists_what_is_waiting_in_kind_words(self, patient_record, patient_user, coordinator):
        _plan(patient_record, coordinator, ["phq15"], days_ago=20)
        _ask(patient_record, coordinator, "gad7")
        page = signed_in(patient_user).get(reverse("portal:today")).content.decode()
        since = _today(patient_record) - timedelta(days=20)
        assert f"Waiting for you since {since.day} {since.strftime('%B')}" in page
        assert "Patient Health Questionnaire-15" in page and "15 questions" in page
        assert "Ready for you today" in page and "Generalized Anxiety Disorder 7-item scale" in page
        assert "overdue" not in page.lower() and "late" not in page.lower()
        assert page.count(">Start<") == 2
        assert reverse("portal:help_now") in page

    def test_questionnaires_not_yet_due_are_not_listed(self, patient_record, patient_user, coordinator):
        measures_services.request_measure(
            patient_record, instrument_id="phq9", by=coordinator, due_on=_today(patient_record) + timedelta(days=3)
        )
        page = signed_in(patient_user).get(reverse("portal:today")).content.decode()
        assert "Nothing is waiting for you today" in page

    def test_a_questionnaire_not_yet_due_cannot_be_started(self, patient_record, patient_user, coordinator):
        later = measures_services.request_measure(
            patient_record, instrument_id="phq9", by=coordinator, due_on=_today(patient_record) + timedelta(days=3)
        )
        answer = signed_in(patient_user).post(reverse("portal:start_questionnaire", args=[later.id]))
        assert answer.status_code == 302 and answer["Location"] == reverse("portal:today")
        assert not Response.objects.filter(patient=patient_record).exists()


class TestReminders:
    def _remind(self, patient, coordinator, channel=ReminderChannel.PORTAL):
        item = _ask(patient, coordinator, "phq15")
        return Reminder.objects.create(scheduled=item, patient=patient, channel=channel, sent_at=clock.now())

    def test_a_portal_reminder_shows_until_the_patient_hides_it(self, patient_record, patient_user, coordinator):
        reminder = self._remind(patient_record, coordinator)
        client = signed_in(patient_user)
        assert "A friendly reminder" in client.get(reverse("portal:today")).content.decode()
        hidden = client.post(reverse("portal:dismiss_reminder", args=[reminder.id]))
        assert hidden.status_code == 302 and hidden["Location"] == reverse("portal:today")
        reminder.refresh_from_db()
        assert reminder.dismissed_at is not None
        page = client.get(reverse("portal:today")).content.decode()
        assert "A friendly reminder" not in page
        assert "Patient Health Questionnaire-15" in page  # the questionnaire itself still waits

    def test_a_reminder_for_a_questionnaire_already_sent_is_not_shown(self, patient_record, patient_user, coordinator):
        reminder = self._remind(patient_record, coordinator)
        ScheduledMeasure.objects.filter(pk=reminder.scheduled_id).update(status=ScheduleStatus.COMPLETED)
        assert "A friendly reminder" not in signed_in(patient_user).get(reverse("portal:today")).content.decode()

    def test_another_patient_cannot_hide_my_reminder(self, patient_record, other_patient_user, coordinator):
        reminder = self._remind(patient_record, coordinator)
        answer = signed_in(other_patient_user).post(reverse("portal:dismiss_reminder", args=[reminder.id]))
        assert answer.status_code == 404
        reminder.refresh_from_db()
        assert reminder.dismissed_at is None

    def test_an_email_reminder_is_not_a_portal_notice(self, patient_record, patient_user, coordinator):
        reminder = self._remind(patient_record, coordinator, ReminderChannel.EMAIL)
        client = signed_in(patient_user)
        assert "A friendly reminder" not in client.get(reverse("portal:today")).content.decode()
        assert client.post(reverse("portal:dismiss_reminder", args=[reminder.id])).status_code == 404

    def test_hiding_needs_a_post(self, patient_record, patient_user, coordinator):
        reminder = self._remind(patient_record, coordinator)
        assert signed_in(patient_user).get(reverse("portal:dismiss_reminder", args=[reminder.id])).status_code == 405


class TestFillingIn:
    def test_phq9_with_a_positive_item_9_shows_crisis_resources_at_once_and_alerts_the_team(
        self, patient_record, patient_user, coordinator, therapist
    ):
        scheduled = _ask(patient_record, coordinator, "phq9")
        client = signed_in(patient_user)
        response, first = _start(client, scheduled)
        assert first == _question_url(response, 1)
        _answer(client, response, _phq9(item9="2"))
        check = client.get(reverse("portal:check_answers", args=[response.id])).content.decode()
        assert "More than half the days" in check and "Send my answers" in check
        sent = client.post(reverse("portal:send_answers", args=[response.id]))
        assert sent["Location"] == reverse("portal:sent", args=[response.id])
        page = client.get(sent["Location"]).content.decode()
        assert "Thank you for telling us. Your care team will contact you." in page
        assert "Emergency services" in page  # the clinic configured none: the general ones
        response.refresh_from_db()
        assert response.status == ResponseStatus.COMPLETED and "item9_positive" in response.flags
        alert = Alert.objects.get(patient=patient_record, kind=AlertKind.CRITICAL_ITEM)
        assert alert.urgency == Urgency.URGENT
        assert AlertRecipient.objects.filter(alert=alert, staff=coordinator).exists()
        self._shows_no_clinical_labels(page, response)

    def _shows_no_clinical_labels(self, page, response):
        instrument = definitions.instrument(response.instrument)
        for band in instrument.bands:
            assert band.label not in page
        for flag in response.flags:
            assert flag not in page
        assert "score" not in page.lower()

    def test_the_clinics_own_crisis_resources_are_shown_in_the_patients_language(
        self, clinic, patient_record, patient_user, coordinator
    ):
        CrisisResource.objects.create(organisation=clinic, name="Riverside crisis line", phone="+31 20 123 4567")
        CrisisResource.objects.create(organisation=clinic, name="Crisislijn", phone="0800 0113", language="nl")
        scheduled = _ask(patient_record, coordinator, "phq9")
        client = signed_in(patient_user)
        response, _first = _start(client, scheduled)
        _answer(client, response, _phq9(item9="1"))
        client.post(reverse("portal:send_answers", args=[response.id]))
        page = client.get(reverse("portal:sent", args=[response.id])).content.decode()
        assert "Riverside crisis line" in page and 'href="tel:+31201234567"' in page
        assert "Crisislijn" not in page and "Emergency services" not in page

    def test_phq9_with_item_9_skipped_also_shows_crisis_resources(self, patient_record, patient_user, coordinator):
        scheduled = _ask(patient_record, coordinator, "phq9")
        client = signed_in(patient_user)
        response, _first = _start(client, scheduled)
        _answer(client, response, _phq9()[:8])
        assert client.post(_question_url(response, 9), {"skip": "1"})["Location"] == _question_url(response, 10)
        client.post(_question_url(response, 10), {"answer": "0"})
        client.post(reverse("portal:send_answers", args=[response.id]))
        page = client.get(reverse("portal:sent", args=[response.id])).content.decode()
        assert "you can get help straight away" in page
        assert Alert.objects.filter(patient=patient_record, kind=AlertKind.CRITICAL_ITEM).count() == 1

    def test_phq15_flow_asks_every_question_and_thanks_the_patient(self, patient_record, patient_user, coordinator):
        scheduled = _plan(patient_record, coordinator, ["phq15"])
        client = signed_in(patient_user)
        response, _first = _start(client, scheduled)
        page = client.get(_question_url(response, 3)).content.decode()
        assert "Question 3 of 15" in page and '<progress max="15" value="3"' in page
        assert "During the past 4 weeks" in page and "Think about the past 4 weeks." in page
        assert "Pain in your arms, legs, or joints" in page and "<fieldset" in page and "<legend" in page
        assert "Does not apply to me" not in page  # only item 4 allows it
        assert "Does not apply to me" in client.get(_question_url(response, 4)).content.decode()
        _answer(client, response, PHQ15)
        client.post(reverse("portal:send_answers", args=[response.id]))
        thanks = client.get(reverse("portal:sent", args=[response.id])).content.decode()
        assert "Your answers have been sent to your care team" in thanks
        assert "get help now" not in thanks
        self._shows_no_clinical_labels(thanks, Response.objects.get(pk=response.pk))
        response.refresh_from_db()
        scheduled.refresh_from_db()
        assert response.status == ResponseStatus.COMPLETED and response.scorable
        assert response.answers["4"] == "not_applicable" and response.mode == "portal"
        assert scheduled.status == ScheduleStatus.COMPLETED
        assert "Nothing is waiting for you today" in client.get(reverse("portal:today")).content.decode()

    def test_the_thank_you_page_offers_the_next_questionnaire_waiting(self, patient_record, patient_user, coordinator):
        scheduled = _plan(patient_record, coordinator, ["phq15", "gad7"])
        client = signed_in(patient_user)
        response, _first = _start(client, scheduled)
        _answer(client, response, PHQ15)
        client.post(reverse("portal:send_answers", args=[response.id]))
        thanks = client.get(reverse("portal:sent", args=[response.id])).content.decode()
        assert "One more questionnaire is waiting for you" in thanks
        assert "Generalized Anxiety Disorder 7-item scale" in thanks

    def test_the_unscored_difficulty_question_is_asked_too(self, patient_record, patient_user, coordinator):
        client = signed_in(patient_user)
        response, _first = _start(client, _ask(patient_record, coordinator, "phq9"))
        page = client.get(_question_url(response, 10)).content.decode()
        assert "Question 10 of 10" in page and "how difficult have these problems made it" in page
        assert "Extremely difficult" in page
        assert "(not scored)" not in page
        assert client.get(_question_url(response, 11)).status_code == 404
        assert client.get(_question_url(response, 0)).status_code == 404

    def test_a_licensed_questionnaire_without_item_text_shows_its_short_labels(
        self, patient_record, patient_user, coordinator
    ):
        client = signed_in(patient_user)
        response, _first = _start(client, _ask(patient_record, coordinator, "sss8"))
        page = client.get(_question_url(response, 1)).content.decode()
        assert "Stomach or bowel problems" in page and "Think about the past 7 days." in page

    def test_the_check_page_lists_every_answer_with_a_way_to_change_it(self, patient_record, patient_user, coordinator):
        client = signed_in(patient_user)
        response, _first = _start(client, _ask(patient_record, coordinator, "gad7"))
        _answer(client, response, ["1", "1", "0", "2", "0", "1", "0"])
        client.post(_question_url(response, 8), {"skip": "1"})
        check = client.get(reverse("portal:check_answers", args=[response.id])).content.decode()
        assert check.count(">Change<") == 8
        assert "You left 1 question unanswered" in check and "Not answered" in check
        change = client.get(_question_url(response, 4, then="check")).content.decode()
        assert 'name="then" value="check"' in change and "Save and go back to my answers" in change
        assert 'value="2" checked' in change
        back = client.post(_question_url(response, 4), {"answer": "3", "then": "check"})
        assert back["Location"] == reverse("portal:check_answers", args=[response.id])
        response.refresh_from_db()
        assert response.answers["4"] == 3


class TestSavingAsYouGo:
    def test_leaving_and_coming_back_carries_on_after_the_last_answer(self, patient_record, patient_user, coordinator):
        scheduled = _ask(patient_record, coordinator, "phq15")
        response, _first = _start(signed_in(patient_user), scheduled)
        _answer(signed_in(patient_user), response, PHQ15[:3])
        later = signed_in(patient_user)  # a new browser session
        today = later.get(reverse("portal:today")).content.decode()
        assert "Carry on where you left off" in today
        again = later.post(reverse("portal:start_questionnaire", args=[scheduled.id]))
        assert again["Location"] == _question_url(response, 4)
        assert later.get(reverse("portal:carry_on", args=[response.id]))["Location"] == _question_url(response, 4)
        assert Response.objects.filter(patient=patient_record).count() == 1
        page = later.get(_question_url(response, 2)).content.decode()
        assert 'value="0" checked' in page  # the saved answer is shown

    def test_a_skipped_question_does_not_stop_carrying_on(self, patient_record, patient_user, coordinator):
        client = signed_in(patient_user)
        response, _first = _start(client, _ask(patient_record, coordinator, "phq15"))
        client.post(_question_url(response, 1), {"skip": "1"})
        client.post(_question_url(response, 2), {"answer": "1"})
        assert client.get(reverse("portal:carry_on", args=[response.id]))["Location"] == _question_url(response, 3)

    def test_all_answered_carries_on_to_the_check_page(self, patient_record, patient_user, coordinator):
        client = signed_in(patient_user)
        response, _first = _start(client, _ask(patient_record, coordinator, "phq15"))
        _answer(client, response, PHQ15)
        assert client.get(reverse("portal:carry_on", args=[response.id]))["Location"] == reverse(
            "portal:check_answers", args=[response.id]
        )

    def test_next_without_an_answer_asks_gently_and_saves_nothing(self, patient_record, patient_user, coordinator):
        client = signed_in(patient_user)
        response, _first = _start(client, _ask(patient_record, coordinator, "phq15"))
        page = client.post(_question_url(response, 1), {})
        assert page.status_code == 200
        assert "You have not chosen an answer yet" in page.content.decode()
        response.refresh_from_db()
        assert response.answers == {}

    def test_skipping_records_the_question_as_unanswered(self, patient_record, patient_user, coordinator):
        client = signed_in(patient_user)
        response, _first = _start(client, _ask(patient_record, coordinator, "phq15"))
        client.post(_question_url(response, 1), {"answer": "2"})
        assert client.post(_question_url(response, 1), {"skip": "1", "answer": "2"})["Location"] == _question_url(
            response, 2
        )
        response.refresh_from_db()
        assert response.answers["1"] is None


class TestRefusedAnswers:
    @pytest.mark.parametrize(
        ("value", "message"), [("7", "not one of the answers to question 2"), ("lots", "Please choose")]
    )
    def test_an_answer_the_question_does_not_allow_is_refused_and_nothing_saved(
        self, patient_record, patient_user, coordinator, value, message
    ):
        client = signed_in(patient_user)
        response, _first = _start(client, _ask(patient_record, coordinator, "phq15"))
        client.post(_question_url(response, 1), {"answer": "1"})
        refused = client.post(_question_url(response, 2), {"answer": value})
        assert refused.status_code == 200 and message in refused.content.decode()
        response.refresh_from_db()
        assert response.answers["1"] == 1 and response.answers["2"] is None

    def test_does_not_apply_is_refused_where_the_question_does_not_allow_it(
        self, patient_record, patient_user, coordinator
    ):
        client = signed_in(patient_user)
        response, _first = _start(client, _ask(patient_record, coordinator, "phq15"))
        refused = client.post(_question_url(response, 1), {"answer": "not_applicable"})
        assert refused.status_code == 200 and "Question 1 cannot be answered" in refused.content.decode()
        response.refresh_from_db()
        assert response.answers == {}
        assert client.post(_question_url(response, 4), {"answer": "not_applicable"}).status_code == 302


class TestSendingOnce:
    def test_sending_twice_creates_one_response_and_shows_the_same_page(
        self, patient_record, patient_user, coordinator
    ):
        client = signed_in(patient_user)
        response, _first = _start(client, _ask(patient_record, coordinator, "phq9"))
        _answer(client, response, _phq9(item9="1"))
        send = reverse("portal:send_answers", args=[response.id])
        first, second = client.post(send), client.post(send)
        assert first["Location"] == second["Location"] == reverse("portal:sent", args=[response.id])
        assert Response.objects.filter(patient=patient_record).count() == 1
        assert Alert.objects.filter(patient=patient_record).count() == 1
        assert "please get help now" in client.get(second["Location"]).content.decode()

    def test_a_sent_questionnaire_cannot_be_changed(self, patient_record, patient_user, coordinator):
        client = signed_in(patient_user)
        scheduled = _ask(patient_record, coordinator, "phq15")
        response, _first = _start(client, scheduled)
        _answer(client, response, PHQ15)
        client.post(reverse("portal:send_answers", args=[response.id]))
        sent = reverse("portal:sent", args=[response.id])
        assert client.get(_question_url(response, 1))["Location"] == sent
        assert client.post(_question_url(response, 1), {"answer": "2"})["Location"] == sent
        assert client.get(reverse("portal:check_answers", args=[response.id]))["Location"] == sent
        response.refresh_from_db()
        assert response.answers["1"] == 1
        restart = client.post(reverse("portal:start_questionnaire", args=[scheduled.id]))
        assert restart["Location"] == reverse("portal:today")
        assert Response.objects.filter(patient=patient_record).count() == 1

    def test_the_thank_you_page_waits_for_the_answers_to_be_sent(self, patient_record, patient_user, coordinator):
        client = signed_in(patient_user)
        response, _first = _start(client, _ask(patient_record, coordinator, "phq15"))
        assert client.get(reverse("portal:sent", args=[response.id]))["Location"] == reverse(
            "portal:check_answers", args=[response.id]
        )

    def test_a_response_entered_in_error_is_not_found(self, patient_record, patient_user, coordinator):
        client = signed_in(patient_user)
        response, _first = _start(client, _ask(patient_record, coordinator, "phq15"))
        _answer(client, response, PHQ15)
        client.post(reverse("portal:send_answers", args=[response.id]))
        response.refresh_from_db()
        measures_services.mark_response_in_error(response, expected_version=response.version, reason="Wrong patient")
        for name in ("sent", "check_answers", "carry_on"):
            assert client.get(reverse(f"portal:{name}", args=[response.id])).status_code == 404
        assert client.get(_question_url(response, 1)).status_code == 404
        assert client.post(reverse("portal:send_answers", args=[response.id])).status_code == 404


class TestHelpNow:
    def test_help_now_always_shows_crisis_resources(self, patient_user):
        page = signed_in(patient_user).get(reverse("portal:help_now")).content.decode()
        assert "Need help now?" in page and "Emergency services" in page

    def test_help_now_uses_the_clinics_resources_in_the_patients_language(self, clinic, patient_record, patient_user):
        CrisisResource.objects.create(organisation=clinic, name="Riverside crisis line", phone="+31 20 123 4567")
        CrisisResource.objects.create(organisation=clinic, name="Crisislijn", phone="0800 0113", language="nl")
        type(patient_record).objects.filter(pk=patient_record.pk).update(preferred_language="nl")
        page = signed_in(patient_user).get(reverse("portal:help_now")).content.decode()
        assert "Crisislijn" in page and 'href="tel:08000113"' in page and "Riverside crisis line" not in page


class TestWhoMayOpen:
    def _started(self, patient_record, patient_user, coordinator):
        scheduled = _ask(patient_record, coordinator, "phq15")
        response, _first = _start(signed_in(patient_user), scheduled)
        return scheduled, response

    def _urls(self, scheduled, response):
        gets = [
            _question_url(response, 1),
            reverse("portal:check_answers", args=[response.id]),
            reverse("portal:sent", args=[response.id]),
            reverse("portal:carry_on", args=[response.id]),
        ]
        posts = [
            _question_url(response, 1),
            reverse("portal:send_answers", args=[response.id]),
            reverse("portal:start_questionnaire", args=[scheduled.id]),
        ]
        return gets, posts

    def test_another_patients_questionnaire_is_not_found(
        self, patient_record, patient_user, other_patient_user, coordinator
    ):
        scheduled, response = self._started(patient_record, patient_user, coordinator)
        gets, posts = self._urls(scheduled, response)
        intruder = signed_in(other_patient_user)
        for url in gets:
            assert intruder.get(url).status_code == 404, url
        for url in posts:
            assert intruder.post(url, {"answer": "2"}).status_code == 404, url
        response.refresh_from_db()
        assert response.answers == {} and response.status == ResponseStatus.IN_PROGRESS
        assert Response.objects.count() == 1

    def test_staff_cannot_use_the_portals_questionnaire_pages(
        self, patient_record, patient_user, coordinator, therapist
    ):
        scheduled, response = self._started(patient_record, patient_user, coordinator)
        gets, posts = self._urls(scheduled, response)
        for person in (coordinator, therapist):
            client = signed_in(person)
            for url in [*gets, reverse("portal:help_now")]:
                assert client.get(url).status_code == 404, url
            for url in posts:
                assert client.post(url, {"answer": "2"}).status_code == 404, url
        response.refresh_from_db()
        assert response.answers == {} and response.status == ResponseStatus.IN_PROGRESS

    def test_a_response_entered_by_staff_is_not_opened_in_the_portal(self, patient_record, patient_user, coordinator):
        entered = measures_services.enter_response(
            patient_record,
            instrument_id="gad7",
            answers={str(n): 0 for n in range(1, 8)},
            entered_by=coordinator,
            submission_key=uuid.uuid4(),
            completed_on=clock.now(),
        )
        client = signed_in(patient_user)
        assert client.get(reverse("portal:sent", args=[entered.response.id])).status_code == 404

    def test_signed_out_visitors_are_sent_to_sign_in(self, patient_record, patient_user, coordinator):
        _scheduled, response = self._started(patient_record, patient_user, coordinator)
        answer = Client().get(_question_url(response, 1))
        assert answer.status_code == 302 and answer["Location"].startswith("/accounts/sign-in/")
