"""The report page a person gets, in a real browser at phone and desktop width (issue 15).

The page is the server's (``GET /assessments/{id}``, the site's style sheet included), for the runner of
examples/ with every warning-sign question answered. Screenshots go to ``test-artifacts``.
"""

from __future__ import annotations

import json
import re
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, ViewportSize

from footchain.present.body_map import PAIN_COLOURS
from footchain.types import Health
from footchain.web.app import create_app
from footchain.web.settings import Settings
from tests.accessibility import axe_violations
from tests.live import serving
from tests.report_cases import EXAMPLES

pytestmark = pytest.mark.browser

SCREENS = {"desktop": ViewportSize(width=1280, height=900), "phone": ViewportSize(width=390, height=844)}
MIN_DIAGRAM_TEXT_PX = 12.0


def screened_runner() -> bytes:
    data = json.loads((EXAMPLES / "runner_flat_feet_knee.json").read_text(encoding="utf-8"))
    data["health"] = {name: False for name in Health.model_fields} | data["health"]
    return json.dumps(data).encode()


def store(base: str, body: bytes) -> str:
    """Post an intake to the live server's API (the server the browser talks to); the stored id."""
    request = urllib.request.Request(
        base + "/api/v1/assessments", data=body, headers={"Content-Type": "application/json"}, method="POST"
    )
    with urllib.request.urlopen(request) as answer:
        return str(json.loads(answer.read())["id"])


def hex_to_rgb(colour: str) -> str:
    red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgb({red}, {green}, {blue})"


def shipped_runner() -> bytes:
    """The runner exactly as examples/ ships it: many warning-sign questions left open."""
    return (EXAMPLES / "runner_flat_feet_knee.json").read_bytes()


RUNNERS = {"shipped": shipped_runner, "screened": screened_runner}


