"""Issue 6 in the browser (items 2 and 10): a patient fills in today's diary on a phone with taps alone, at most
15 of them for a typical entry (six ratings, sleep, one activity), and then sees it on the chart and in the
table; the therapist sees the same day in the Diary tab's trajectory. Also: the entry page fits a phone, names
every control, and a rating can be chosen with the keyboard alone.

The test makes its own patient in the server's database (a portal account, a care team with the therapist)
and sets up the diary the way a therapist and the patient would have co-created it
(`commonground.diary.tests.support.set_up`), so nothing depends on the demo clinic's own diaries.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect

from tests.browser.conftest import BIN, DEMO_PASSWORD, ROOT, Database, Recorder, Server, new_context, sign_in

pytestmark = pytest.mark.browser

PHONE_WIDTH = 390
PHONE = {"viewport": {"width": PHONE_WIDTH, "height": 844}, "is_mobile": True, "has_touch": True}
DESK = {"viewport": {"width": 1280, "height": 800}}
MOST_INTERACTIONS = 15
# For a person to look at (not kept): the phone's entry page just before saving, and the diary home after.
ENTRY_SCREENSHOT = Path(tempfile.gettempdir()) / "diary-entry.png"
HOME_SCREENSHOT = Path(tempfile.gettempdir()) / "diary-home.png"

# The typical entry: the six ratings of the set-up (their labels as the patient reads them), and their values.
RATINGS = {
    "Pain": 6,
    "Tiredness (fatigue)": 5,
    "Energy": 4,
    "Mood": 7,
    "Stress": 3,
    "Ease of taking part in what matters to me: Playing with my grandchildren": 8,
}
SLEEP_HOURS = "7½"
SLEEP_QUALITY = 6
ACTIVITY = "Walking the dog"
ACTIVITY_MINUTES = "30 minutes"
EFFORT = 4

PATIENT_USERNAME = "diary-keeper"
FAMILY_NAME = "Ravelli"  # no demo patient has this name

# Run in the server's own database: a patient in care with a portal account, the coordinator and the
# therapist on the care team, and the typical diary set up with the therapist. Prints today, in their time zone.
# Its arguments: the username, the family name and the password.
SET_UP_SCRIPT = """
import json
import sys
from datetime import timedelta

import django

django.setup()

from django.contrib.auth.hashers import make_password

from commonground.accounts.choices import AccountKind
from commonground.accounts.models import User
from commonground.audit import context as audit_context
from commonground.careteam import services as team_services
from commonground.diary.tests import support
from commonground.kit import clock
from commonground.kit.versioning import save_edit
from commonground.patients import services as patient_services
from commonground.patients.choices import ConsentScope, Sex

USERNAME, FAMILY_NAME, PASSWORD = sys.argv[1:4]

therapist = User.objects.get(username="therapist")
coordinator = User.objects.get(username="coordinator")
organisation = therapist.organisation
token = audit_context.begin(audit_context.AuditContext(request_id="browser-test-diary-set-up"))
try:
    audit_context.identify(coordinator.id, coordinator.username, coordinator.role, organisation.id)
    today = clock.local_date(clock.now(), organisation.time_zone)
    patient = patient_services.register_patient(
        organisation=organisation,
        details={
            "given_name": "Noor",
            "family_name": FAMILY_NAME,
            "date_of_birth": today - timedelta(days=41 * 365),
            "sex": Sex.FEMALE,
            "main_symptoms": ["A01"],
            "time_zone": organisation.time_zone,
        },
        reason="Referred by the GP",
    )
    team_services.form_care_team(patient, coordinator=coordinator, responsible_clinician=therapist)
    patient_services.record_consent(
        patient, scope=ConsentScope.CARE, text_version="care-2025.1", recorded_by=coordinator
    )
    patient_services.open_episode(patient, started_on=today - timedelta(days=30), reason_for_care="Persistent pain")
    user = User.objects.create(
        username=USERNAME,
        display_name=f"Noor {FAMILY_NAME}",
        email="noor.ravelli@example.org",
        kind=AccountKind.PATIENT,
        organisation=organisation,
        password=make_password(PASSWORD),
    )
    patient.refresh_from_db()
    save_edit(patient, expected_version=patient.version, reason="Portal account created", changes={"user": user})
    audit_context.identify(therapist.id, therapist.username, therapist.role, organisation.id)
    support.set_up(patient, therapist)
finally:
    audit_context.end(token)
