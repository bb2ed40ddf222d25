"""A clinician's day in the browser: signing in, the caseload, searching it, the chart and its tabs."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from tests.browser.conftest import ROOT, KnownPatient, Recorder, Server, new_context, sign_in

pytestmark = pytest.mark.browser

SCREENSHOT = ROOT / "docs" / "images" / "caseload.png"


def caseload_rows(page: Page) -> Locator:
    return page.locator("#caseload-rows tbody tr")


def test_coordinator_signs_in_sees_the_caseload_and_opens_a_chart(page: Page, server: Server) -> None:
    sign_in(page, "coordinator")

    expect(page).to_have_url(f"{server.url}/clinician/registry/")  # a coordinator lands on the registry
    page.get_by_role("link", name="My caseload").click()
    expect(page).to_have_url(f"{server.url}/clinician/")
    expect(page.get_by_role("heading", level=1)).to_have_text("My caseload")
    expect(page.get_by_role("link", name="My caseload")).to_have_attribute("aria-current", "page")
    rows = caseload_rows(page)
    expect(rows.first.get_by_role("link")).to_be_visible()
    count = rows.count()
    assert count >= 5, f"the demo coordinator should have a caseload, found {count} rows"
    expect(page.locator("#caseload-rows caption")).to_have_text(f"{count} patients on your care teams")

    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT))

    link = rows.nth(2).get_by_role("link")
    listed_as = link.inner_text().strip()
    family_name, first_name = listed_as.split(", ", 1)
    link.click()

    expect(page).to_have_url(re.compile(r"/clinician/patients/[0-9a-f-]{36}/$"))
    banner = page.locator(".patient-banner")
    expect(banner.get_by_role("heading", level=1)).to_have_text(f"{first_name} {family_name}")
    expect(banner).to_contain_text(re.compile(r"Born .+\(\d+\)"))
    tabs = page.get_by_role("navigation", name="Patient chart").get_by_role("link")
    expect(tabs).to_have_text(
        [
            "Overview",
            "Measures",
            "Goals",
            "Care plan",
            "Safety plan",
            "Diary",
            "Notes",
            "Tasks",
            "Messages",
            "Referrals",
            "Groups",
            "Care team",
            "Consents and supporters",
            "Record history",
        ]
    )
    expect(tabs.filter(has_text="Overview")).to_have_attribute("aria-current", "page")

    tabs.filter(has_text="Care team").click()

    expect(page).to_have_url(re.compile(r"/clinician/patients/[0-9a-f-]{36}/team/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{first_name} {family_name}")
    expect(tabs.filter(has_text="Care team")).to_have_attribute("aria-current", "page")
    expect(tabs.filter(has_text="Overview")).not_to_have_attribute("aria-current", "page")
    team = page.get_by_role("table").filter(has=page.locator("caption", has_text="Current care team"))
    expect(team.locator("tbody tr").first).to_contain_text("Maria Jansen")  # the demo coordinator is on it
    assert SCREENSHOT.stat().st_size > 10_000


def test_caseload_search_filters_the_rows_in_place(page: Page, known_patient: KnownPatient) -> None:
    sign_in(page, "coordinator")
    page.goto("/clinician/")
    rows = caseload_rows(page)
    expect(rows.first).to_be_visible()
    before = rows.count()
    page.evaluate("window.__same_page = true")  # gone if the search reloaded the whole page
    term = known_patient.family_name

    with page.expect_response(
        lambda response: response.url.endswith("/clinician/") and response.request.headers.get("hx-request") == "true"
    ) as answer:
        page.get_by_label("Find a patient").fill(term)
    assert answer.value.status == 200
    # The search is posted: a patient's name never goes into a URL (or a proxy's log of URLs).
    assert answer.value.request.method == "POST"
    assert term not in answer.value.url

    expect(rows.filter(has_text=known_patient.listed_as).first).to_be_visible()
    names = [name.strip().lower() for name in rows.locator("td:first-child").all_inner_texts()]
    assert 0 < len(names) < before, f"searching {term!r} left {len(names)} of {before} rows"
    assert all(term.lower() in name for name in names), names
    assert page.evaluate("window.__same_page === true"), "the search reloaded the page instead of swapping the rows"
    expect(page).to_have_url(re.compile(r"/clinician/$"))  # hx-push-url="false"

    with page.expect_response(
        lambda response: response.url.endswith("/clinician/") and response.request.method == "POST"
    ):
        page.get_by_label("Find a patient").fill("no-such-patient-zz")
    expect(rows).to_have_count(1)
    expect(rows.first).to_have_text("No patients match.")


def test_register_patient_page_labels_every_control(page: Page) -> None:
    sign_in(page, "coordinator")
    page.get_by_role("link", name="Register a patient").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Register a patient")

    controls = page.evaluate(
        """() => [...document.querySelectorAll("main input, main select, main textarea")]
            .filter((el) => el.type !== "hidden" && el.getClientRects().length > 0)
            .map((el) => ({
                name: el.name || el.id,
                labelled: (el.labels && el.labels.length > 0 && [...el.labels].some((l) => l.textContent.trim()))
                    || !!(el.getAttribute("aria-label") || "").trim()
                    || !!el.getAttribute("aria-labelledby"),
            }))"""
    )
    assert len(controls) >= 6, f"the register form shows too few controls: {controls}"
    unlabelled = [control["name"] for control in controls if not control["labelled"]]
    assert unlabelled == [], f"controls without an accessible label: {unlabelled}"
    expect(page.get_by_label("Given name")).to_be_visible()


@pytest.mark.parametrize("where", ["caseload", "chart", "registry"])
def test_phone_width_has_no_horizontal_page_overflow(
    browser: Browser, server: Server, known_patient: KnownPatient, where: str
) -> None:
    # A plain 390px viewport: with is_mobile the layout viewport would widen to the content and hide the overflow.
    context = new_context(browser, server, Recorder(), viewport={"width": 390, "height": 844})
    try:
        page = context.new_page()
        sign_in(page, "coordinator")
        if where == "chart":
            page.goto(known_patient.chart_path)
            expect(page.locator(".patient-banner")).to_be_visible()
        elif where == "registry":
            expect(page.locator("#registry-rows tbody tr").first).to_be_visible()
        else:
            page.goto("/clinician/")
            expect(caseload_rows(page).first).to_be_visible()
            expect(page.locator("#caseload-rows .table-wrap")).to_be_visible()
        widths = page.evaluate(
            "() => ({scroll: document.documentElement.scrollWidth, inner: window.innerWidth,"
            " body: document.body.scrollWidth})"
        )
        assert widths["inner"] == 390
        assert widths["scroll"] <= widths["inner"] + 1, f"the {where} page scrolls sideways at phone width: {widths}"
        assert widths["body"] <= widths["inner"] + 1, f"the {where} body is wider than the phone: {widths}"
    finally:
        context.close()
