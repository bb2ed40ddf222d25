"""Who gets in and who does not: signing in and out, wrong passwords, and charts outside one's care."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import DEMO_PASSWORD, KnownPatient, Recorder, Server, new_context, sign_in

pytestmark = pytest.mark.browser


def assert_not_found_without_the_patient(page: Page, patient: KnownPatient) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text("Not found")
    text = page.content()
    for part in (patient.family_name, patient.first_name, patient.display_name):
        assert part not in text, f"the 404 page mentions {part!r}"


def test_staff_outside_the_care_team_gets_404_for_a_chart(page: Page, known_patient: KnownPatient) -> None:
    sign_in(page, "locum")
    expect(page.get_by_role("heading", level=1)).to_have_text("My caseload")
    expect(page.locator("#caseload-rows")).not_to_contain_text(known_patient.listed_as)

    for path in (known_patient.chart_path, f"{known_patient.chart_path}team/"):
        response = page.goto(path)
        assert response is not None
        assert response.status == 404, f"{path} answered {response.status} to staff outside the care team"
        assert_not_found_without_the_patient(page, known_patient)


def test_patient_gets_404_for_a_clinician_chart(page: Page, known_patient: KnownPatient) -> None:
    sign_in(page, "patient")
    expect(page).to_have_url(re.compile(r"/portal/$"))

    for path in (known_patient.chart_path, "/clinician/"):
        response = page.goto(path)
        assert response is not None
        assert response.status == 404, f"{path} answered {response.status} to a patient"
        assert_not_found_without_the_patient(page, known_patient)


def test_after_signing_out_the_caseload_asks_to_sign_in_again(page: Page, server: Server, browser: Browser) -> None:
    sign_in(page, "coordinator")
    expect(page.get_by_role("heading", level=1)).to_have_text("Caseload registry")
    old_session = [cookie for cookie in page.context.cookies() if cookie["name"] == "cg_session"]
    assert old_session, "signing in set no session cookie"

    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(f"{server.url}/accounts/sign-in/")
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)

    page.go_back()  # the registry was never cached (no-store): the browser asks the server again
    expect(page).to_have_url(re.compile(r"/accounts/sign-in/\?next=/clinician/registry/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    expect(page.locator("#registry-rows")).to_have_count(0)

    response = page.goto("/clinician/")
    assert response is not None and response.status == 200
    expect(page).to_have_url(re.compile(r"/accounts/sign-in/\?next=/clinician/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")

    # The old session is over on the server too, not only forgotten by this browser.
    replay = new_context(browser, server, Recorder())
    try:
        replay.add_cookies(old_session)  # type: ignore[arg-type]
        stale = replay.new_page()
        stale.goto("/clinician/")
        expect(stale).to_have_url(re.compile(r"/accounts/sign-in/\?next=/clinician/$"))
    finally:
        replay.close()


def test_wrong_password_shows_a_plain_error_and_keeps_the_username(page: Page) -> None:
    page.goto("/accounts/sign-in/")
    page.get_by_label("Username").fill("coordinator2")
    page.get_by_label("Password").fill("not-the-right-password")
    with page.expect_response(lambda response: response.request.method == "POST") as answer:
        page.get_by_role("button", name="Sign in").click()

    assert answer.value.status == 400
    expect(page.get_by_role("alert")).to_have_text("That username and password do not match an active account.")
    expect(page.get_by_label("Username")).to_have_value("coordinator2")
    expect(page.get_by_label("Password")).to_have_value("")  # a password is never sent back
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")


def test_sign_in_works_from_the_keyboard(page: Page, server: Server) -> None:
    page.goto("/accounts/sign-in/")

    def focused() -> dict[str, str]:
        return page.evaluate(
            """() => { const el = document.activeElement;
                return {tag: el.tagName.toLowerCase(), id: el.id || "", cls: el.className || "",
                        text: (el.innerText || "").trim(), type: el.type || ""}; }"""
        )

    page.keyboard.press("Tab")
    first = focused()
    assert "skip-link" in first["cls"] and first["text"] == "Skip to content", f"first Tab stop: {first}"
    box = page.locator(".skip-link").bounding_box()
    assert box is not None and box["x"] >= 0 and box["y"] >= 0, "the skip link stays off-screen when focused"

    order = []
    for _ in range(8):
        page.keyboard.press("Tab")
        now = focused()
        if now["id"] == "id_username":
            order.append("username")
            page.keyboard.type("coordinator")
        elif now["id"] == "id_password":
            order.append("password")
            page.keyboard.type(DEMO_PASSWORD)
        elif now["tag"] == "button" and now["text"] == "Sign in":
            order.append("button")
            break
        else:
            order.append(f"{now['tag']}:{now['text'] or now['id']}")
    named = [stop for stop in order if stop in ("username", "password", "button")]
    assert named == ["username", "password", "button"], f"Tab order: {order}"
    assert order[-3:] == ["username", "password", "button"], f"something sits between the fields: {order}"

    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{server.url}/clinician/registry/")  # a coordinator's main page
    expect(page.get_by_role("heading", level=1)).to_have_text("Caseload registry")


def test_skip_link_moves_focus_to_the_content(page: Page) -> None:
    page.goto("/accounts/sign-in/")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/accounts/sign-in/#main$"))
    assert page.evaluate("document.activeElement.id") == "main"
