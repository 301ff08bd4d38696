"""``POST /api/v1/assessments`` and ``GET /api/v1/assessments/{id}``: the assessment contract over HTTP.

Good intakes give the same object as ``footchain assess --format json`` (plus its id) and can be read
again; bad bodies give a 4xx whose message says what to fix (the CLI's words for a schema violation),
and nothing is stored.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from footchain import assess
from footchain.intake import parse_intake
from footchain.store.models import AssessmentRow
from footchain.web.app import create_app
from footchain.web.settings import Settings
from tests.databases import postgres_database
from tests.shared import CONTRACTS, DATA, REPO

EXAMPLES = sorted((CONTRACTS / "examples").glob("*.json")) + sorted((REPO / "examples").glob("*.json"))
EXAMPLE_IDS = [f"{p.parent.name}/{p.stem}" for p in EXAMPLES]
CONTRACT_KEYS = {
    "schema_version", "referral", "screening", "feet", "conditions", "chain", "unexplained", "insole", "care_plan",
    "limits", "disclaimer",
}  # fmt: skip
JSON = {"Content-Type": "application/json"}
FOOTCHAIN = Path(sys.executable).with_name("footchain")


def count_assessments(app: FastAPI) -> int:
    with app.state.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(AssessmentRow)) or 0)


def post_intake(client: TestClient, document: object) -> Any:
    return client.post("/api/v1/assessments", content=json.dumps(document), headers=JSON)


@pytest.mark.parametrize("path", EXAMPLES, ids=EXAMPLE_IDS)
def test_post_gives_the_cli_contract_with_an_id_and_get_reads_it_back(client: TestClient, path: Path) -> None:
    document = json.loads(path.read_text(encoding="utf-8"))
    created = client.post("/api/v1/assessments", content=path.read_bytes(), headers=JSON)
    assert created.status_code == 201, created.text
    body = created.json()
    assessment_id = body.pop("id")
    assert isinstance(assessment_id, str) and len(assessment_id) >= 32
    assert created.headers["location"] == f"/api/v1/assessments/{assessment_id}"
    assert set(body) == CONTRACT_KEYS
    assert body == assess(parse_intake(document)).to_json_dict()  # what `footchain assess` prints

    again = client.get(created.headers["location"])
    assert again.status_code == 200
    assert again.json() == {"id": assessment_id, **body}


def test_red_flags_win_over_the_api_too(client: TestClient) -> None:
    document = json.loads((REPO / "examples" / "back_pain_numb_saddle.json").read_text(encoding="utf-8"))
    body = post_intake(client, document).json()
    assert body["referral"]["urgency"] == "emergency"
    assert body["insole"]["status"] == "deferred"


def test_ids_are_distinct_per_post(client: TestClient, app: FastAPI) -> None:
    ids = {post_intake(client, {"schema_version": 1}).json()["id"] for _ in range(3)}
    assert len(ids) == 3
    assert count_assessments(app) == 3


def test_unknown_id_is_a_clear_404(client: TestClient) -> None:
    response = client.get("/api/v1/assessments/not-an-id-anyone-was-given")
    assert response.status_code == 404
    assert "No assessment has this id" in response.json()["detail"]


def test_there_is_no_list_of_assessments(client: TestClient) -> None:
    post_intake(client, {"schema_version": 1})
    assert client.get("/api/v1/assessments").status_code in (404, 405)


@pytest.mark.parametrize(
    ("body", "status", "words"),
    [
        (b'{"schema_version": 1,\n "pain": [}', 400, "not valid JSON (line 2, column"),
        (b"", 400, "body is empty"),
        (b"   \n", 400, "body is empty"),
        (b'{"schema_version": NaN}', 400, "NaN is not a JSON number"),
        ('{"schema_version": 1}'.encode("utf-16"), 400, "not UTF-8"),
        (b"[1, 2]", 422, "must be a JSON object"),
        (b'{"schema_version": 2}', 422, "schema_version: must be one of 1"),
        (
            b'{"schema_version": 1, "pain": [{"region": "elbow", "intensity": 11}], "colour": "red"}',
            422,
            "pain[0].region",
        ),
    ],
    ids=["broken JSON", "empty", "blank", "NaN", "UTF-16", "array", "version 2", "bad fields"],
)
def test_bad_bodies_get_a_clear_4xx_and_store_nothing(
    client: TestClient, app: FastAPI, body: bytes, status: int, words: str
) -> None:
    response = client.post("/api/v1/assessments", content=body, headers=JSON)
    assert response.status_code == status, response.text
    assert words in response.json()["detail"]
    assert "Traceback" not in response.text
    assert count_assessments(app) == 0


def test_every_bad_field_is_named(client: TestClient) -> None:
    document = {"schema_version": 1, "pain": [{"region": "elbow", "intensity": 11}], "colour": "red"}
    detail = post_intake(client, document).json()["detail"]
    for field in ("pain[0].region", "pain[0].intensity", "colour: unknown field"):
        assert field in detail, detail


def test_schema_message_is_the_clis(client: TestClient, tmp_path: Path) -> None:
    document = {"schema_version": 1, "pain": [{"region": "knee", "side": "middle", "intensity": "high"}]}
    intake = tmp_path / "intake.json"
    intake.write_text(json.dumps(document), encoding="utf-8")
    done = subprocess.run(
        [str(FOOTCHAIN), "assess", str(intake), "--format", "json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    cli_message = done.stderr.strip().removeprefix(f"footchain: {intake}: ")
    assert post_intake(client, document).json()["detail"] == cli_message


@pytest.mark.parametrize(
    "headers",
    [{"Content-Type": "text/plain"}, {"Content-Type": "application/x-www-form-urlencoded"}, {}],
    ids=["text", "form", "none"],
)
def test_non_json_content_type_is_415_with_the_fix(
    client: TestClient, app: FastAPI, headers: dict[str, str]
) -> None:
    response = client.post("/api/v1/assessments", content=b'{"schema_version": 1}', headers=headers)
    assert response.status_code == 415
    assert "Content-Type: application/json" in response.json()["detail"]
    assert count_assessments(app) == 0


def test_json_with_charset_and_vendor_types_is_accepted(client: TestClient) -> None:
    for media in ("application/json; charset=utf-8", "application/vnd.footchain+json"):
        response = client.post(
            "/api/v1/assessments", content=b'{"schema_version": 1}', headers={"Content-Type": media}
        )
        assert response.status_code == 201, media


def test_an_intake_over_1_mb_is_413(client: TestClient, app: FastAPI) -> None:
    document = {"schema_version": 1, "activity": {"sports": ["x" * 1000] * 1100}}
    response = post_intake(client, document)
    assert response.status_code == 413
    assert "too large" in response.json()["detail"]
    assert count_assessments(app) == 0


def test_unknown_upload_id_in_an_intake_is_named(client: TestClient, app: FastAPI) -> None:
    document = {"schema_version": 1, "files": {"footprint_images": ["no-such-upload"]}}
    response = post_intake(client, document)
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert "files.footprint_images[0]" in detail and "POST /api/v1/footprints" in detail
    assert count_assessments(app) == 0


def test_an_upload_id_in_the_other_list_is_named_with_the_fix(client: TestClient, app: FastAPI) -> None:
    recording = DATA / "moticon" / "walk_with_events.txt"
    gait = client.post("/api/v1/gait", files={"file": (recording.name, recording.read_bytes())})
    assert gait.status_code == 201, gait.text
    gait_id = gait.json()["id"]
    response = post_intake(client, {"schema_version": 1, "files": {"footprint_images": [gait_id]}})
    assert response.status_code == 422
    assert response.json()["detail"] == (
        f"files.footprint_images[0]: '{gait_id}' is the id of a gait recording, not a footprint; "
        "put it in files.gait_recordings."
    )
    footprint = DATA / "footprint_templates" / "MUN104L.csv"
    print_ = client.post("/api/v1/footprints", files={"file": (footprint.name, footprint.read_bytes())})
    assert print_.status_code == 201, print_.text
    print_id = print_.json()["id"]
    files = {"footprint_images": [print_id], "gait_recordings": [gait_id, print_id]}
    response = post_intake(client, {"schema_version": 1, "files": files})
    assert response.status_code == 422
    assert response.json()["detail"] == (
        f"files.gait_recordings[1]: '{print_id}' is the id of a footprint, not a gait recording; "
        "put it in files.footprint_images."
    )
    assert count_assessments(app) == 0
    files = {"footprint_images": [print_id], "gait_recordings": [gait_id]}
    assert post_intake(client, {"schema_version": 1, "files": files}).status_code == 201


def test_openapi_documents_the_body_responses_and_errors(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    post = spec["paths"]["/api/v1/assessments"]["post"]
    body = post["requestBody"]["content"]["application/json"]
    assert "pain" in body["schema"]["properties"] and "$ref" not in json.dumps(body["schema"])
    parse_intake(body["example"])  # the documented example is a valid intake
    assert {"201", "400", "413", "415", "422"} <= set(post["responses"])
    example = post["responses"]["201"]["content"]["application/json"]["example"]
    assert set(example) == CONTRACT_KEYS | {"id"}
    schema = post["responses"]["201"]["content"]["application/json"]["schema"]
    assert set(schema["properties"]) == CONTRACT_KEYS | {"id"}
    screening = schema["properties"]["screening"]["properties"]
    assert {"complete", "unanswered", "held_back_regions", "held_back_because"} <= set(screening)
    assert "call_emergency_services" in schema["properties"]["referral"]["properties"]
    answer = post_intake(client, body["example"]).json()
    assert set(answer) == set(example)
    get = spec["paths"]["/api/v1/assessments/{assessment_id}"]["get"]
    assert {"200", "404"} <= set(get["responses"])
    assert client.get("/docs").status_code == 200


def test_the_api_keeps_its_word_on_postgresql() -> None:
    with postgres_database() as url:
        app = create_app(Settings(database_url=url))
        with TestClient(app) as client:
            document = json.loads((REPO / "examples" / "nurse_heel_pain.json").read_text(encoding="utf-8"))
            created = post_intake(client, document)
            assert created.status_code == 201, created.text
            assert client.get(created.headers["location"]).json() == created.json()
            bad = client.post(
                "/api/v1/assessments", content=b'{"schema_version": 1, "pain": 3}', headers=JSON
            )
            assert bad.status_code == 422 and "pain" in bad.json()["detail"]
            assert count_assessments(app) == 1
        app.state.sessions.kw["bind"].dispose()  # let the database be dropped
