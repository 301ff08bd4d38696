"""A person in a real browser: the whole self-assessment by mouse and by keyboard, red flags first.

Every step is photographed at phone (390 px) and desktop (1280 px) width into ``test-artifacts``, and
the phone layout must not scroll sideways. The results page and its PDF come from ``routes/results.py``.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, FilePayload, Page, ViewportSize, expect
from pypdf import PdfReader

from tests.accessibility import axe_violations
from tests.footprint.photo_cases import sheet_photo_case

pytestmark = pytest.mark.browser

DESKTOP = ViewportSize(width=1280, height=900)
PHONE = ViewportSize(width=390, height=844)


@pytest.fixture(scope="module")
def photo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A phone photo of a right footprint on the A4 or Letter sheet, tilted and in uneven light."""
    path, _truth = sheet_photo_case(7200, tmp_path_factory.mktemp("photo"), image_size=(2400, 1800))
    return path


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport=DESKTOP, accept_downloads=True)
    yield context.new_page()
    context.close()


def snap(page: Page, folder: Path, name: str) -> None:
    """Screenshots at desktop and phone width; the phone page must fit without sideways scrolling, and
    axe-core finds no violation at either width (touch targets of 24 px included)."""
    page.screenshot(path=folder / f"{name}-desktop.png", full_page=True)
    violations = axe_violations(page)
    page.set_viewport_size(PHONE)
    width = page.evaluate("document.documentElement.scrollWidth")
    page.screenshot(path=folder / f"{name}-phone.png", full_page=True)
    violations += axe_violations(page)
    page.set_viewport_size(DESKTOP)
    assert width <= PHONE["width"], f"{name}: the phone layout is {width} px wide"
    assert not violations, f"{name}: " + "; ".join(violations)


def continue_(page: Page) -> None:
    page.get_by_role("button", name="Continue", exact=True).click()


