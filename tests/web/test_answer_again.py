"""The report's "Answer these questions": a new draft with every earlier answer, through the real app.

The stored assessment stays as it was; the new draft is this browser's alone; uploads are reused, never
dropped; answers no page shows are not erased by posting the health page.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from footchain.present.html import render_html, render_report_body
from footchain.store.models import AssessmentRow, DraftRow, UploadRow
from footchain.types import Assessment, Intake
from footchain.web.routes.wizard.drafts import COOKIE
from tests.footprint.photo_cases import sheet_photo_case
from tests.report_cases import EXAMPLES


def _sessions(app: FastAPI) -> sessionmaker[Session]:
    factory: sessionmaker[Session] = app.state.sessions
    return factory


def _stored_row(app: FastAPI, assessment_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
    with _sessions(app)() as session:
        row = session.get(AssessmentRow, assessment_id)
        assert row is not None
        return row.intake, row.result


def _store_runner(client: TestClient) -> str:
    body = (EXAMPLES / "runner_flat_feet_knee.json").read_bytes()
    response = client.post("/api/v1/assessments", content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def _all_no(page: str) -> dict[str, str]:
    """The health page answered "no" to every question it shows, age and sex as already filled in."""
    answers = {f"health-{name}": "no" for name in re.findall(r'data-question="([a-z_0-9]+)"', page)}
    age = re.search(r'id="age_years" name="age_years" value="(\d*)"', page)
    shown_for = re.search(r'name="shown_for" value="([^"]*)"', page)
    assert age is not None and shown_for is not None
    return answers | {"age_years": age.group(1), "sex": "female", "shown_for": shown_for.group(1)}


def load_stored_intake(client: TestClient, assessment_id: str) -> tuple[Assessment, Intake]:
    app = client.app
    assert isinstance(app, FastAPI)
    intake, result = _stored_row(app, assessment_id)
    return Assessment.model_validate(result), Intake.model_validate(intake)


def _walk_to_submit(client: TestClient) -> str:
    """Continue through every later step unchanged, submit; the new report's address."""
    page = client.get("/assess/health").text
    assert client.post("/assess/health", data=_all_no(page), follow_redirects=False).status_code == 303
    for step in ("activity", "feet", "shoes"):
        form = client.get(f"/assess/{step}")
        assert form.status_code == 200
    for step in ("footprint", "gait"):
        client.post(f"/assess/{step}", data={"action": "continue"}, follow_redirects=False)
    response = client.post("/assess/submit", follow_redirects=False)
    assert response.status_code == 303, response.text[:400]
    return str(response.headers["location"])


def test_the_report_offers_to_answer_its_open_questions_with_a_post(client: TestClient) -> None:
    assessment_id = _store_runner(client)
    page = client.get(f"/assessments/{assessment_id}").text
    box = page[page.index('<section id="unanswered"') : page.index('<section id="referral"')]
    assert f'<form class="answer-open" method="post" action="/assess/again/{assessment_id}">' in box
    assert ">Answer these questions</button>" in box
    # the person's web page only: not the standalone report (CLI, PDF) nor the clinician's copy
    stored = load_stored_intake(client, assessment_id)
    assert "Answer these questions" not in render_html(*stored)
    assert "Answer these questions" not in render_report_body(
        *stored, patient="A. Patient", answer_action=box
    )