print(json.dumps({"today": support.today_for(patient).isoformat()}))
"""


@dataclass(frozen=True)
class Diary:
    today: date  # in the patient's own time zone
    family_name: str = FAMILY_NAME
    username: str = PATIENT_USERNAME


@pytest.fixture(scope="module")
def diary(server: Server, database: Database, tmp_path_factory: pytest.TempPathFactory) -> Diary:
    """A new patient with a portal account and a care team, and the typical diary set up with the therapist."""
    env = {
        **os.environ,
        "COMMONGROUND_ENV": "test",
        "DATABASE_URL": database.url,
        "COMMONGROUND_VAR_DIR": str(tmp_path_factory.mktemp("diary-set-up-var")),
        "DJANGO_SETTINGS_MODULE": "commonground.settings",
    }
    env.pop("COMMONGROUND_DEBUG", None)
    result = subprocess.run(
        [str(BIN / "python"), "-c", SET_UP_SCRIPT, PATIENT_USERNAME, FAMILY_NAME, DEMO_PASSWORD],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, f"setting up the diary failed:\n{result.stdout[-3000:]}\n{result.stderr[-6000:]}"
    found = json.loads(result.stdout.strip().splitlines()[-1])
    return Diary(today=date.fromisoformat(found["today"]))


@pytest.fixture
def phone(browser: Browser, server: Server, recorder: Recorder) -> Iterator[BrowserContext]:
    context = new_context(browser, server, recorder, **PHONE)
    try:
        yield context
    finally:
        context.close()


@pytest.fixture
def desk(browser: Browser, server: Server, recorder: Recorder) -> Iterator[BrowserContext]:
    context = new_context(browser, server, recorder, **DESK)
    try:
        yield context
    finally:
        context.close()


# --- counting what the patient does ---------------------------------------------------------------------------

# Every key pressed and every character that reaches a text field, whatever caused it, reported to the test.
TYPING_WATCH = """
document.addEventListener("keydown", (event) => window.__typingSeen(`key ${event.key}`), true);
document.addEventListener("input", (event) => {
  const el = event.target;
  if (el.matches("textarea, input:not([type=radio]):not([type=checkbox])")) {
    window.__typingSeen(`text in ${el.name || el.id}`);
  }
}, true);
"""


@dataclass
class Interactions:
    """Every action the test takes on the patient's behalf, one entry each; typing is counted apart."""

    page: Page
    done: list[str] = field(default_factory=list)
    typed: list[str] = field(default_factory=list)  # fill, type or key presses made through this wrapper
    seen_typing: list[str] = field(default_factory=list)  # what the page itself saw: keys, text input

    def watch_the_page(self) -> None:
        self.page.expose_function("__typingSeen", self._saw_typing)
        self.page.add_init_script(TYPING_WATCH)

    def _saw_typing(self, what: str) -> None:
        self.seen_typing.append(what)

    def tap(self, target: Locator, what: str) -> None:
        target.tap()
        self.done.append(f"tap {what}")

    def choose(self, select: Locator, label: str, what: str) -> None:
        select.select_option(label=label)
        self.done.append(f"choose {label!r} for {what}")

    def fill(self, target: Locator, text: str, what: str) -> None:  # a typical entry never needs this
        target.fill(text)
        self.done.append(f"fill {what}")
        self.typed.append(what)

    @property
    def count(self) -> int:
        return len(self.done)


def scale_choice(scope: Locator, question: str, value: int) -> Locator:
    """The tap target of one value on a 0-10 scale: the label around the (visually hidden) radio button.

    Found by the radio's role and accessible name inside the question's group, so this also checks the labels.
    """
    group = scope.get_by_role("group", name=question, exact=True)
    return group.locator("label").filter(has=scope.page.get_by_role("radio", name=str(value), exact=True))


def checked_value(page: Page, name: str) -> str | None:
    checked = page.locator(f'input[type="radio"][name="{name}"]:checked')
    return checked.get_attribute("value") if checked.count() else None


def cell(table: Locator, row_header: str, column: str) -> Locator:
    """The cell of `table` in the row headed `row_header` and the column headed `column`."""
    columns = [text.strip() for text in table.locator("thead th").all_inner_texts()]
    assert column in columns, f"no column {column!r} in {columns}"
    row = table.locator("tbody tr").filter(has=table.page.locator("th", has_text=row_header))
    expect(row).to_have_count(1)
    return row.locator("th, td").nth(columns.index(column))


def no_horizontal_scroll(page: Page) -> None:
    widths = page.evaluate("() => ({scroll: document.scrollingElement.scrollWidth, inner: window.innerWidth})")
    # With is_mobile, a page wider than the screen widens the layout viewport instead of scrolling: so the
    # window must also still be the phone's 390 px.
    assert widths["inner"] == PHONE_WIDTH, f"the page was zoomed out to fit: {widths}"
    assert widths["scroll"] <= widths["inner"] + 1, f"the page scrolls sideways on a phone: {widths}"


