"""What the browser is told and what it fetches: security headers, a clean console, nothing from elsewhere."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import ROOT, KnownPatient, Recorder, Server, sign_in

pytestmark = pytest.mark.browser


def test_pages_carry_the_security_headers_and_run_without_console_errors(
    page: Page, server: Server, recorder: Recorder, known_patient: KnownPatient
) -> None:
    sign_in(page, "coordinator")
    response = page.goto("/clinician/")
    assert response is not None and response.status == 200
    headers = response.headers
    assert "frame-ancestors 'none'" in headers.get("content-security-policy", ""), headers
    assert "script-src 'self'" in headers["content-security-policy"]
    assert "no-store" in headers.get("cache-control", ""), headers
    assert headers.get("x-content-type-options") == "nosniff"

    # The page's own style sheet and scripts loaded and run under that policy.
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(243, 245, 248)"
    page.wait_for_function("() => typeof window.htmx === 'object'")
    with page.expect_response(lambda answer: answer.url.endswith("/clinician/") and answer.request.method == "POST"):
        page.get_by_label("Find a patient").fill(known_patient.family_name)
    expect(page.locator("#caseload-rows tbody tr").first).to_contain_text(known_patient.family_name)

    chart = page.goto(known_patient.chart_path)
    assert chart is not None and chart.status == 200
    assert "frame-ancestors 'none'" in chart.headers.get("content-security-policy", "")
    assert "no-store" in chart.headers.get("cache-control", "")
    page.get_by_role("link", name="Care team").click()
    expect(page.get_by_role("table").first).to_be_visible()

    assert recorder.console_errors == [], "console errors or CSP violations:\n" + "\n".join(recorder.console_errors)


def test_every_request_stays_on_the_server(page: Page, server: Server, recorder: Recorder) -> None:
    """No CDN, no fonts or analytics from elsewhere: the browser only ever talks to the application."""
    page.goto("/accounts/sign-in/")
    sign_in(page, "coordinator")
    page.get_by_role("link", name="Register a patient").click()
    page.wait_for_load_state("networkidle")
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, "patient")
    page.get_by_role("link", name="Who looked at my record").click()
    page.wait_for_load_state("networkidle")

    assert len(recorder.requests) >= 10
    assert any(url.endswith(".css") for url in recorder.requests)
    assert any("htmx" in url for url in recorder.requests)
    elsewhere = sorted({url for url in recorder.requests if urlsplit(url).netloc != server.host})
    assert elsewhere == [], f"requests left the server: {elsewhere}"
    assert all(urlsplit(url).hostname == "127.0.0.1" for url in recorder.requests)


STATIC_BUG = (
    "APP BUG in commonground/settings.py: WHITENOISE_USE_FINDERS = DEBUG, which is False in the test profile, so "
    "whitenoise serves only STATIC_ROOT and a server started without `collectstatic` answers 404 for every "
    "/static/ file (no CSS, no HTMX); with an old var/static it serves stale copies instead. Fix: set "
    'WHITENOISE_USE_FINDERS = True in the `if ENVIRONMENT == "test":` block (next to WHITENOISE_AUTOREFRESH).'
)


@pytest.mark.app_bug(STATIC_BUG)
def test_static_files_are_served_without_collectstatic(page: Page, server: Server) -> None:
    """The test profile (plain static storage) serves /static/ straight from the source folders.

    The server fixture probes this before anything is collected; when it fails it collects the files into the
    run's own STATIC_ROOT so the other tests still see the real page, and this test reports the problem.
    """
    assert server.static_served_without_collectstatic, f"{server.static_problem}\n{STATIC_BUG}"
    response = page.goto("/static/css/app.css")
    assert response is not None and response.status == 200
    assert "text/css" in response.headers.get("content-type", "")
    assert response.body() == (ROOT / "commonground" / "static" / "css" / "app.css").read_bytes(), "a stale copy"
