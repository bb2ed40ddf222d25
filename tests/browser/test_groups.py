"""Issue 8 in the browser: the group facilitator makes a programme from the standard curriculum and plans a
group of it with the care coordinator as co-facilitator; the coordinator enrols two of her patients (their
consent ticked, both would like a partner); the facilitator records the first session's attendance. On their
phones, Milan asks Joost to be partners, Joost agrees, and they check in with each other; the facilitators see
that they checked in, not what they wrote. A therapist who does not run the group gets 404 for it."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import Recorder, Server, new_context, sign_in

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
DESK = {"viewport": {"width": 1280, "height": 800}}
GROUP = "Wednesday browser group"
MILAN, JOOST = "CG-000001", "CG-000002"  # the demo's `patient` and `patient2`
MILAN_WORDS = "Did the belly breathing every morning"
JOOST_WORDS = "Walked to the park twice, thanks for asking"


def plan_the_group(page: Page) -> str:
    """As the facilitator: a programme from the standard curriculum, then a group of it. Returns its path."""
    sign_in(page, "facilitator")
    page.get_by_role("link", name="Groups", exact=True).click()
    page.get_by_role("link", name="Programmes: curricula and new groups").click()
    page.get_by_role("button", name="Make a programme from the standard curriculum").click()
    expect(page.get_by_text("The programme is made from the standard curriculum")).to_be_visible()
    page.get_by_role("link", name="Plan a group of this programme").click()
    page.get_by_label("Name of this group").fill(GROUP)
    page.get_by_role("spinbutton", name=re.compile(r"^Places")).fill("6")
    # The first session starts in twenty minutes (clinic time): the members are enrolled before it starts, and its
    # attendance can be recorded from half an hour before its start.
    first = datetime.now(ZoneInfo("Europe/Amsterdam")) + timedelta(minutes=20)
    page.get_by_label("First session on").fill(first.date().isoformat())
    page.get_by_label("Time of day").fill(first.strftime("%H:%M"))
    page.get_by_role("textbox", name="Place", exact=True).fill("Group room 3, first floor")
    page.get_by_role("checkbox", name=re.compile(r"Maria Jansen")).check()  # the care coordinator facilitates with her
    page.get_by_role("button", name="Plan the group").click()
    expect(page.get_by_text("The group is made, with its sessions planned.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_contain_text(GROUP)
    path = re.sub(r"^https?://[^/]+", "", page.url).split("#")[0]
    assert re.fullmatch(r"/clinician/groups/cohorts/[0-9a-f-]{36}/", path), path
    return path


def enrol(page: Page, record_number: str) -> None:
    """As the coordinator, on the group's Members tab: one of her patients, who agreed and would like a partner."""
    option = page.locator("#enrol_patient option", has_text=record_number)
    page.locator("#enrol_patient").select_option(value=option.get_attribute("value"))
    page.get_by_role("checkbox", name="They would like a peer partner").check()
    page.get_by_role("checkbox", name=re.compile(r"They agreed to take part")).check()
    page.get_by_role("button", name="Enrol", exact=True).click()
    expect(page.get_by_text(re.compile(r" is enrolled\.$"))).to_be_visible()


def record_attendance(page: Page, cohort_path: str) -> None:
    page.goto(cohort_path)
    page.get_by_role("link", name="Welcome: our bodies' alarm system").click()
    marks = page.locator("#attendance fieldset")
    expect(marks).to_have_count(2)
    marks.nth(0).get_by_label("Present", exact=True).check()
    marks.nth(1).get_by_label("Absent with notice", exact=True).check()
    page.get_by_role("button", name="Save attendance").click()
    expect(page.get_by_text("Attendance is saved.")).to_be_visible()
    expect(page.locator("#attendance fieldset").nth(0).get_by_label("Present", exact=True)).to_be_checked()


def open_my_partner(page: Page, username: str) -> None:
    sign_in(page, username)
    page.goto("/portal/groups/")
    page.get_by_role("link", name=GROUP).click()
    page.get_by_role("link", name="My partner").click()
    expect(page.get_by_role("heading", name="My partner")).to_be_visible()