def test_a_person_walks_through_with_a_footprint_photo(
    page: Page, live_server: str, screenshots: Path, photo: Path
) -> None:
    page.goto(live_server)
    snap(page, screenshots, "0-home")
    page.get_by_role("link", name="Start").click()
    expect(page).to_have_url(f"{live_server}/assess/pain")

    # 1 where it hurts: the map ticks the real checkbox; no pain score is chosen until the person chooses
    page.locator('path[data-for="where-knee-left"]').click()
    expect(page.locator("#where-knee-left")).to_be_checked()
    page.locator('path[data-for="where-lower_back-midline"]').click()
    expect(page.locator('path[data-for="where-knee-left"]')).to_have_attribute("aria-checked", "true")
    scores = page.locator('input[name="knee-left-intensity"]')
    expect(page.locator("#knee-left-intensity")).to_be_visible()
    assert scores.count() == 11 and not any(scores.nth(i).is_checked() for i in range(11))
    page.locator('[data-detail="knee-left"]').get_by_text("7", exact=True).click()
    expect(page.locator("#knee-left-intensity-7")).to_be_checked()
    page.locator('[data-detail="lower_back-midline"]').get_by_text("3", exact=True).click()
    page.locator("#knee-left-weeks").fill("8")
    page.locator('[data-detail="knee-left"]').get_by_text("Stairs").click()
    snap(page, screenshots, "1-pain")
    continue_(page)

    # 2 health: age first, then no warning signs
    expect(page).to_have_url(f"{live_server}/assess/health")
    page.get_by_label("Age").fill("41")
    for question in (
        "saddle_numbness",
        "new_bladder_or_bowel_problem",
        "diabetes",
        "fever_or_feeling_unwell",
    ):
        page.locator(f"#health-{question}").get_by_text("No", exact=True).click()
    expect(page.locator(".redflag-notice:visible")).to_have_count(0)
    snap(page, screenshots, "2-health")
    continue_(page)

    # 3 activity
    expect(page).to_have_url(f"{live_server}/assess/activity")
    page.get_by_label("About how many hours a day are you on your feet?").fill("8")
    page.locator("#hard_surfaces").get_by_text("Yes", exact=True).click()
    snap(page, screenshots, "3-activity")
    continue_(page)

    # 4 feet, then a reload and the back button keep the answers
    expect(page).to_have_url(f"{live_server}/assess/feet")
    page.locator("#self_reported_arch").get_by_text("Low", exact=True).click()
    page.locator("#arch_flattens_when_standing").get_by_text("Yes", exact=True).click()
    page.get_by_label("Size", exact=True).fill("42")
    page.get_by_label("System").select_option("eu")
    snap(page, screenshots, "4-feet")
    continue_(page)
    expect(page).to_have_url(f"{live_server}/assess/shoes")
    page.reload()
    page.get_by_role("link", name="Back", exact=True).first.click()
    expect(page.get_by_label("Size", exact=True)).to_have_value("42")
    page.goto(f"{live_server}/assess/health")
    expect(page.get_by_label("Age")).to_have_value("41")
    page.goto(f"{live_server}/assess/feet")
    expect(page.locator('input[name="self_reported_arch"][value="low"]')).to_be_checked()
    page.goto(f"{live_server}/assess/pain")
    expect(page.locator("#where-knee-left")).to_be_checked()
    expect(page.locator("#knee-left-intensity-7")).to_be_checked()
    page.goto(f"{live_server}/assess/shoes")

    # 5 shoes: the sole map ticks the real checkbox
    page.locator('rect[data-for="wear-left-medial_heel"]').click()
    expect(page.locator("#wear-left-medial_heel")).to_be_checked()
    page.locator("#heel_counter_tilt").get_by_text("It leans inwards (towards the other shoe)").click()
    snap(page, screenshots, "5-shoes")
    continue_(page)

    # 6 footprint photo, measured on the page
    expect(page).to_have_url(f"{live_server}/assess/footprint")
    snap(page, screenshots, "6-footprint-empty")
    huge = FilePayload(name="huge.jpg", mimeType="image/jpeg", buffer=b"\xff\xd8\xff" + bytes(26 * 2**20))
    page.locator("#files").set_input_files(huge)
    page.get_by_role("button", name="Upload and measure").click()
    expect(page.locator("#files-size-error")).to_contain_text("huge.jpg is larger than 25 MB")
    expect(page).to_have_url(f"{live_server}/assess/footprint")
    page.locator("#files").set_input_files(photo)
    page.get_by_role("button", name="Upload and measure").click()
    overlay = page.locator("img.overlay")
    expect(overlay).to_be_visible(timeout=60_000)
    page.wait_for_function(
        "document.querySelector('img.overlay').complete"
    )  # decoded, even on a busy machine
    assert page.evaluate("document.querySelector('img.overlay').naturalWidth") > 100
    arch_index = page.locator(".arch-index").first.inner_text()
    assert re.fullmatch(r"0\.\d\d", arch_index)
    expect(page.locator(".foot-length").first).to_have_text(re.compile(r"\d+ mm"))
    snap(page, screenshots, "6-footprint-measured")
    continue_(page)

    # 7 gait: skipped
    expect(page).to_have_url(f"{live_server}/assess/gait")
    snap(page, screenshots, "7-gait")
    page.get_by_role("button", name="Continue without a recording").click()

    # 8 review and submit
    expect(page).to_have_url(f"{live_server}/assess/review")
    expect(page.get_by_text("Left knee: 7 out of 10, for 8 weeks, worst with stairs")).to_be_visible()
    snap(page, screenshots, "8-review")
    page.get_by_role("button", name="See my report").click()

    # results (routes/results.py): referral first, the measured arch, the overlay, the PDF
    expect(page).to_have_url(re.compile(rf"{live_server}/assessments/[\w-]+$"))
    referral = page.locator("#referral")
    expect(referral).to_be_visible()
    headline = page.locator("#referral-title").inner_text().strip()
    feet = page.locator("#feet").inner_text()
    assert f"Arch Index {arch_index}" in feet or "measured footprint" in feet
    picture = page.locator("#measurements img").first
    expect(picture).to_be_visible()
    assert page.evaluate("document.querySelector('#measurements img').naturalWidth") > 100
    snap(page, screenshots, "9-results")
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("PDF")).first.click()
    pdf = Path(download.value.path()).read_bytes()
    assert pdf.startswith(b"%PDF")
    text = " ".join((p.extract_text() or "") for p in PdfReader(io.BytesIO(pdf)).pages)
    assert " ".join(headline.split()) in " ".join(text.split())


