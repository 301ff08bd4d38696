"""A clinic's day in a real browser: an admin adds a clinician, who registers a patient, records an
assessment with FPI-6 and a footprint photo, records a follow-up, reads the chart and the verdict, and
exports the record.

The admin is bootstrapped with ``footchain users create --password-file`` (``clinic_live_server``).
Every step is photographed at phone (390 px) and desktop (1280 px) width into
``test-artifacts/screenshots/<test>/``; the phone layout must not scroll sideways.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, ViewportSize, expect
from pypdf import PdfReader

from tests.accessibility import axe_violations
from tests.browser import ARTIFACTS, chromium
from tests.clinic.conftest import LiveClinic
from tests.footprint.photo_cases import sheet_photo_case

pytestmark = pytest.mark.browser

DESKTOP = ViewportSize(width=1280, height=900)
PHONE = ViewportSize(width=390, height=844)
CLINICIAN = "clinician@browser-clinic.example"
CLINICIAN_PASSWORD = "a long clinician password"
PATIENT = "Marisol Ferreira-Nakamura"
ACTIVITY = "Walking the dog for an hour"
# FPI-6 items 1-6, left and right: a pronated left foot, a neutral-to-pronated right one.
FPI_LEFT = ["2", "1", "2", "1", "1", "2"]
FPI_RIGHT = ["1", "0", "1", "1", "0", "1"]
ANALYSIS_WAIT_MS = 120_000


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as browser:
        yield browser


@pytest.fixture
def screenshots(request: pytest.FixtureRequest) -> Path:
    folder = ARTIFACTS / "screenshots" / request.node.name.replace("/", "_")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="module")
def photo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A phone photo of a right footprint on the calibration sheet, tilted and in uneven light."""
    path, _truth = sheet_photo_case(7200, tmp_path_factory.mktemp("photo"), image_size=(2400, 1800))
    return path


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport=DESKTOP, accept_downloads=True)
    yield context.new_page()
    context.close()


# What sticks out of the phone layout, per step: collected, and asserted at the end of the walk-through
# so that one overflow does not hide the rest of the day.
WIDEST = """() => [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
  .map(e => e.tagName.toLowerCase() + (e.className ? '.' + String(e.className).split(' ').join('.') : ''))
  .slice(0, 6)"""


def snap(page: Page, folder: Path, name: str, overflow: list[str] | None = None) -> None:
    """Screenshots at desktop and phone width; a phone page wider than the phone, or an axe-core
    violation at either width, goes to ``overflow``."""
    page.screenshot(path=folder / f"{name}-desktop.png", full_page=True)
    page.set_viewport_size(PHONE)
    width = page.evaluate("document.documentElement.scrollWidth")
    if width > PHONE["width"]:
        message = f"{name}: the phone layout is {width} px wide ({', '.join(page.evaluate(WIDEST))})"
        if overflow is None:
            raise AssertionError(message)
        overflow.append(message)
    page.screenshot(path=folder / f"{name}-phone.png", full_page=True)
    violations = axe_violations(page)
    page.set_viewport_size(DESKTOP)
    violations += axe_violations(page)
    if violations:
        message = f"{name}: axe-core: " + "; ".join(violations)
        if overflow is None:
            raise AssertionError(message)
        overflow.append(message)


def sign_in(
    page: Page, base: str, email: str, password: str, shots_of: Callable[[str], None], name: str
) -> None:
    page.goto(f"{base}/clinic/patients")
    expect(page).to_have_url(re.compile(r"/login\?next="))
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    shots_of(name)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{base}/clinic/patients")


def sign_out(page: Page, base: str) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/login"))
    page.goto(f"{base}/clinic/patients")
    expect(page).to_have_url(re.compile(r"/login\?next="))


def fill_visit(page: Page, *, day: str, kind: str, pain: str, psfs: str) -> None:
    page.locator('input[name="visited_on"]').fill(day)
    page.locator('select[name="kind"]').select_option(kind)
    page.locator('input[name="pain_score"]').fill(pain)
    page.get_by_label("PSFS activity 1").fill(ACTIVITY)
    page.get_by_label("PSFS score 1").fill(psfs)