def test_answering_again_keeps_every_answer_and_makes_a_new_assessment(
    app: FastAPI, client: TestClient
) -> None:
    assessment_id = _store_runner(client)
    old_intake, old_result = _stored_row(app, assessment_id)
    response = client.post(f"/assess/again/{assessment_id}", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/assess/health"
    assert "httponly" in response.headers["set-cookie"].lower()

    health = client.get("/assess/health").text
    assert 'value="29"' in health and re.search(r'name="sex" value="female" checked', health)
    assert re.search(r'name="health-saddle_numbness" value="no" checked', health)
    pain = client.get("/assess/pain").text
    for key in ("knee-left", "shin-left", "shin-right", "lower_back-midline"):
        assert re.search(rf'value="{key}"[^>]* checked', pain), key
    assert 'id="knee-left-intensity-5" checked' in pain and 'value="stairs" checked' in pain
    review = client.get("/assess/review").text
    assert "Left knee: 5 out of 10, for 6 weeks, worst with running, stairs" in review
    assert "Shoe size: EU 40" in review and "Sports: running" in review
    assert (
        "Kept from your earlier report: foot posture index (FPI-6) scores, footprint measurements" in review
    )

    location = _walk_to_submit(client)
    new_id = location.removeprefix("/assessments/")
    assert new_id != assessment_id
    assert _stored_row(app, assessment_id) == (old_intake, old_result)  # the first one is as it was
    new_intake, new_result = _stored_row(app, new_id)
    assert new_result["screening"]["unanswered"] == [] and old_result["screening"]["unanswered"]
    for section in ("person", "activity", "feet", "shoe_wear"):
        assert new_intake[section] == old_intake[section], section
    assert new_intake["health"]["morning_stiffness_over_30_min"] is False  # asked by no page for this pain
    assert new_intake["pain"] == old_intake["pain"]  # the pain page was not posted: word for word
    report = client.get(location).text
    assert 'id="unanswered"' not in report and "Answer these questions" not in report


def test_an_unknown_report_gets_a_404_and_no_draft(app: FastAPI, client: TestClient) -> None:
    response = client.post("/assess/again/not-a-real-id", headers={"Accept": "text/html"})
    assert response.status_code == 404 and "could not find this report" in response.text
    assert COOKIE not in client.cookies
    with _sessions(app)() as session:
        assert session.query(DraftRow).count() == 0


def test_the_new_draft_is_this_browsers_only(app: FastAPI, client: TestClient) -> None:
    assessment_id = _store_runner(client)
    client.post(f"/assess/again/{assessment_id}")
    with TestClient(app) as stranger:
        page = stranger.get("/assess/review").text
        assert "Left knee" not in page and "No pain marked" in page


@pytest.fixture(scope="module")
def photo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path, _truth = sheet_photo_case(7200, tmp_path_factory.mktemp("photo"), image_size=(2400, 1800))
    return path


def test_the_earlier_photo_is_reused_and_the_first_report_keeps_it(
    app: FastAPI, client: TestClient, photo: Path
) -> None:
    client.get("/assess")
    client.post("/assess/pain", data={"where": ["knee-left"], "knee-left-intensity": "4"})
    client.post(
        "/assess/footprint",
        data={"action": "upload"},
        files={"files": ("my foot.jpg", photo.read_bytes(), "image/jpeg")},
    )
    first = client.post("/assess/submit", follow_redirects=False).headers["location"]
    first_id = first.removeprefix("/assessments/")
    upload_id = _stored_row(app, first_id)[0]["files"]["footprint_images"][0]

    client.post(f"/assess/again/{first_id}")
    footprint = client.get("/assess/footprint").text
    assert "my foot.jpg" in footprint and f'src="/assess/footprint/{upload_id}.png"' in footprint
    # Given the side of a print the analyser was unsure of: the new draft gets a copy, the first report's
    # photo stays as it was measured.
    with _sessions(app)() as session:
        row = session.get(UploadRow, upload_id)
        assert row is not None
        measured = json.loads(json.dumps(row.result))
    client.post("/assess/footprint/side", data={"upload_id": upload_id, "print": "0", "side": "right"})
    with _sessions(app)() as session:
        row = session.get(UploadRow, upload_id)
        assert row is not None and row.result == measured
        draft = session.get(DraftRow, client.cookies[COOKIE])
        assert draft is not None
        copy_id = draft.answers["files"]["footprint_images"][0]
        copied = session.get(UploadRow, copy_id)
        assert copy_id != upload_id and copied is not None and copied.result["prints"][0]["side"] == "right"

    second = _walk_to_submit(client)
    assert second != first
    assert _stored_row(app, second.removeprefix("/assessments/"))[0]["files"]["footprint_images"] == [copy_id]
    assert client.get(f"{first}/footprints/{upload_id}.png").status_code == 200
