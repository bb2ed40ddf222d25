"""Issue 4 in the browser: a patient fills in the PHQ-15 on a phone; the coordinator then sees the new score,
its band and the flag it raises in the registry and on the chart."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import Recorder, Server, new_context, sign_in

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
QUESTIONS = 15


def fill_in_phq15_on_a_phone(page: Page, server: Server) -> None:
    sign_in(page, "patient")
    expect(page).to_have_url(f"{server.url}/portal/")
    start = re.compile(r"^(Start|Carry on where you left off)\s*: Patient Health Questionnaire-15$")
    page.get_by_role("button", name=start).click()
    for number in range(1, QUESTIONS + 1):
        expect(page.locator("#q-progress")).to_have_text(f"Question {number} of {QUESTIONS}")
        page.get_by_role("radio", name="Bothered a lot").check()
        page.get_by_role("button", name=re.compile(r"^Next")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your answers")
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("Thank you|Your answers have been sent"))
    # The patient is never shown a score, a band or a flag.
    expect(page.locator("main")).not_to_contain_text(re.compile(r"\bHigh\b|[Dd]eteriorat"))


def test_a_phq15_filled_in_on_a_phone_reaches_the_registry_and_the_chart(
    browser: Browser, server: Server, recorder: Recorder
) -> None:
    phone = new_context(browser, server, recorder, **PHONE)
    fill_in_phq15_on_a_phone(phone.new_page(), server)
    phone.close()

    desk = new_context(browser, server, recorder)
    page = desk.new_page()
    sign_in(page, "coordinator")
    page.goto(f"{server.url}/clinician/registry/")
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name=re.compile("Koster")))
    expect(row).to_have_count(1)
    # Every answer "bothered a lot": 15 x 2 = 30, the "high" band, a reliable deterioration since baseline.
    expect(row).to_contain_text(re.compile(r"→\s*(to)?\s*30"))
    expect(row).to_contain_text("High")
    expect(row).to_contain_text("Deteriorated")

    row.get_by_role("link", name=re.compile("Koster")).click()
    expect(page.get_by_role("heading", name="Scores over time")).to_be_visible()
    table = page.get_by_role("table", name="PHQ-15: every response")
    newest = table.locator("tbody tr").last
    expect(newest).to_contain_text("30")
    expect(newest).to_contain_text("High")
    expect(newest).to_contain_text("Reliable deterioration")
    expect(page.locator("figure svg").first).to_be_visible()
    expect(page.get_by_role("heading", name="Alerts")).to_be_visible()
    desk.close()
