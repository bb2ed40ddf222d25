"""Issue 5 in the browser: therapist and patient build a goal with a four-rung ladder, the therapist records a
session with home practice, and the patient sees ladder and home practice in the portal and ticks a rung."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from tests.browser.conftest import Recorder, Server, new_context, sign_in

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
GOAL = "Cycle to the allotment and back"
STEPS = [
    "Pump up the tyres and ride around the block",
    "Ride to the bakery and back, with a rest there",
    "Ride halfway to the allotment and back",
    "Ride to the allotment, rest on the bench, ride back",
]
LEVELS = [
    ("−2 much less than expected", "No cycling at all"),
    ("−1 somewhat less than expected", "Around the block now and then"),
    ("0 the expected outcome", "To the allotment and back once a week"),
    ("+1 somewhat more than expected", "To the allotment twice a week"),
    ("+2 much more than expected", "Cycling to the allotment and working there for an hour"),
]


def open_chart_of_koster(page: Page, server: Server) -> None:
    sign_in(page, "therapist")
    page.goto(f"{server.url}/clinician/")
    page.get_by_role("link", name=re.compile("Koster")).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Koster")


def set_the_goal_together(page: Page) -> Locator:
    page.get_by_role("navigation", name="Patient chart").get_by_role("link", name="Goals").click()
    page.locator("#goals").get_by_role("link", name="Set a new goal").click()
    page.get_by_label("What I want to be able to do").fill(GOAL)
    page.get_by_label("How we will know (measurable)").fill("Rides to the allotment each week")
    page.get_by_label("By when").fill((date.today() + timedelta(weeks=12)).isoformat())
    page.get_by_label("The patient agrees with this goal").check()
    page.get_by_label("When symptoms flare, I will …").fill("ride around the block only, and rest after")
    for label, words in LEVELS:
        page.get_by_role("textbox", name=re.compile("^" + re.escape(label))).fill(words)
    page.get_by_role("button", name="Set the goal").click()
    card = page.get_by_role("article", name=GOAL)
    expect(card).to_be_visible()
    for step in STEPS:
        card.locator("summary", has_text="Add a step").click()
        card.get_by_label("A small doable step").fill(step)
        card.get_by_role("button", name="Add the step").click()
        card = page.get_by_role("article", name=GOAL)
        expect(card.locator("ol.rungs > li").last).to_contain_text(step)
    expect(card.locator("ol.rungs > li")).to_have_count(4)
    expect(card).to_contain_text("0 of 4 steps done")
    return card


def record_a_session_with_home_practice(page: Page) -> None:
    page.get_by_role("navigation", name="Patient chart").get_by_role("link", name="Care plan").click()
    page.get_by_role("link", name="Record a session").first.click()
    page.get_by_label("Held on").fill(date.today().isoformat())
    page.get_by_label("Minutes").fill("45")
    page.get_by_label("Body-oriented exercises").check()
    page.get_by_label("Session note").fill("We agreed the cycling goal and its first steps. Practised grounding.")
    page.get_by_label("From the library").select_option(label="Grounding with your senses (5-4-3-2-1)")
    page.get_by_label("How often").fill("Every evening, 5 minutes")
    page.get_by_role("button", name="Save the session").click()
    expect(page.locator("main")).to_contain_text("Grounding with your senses")


def test_a_goal_built_together_and_a_session_reach_the_patient_who_ticks_a_step(
    browser: Browser, server: Server, recorder: Recorder
) -> None:
    desk = new_context(browser, server, recorder)
    therapist = desk.new_page()
    open_chart_of_koster(therapist, server)
    set_the_goal_together(therapist)
    record_a_session_with_home_practice(therapist)

    phone = new_context(browser, server, recorder, **PHONE)
    patient = phone.new_page()
    sign_in(patient, "patient")
    expect(patient).to_have_url(f"{server.url}/portal/")
    practice = patient.get_by_role("region", name="Your practice")
    expect(practice).to_contain_text("Grounding with your senses")
    expect(practice).to_contain_text("Every evening, 5 minutes")
    expect(patient.get_by_role("region", name="Your next step")).to_contain_text(STEPS[0])

    patient.get_by_role("link", name="My goals").first.click()
    goal = patient.get_by_role("article", name=GOAL)
    steps = goal.get_by_role("list", name="My steps").get_by_role("listitem")
    expect(steps).to_have_count(4)
    for number, step in enumerate(STEPS, start=1):
        expect(steps.nth(number - 1)).to_contain_text(f"Step {number}")
        expect(steps.nth(number - 1)).to_contain_text(step)
    expect(goal).to_contain_text("To the allotment and back once a week")  # the expected outcome, in their words
    goal.get_by_role("button", name=re.compile(r"^Tick this step")).click()

    goal = patient.get_by_role("article", name=GOAL)
    steps = goal.get_by_role("list", name="My steps").get_by_role("listitem")
    expect(steps.nth(0)).to_contain_text("Done")
    expect(steps.nth(1)).to_contain_text("your next step")
    expect(goal).to_contain_text("1 of 4 steps done")
    expect(patient.locator("main")).not_to_contain_text(re.compile(r"T-score|\bscore\b"))
    phone.close()

    # The care team sees the patient's tick on the ladder, and who made it.
    therapist.get_by_role("navigation", name="Patient chart").get_by_role("link", name="Goals").click()
    card = therapist.get_by_role("article", name=GOAL)
    expect(card).to_contain_text("1 of 4 steps done")
    card.locator("summary", has_text="The ladder").click()
    expect(card.locator(".ladder-history")).to_contain_text("Milan Koster")
    desk.close()
