"""New red-flag pathways walked through the self-assessment in a real browser (Debian's chromium).

Each walk ends in a stored assessment; the very intake the wizard stored is then assessed again by the
CLI (``footchain assess INTAKE --format json``, a subprocess) and by ``POST /api/v1/assessments``: all
three must give the same urgency and the same reasons. Screenshots of what the person sees go to
``test-artifacts``.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, ViewportSize, expect
from sqlalchemy import create_engine, select

from footchain.store.models import AssessmentRow

pytestmark = pytest.mark.browser

DESKTOP = ViewportSize(width=1280, height=900)
PHONE = ViewportSize(width=390, height=844)
FOOTCHAIN = Path(sys.executable).with_name("footchain")


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport=DESKTOP)
    yield context.new_page()
    context.close()


def continue_(page: Page) -> None:
    page.get_by_role("button", name="Continue", exact=True).click()


def answer(page: Page, question: str, choice: str) -> None:
    page.locator(f"#health-{question}").get_by_text(choice, exact=True).click()


def stored_intake(tmp_path: Path, assessment_id: str) -> dict[str, Any]:
    """The intake as the live server stored it (its SQLite file is the live_server fixture's)."""
    engine = create_engine(f"sqlite:///{tmp_path / 'live.db'}")
    try:
        with engine.connect() as connection:
            query = select(AssessmentRow.intake).where(AssessmentRow.id == assessment_id)
            intake: dict[str, Any] = connection.execute(query).scalar_one()
            return intake
    finally:
        engine.dispose()


def cli_assess(intake: dict[str, Any], folder: Path) -> dict[str, Any]:
    path = folder / "wizard-intake.json"
    path.write_text(json.dumps(intake), encoding="utf-8")
    env = {**os.environ, "NO_COLOR": "1"}
    result = subprocess.run(
        [str(FOOTCHAIN), "assess", str(path), "--format", "json"], capture_output=True, env=env, check=False
    )
    assert result.returncode == 0, result.stderr.decode()
    answer: dict[str, Any] = json.loads(result.stdout)
    return answer


CONTRAST = """(selector) => {
  const element = document.querySelector(selector);
  const box = element.closest("section");
  const rgb = (text) => text.match(/[\\d.]+/g).slice(0, 3).map(Number);
  const light = ([r, g, b]) => {
    const c = [r, g, b].map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
  };
  const a = light(rgb(getComputedStyle(element).color));
  const b = light(rgb(getComputedStyle(box).backgroundColor));
  return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
}"""


def contrast(page: Page, selector: str) -> float:
    """The contrast ratio (WCAG) of an element's text against its section's background."""
    ratio: float = page.evaluate(CONTRAST, selector)
    return ratio


def verdict(assessment: dict[str, Any]) -> tuple[str, list[str]]:
    return assessment["referral"]["urgency"], [reason["id"] for reason in assessment["referral"]["reasons"]]


def finish_from_the_referral_page(page: Page, live_server: str, headline: str) -> str:
    """On the referral page: the advice first, then "See my report now"; returns the assessment id."""
    expect(page).to_have_url(re.compile(rf"{live_server}/assess/referral\?next=\w+"))
    expect(page.locator("main h1").first).to_have_text(headline)
    page.get_by_role("button", name="See my report now").click()
    expect(page).to_have_url(re.compile(rf"{live_server}/assessments/[\w-]+$"))
    sections = page.locator("main section[id]")
    first = sections.nth(0).get_attribute("id")
    if first == "unanswered":  # open emergency questions come first, unless the referral is an emergency
        assert headline != "Go to an emergency department now"
        expect(sections.nth(0)).to_contain_text("could mean an emergency")
        expect(sections.nth(1)).to_have_attribute("id", "referral")
    else:
        assert first == "referral"
    return page.url.rsplit("/", 1)[1]


def same_everywhere(page: Page, live_server: str, tmp_path: Path, assessment_id: str) -> dict[str, Any]:
    """The wizard's assessment equals what the CLI and the API make of the same intake; returns it."""
    wizard = page.request.get(f"{live_server}/api/v1/assessments/{assessment_id}").json()
    intake = stored_intake(tmp_path, assessment_id)
    api = page.request.post(f"{live_server}/api/v1/assessments", data=json.dumps(intake),
                            headers={"Content-Type": "application/json"})  # fmt: skip
    assert api.status == 201, api.text()
    cli = cli_assess(intake, tmp_path)
    assert verdict(wizard) == verdict(api.json()) == verdict(cli)
    assert wizard["screening"] == api.json()["screening"] == cli["screening"]
    return wizard


def saddle_numbness_without_pain(page: Page, live_server: str) -> str:
    continue_(page)  # no pain at all
    expect(page).to_have_url(f"{live_server}/assess/health")
    answer(page, "saddle_numbness", "Yes")
    notice = page.locator("#health-saddle_numbness .redflag-notice")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text("cauda equina")
    continue_(page)
    return finish_from_the_referral_page(page, live_server, "Go to an emergency department now")


def one_swollen_painful_calf(page: Page, live_server: str) -> str:
    page.locator('path[data-for="where-calf-right"]').click()
    page.locator("#calf-right-intensity").get_by_text("6", exact=True).click()
    page.locator("#calf-right-weeks").fill("1")
    continue_(page)
    page.get_by_label("Age").fill("45")
    page.locator("#sex").get_by_text("Female", exact=True).click()
    answer(page, "calf_swelling_one_leg", "Yes")
    expect(page.locator("#health-calf_swelling_one_leg .redflag-notice")).to_be_visible()
    answer(page, "saddle_numbness", "No")
    answer(page, "breathless_or_chest_pain", "Not sure")
    continue_(page)
    return finish_from_the_referral_page(page, live_server, "See a doctor today")


def a_child_with_knee_pain_and_a_limp(page: Page, live_server: str) -> str:
    page.locator('path[data-for="where-knee-left"]').click()
    page.locator("#knee-left-intensity").get_by_text("5", exact=True).click()
    page.locator("#knee-left-weeks").fill("2")
    continue_(page)
    limp = page.locator("#health-limp")
    expect(limp).to_be_visible()  # the age is not known yet: every question that could apply is asked
    page.get_by_label("Age").fill("40")
    expect(limp).to_be_hidden()  # the page's script asks the server which questions apply
    page.get_by_label("Age").fill("12")
    expect(limp).to_be_visible()
    expect(page.locator("input[data-shown-for]")).to_have_value("12|")
    answer(page, "limp", "Yes")
    continue_(page)
    return finish_from_the_referral_page(page, live_server, "See a doctor today")


PATHWAYS: dict[str, tuple[Callable[[Page, str], str], str, str]] = {
    "saddle-numbness": (saddle_numbness_without_pain, "emergency", "suspected_cauda_equina"),
    "swollen-calf": (one_swollen_painful_calf, "urgent", "suspected_dvt"),
    "child-limp": (a_child_with_knee_pain_and_a_limp, "urgent", "child_sufe"),
}


@pytest.mark.parametrize("pathway", sorted(PATHWAYS))
def test_a_new_pathway_through_the_wizard_matches_the_cli_and_the_api(
    page: Page, live_server: str, tmp_path: Path, screenshots: Path, pathway: str
) -> None:
    walk, urgency, reason = PATHWAYS[pathway]
    page.goto(f"{live_server}/assess")
    assessment_id = walk(page, live_server)
    page.screenshot(path=screenshots / f"{pathway}-report.png", full_page=True)
    wizard = same_everywhere(page, live_server, tmp_path, assessment_id)
    assert wizard["referral"]["urgency"] == urgency
    assert wizard["referral"]["reasons"][0]["id"] == reason
    assert page.locator(f'#referral li[data-reason="{reason}"]').count() == 1
    assert contrast(page, "#referral-title") >= 4.5, "the referral headline must be readable"
    if pathway == "swollen-calf":
        care = [item["id"] for item in wizard["care_plan"]]
        assert not any("calf" in item or "massage" in item or "ball" in item for item in care), care
        assert page.locator('[data-care*="calf"]').count() == 0
    if not wizard["screening"]["complete"]:
        assert "No warning signs found" not in page.locator("main").inner_text()


def test_health_step_and_an_emergency_call_as_a_person_sees_them(
    page: Page, live_server: str, screenshots: Path
) -> None:
    page.goto(f"{live_server}/assess")
    page.locator('path[data-for="where-calf-left"]').click()
    page.locator("#calf-left-intensity").get_by_text("5", exact=True).click()
    continue_(page)
    headings = page.locator("form h2.question-intro")
    expect(headings.nth(1)).to_have_text("Signs that need help now")
    for size, name in ((PHONE, "health-390"), (DESKTOP, "health-1280")):
        page.set_viewport_size(size)
        page.screenshot(path=screenshots / f"{name}.png", full_page=True)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= size["width"], f"{name}: the page is {width} px wide"
    answer(page, "breathless_or_chest_pain", "Yes")
    continue_(page)
    expect(page.locator("main h1").first).to_have_text(
        "Call 999 (UK), 112 (Europe) or 911 (US and Canada) now"
    )
    calls = page.locator("a.call")
    expect(calls.first).to_have_attribute("href", "tel:999")
    assert [calls.nth(i).get_attribute("href") for i in range(calls.count())] == [
        "tel:999",
        "tel:112",
        "tel:911",
    ]
    for size, name in ((PHONE, "referral-call-390"), (DESKTOP, "referral-call-1280")):
        page.set_viewport_size(size)
        page.screenshot(path=screenshots / f"{name}.png", full_page=True)
