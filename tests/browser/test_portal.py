"""The patient portal in the browser: today, who looked at my record, my consents."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import Server, sign_in

pytestmark = pytest.mark.browser


def test_patient_signs_in_to_today_and_reads_the_access_log_and_consents(page: Page, server: Server) -> None:
    sign_in(page, "patient")

    expect(page).to_have_url(f"{server.url}/portal/")
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"^Good (morning|afternoon|evening), \S+"))
    expect(page.get_by_role("link", name="Today", exact=True)).to_have_attribute("aria-current", "page")
    expect(page.get_by_role("heading", name="Your care team")).to_be_visible()
    expect(page.get_by_role("link", name="My caseload")).to_have_count(0)  # no clinician navigation

    page.get_by_role("link", name="Who looked at my record").click()
    expect(page).to_have_url(f"{server.url}/portal/who-looked/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Who looked at my record")
    log = page.get_by_role("table")
    expect(log.locator("caption")).to_have_text("Access to your record")
    expect(log.get_by_role("columnheader")).to_have_text(["When", "Who", "Their role", "What happened"])
    expect(log.locator("tbody tr").first).to_be_visible()
    # The demo clinic registered this patient through the coordinator, so the log is not empty.
    expect(log.locator("tbody")).to_contain_text("Maria Jansen")

    page.get_by_role("link", name="My consents").click()
    expect(page).to_have_url(f"{server.url}/portal/consents/")
    expect(page.get_by_role("heading", level=1)).to_have_text("My consents")
    consents = page.get_by_role("table")
    expect(consents.locator("caption")).to_have_text("Your consents")
    expect(consents.locator("tbody tr").first).to_contain_text("In force")
