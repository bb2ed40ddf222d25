"""Issue 7 in the browser: a patient answers PHQ-9 question 9 positively on a phone; the alert reaches the
coordinator, who makes it a task and a case-review item and acknowledges it; the patient opens their safety plan
from the portal, one tap away."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from tests.browser.conftest import Recorder, Server, new_context, sign_in

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
PATIENT = "Milan Koster"  # the demo's `patient` login
LISTED_AS = "Koster, Milan"
TASK_TITLE = "Phone Milan today about question 9"


def answer_phq9_with_question_9_positive(page: Page, server: Server) -> None:
    sign_in(page, "patient")
    expect(page).to_have_url(f"{server.url}/portal/")
    start = re.compile(r"^(Start|Carry on where you left off)\s*: Patient Health Questionnaire-9$")
    page.get_by_role("button", name=start).click()
    for number in range(1, 9):
        expect(page.locator("#q-progress")).to_have_text(f"Question {number} of 10")
        page.get_by_role("radio", name="Not at all").check()
        page.get_by_role("button", name=re.compile(r"^Next")).click()
    expect(page.locator("#q-progress")).to_have_text("Question 9 of 10")
    page.get_by_role("radio", name="Several days").check()
    page.get_by_role("button", name=re.compile(r"^Next")).click()
    # At once, before the form is sent: the team has been told, help is in view, the safety plan one tap away.
    expect(page.get_by_role("heading", name="Thank you for telling us")).to_be_visible()
    expect(page.get_by_role("link", name="Open my safety plan")).to_be_visible()
    page.get_by_role("radio", name="Somewhat difficult").check()
    page.get_by_role("button", name=re.compile(r"^Next")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your answers")
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your answers have been sent")


def open_alert_card(page: Page) -> Locator:
    page.get_by_role("link", name=re.compile(r"^Alerts")).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Alerts")
    urgent = page.locator("section").filter(has=page.get_by_role("heading", name="Urgent", exact=True))
    card = urgent.locator("article").filter(has_text=PATIENT).filter(has_text="Several days")
    expect(card).to_have_count(1)
    return card


def test_a_positive_question_9_becomes_an_alert_a_task_and_a_case_review_item_and_the_plan_is_one_tap_away(
    browser: Browser, server: Server, recorder: Recorder
) -> None:
    phone = new_context(browser, server, recorder, **PHONE)
    patient_page = phone.new_page()
    answer_phq9_with_question_9_positive(patient_page, server)

    desk = new_context(browser, server, recorder, viewport={"width": 1280, "height": 800})
    page = desk.new_page()
    sign_in(page, "coordinator")

    # The coordinator sees it among the urgent alerts and makes it a task (prefilled from the alert).
    card = open_alert_card(page)
    card.get_by_role("link", name="Make a task").click()
    expect(page.get_by_role("heading", name="New task")).to_be_visible()
    expect(page.get_by_text("From the alert:")).to_be_visible()
    page.get_by_label("What needs doing").fill(TASK_TITLE)
    page.get_by_role("button", name="Save the task").click()
    tasks = page.get_by_role("table").filter(has_text=TASK_TITLE)
    expect(tasks).to_have_count(1)
    row = tasks.get_by_role("row").filter(has_text=TASK_TITLE)
    expect(row).to_contain_text("Urgent")

    # ... and a case-review item, then acknowledges it with what was done.
    card = open_alert_card(page)
    card.locator("summary", has_text="Add to case review").click()
    card.get_by_label("Note for the team").fill("Question 9 positive; safety plan reviewed by phone")
    card.get_by_role("button", name="Add to case review").click()
    card = open_alert_card(page)
    card.get_by_label(re.compile("^What was done")).fill("Phoned Milan: safe tonight, went through his safety plan")
    card.get_by_role("button", name="Acknowledge").click()
    expect(page.get_by_text("The alert is acknowledged")).to_be_visible()
    done = page.get_by_role("table").filter(has_text="Phoned Milan: safe tonight")
    expect(done.get_by_role("row").filter(has_text=PATIENT)).to_contain_text("Maria Jansen")

    # The task waits in My tasks; the case review offers Milan with the critical item at the next meeting.
    page.get_by_role("link", name=re.compile(r"^My tasks")).click()
    expect(page.get_by_role("row").filter(has_text=TASK_TITLE)).to_contain_text(PATIENT)
    page.get_by_role("link", name="Case review", exact=True).click()
    page.get_by_label("Title").fill("Extra case review")
    page.get_by_label("Date").fill((date.today() + timedelta(days=2)).isoformat())
    page.get_by_role("button", name="Plan the meeting").click()
    if page.get_by_role("heading", level=1).inner_text() == "Case review":
        page.get_by_role("link", name="Prepare the agenda: Extra case review").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Prepare the agenda")
    flagged = page.get_by_role("row").filter(has=page.get_by_label(LISTED_AS))
    expect(flagged).to_contain_text("Critical item")
    expect(flagged).to_contain_text("safety plan reviewed by phone")  # the note given with the flag
    page.get_by_label(LISTED_AS).check()
    page.get_by_role("button", name="Put them on the agenda").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Extra case review")
    expect(page.get_by_role("main")).to_contain_text(PATIENT)
    desk.close()

    # The patient opens their safety plan from any portal page, on the phone, in one tap.
    patient_page.goto("/portal/")
    patient_page.get_by_role("link", name="My safety plan").first.click()
    expect(patient_page).to_have_url(f"{server.url}/portal/safety-plan/")
    expect(patient_page.get_by_role("heading", level=1)).to_contain_text("safety plan")
    expect(patient_page.get_by_role("heading", name=re.compile("warning signs", re.IGNORECASE))).to_be_visible()
    expect(patient_page.get_by_role("button", name=re.compile("Print"))).to_be_visible()
    phone.close()
    assert recorder.console_errors == [], recorder.console_errors
