"""In a real browser: the shipped runner's report, "Answer these questions", the health step with every
earlier answer kept, all answered "No", and a new report without open questions (issue 15).

Screenshots go to ``test-artifacts`` (the box with its button: ``answer-box.png``).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, ViewportSize, expect

from tests.accessibility import axe_violations
from tests.web.test_report_page_browser import shipped_runner, store

pytestmark = pytest.mark.browser

DESKTOP = ViewportSize(width=1280, height=900)


def _no_violations(page: Page, name: str) -> None:
    violations = axe_violations(page)
    assert not violations, f"{name}: " + "; ".join(violations)


def _continue(page: Page) -> None:
    page.get_by_role("button", name=re.compile(r"^Continue")).click()  # "Continue without a photo" too


def test_answering_the_open_questions_gives_a_new_report_with_the_same_pain(
    browser: Browser, live_server: str, screenshots: Path
) -> None:
    first_id = store(live_server, shipped_runner())
    first_url = f"{live_server}/assessments/{first_id}"
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    try:
        page.goto(first_url)
        box = page.locator("#unanswered")
        button = box.get_by_role("button", name="Answer these questions")
        expect(button).to_be_visible()
        box.screenshot(path=screenshots / "answer-box.png")
        _no_violations(page, "report")
        first_pain = page.locator("#body-map .pain-list").inner_text()
        assert first_pain.count("/10") == 3

        button.click()
        expect(page).to_have_url(f"{live_server}/assess/health")
        expect(page.get_by_label("Age")).to_have_value("29")
        expect(page.locator("#answering-again")).to_contain_text("the earlier one stays as it was")
        expect(page.locator('#health-saddle_numbness input[value="no"]')).to_be_checked()
        page.screenshot(path=screenshots / "health.png", full_page=True)
        _no_violations(page, "health")

        # every earlier answer is on its page
        page.goto(f"{live_server}/assess/pain")
        for key in ("knee-left", "shin-left", "shin-right", "lower_back-midline"):
            expect(page.locator(f"#where-{key}")).to_be_checked()
        expect(page.locator("#knee-left-intensity-5")).to_be_checked()
        expect(page.locator("#knee-left-weeks")).to_have_value("6")
        _no_violations(page, "pain")
        page.goto(f"{live_server}/assess/shoes")
        expect(page.locator("#wear-left-big_toe")).to_be_checked()

        # the open questions answered "No"; every later page continued unchanged
        page.goto(f"{live_server}/assess/health")
        open_questions = page.locator('fieldset.question:visible input[value="no"]:not(:checked)')
        assert open_questions.count() > 0
        while open_questions.count():
            open_questions.first.check()
        expect(page.locator(".redflag-notice:visible")).to_have_count(0)
        _continue(page)
        for step in ("activity", "feet", "shoes", "footprint", "gait"):
            expect(page).to_have_url(f"{live_server}/assess/{step}")
            _continue(page)
        expect(page).to_have_url(f"{live_server}/assess/review")
        review = page.locator("main").inner_text()
        assert "Left knee: 5 out of 10, for 6 weeks, worst with running, stairs" in review
        assert "Shin, both sides: 4 out of 10" in review
        assert "Shoe size: EU 40" in review and "not sure or not answered: 0" in review
        page.screenshot(path=screenshots / "review.png", full_page=True)
        _no_violations(page, "review")

        page.get_by_role("button", name="See my report").click()
        expect(page).to_have_url(re.compile(rf"{re.escape(live_server)}/assessments/[\w-]+$"))
        assert page.url != first_url
        expect(page.locator("#plan")).to_be_visible()
        expect(page.locator("#unanswered")).to_have_count(0)
        assert page.locator("#body-map .pain-list").inner_text() == first_pain
        page.screenshot(path=screenshots / "new-report.png", full_page=True)
        _no_violations(page, "new report")

        page.goto(first_url)  # the first report is as it was
        expect(
            page.locator("#unanswered").get_by_role("button", name="Answer these questions")
        ).to_be_visible()
    finally:
        context.close()