def every_control_is_named(form: Locator) -> None:
    """Every radio button, checkbox, select and text field in the form has an accessible name (the browser's)."""
    snapshot = form.aria_snapshot()
    # One line a node, as `- role "name"`; YAML quotes the whole line when the name has a colon in it.
    controls = re.findall(r"^\s*- '?(radio|checkbox|combobox|textbox)\b(.*)$", snapshot, flags=re.MULTILINE)
    in_dom = form.locator(
        'input[type="radio"], input[type="checkbox"], select, textarea, input[type="text"], input:not([type])'
    ).count()
    assert len(controls) == in_dom, f"{in_dom} controls in the form, {len(controls)} in the accessibility tree"
    unnamed = [f"{role}{rest}" for role, rest in controls if not re.match(r'\s*"[^"]+"', rest)]
    assert unnamed == [], f"controls without an accessible name: {unnamed}"


# --- the tests -------------------------------------------------------------------------------------------------


def test_a_typical_entry_on_a_phone_takes_at_most_15_taps_and_no_typing_and_reaches_chart_and_trajectory(
    phone: BrowserContext, desk: BrowserContext, server: Server, recorder: Recorder, diary: Diary
) -> None:
    page = phone.new_page()
    sign_in(page, diary.username)
    expect(page).to_have_url(f"{server.url}/portal/")

    you = Interactions(page)
    you.watch_the_page()
    you.tap(page.get_by_role("navigation", name="Main").get_by_role("link", name="My diary"), "My diary")
    expect(page.get_by_role("heading", level=1)).to_have_text("My diary")
    you.tap(page.get_by_role("link", name="Fill in today"), "Fill in today")
    expect(page.get_by_role("heading", level=1)).to_have_text("How is today going?")

    form = page.locator("form.diary-form")
    no_horizontal_scroll(page)
    every_control_is_named(form)

    for question, value in RATINGS.items():
        you.tap(scale_choice(form, question, value), f"{question} {value}")
    you.choose(form.get_by_role("combobox", name="Hours of sleep last night"), SLEEP_HOURS, "hours of sleep")
    you.tap(scale_choice(form, "How well I slept", SLEEP_QUALITY), f"sleep quality {SLEEP_QUALITY}")
    activity = form.get_by_role("group", name=ACTIVITY, exact=True)
    you.tap(activity.locator("label").filter(has=page.get_by_role("checkbox", name="Done", exact=True)), "Done")
    how_long = activity.get_by_role("combobox", name=re.compile(r"^How long"))
    you.choose(how_long, ACTIVITY_MINUTES, "how long")
    you.tap(scale_choice(activity, "How hard “Walking the dog” felt", EFFORT), f"effort {EFFORT}")

    # What the page shows before saving: each tap chose what it meant to.
    for question, value in RATINGS.items():
        expect(
            form.get_by_role("group", name=question, exact=True).get_by_role("radio", name=str(value), exact=True)
        ).to_be_checked()
    expect(activity.get_by_role("checkbox", name="Done")).to_be_checked()
    expect(activity.get_by_role("checkbox", name="Planned")).not_to_be_checked()
    no_horizontal_scroll(page)
    page.screenshot(path=str(ENTRY_SCREENSHOT), full_page=True)

    you.tap(form.get_by_role("button", name="Save my entry"), "Save my entry")
    expect(page).to_have_url(re.compile(r"/portal/diary/(#today)?$"))

    assert you.count <= MOST_INTERACTIONS, f"{you.count} interactions for a typical entry: {you.done}"
    assert you.typed == [], f"the entry needed typing: {you.typed}"
    assert you.seen_typing == [], f"the page saw typing during the entry: {you.seen_typing}"
    print(f"\nA typical diary entry took {you.count} interactions and no typing: {you.done}")

    # The diary home: today is filled in, the chart has today's point, and the table today's values.
    expect(page.locator("main")).to_contain_text("Thank you. Today's entry is saved.")
    days = page.get_by_role("region", name="Today and the last few days")
    today_item = days.get_by_role("listitem").filter(has_text=re.compile(r"^\s*Today"))
    expect(today_item).to_contain_text("Filled in")
    expect(days.get_by_role("link", name="Fill in today")).to_have_count(0)

    pain = page.get_by_role("figure", name="Pain", exact=True)
    expect(pain.get_by_role("img", name=re.compile(r"^Pain by day"))).to_be_visible()
    points = pain.locator("svg circle")
    expect(points).to_have_count(1)
    expect(points.locator("title")).to_have_text(f"{diary.today:%d %b %Y}: {RATINGS['Pain']}")

    page.get_by_text("The same as a table").first.tap()  # after the entry: not counted
    table = page.get_by_role("table", name="My diary, day by day")
    expect(table).to_be_visible()
    for question, value in RATINGS.items():
        expect(cell(table, f"{diary.today:%a %d %b}", question)).to_have_text(str(value))
    yesterday = cell(table, f"{diary.today - timedelta(days=1):%a %d %b}", "Pain")
    expect(yesterday).to_have_text("–")
    page.screenshot(path=str(HOME_SCREENSHOT), full_page=True)

    # The therapist, at a desk, opens the chart and the Diary tab: today's entry is in the trajectory.
    clinician = desk.new_page()
    sign_in(clinician, "therapist")
    clinician.goto("/clinician/")
    clinician.get_by_role("link", name=re.compile(diary.family_name)).first.click()
    expect(clinician.get_by_role("heading", level=1)).to_contain_text(diary.family_name)
    clinician.get_by_role("navigation", name="Patient chart").get_by_role("link", name="Diary").click()
    expect(clinician).to_have_url(re.compile(r"/clinician/patients/[0-9a-f-]{36}/diary/$"))
    expect(clinician.locator("main")).to_contain_text("Completion: 1 of 1 days with a daily entry in the period shown.")
    trajectory = clinician.get_by_role("region", name=re.compile(r"^Trajectory over \d+ weeks"))
    pain_chart = trajectory.get_by_role("figure", name="Pain", exact=True)
    expect(pain_chart.locator("svg circle title")).to_have_text(f"{diary.today:%d %b %Y}: {RATINGS['Pain']}")
    trajectory.get_by_text("The same as a table").click()
    table = trajectory.get_by_role("table", name="Diary, day by day (most recent first)")
    expect(table).to_be_visible()
    expect(table.locator("tbody tr")).to_have_count(1)
    expect(cell(table, f"{diary.today:%a %d %b}", "Pain")).to_have_text(str(RATINGS["Pain"]))
    assert recorder.console_errors == [], recorder.console_errors