@pytest.mark.parametrize("runner", sorted(RUNNERS))
@pytest.mark.parametrize("screen", sorted(SCREENS))
def test_the_report_page_leads_with_what_to_do_and_colours_the_pain(
    browser: Browser, live_server: str, screenshots: Path, screen: str, runner: str
) -> None:
    viewport = SCREENS[screen]
    assessment_id = store(live_server, RUNNERS[runner]())
    page = browser.new_page(viewport=viewport)
    try:
        page.goto(f"{live_server}/assessments/{assessment_id}")
        page.screenshot(path=screenshots / f"report-{screen}.png", full_page=True)
        page.screenshot(path=screenshots / f"report-{screen}-first-screen.png")

        # "What to do now": all of it on the first desktop screen; on a phone it starts within the first
        # two screens, and all of it is there when no question is open (open questions add cautions).
        plan = page.locator("#plan").bounding_box()
        heading = page.locator("#plan-heading").bounding_box()
        assert plan is not None and heading is not None
        heading_end, plan_end = heading["y"] + heading["height"], plan["y"] + plan["height"]
        print(
            f"{runner} {screen}: 'What to do now' heading ends at {heading_end:.0f} px, section at {plan_end:.0f} px"
        )
        if screen == "desktop":
            assert plan_end <= viewport["height"], f"'What to do now' ends at {plan_end:.0f} px"
        else:
            assert heading_end <= 2 * viewport["height"], f"'What to do now' starts at {heading_end:.0f} px"
            if runner == "screened":
                assert plan_end <= 2 * viewport["height"], f"'What to do now' ends at {plan_end:.0f} px"
        first_action = page.locator("#plan li[data-care]").first
        assert first_action.get_attribute("data-care") == "hip_knee_strengthening"  # the knee hurts most

        # Open warning-sign questions come first, before the referral and what to do (domain.md §6).
        if runner == "shipped":
            box = page.locator("#unanswered").bounding_box()
            referral = page.locator("#referral").bounding_box()
            assert box is not None and referral is not None
            assert box["y"] < referral["y"] and box["y"] < heading["y"]
            assert page.locator("#unanswered li[data-level=emergency]").first.is_visible()

        # The page is dated at the top, with the time, as the PDF is.
        made_on = page.locator(".made-on")
        assert re.fullmatch(r"Made on \d{1,2} \w+ \d{4}, \d{2}:\d{2} UTC", made_on.inner_text())
        made_box = made_on.bounding_box()
        assert made_box is not None and made_box["y"] < heading["y"]

        # The one-line answer and the save-the-link notice are there.
        assert "Your feet may play a part in your knee and shin pain" in page.locator("#answer").inner_text()
        assert page.locator("#keep-link").is_visible()

        # Painful regions carry their pain colour, whatever the site's style sheet says about regions.
        painful = page.locator("svg.body-map path.region[data-intensity]")
        assert painful.count() >= 3
        for index in range(painful.count()):
            shape = painful.nth(index)
            intensity = int(shape.get_attribute("data-intensity") or "-1")
            fill = shape.evaluate("element => getComputedStyle(element).fill")
            assert fill == hex_to_rgb(PAIN_COLOURS[intensity]), (index, fill)
            assert shape.evaluate("element => getComputedStyle(element).cursor") != "pointer"

        # Chain markers: numbers at least 12 px high on screen, and no two markers overlap.
        markers = page.locator("svg.body-map g.chain-marker circle")
        boxes = [markers.nth(i).bounding_box() for i in range(markers.count())]
        assert boxes and all(box is not None for box in boxes)
        for i, a in enumerate(boxes):
            for b in boxes[i + 1 :]:
                assert a is not None and b is not None
                apart = (
                    a["x"] + a["width"] <= b["x"] + 0.5
                    or b["x"] + b["width"] <= a["x"] + 0.5
                    or a["y"] + a["height"] <= b["y"] + 0.5
                    or b["y"] + b["height"] <= a["y"] + 0.5
                )
                assert apart, (a, b)
        sizes = page.locator("svg.body-map text").evaluate_all(
            "texts => texts.map(t => parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a)"
        )
        assert min(sizes) >= MIN_DIAGRAM_TEXT_PX, min(sizes)

        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= viewport["width"], f"the page scrolls sideways: {width} px"
        violations = axe_violations(page)
        assert not violations, "; ".join(violations)
    finally:
        page.close()


@pytest.fixture
def shop_server(tmp_path: Path) -> Iterator[str]:
    """A live server with the example insole catalogue, so the report page shows the shop."""
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'shop.db'}", catalogue=EXAMPLES / "insole_catalogue.csv"
    )
    with serving(create_app(settings)) as (host, port):
        yield f"http://{host}:{port}"


@pytest.mark.parametrize("screen", sorted(SCREENS))
def test_the_shop_the_emergency_report_and_the_not_found_page_pass_axe(
    browser: Browser, shop_server: str, screenshots: Path, screen: str
) -> None:
    """The rest of what a person can reach: the report with the shop under it, an emergency report
    (no shop, the call action) and the page for an unknown report."""
    emergency = store(shop_server, (EXAMPLES / "back_pain_numb_saddle.json").read_bytes())
    pages = {
        "shop": f"/assessments/{store(shop_server, screened_runner())}",
        "emergency": f"/assessments/{emergency}",
        "not-found": "/assessments/no-such-report",
    }
    page = browser.new_page(viewport=SCREENS[screen])
    try:
        for name, path in pages.items():
            page.goto(shop_server + path)
            page.screenshot(path=screenshots / f"{name}-{screen}.png", full_page=True)
            violations = axe_violations(page)
            assert not violations, f"{name}: " + "; ".join(violations)
            if name == "shop":
                assert page.locator("#insole-shop .shop-product").count() > 0
            if name == "emergency":
                assert page.locator("#insole-shop").count() == 0 and page.locator("#insoles").count() == 0
                assert "routine" not in page.locator("main").inner_text().lower()
    finally:
        page.close()
