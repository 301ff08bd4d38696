"""The HTML report in a real browser (Debian's chromium through Playwright): layout and screenshots.

Screenshots of every case at a desktop and a phone width go to ``test-artifacts/`` for a person to look at.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from playwright.sync_api import Browser, Page

from footchain.present.body_map import PAIN_COLOURS
from footchain.present.html import render_html, report_css
from footchain.present.pdf import render_pdf
from tests.browser import ARTIFACTS, chromium
from tests.report_cases import CASES, runner_screened

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


DIAGRAM_WIDTH, DIAGRAM_HEIGHT = 440, 930
"""The body map's viewBox, drawn at one CSS pixel per unit in both renderers."""
RAW_TOLERANCE = 0.04
"""Share of pixels allowed to differ by more than 60 (of 255) in a channel: anti-aliased edges and glyphs."""
BLOCK_TOLERANCE = 0.01
"""Share of 4 × 4 pixel blocks whose average colours differ by more than 40: a black wedge or blob fails."""
INSIDE_PAINFUL_REGIONS = """svg => [...svg.querySelectorAll('path.region[data-intensity]:not([data-unexplained])')].map(path => {
  const box = path.getBBox();
  const inside = (x, y) => path.isPointInFill(new DOMPoint(x, y));
  const found = [];
  for (let y = box.y + 4; y < box.y + box.height - 4; y += 2) {
    for (let x = box.x + 4; x < box.x + box.width - 4; x += 2) {
      if (![[0, 0], [4, 0], [-4, 0], [0, 4], [0, -4]].every(([dx, dy]) => inside(x + dx, y + dy))) continue;
      const screen = new DOMPoint(x, y).matrixTransform(path.getScreenCTM());
      if (document.elementFromPoint(screen.x, screen.y) === path)
        found.push([Math.round(screen.x), Math.round(screen.y), Number(path.dataset.intensity)]);
    }
  }
  return found.filter((_, index) => index % Math.max(1, Math.floor(found.length / 25)) === 0);
})"""


def _diagram_document(html: str) -> str:
    """The report's body map alone, with the report's own style sheet, at one pixel per SVG unit."""
    svg = re.search(r'<svg class="body-map".*?</svg>', html, re.S)
    assert svg is not None
    return (
        f'<!DOCTYPE html><html><head><meta charset="utf-8"><style>{report_css()}</style><style>'
        f"@page {{ size: {DIAGRAM_WIDTH}px {DIAGRAM_HEIGHT}px; margin: 0 }} html, body {{ margin: 0; background: #fff }}"
        f" svg {{ display: block; width: {DIAGRAM_WIDTH}px; height: {DIAGRAM_HEIGHT}px }}"
        f"</style></head><body>{svg.group(0)}</body></html>"
    )


def _rgb(path: Path) -> np.ndarray:
    return np.asarray(Image.open(path).convert("RGB")).astype(int)


@pytest.mark.parametrize("case", ["chain", "runner"])
def test_the_pdf_draws_the_body_map_as_the_browser_does(browser: Browser, tmp_path: Path, case: str) -> None:
    """The body map printed by WeasyPrint and rasterised by pdftoppm matches chromium's drawing of the
    same SVG pixel for pixel within a tolerance, and its painful regions carry their pain colours."""
    assessment, intake = (runner_screened if case == "runner" else CASES[case])()
    document = _diagram_document(render_html(assessment, intake))
    pdf = tmp_path / "diagram.pdf"
    pdf.write_bytes(render_pdf(document))
    subprocess.run(
        ["pdftoppm", "-r", "96", "-png", "-singlefile", str(pdf), str(tmp_path / "printed")], check=True
    )
    page = browser.new_page(viewport={"width": DIAGRAM_WIDTH, "height": DIAGRAM_HEIGHT})
    try:
        page.set_content(document)
        page.locator("svg").screenshot(path=str(tmp_path / "browser.png"))
        inside = page.locator("svg").evaluate(INSIDE_PAINFUL_REGIONS)
    finally:
        page.close()
    printed, drawn = _rgb(tmp_path / "printed.png"), _rgb(tmp_path / "browser.png")
    assert printed.shape == drawn.shape == (DIAGRAM_HEIGHT, DIAGRAM_WIDTH, 3)
    ARTIFACTS.mkdir(exist_ok=True)
    Image.fromarray(np.hstack([printed, drawn]).astype(np.uint8)).save(
        ARTIFACTS / f"diagram-pdf-vs-browser-{case}.png"
    )

    raw = float((np.abs(printed - drawn).max(axis=2) > 60).mean())
    height, width = DIAGRAM_HEIGHT // 4 * 4, DIAGRAM_WIDTH // 4 * 4
    printed_blocks, drawn_blocks = (
        image[:height, :width].reshape(height // 4, 4, width // 4, 4, 3).mean(axis=(1, 3))
        for image in (printed, drawn)
    )
    block = float((np.abs(printed_blocks - drawn_blocks).max(axis=2) > 40).mean())
    print(f"{case}: {raw:.2%} of pixels and {block:.2%} of 4x4 blocks differ")
    assert raw <= RAW_TOLERANCE, f"{raw:.1%} of pixels differ"
    assert block <= BLOCK_TOLERANCE, f"{block:.1%} of 4x4 blocks differ"

    # Inside each painful region, where the browser shows the pain colour itself (no line or number on
    # top), the printed page shows it too.
    assert inside and all(inside)
    for points in inside:
        intensity = points[0][2]
        expected = np.array([int(PAIN_COLOURS[intensity][i : i + 2], 16) for i in (1, 3, 5)])
        clear = [(x, y) for x, y, _ in points if np.abs(drawn[y, x] - expected).max() <= 3]
        assert clear, (intensity, points)
        matching = [np.abs(printed[y, x] - expected).max() <= 12 for x, y in clear]
        assert sum(matching) >= 0.8 * len(matching), (intensity, [printed[y, x] for x, y in clear])
