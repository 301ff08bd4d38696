"""The pages work in a real browser under the Content-Security-Policy (no inline script): no page logs
a CSP violation, and the delete confirmation (once an inline ``onsubmit``, now ``data-confirm`` handled
by ``/static/clinic.js``) still asks before a gear record is deleted."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Browser, ConsoleMessage, Dialog, Page, expect

from tests.browser import chromium
from tests.clinic.conftest import LiveClinic


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as browser:
        yield browser


@pytest.mark.browser
def test_pages_run_under_the_csp_and_deleting_gear_still_asks(
    browser: Browser, clinic_live_server: LiveClinic
) -> None:
    base = clinic_live_server.base
    token = httpx.post(
        f"{base}/api/v1/auth/login",
        json={"email": clinic_live_server.admin_email, "password": clinic_live_server.password},
    ).json()["access_token"]
    api = httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"})
    patient = api.post("/api/v1/patients", json={"name": "Cee Ess Pee", "birth_year": 1980}).json()
    gear = api.post(
        f"/api/v1/patients/{patient['id']}/gear",
        json={"kind": "shoes", "name": "Trail shoe", "started_on": "2026-01-02"},
    )
    assert gear.status_code == 201, gear.text
    context = browser.new_context()
    page: Page = context.new_page()
    violations: list[str] = []

    def watch(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text or "Refused to" in message.text:
            violations.append(message.text)

    page.on("console", watch)
    page.goto(f"{base}/clinic/patients")
    page.get_by_label("Email").fill(clinic_live_server.admin_email)
    page.get_by_label("Password").fill(clinic_live_server.password)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{base}/clinic/patients")
    for path in ("/", "/assess", f"/clinic/patients/{patient['id']}", "/clinic/users"):
        page.goto(f"{base}{path}")
        page.wait_for_load_state("networkidle")
    page.goto(f"{base}/clinic/patients/{patient['id']}/gear")
    delete = page.get_by_role("button", name=re.compile("Delete"))
    asked: list[str] = []

    def decline(dialog: Dialog) -> None:
        asked.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", decline)
    delete.first.click()
    expect(page.get_by_text("Trail shoe").first).to_be_visible()
    assert asked == ["Delete this gear record for good?"]
    page.once("dialog", lambda dialog: dialog.accept())
    delete.first.click()
    page.wait_for_load_state("networkidle")
    assert api.get(f"/api/v1/patients/{patient['id']}/gear").json().get("gear", []) == []
    assert violations == []
    context.close()
    api.close()
