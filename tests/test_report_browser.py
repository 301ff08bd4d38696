"""The HTML report in a real browser (Debian's chromium through Playwright): layout and screenshots.

Screenshots of every case at a desktop and a phone width go to ``test-artifacts/`` for a person to look at.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from footchain.present.html import render_html
from tests.browser import ARTIFACTS, chromium
from tests.report_cases import CASES

WIDTHS = {"desktop": 1280, "phone": 390}

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as browser:
        yield browser


def open_report(browser: Browser, case: str, width: int, folder: Path) -> Page:
    assessment, intake = CASES[case]()
    report = folder / f"report-{case}.html"
    report.write_text(render_html(assessment, intake), encoding="utf-8")
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.goto(report.as_uri())
    return page


@pytest.mark.parametrize("screen", sorted(WIDTHS))
@pytest.mark.parametrize("case", sorted(CASES))
def test_report_layout_and_screenshot(browser: Browser, tmp_path: Path, case: str, screen: str) -> None:
    width = WIDTHS[screen]
    page = open_report(browser, case, width, tmp_path)
    try:
        svg = page.locator("svg.body-map")
        assert svg.is_visible()
        box = svg.bounding_box()
        assert box is not None
        assert box["width"] > 300 and box["height"] > 600, box
        assert box["x"] >= 0 and box["x"] + box["width"] <= width, box

        referral = page.locator("#referral-title")
        assert referral.is_visible()
        referral_box = referral.bounding_box()
        assert referral_box is not None
        assert referral_box["y"] + referral_box["height"] <= box["y"], (referral_box, box)

        painful = page.locator("svg.body-map path.region[data-intensity]")
        _, intake = CASES[case]()
        assert (painful.count() > 0) == bool(intake.pain)
        for index in range(painful.count()):
            shape = painful.nth(index)
            assert shape.is_visible()
            shape_box = shape.bounding_box()
            assert shape_box is not None and shape_box["width"] > 3 and shape_box["height"] > 3

        for index in range(page.locator("svg.body-map g.chain").count()):
            assert page.locator("svg.body-map g.chain").nth(index).is_visible()

        page_width = page.evaluate("document.documentElement.scrollWidth")
        assert page_width <= width, f"the page scrolls sideways: {page_width}px wide at {width}px"

        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"report-{case}-{screen}.png"), full_page=True)
    finally:
        page.close()


def test_tooltip_names_the_region_and_its_pain(browser: Browser, tmp_path: Path) -> None:
    page = open_report(browser, "chain", WIDTHS["desktop"], tmp_path)
    try:
        shin = page.locator('svg.body-map path.region[data-region="shin"][data-side="left"]')
        assert shin.locator("title").text_content() == "Left shin: pain 6 out of 10"
        fill = shin.evaluate("element => getComputedStyle(element).fill")
        assert fill == "rgb(236, 65, 36)"  # intensity 6 on the pain scale
    finally:
        page.close()
