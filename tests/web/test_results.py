"""The results pages on a stored assessment: report page, PDF, footprint pictures, trim template, 404s."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from playwright.sync_api import Browser
from pypdf import PdfReader
from sqlalchemy.orm import Session, sessionmaker

from footchain.store import repository
from footchain.store.database import open_database
from footchain.web.assessments import assess_and_store
from footchain.web.uploads import analyze_footprint_upload, analyze_gait_upload
from tests.shared import DATA

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
FOOTPRINT = DATA / "footprint_templates" / "MUN104L.csv"
GAIT = DATA / "gaitpdb" / "GaCo01_01.txt"


def example(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((EXAMPLES / name).read_text(encoding="utf-8"))
    return data


def store(app: FastAPI, intake: dict[str, Any], *, uploads: bool = False) -> tuple[str, list[str]]:
    """Store an assessment of ``intake`` (with a real footprint and gait upload when asked)."""
    factory: sessionmaker[Session] = app.state.sessions
    with factory() as session:
        ids: list[str] = []
        if uploads:
            footprint = analyze_footprint_upload(FOOTPRINT.name, FOOTPRINT.read_bytes())
            gait = analyze_gait_upload([(GAIT.name, GAIT.read_bytes())])
            ids.append(
                repository.save_upload(
                    session,
                    kind="footprint",
                    filename=FOOTPRINT.name,
                    media_type=footprint.media_type,
                    content=FOOTPRINT.read_bytes(),
                    result=footprint.result,
                    overlay_png=footprint.overlay_png,
                )
            )
            ids.append(
                repository.save_upload(
                    session,
                    kind="gait",
                    filename=GAIT.name,
                    media_type=gait.media_type,
                    content=GAIT.read_bytes(),
                    result=gait.result,
                    figures=gait.figures,
                )
            )
            session.commit()
            intake = {**intake, "files": {"footprint_images": ids[:1], "gait_recordings": ids[1:]}}
        stored = assess_and_store(session, intake)
        return stored.id, ids


def test_the_page_shows_the_report_in_order_with_a_toolbar(app: FastAPI, client: TestClient) -> None:
    assessment_id, _ = store(app, example("runner_flat_feet_knee.json"))
    response = client.get(f"/assessments/{assessment_id}")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    html = response.text
    positions = [
        html.index(f'id="{name}"')
        for name in ("answer", "referral", "plan", "body-map", "links", "feet", "limits")
    ]
    assert positions == sorted(positions)
    assert html.index("Your footchain report") < positions[0]
    assert '<svg class="body-map"' in html
    assert f'href="/assessments/{assessment_id}/report.pdf"' in html
    assert f'href="/assessments/{assessment_id}/trim-template.pdf?paper=a4"' in html
    assert ">Start again</a>" in html
    assert 'id="measurements"' not in html  # nothing was uploaded


def test_a_red_flag_comes_first_and_holds_back_the_trim_template(app: FastAPI, client: TestClient) -> None:
    assessment_id, _ = store(app, example("back_pain_numb_saddle.json"))
    html = client.get(f"/assessments/{assessment_id}").text
    referral = html.index('id="referral"')
    assert "Go to an emergency department now" in html[referral : html.index('id="body-map"')]
    # The emergency leads the page, before the tools, and nothing routine stands beside it.
    assert html.index('id="answer"') < referral < html.index('class="toolbar"')
    words = re.sub(r"<style>.*?</style>|<[^>]+>", " ", html, flags=re.S)
    assert 'id="plan"' not in html and 'id="insoles"' not in html and "routine" not in words.lower()
    assert "trim-template.pdf" not in html
    refused = client.get(f"/assessments/{assessment_id}/trim-template.pdf")
    assert refused.status_code == 409
    assert "on hold until a clinician has seen you" in refused.text
    assert not refused.content.startswith(b"%PDF")


def test_uploads_show_their_pictures_and_values(app: FastAPI, client: TestClient) -> None:
    intake = example("runner_flat_feet_knee.json")
    assessment_id, (footprint_id, gait_id) = store(app, intake, uploads=True)
    html = client.get(f"/assessments/{assessment_id}").text
    section = html[html.index('id="measurements"') : html.index('id="limits"')]
    assert "Footprint: MUN104L.csv" in section
    assert f'src="/assessments/{assessment_id}/footprints/{footprint_id}.png"' in section
    measured = analyze_footprint_upload(FOOTPRINT.name, FOOTPRINT.read_bytes()).result["prints"][0][
        "arch_index"
    ]
    assert 0.15 < measured < 0.3  # MUN104's left template: a normal arch
    assert "Arch index" in section and f"{measured:.3f}" in section
    assert "Walking recording: GaCo01_01.txt" in section
    assert section.count('src="data:image/svg+xml;base64,') == 3  # force, strides, centre of pressure
    assert "Steps per minute" in section and "97.6" not in section  # shown rounded to whole steps
    picture = client.get(f"/assessments/{assessment_id}/footprints/{footprint_id}.png")
    assert picture.status_code == 200
    assert picture.headers["content-type"] == "image/png"
    assert picture.content.startswith(b"\x89PNG")
    # The gait upload has no overlay, and another assessment cannot show this footprint.
    assert client.get(f"/assessments/{assessment_id}/footprints/{gait_id}.png").status_code == 404
    other_id, _ = store(app, intake)
    assert client.get(f"/assessments/{other_id}/footprints/{footprint_id}.png").status_code == 404


def test_unknown_ids_get_the_same_plain_404(app: FastAPI, client: TestClient) -> None:
    assessment_id, _ = store(app, example("runner_flat_feet_knee.json"))
    for path in (
        "/assessments/not-an-id",
        "/assessments/" + "x" * 300,
        "/assessments/not-an-id/report.pdf",
        "/assessments/not-an-id/trim-template.pdf",
        f"/assessments/{assessment_id}/footprints/not-an-upload.png",
    ):
        response = client.get(path)
        assert response.status_code == 404, path
        assert "We could not find this report" in response.text, path
        assert "Traceback" not in response.text


def test_the_pdf_is_an_attachment_with_the_pages_sections(app: FastAPI, client: TestClient) -> None:
    assessment_id, _ = store(app, example("runner_flat_feet_knee.json"), uploads=True)
    response = client.get(f"/assessments/{assessment_id}/report.pdf")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"] == 'attachment; filename="footchain-report.pdf"'
    reader = PdfReader(io.BytesIO(response.content))
    text = " ".join(page.extract_text() for page in reader.pages)
    for heading in (
        "Your footchain report",
        "What to do now",
        "Where it hurts",
        "Why: how your feet may be involved",
        "Your feet",
        "What we measured",
        "What we could not judge",
    ):
        assert heading in text, heading
    assert text.index("Book an appointment") < text.index("What to do now") < text.index("Where it hurts")
    assert re.search(r"Made on \d{1,2} \w+ \d{4}", text)
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4 in points
    assert sum(len(page.images) for page in reader.pages) >= 1  # the footprint overlay, inline


@pytest.mark.parametrize(("paper", "points"), [("a4", (595, 842)), ("letter", (612, 792))])
def test_the_trim_template_is_a_pdf_of_the_paper(
    app: FastAPI, client: TestClient, paper: str, points: tuple[int, int]
) -> None:
    assessment_id, _ = store(app, example("runner_flat_feet_knee.json"))
    response = client.get(f"/assessments/{assessment_id}/trim-template.pdf", params={"paper": paper})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert "attachment" in response.headers["content-disposition"]
    reader = PdfReader(io.BytesIO(response.content))
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == points
    assert "trim template" in reader.pages[0].extract_text()


def test_an_unknown_paper_is_refused_in_words(app: FastAPI, client: TestClient) -> None:
    assessment_id, _ = store(app, example("runner_flat_feet_knee.json"))
    response = client.get(f"/assessments/{assessment_id}/trim-template.pdf", params={"paper": "a3"})
    assert response.status_code == 422
    assert "A4 or Letter" in response.text


def test_no_size_means_no_template(app: FastAPI, client: TestClient) -> None:
    intake = example("runner_flat_feet_knee.json")
    intake["person"].pop("shoe_size")
    for foot in intake["feet"]["footprint"].values():
        foot.pop("foot_length_mm")
    assessment_id, _ = store(app, intake)
    assert "trim-template.pdf" not in client.get(f"/assessments/{assessment_id}").text
    response = client.get(f"/assessments/{assessment_id}/trim-template.pdf")
    assert response.status_code == 409
    assert "no foot length or shoe size" in response.text


@pytest.mark.browser
@pytest.mark.parametrize("width", [390, 1280])
def test_the_page_in_a_browser(
    live_server: str, browser: Browser, screenshots: Path, tmp_path: Path, width: int
) -> None:
    # The live server runs on tmp_path/live.db (tests/web/conftest.py): store the assessment there.
    with open_database(f"sqlite:///{tmp_path / 'live.db'}")() as session:
        assessment_id = assess_and_store(session, example("runner_flat_feet_knee.json")).id
    page = browser.new_page(viewport={"width": width, "height": 900})
    try:
        page.goto(f"{live_server}/assessments/{assessment_id}")
        assert page.locator("#referral-title").is_visible()
        svg = page.locator("svg.body-map")
        assert svg.is_visible()
        box = svg.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width, box
        toolbar = page.get_by_role("navigation", name="Report actions")
        for name in ("Download PDF", "Print the insole trim template", "Start again"):
            assert toolbar.get_by_role("link", name=name).is_visible(), name
        page_width = page.evaluate("document.documentElement.scrollWidth")
        assert page_width <= width, f"the page scrolls sideways: {page_width}px at {width}px"
        page.screenshot(path=str(screenshots / f"results-{width}.png"), full_page=True)
        pdf = page.request.get(f"{live_server}/assessments/{assessment_id}/report.pdf")
        assert pdf.ok and pdf.body().startswith(b"%PDF")
    finally:
        page.close()


def test_an_upload_used_again_stays_on_the_first_report(app: FastAPI, client: TestClient) -> None:
    """Re-assessing with one answer changed reuses the same upload ids; both reports keep showing them."""
    intake = example("runner_flat_feet_knee.json")
    first_id, (footprint_id, gait_id) = store(app, intake, uploads=True)
    changed = {**intake, "files": {"footprint_images": [footprint_id], "gait_recordings": [gait_id]}}
    changed["person"] = {**changed.get("person", {}), "age_years": 52}
    factory: sessionmaker[Session] = app.state.sessions
    with factory() as session:
        second_id = assess_and_store(session, changed).id
    for assessment_id in (first_id, second_id):
        html = client.get(f"/assessments/{assessment_id}").text
        section = html[html.index('id="measurements"') : html.index('id="limits"')]
        assert "Footprint: MUN104L.csv" in section and "Walking recording: GaCo01_01.txt" in section
        assert f'src="/assessments/{assessment_id}/footprints/{footprint_id}.png"' in section
        picture = client.get(f"/assessments/{assessment_id}/footprints/{footprint_id}.png")
        assert picture.status_code == 200 and picture.content.startswith(b"\x89PNG")
        pdf = client.get(f"/assessments/{assessment_id}/report.pdf")
        text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
        assert "MUN104L.csv" in text