def test_red_flag_answers_show_the_referral_before_anything_else(
    page: Page, live_server: str, screenshots: Path
) -> None:
    page.goto(f"{live_server}/assess")
    page.locator('path[data-for="where-lower_back-midline"]').click()
    page.locator("#lower_back-midline-intensity").get_by_text("8", exact=True).click()
    continue_(page)
    saddle = page.locator("#health-saddle_numbness")
    saddle.get_by_text("Yes", exact=True).click()
    notice = saddle.locator(".redflag-notice")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text("Go to an emergency department now")
    page.locator("#health-new_bladder_or_bowel_problem").get_by_text("Yes", exact=True).click()
    snap(page, screenshots, "2-health-red-flag")
    continue_(page)
    expect(page).to_have_url(f"{live_server}/assess/referral?next=activity")
    first_heading = page.locator("main h1").first
    expect(first_heading).to_have_text("Go to an emergency department now")
    expect(page.locator("main .referral")).to_contain_text("cauda equina")
    snap(page, screenshots, "referral")
    page.get_by_role("button", name="See my report now").click()
    expect(page).to_have_url(re.compile(rf"{live_server}/assessments/[\w-]+$"))
    first_section = page.locator("main section").first
    expect(first_section).to_have_attribute("id", "referral")
    expect(first_section).to_contain_text("Go to an emergency department now")
    snap(page, screenshots, "results-referral")


def test_the_first_step_works_with_the_keyboard_alone(
    page: Page, live_server: str, screenshots: Path
) -> None:
    page.goto(f"{live_server}/assess")
    page.keyboard.press("Tab")
    expect(page.locator(".skip")).to_be_focused()
    for _ in range(120):  # past the map's regions to the list's right knee
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "where-knee-right":
            break
    expect(page.locator("#where-knee-right")).to_be_focused()
    page.keyboard.press("Space")
    expect(page.locator("#where-knee-right")).to_be_checked()
    expect(page.locator('path[data-for="where-knee-right"]')).to_have_attribute("aria-checked", "true")
    page.keyboard.press("Tab")
    expect(page.locator("#knee-right-intensity-0")).to_be_focused()
    for _ in range(3):  # arrows choose the next score: 1, 2, 3
        page.keyboard.press("ArrowRight")
    expect(page.locator("#knee-right-intensity-3")).to_be_checked()
    page.keyboard.press("Tab")
    expect(page.locator("#knee-right-weeks")).to_be_focused()
    page.keyboard.type("6")
    # the map itself: a focused region toggles with Enter and Space
    page.locator('path[data-for="where-heel-left"]').focus()
    page.keyboard.press("Enter")
    expect(page.locator("#where-heel-left")).to_be_checked()
    page.keyboard.press("Space")
    expect(page.locator("#where-heel-left")).not_to_be_checked()
    snap(page, screenshots, "1-pain-keyboard")
    page.locator("#knee-right-weeks").focus()
    page.keyboard.press("Enter")  # submits the form
    expect(page).to_have_url(f"{live_server}/assess/health")
    page.goto(f"{live_server}/assess/pain")
    expect(page.locator("#where-knee-right")).to_be_checked()
    expect(page.locator("#knee-right-intensity-3")).to_be_checked()
    expect(page.locator("#knee-right-weeks")).to_have_value("6")
    expect(page.locator("#where-heel-left")).not_to_be_checked()