def test_the_entry_page_fits_a_phone_without_sideways_scrolling(browser: Browser, server: Server, diary: Diary) -> None:
    # A plain 390 px viewport as well: without is_mobile, a page too wide shows as a sideways scroll.
    context = new_context(browser, server, Recorder(), viewport={"width": PHONE_WIDTH, "height": 844})
    try:
        page = context.new_page()
        sign_in(page, diary.username)
        for path in (f"/portal/diary/days/{diary.today - timedelta(days=2)}/", "/portal/diary/"):
            page.goto(path)
            expect(page.get_by_role("heading", level=1)).to_be_visible()
            widths = page.evaluate("() => ({scroll: document.scrollingElement.scrollWidth, inner: window.innerWidth})")
            assert widths["scroll"] <= widths["inner"] + 1, f"{path} scrolls sideways at 390 px: {widths}"
    finally:
        context.close()


def test_a_rating_can_be_chosen_with_the_keyboard_alone(desk: BrowserContext, diary: Diary) -> None:
    page = desk.new_page()
    sign_in(page, diary.username)
    # An earlier day without an entry (the other test fills in today), so no value is chosen yet.
    page.goto(f"/portal/diary/days/{diary.today - timedelta(days=1)}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"^How was "))
    assert checked_value(page, "rating-pain") is None

    page.get_by_role("link", name="Back to my diary").focus()
    page.keyboard.press("Tab")  # into the first scale: its first choice
    focused = page.evaluate("() => ({name: document.activeElement.name, value: document.activeElement.value})")
    assert focused == {"name": "rating-pain", "value": "0"}, f"Tab went to {focused}, not into the Pain scale"
    pain = page.get_by_role("group", name="Pain", exact=True)
    expect(pain.get_by_role("radio", name="0", exact=True)).to_be_focused()
    # The focused choice is shown: the (visually hidden) radio's label draws the focus ring.
    ring = pain.locator("label").filter(has=page.locator("input:focus")).locator("span")
    expect(ring).to_have_css("outline-style", "solid")

    page.keyboard.press("ArrowRight")
    assert checked_value(page, "rating-pain") == "1"
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    assert checked_value(page, "rating-pain") == "3"
    expect(pain.get_by_role("radio", name="3", exact=True)).to_be_checked()
    expect(pain.get_by_role("radio", name="3", exact=True)).to_be_focused()
    page.keyboard.press("ArrowLeft")
    assert checked_value(page, "rating-pain") == "2"

    page.keyboard.press("Tab")  # out of the scale, into the next one
    focused = page.evaluate("() => document.activeElement.name")
    assert focused == "rating-fatigue", f"Tab from the Pain scale went to {focused!r}"