def check_in(page: Page, feeling: str, words: str) -> None:
    page.get_by_role("radio", name=feeling, exact=True).check()
    page.get_by_label("A word for your partner").fill(words)
    page.get_by_role("button", name="Send my check-in").click()
    expect(page.locator("#check-ins")).to_contain_text(words)


def test_a_facilitator_runs_a_group_partners_check_in_and_an_outsider_finds_nothing(
    browser: Browser, server: Server, recorder: Recorder
) -> None:
    desk = new_context(browser, server, recorder, **DESK)
    facilitator = desk.new_page()
    cohort_path = plan_the_group(facilitator)

    office = new_context(browser, server, recorder, **DESK)
    coordinator = office.new_page()
    sign_in(coordinator, "coordinator")
    coordinator.goto(cohort_path)
    coordinator.get_by_role("link", name=re.compile(r"^Members")).first.click()
    enrol(coordinator, MILAN)
    enrol(coordinator, JOOST)
    roster = coordinator.get_by_role("table").filter(has_text="Koster")
    expect(roster).to_contain_text("Mulder")
    office.close()

    record_attendance(facilitator, cohort_path)

    milan_phone = new_context(browser, server, recorder, **PHONE)
    milan = milan_phone.new_page()
    open_my_partner(milan, "patient")
    milan.get_by_role("button", name="Ask Joost").click()
    expect(milan.get_by_text("You agreed. You will be partners as soon as Joost agrees too.")).to_be_visible()

    joost_phone = new_context(browser, server, recorder, **PHONE)
    joost = joost_phone.new_page()
    open_my_partner(joost, "patient2")
    joost.get_by_role("button", name="Yes, I agree to be partners").click()
    expect(joost.get_by_text("Your partner is Milan.")).to_be_visible()
    check_in(joost, "It went well", JOOST_WORDS)

    milan.reload()
    expect(milan.get_by_text("Your partner is Joost.")).to_be_visible()
    expect(milan.locator("#check-ins")).to_contain_text(JOOST_WORDS)
    check_in(milan, "Some of it went well", MILAN_WORDS)
    joost.reload()
    expect(joost.locator("#check-ins")).to_contain_text(MILAN_WORDS)
    for page in (milan, joost):  # members see each other by first name only
        expect(page.get_by_role("main")).not_to_contain_text("Koster")
        expect(page.get_by_role("main")).not_to_contain_text("Mulder")

    # The facilitators see that the partners checked in this week, not what they wrote.
    facilitator.goto(cohort_path + "partners/")
    partners = facilitator.get_by_role("main")
    expect(partners).to_contain_text(re.compile(r"Milan.*Joost|Joost.*Milan", re.DOTALL))
    expect(partners.get_by_role("cell", name="2", exact=True).first).to_be_visible()
    expect(partners).not_to_contain_text(MILAN_WORDS)
    expect(partners).not_to_contain_text(JOOST_WORDS)
    milan_phone.close()
    joost_phone.close()
    desk.close()

    # A therapist on Milan's care team who does not run the group: not found, and nothing of it shown.
    assert recorder.console_errors == [], recorder.console_errors
    refused = Recorder()  # the browser reports each 404 as a failed load: expected here, and only those
    elsewhere = new_context(browser, server, refused, **DESK)
    outsider = elsewhere.new_page()
    sign_in(outsider, "therapist")
    for path in (cohort_path, cohort_path + "members/", cohort_path + "partners/"):
        response = outsider.goto(path)
        assert response is not None and response.status == 404, path
        expect(outsider.get_by_role("main")).not_to_contain_text(GROUP)
    outsider.goto("/clinician/groups/")  # their own groups page lists nothing of it either
    expect(outsider.get_by_role("heading", level=1)).to_be_visible()
    expect(outsider.get_by_role("main")).not_to_contain_text(GROUP)
    elsewhere.close()
    assert all("status of 404" in error and "/clinician/groups/cohorts/" in error for error in refused.console_errors)
