"""A measured footprint reaches the report and the plan (issue 15), through the wizard a person uses.

The photo is a real JPEG of the calibration sheet with a print whose side cannot be told from its shape
(no toes, a symmetric arch): the analyser says so, the page offers a control to give the side, and only
then does the measurement decide the arch basis and the insole size (the measured foot beats the shoe
size).
"""

from __future__ import annotations

import re

import numpy as np
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from footchain.store.models import AssessmentRow
from footchain.types import Assessment, Health
from tests.footprint.sheet_photo import photograph_sheet

MASK_MM_PER_PX = 0.5


@pytest.fixture(scope="module")
def symmetric_print_photo() -> bytes:
    """A phone photo of a toe-less, symmetric print (about 233 mm long) on the A4 sheet."""
    height, width = int(250 / MASK_MM_PER_PX), int(95 / MASK_MM_PER_PX)
    y, x = np.mgrid[0:height, 0:width]
    heel = ((y - height * 0.82) / (height * 0.16)) ** 2 + ((x - width / 2) / (width * 0.32)) ** 2 <= 1
    ball = ((y - height * 0.25) / (height * 0.2)) ** 2 + ((x - width / 2) / (width * 0.48)) ** 2 <= 1
    band = (abs(x - width / 2) < width * 0.18) & (y > height * 0.3) & (y < height * 0.8)
    photo = photograph_sheet(
        "a4", heel | ball | band, MASK_MM_PER_PX, image_size=(2400, 1800), jpeg_quality=90, seed=5
    )
    assert isinstance(photo, bytes)
    return photo


def _answer_everything(client: TestClient) -> None:
    """Knee pain, every warning-sign question answered "no", a flat arch by self-report, EU 44 shoes."""
    client.get("/assess")
    steps = [
        ("pain", {"where": ["knee-left"], "knee-left-intensity": "5", "knee-left-weeks": "6"}),
        ("health", {"age": "35", **{f"health-{name}": "no" for name in Health.model_fields}}),
        ("feet", {"self_reported_arch": "low", "shoe_size_value": "44", "shoe_size_system": "eu"}),
    ]
    for step, data in steps:
        answer = client.post(f"/assess/{step}", data=data, follow_redirects=False)
        assert answer.status_code == 303, answer.text[:400]


def _submitted(app: FastAPI, client: TestClient) -> Assessment:
    response = client.post("/assess/submit", follow_redirects=False)
    assert response.status_code == 303
    assessment_id = response.headers["location"].removeprefix("/assessments/")
    sessions: sessionmaker[Session] = app.state.sessions
    with sessions() as session:
        row = session.get(AssessmentRow, assessment_id)
        assert row is not None
        return Assessment.model_validate(row.result)


def _upload(client: TestClient, photo: bytes) -> str:
    client.post(
        "/assess/footprint", data={"action": "upload"}, files={"files": ("foot.jpg", photo, "image/jpeg")}
    )
    return client.get("/assess/footprint").text


def test_a_print_of_unclear_side_gets_a_side_control_and_then_decides_arch_and_size(
    app: FastAPI, client: TestClient, symmetric_print_photo: bytes
) -> None:
    _answer_everything(client)
    page = _upload(client, symmetric_print_photo)
    assert "Side not clear" in page and "Which foot did you print?" in page
    assert "--dpi" not in page and "--mm-per-px" not in page
    without_side = _submitted(app, client)
    # Not used while its side is unknown: the arch rests on what the person said, the size on the shoe.
    assert without_side.feet.left.basis[0].startswith("self-reported")
    assert without_side.insole.size is not None and without_side.insole.size.eu == 44

    _answer_everything(client)
    page = _upload(client, symmetric_print_photo)
    upload_id = re.search(r'name="upload_id" value="([^"]+)"', page)
    assert upload_id
    refused = client.post("/assess/footprint/side", data={"upload_id": upload_id.group(1), "print": "0"})
    assert refused.status_code == 422 and "choose Left or Right" in refused.text
    chosen = client.post(
        "/assess/footprint/side",
        data={"upload_id": upload_id.group(1), "print": "0", "side": "left"},
        follow_redirects=False,
    )
    assert chosen.status_code == 303
    page = client.get("/assess/footprint").text
    assert "Left foot" in page and "You said this print is of your left foot." in page
    assert "Which foot did you print?" not in page
    with_side = _submitted(app, client)
    assert with_side.feet.left.basis[0].startswith("measured footprint")
    assert with_side.feet.left.arch_type != without_side.feet.left.arch_type  # measured normal, said low
    size = with_side.insole.size
    assert size is not None and 225 <= size.foot_length_mm <= 240 and size.eu < 44
    assert any(line.startswith("Size from the longer measured foot") for line in with_side.insole.why)


def test_the_side_of_someone_elses_photo_cannot_be_set(
    app: FastAPI, client: TestClient, symmetric_print_photo: bytes
) -> None:
    _answer_everything(client)
    page = _upload(client, symmetric_print_photo)
    upload_id = re.search(r'name="upload_id" value="([^"]+)"', page)
    assert upload_id
    with TestClient(app) as stranger:
        stranger.get("/assess")
        answer = stranger.post(
            "/assess/footprint/side", data={"upload_id": upload_id.group(1), "print": "0", "side": "left"}
        )
    assert answer.status_code == 404