def test_a_clinic_day_from_new_clinician_to_exported_record(
    page: Page, clinic_live_server: LiveClinic, screenshots: Path, photo: Path
) -> None:
    base = clinic_live_server.base
    overflow: list[str] = []

    def shots_of(name: str) -> None:
        snap(page, screenshots, name, overflow)

    # 1 the admin signs in and adds a clinician
    sign_in(page, base, clinic_live_server.admin_email, clinic_live_server.password, shots_of, "01-sign-in")
    page.goto(f"{base}/clinic/users")
    page.locator("#new-email").fill(CLINICIAN)
    page.locator("#new-password").fill(CLINICIAN_PASSWORD)
    page.locator('input[name="role"][value="clinician"]').check()
    shots_of("02-users-form")
    page.get_by_role("button", name="Create user").click()
    expect(page.get_by_text(CLINICIAN).first).to_be_visible()
    shots_of("03-clinician-created")
    sign_out(page, base)

    # 2 the clinician signs in and registers a patient
    sign_in(page, base, CLINICIAN, CLINICIAN_PASSWORD, shots_of, "04-clinician-sign-in")
    expect(page.get_by_role("link", name="Users")).to_have_count(0)  # not an admin's menu
    page.locator('input[name="name"]').fill(PATIENT)
    page.locator('input[name="birth_year"]').fill("1979")
    shots_of("05-new-patient")
    page.get_by_role("button", name="Register patient").click()
    expect(page).to_have_url(re.compile(r"/clinic/patients/[\w-]{32}$"))
    patient_url = page.url
    expect(page.get_by_role("heading", name=PATIENT)).to_be_visible()
    shots_of("06-patient")

    # 3 an assessment: pain, PSFS, FPI-6 for both feet (each item explained), and a footprint photo
    page.get_by_role("link", name="Record a visit").click()
    expect(page).to_have_url(f"{patient_url}/visits/new")
    fill_visit(page, day="2025-01-14", kind="assessment", pain="7", psfs="3")
    page.locator('select[name="pain_region_1"]').select_option("knee")
    page.locator('select[name="pain_side_1"]').select_option("left")
    page.locator('input[name="pain_intensity_1"]').fill("7")
    page.locator('input[name="pain_weeks_1"]').fill("10")
    for n, (left, right) in enumerate(zip(FPI_LEFT, FPI_RIGHT, strict=True), start=1):
        page.locator(f'select[name="fpi_left_{n}"]').select_option(left)
        page.locator(f'select[name="fpi_right_{n}"]').select_option(right)
    expect(page.locator("[data-fpi-totals]")).to_contain_text("+9")  # live total of the left foot
    page.locator('select[name="self_reported_arch"]').select_option("flat")
    page.locator('input[name="footprint_files"]').set_input_files(photo)
    shots_of("07-assessment-form")
    page.get_by_role("button", name="Save visit").click()
    expect(page).to_have_url(re.compile(r"/clinic/visits/[\w-]{32}$"))
    assessment_url = page.url
    expect(page.locator(".fpi-total[data-side='left']")).to_contain_text("+9")
    shots_of("08-visit-queued")
    # the page polls the status and shows "done" when the background analysis has measured the photo
    expect(page.locator("[data-status]").first).to_have_text("done", timeout=ANALYSIS_WAIT_MS)
    # once nothing is pending the page reloads itself (clinic.js); reloading it from here as well
    # raced that navigation (net::ERR_ABORTED in a CI run), so wait for the server's own page instead
    expect(page.locator("[data-pending-note]")).to_have_count(0, timeout=ANALYSIS_WAIT_MS)
    page.wait_for_load_state("load")
    expect(page.locator("[data-status]").first).to_have_text("done")
    shots_of("09-visit-measured")

    # 4 a follow-up: less pain, more function
    page.goto(f"{patient_url}/visits/new")
    fill_visit(page, day="2025-03-11", kind="follow_up", pain="2", psfs="8")
    shots_of("10-follow-up-form")
    page.get_by_role("button", name="Save visit").click()
    expect(page).to_have_url(re.compile(r"/clinic/visits/[\w-]{32}$"))
    assert page.url != assessment_url
    shots_of("11-follow-up")

    # 5 the chart and the verdict on the patient page and on the outcomes page
    page.goto(patient_url)
    verdict = page.locator("[data-verdict]").first
    expect(verdict).to_have_attribute("data-verdict", "improved")
    expect(verdict).to_contain_text("improved")
    expect(page.locator("section svg").first).to_be_visible()
    expect(page.get_by_text("2025-01-14").first).to_be_visible()
    expect(page.get_by_text("2025-03-11").first).to_be_visible()
    shots_of("12-patient-timeline-outcomes")
    page.goto(f"{patient_url}/outcomes")
    expect(page.locator("[data-verdict]").first).to_have_attribute("data-verdict", "improved")
    expect(page.locator("svg").first).to_be_visible()
    shots_of("13-outcomes")
    page.goto(patient_url)
    page.get_by_role("button", name="Compare side by side").click()
    expect(page).to_have_url(re.compile(r"/compare"))
    expect(page.get_by_text("+9").first).to_be_visible()
    shots_of("14-compare")

    # 6 the export: JSON and PDF downloads holding the record and the verdict
    page.goto(patient_url)
    with page.expect_download() as download:
        page.get_by_role("link", name="Export JSON").click()
    record = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    text = json.dumps(record, ensure_ascii=False)
    assert PATIENT in text and ACTIVITY in text
    assert len(record["visits"]) == 2
    assert "improved" in text
    with page.expect_download() as download:
        page.get_by_role("link", name="Export PDF").click()
    pdf = PdfReader(io.BytesIO(Path(download.value.path()).read_bytes()))
    words = " ".join((p.extract_text() or "") for p in pdf.pages)
    flat = re.sub(r"\s+", " ", words)
    assert PATIENT in flat, flat[:500]
    assert "improved" in flat.lower(), flat[:1500]
    (screenshots / "15-export.pdf").write_bytes(Path(download.value.path()).read_bytes())
    shots_of("15-before-export")
    assert not overflow, "pages that scroll sideways on a phone or fail axe-core:\n" + "\n".join(overflow)
