"""``/api/v1/footprints`` and ``/api/v1/gait``: real uploads measured, stored, read back, used in intakes.

Files come from ../shared/data (gaitpdb, Moticon, pedar, C3D, the IPOL foot-IMU trials, pressure exports,
footprint templates) and from the synthetic phone photo of a print on the calibration sheet. Broken or
wrong files get the analyser's clear message as a 4xx and leave no row behind.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from footchain.store import repository
from footchain.store.models import AssessmentRow, UploadRow
from tests.footprint.photo_cases import sheet_photo_case
from tests.footprint.test_image_io import write_png_bomb
from tests.shared import DATA

FOOTPRINT_KEYS = {"schema_version", "source", "prints", "warnings", "overlay"}
PRINT_KEYS = {
    "side", "arch_index", "chippaux_smirak_index", "staheli_index", "clarke_angle_deg",
    "foot_length_mm", "foot_width_mm", "arch_type", "warnings",
}  # fmt: skip
# the contract's formats (measurements.md), and pressure_walk: a walk on a pressure plate or in
# gridded pressure insoles, added by footchain for CPEI and not yet in the shared contract's list
GAIT_FORMATS = {"gaitpdb", "moticon", "pedar", "c3d", "imu_ipol", "csv", "pressure_walk"}
JSON = {"Content-Type": "application/json"}


def rows(app: FastAPI, model: type[Any] = UploadRow) -> int:
    with app.state.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


@pytest.fixture(scope="module")
def photo(tmp_path_factory: pytest.TempPathFactory) -> tuple[bytes, str]:
    """A phone photo (JPEG) of one print on the calibration sheet, and the print's true side."""
    path, truth = sheet_photo_case(7200, tmp_path_factory.mktemp("photo"), image_size=(1600, 1200))
    return path.read_bytes(), str(truth.side)


def upload(client: TestClient, route: str, *files: tuple[str, bytes], **form: str) -> Any:
    parts = [("file", files[0])] + [("files", extra) for extra in files[1:]]
    return client.post(f"/api/v1/{route}", files=parts, data=form)


def check_footprint(body: dict[str, Any]) -> None:
    assert set(body) == FOOTPRINT_KEYS | {"id", "overlay_url"}
    assert body["schema_version"] == 1
    assert set(body["source"]) >= {"path", "kind", "mm_per_px", "scale_from"}
    assert body["prints"] and all(set(p) == PRINT_KEYS for p in body["prints"])
    assert all(p["side"] in ("left", "right", "unknown") for p in body["prints"])
    assert all(isinstance(w, str) for w in body["warnings"])


def check_gait(body: dict[str, Any]) -> None:
    assert body["schema_version"] == 1
    assert body["source"]["format"] in GAIT_FORMATS
    assert set(body["source"]) >= {"path", "format", "sampling_rate_hz", "duration_s"}
    assert set(body["feet"]) == {"left", "right"}
    for foot in body["feet"].values():
        assert set(foot) >= {"events", "strides", "summary"}
        assert set(foot["summary"]) >= {"strides", "stride_time_s", "stance_percent", "cadence_steps_per_min"}
    assert set(body["summary"]) >= {"symmetry_index_percent", "double_support_percent", "cop"}
    json.dumps(body, allow_nan=False)


# ----------------------------------------------------------------------------------------------
# footprints


def test_footprint_photo_is_measured_stored_and_read_back(
    client: TestClient, app: FastAPI, photo: tuple[bytes, str]
) -> None:
    content, side = photo
    created = upload(client, "footprints", ("my foot.jpg", content))
    assert created.status_code == 201, created.text
    body = created.json()
    check_footprint(body)
    assert body["source"]["kind"] == "photo" and body["source"]["scale_from"] == "sheet"
    assert body["source"]["path"] == "my foot.jpg"  # the uploaded name, never a server path
    assert [p["side"] for p in body["prints"]] == [side]
    assert 200 < body["prints"][0]["foot_length_mm"] < 320
    assert created.headers["location"] == f"/api/v1/footprints/{body['id']}"
    assert body["overlay_url"] == f"/api/v1/footprints/{body['id']}/overlay.png"

    assert client.get(created.headers["location"]).json() == body
    overlay = client.get(body["overlay_url"])
    assert overlay.status_code == 200 and overlay.headers["content-type"] == "image/png"
    assert overlay.content.startswith(b"\x89PNG")
    assert rows(app) == 1


@pytest.mark.parametrize(
    ("name", "form", "scale_from"),
    [
        ("pressure/emed_test.lst", {}, "dpi"),
        ("pressure/footscan_test.xls", {}, "dpi"),
        ("footprint_templates/MUN104L.csv", {"mm_per_px": "5", "kind": "pressure"}, "flag"),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_pressure_exports_are_measured(
    client: TestClient, name: str, form: dict[str, str], scale_from: str
) -> None:
    response = upload(client, "footprints", (Path(name).name, (DATA / name).read_bytes()), **form)
    assert response.status_code == 201, response.text
    body = response.json()
    check_footprint(body)
    assert body["source"]["kind"] == "pressure" and body["source"]["scale_from"] == scale_from


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("pressure/xsensor_data.csv", "in-shoe insoles"),
        ("pressure/pliance_test.asc", "the foot carried at most 211 N"),
    ],
)
def test_pressure_recordings_without_a_footprint_get_the_reason(
    client: TestClient, app: FastAPI, name: str, words: str
) -> None:
    response = upload(client, "footprints", (Path(name).name, (DATA / name).read_bytes()))
    assert response.status_code == 422, response.text
    detail = response.json()["detail"]
    assert words in detail and Path(name).name in detail, detail
    assert "/tmp" not in detail and "footchain-" not in detail  # never the server's folders
    assert rows(app) == 0


def test_scan_scale_comes_from_the_dpi_field(client: TestClient, photo: tuple[bytes, str]) -> None:
    image = cv2.imdecode(np.frombuffer(photo[0], np.uint8), cv2.IMREAD_GRAYSCALE)
    ok, png = cv2.imencode(".png", image)
    assert ok
    body = upload(client, "footprints", ("scan.png", png.tobytes()), kind="scan", dpi="150").json()
    assert body["source"]["kind"] == "scan" and body["source"]["scale_from"] == "flag"
    assert body["source"]["mm_per_px"] == pytest.approx(25.4 / 150, rel=1e-3)


def _truncated_jpeg(photo: tuple[bytes, str]) -> bytes:
    return photo[0][: len(photo[0]) // 2]


def _dot_png(_photo: tuple[bytes, str]) -> bytes:
    ok, png = cv2.imencode(".png", np.zeros((1, 1), np.uint8))
    assert ok
    return bytes(png.tobytes())


@pytest.mark.parametrize(
    ("name", "make", "status", "words"),
    [
        ("foot.jpg", lambda _p: b"%PDF-1.7\n" + b"0" * 2000, 415, "foot.jpg is a PDF document"),
        ("foot.jpg", lambda _p: b"PK\x03\x04" + b"0" * 2000, 415, "ZIP archive"),
        ("IMG_0001.heic", lambda _p: b"\x00\x00\x00\x18ftypheic" + b"0" * 2000, 415, "Most compatible"),
        ("foot.jpg", lambda _p: b"", 422, "foot.jpg is empty"),
        ("foot.jpg", _truncated_jpeg, 422, "truncated"),
        ("dot.png", _dot_png, 422, "only 1 × 1 pixels"),
    ],
    ids=["pdf named jpg", "zip", "heic", "empty", "truncated jpeg", "1x1 png"],
)
def test_bad_footprint_files_get_the_analysers_message(
    client: TestClient, app: FastAPI, photo: tuple[bytes, str], name: str, make: Any, status: int, words: str
) -> None:
    response = upload(client, "footprints", (name, make(photo)))
    assert response.status_code == status, response.text
    detail = response.json()["detail"]
    assert words in detail, detail
    assert "/tmp" not in detail and "footchain-" not in detail  # never the server's folders
    assert rows(app) == 0


def test_decompression_bomb_is_refused_without_decoding(
    client: TestClient, app: FastAPI, tmp_path: Path
) -> None:
    bomb = tmp_path / "bomb.png"
    write_png_bomb(bomb, 30_000)
    response = upload(client, "footprints", ("bomb.png", bomb.read_bytes()))
    assert response.status_code == 422
    assert "900 megapixels" in response.json()["detail"]
    assert rows(app) == 0


@pytest.mark.parametrize(
    ("form", "words"),
    [({"dpi": "-1"}, "dpi: Input should be greater than 0"), ({"kind": "xray"}, "kind: Input should be")],
    ids=["negative dpi", "unknown kind"],
)
def test_bad_form_fields_are_named(
    client: TestClient, photo: tuple[bytes, str], form: dict[str, str], words: str
) -> None:
    response = upload(client, "footprints", ("foot.jpg", photo[0]), **form)
    assert response.status_code == 422
    assert words in response.json()["detail"]


def test_missing_file_field_is_named(client: TestClient) -> None:
    for route in ("footprints", "gait"):
        response = client.post(f"/api/v1/{route}", data={"dpi": "100"})
        assert response.status_code == 422
        assert "file: required field is missing" in response.json()["detail"]


# ----------------------------------------------------------------------------------------------
# gait


@pytest.mark.parametrize(
    ("names", "fmt", "figures"),
    [
        (["gaitpdb/GaCo01_01.txt"], "gaitpdb", {"force", "strides", "cop"}),
        (["gaitpdb/GaPt03_01.csv"], "gaitpdb", {"force", "strides", "cop"}),
        (["moticon/230927_102114.txt"], "moticon", {"force", "strides", "cop"}),
        (["pressure/pedar_example.asc"], "pedar", {"force", "strides", "cop"}),
        (["imu_ipol/1-1_lf.txt", "imu_ipol/1-1_rf.txt", "imu_ipol/1-1_lb.txt", "imu_ipol/1-1.json"], "imu_ipol",
         {"force", "strides"}),
        (["c3d/FP_Type3.c3d"], "c3d", None),
        (["pressure/footscan_test.xls"], "pressure_walk", {"force", "cop"}),
        (["pressure/emed_test.lst"], "pressure_walk", {"force", "cop"}),
    ],
    ids=["gaitpdb control", "gaitpdb patient", "moticon", "pedar", "imu trial", "c3d", "footscan walk",
         "emed walk"],
)  # fmt: skip
def test_gait_recordings_are_measured_stored_and_read_back(
    client: TestClient, app: FastAPI, names: list[str], fmt: str, figures: set[str] | None
) -> None:
    files = [(Path(name).name, (DATA / name).read_bytes()) for name in names]
    created = upload(client, "gait", *files)
    assert created.status_code == 201, created.text
    body = created.json()
    check_gait(body)
    assert body["source"]["format"] == fmt and body["source"]["path"] == files[0][0]
    assert created.headers["location"] == f"/api/v1/gait/{body['id']}"
    if figures is not None:
        assert set(body["figure_urls"]) == figures
    for name, url in body["figure_urls"].items():
        assert url == f"/api/v1/gait/{body['id']}/figures/{name}.svg"
        svg = client.get(url)
        assert svg.status_code == 200 and svg.headers["content-type"].startswith("image/svg+xml")
        assert "<svg" in svg.text
    assert client.get(created.headers["location"]).json() == body
    assert rows(app) == 1


def test_an_imu_trial_without_its_other_files_says_which_are_missing(
    client: TestClient, app: FastAPI
) -> None:
    response = upload(client, "gait", ("1-1_lf.txt", (DATA / "imu_ipol" / "1-1_lf.txt").read_bytes()))
    assert response.status_code == 422
    assert "missing 1-1_rf.txt" in response.json()["detail"]
    assert rows(app) == 0


@pytest.mark.parametrize(
    ("name", "content", "status", "words"),
    [
        ("walk.txt", b"%PDF-1.4\n" + b"0" * 2000, 415, "walk.txt is a PDF document"),
        ("walk.txt", b"\x89PNG\r\n\x1a\n" + b"0" * 100, 415, "a PNG image, not a gait recording"),
        ("walk.txt", b"", 422, "walk.txt is empty"),
        ("walk.txt", b"hello, this is not a recording\n", 422, "walk.txt"),
    ],
    ids=["pdf", "png", "empty", "prose"],
)
def test_bad_gait_files_get_a_clear_4xx(
    client: TestClient, app: FastAPI, name: str, content: bytes, status: int, words: str
) -> None:
    response = upload(client, "gait", (name, content))
    assert response.status_code == status, response.text
    assert words in response.json()["detail"]
    assert "Traceback" not in response.text
    assert rows(app) == 0


# ----------------------------------------------------------------------------------------------
# ids: unknown, of the wrong kind, used in an intake


def test_unknown_and_wrong_kind_ids_are_404_with_the_right_place(client: TestClient) -> None:
    gait_id = upload(
        client, "gait", ("m.txt", (DATA / "moticon" / "walk_with_events.txt").read_bytes())
    ).json()["id"]
    for url in ("/api/v1/footprints/nope", "/api/v1/footprints/nope/overlay.png", "/api/v1/gait/nope",
                "/api/v1/gait/nope/figures/force.svg"):  # fmt: skip
        response = client.get(url)
        assert response.status_code == 404 and "has this id" in response.json()["detail"], url
    wrong = client.get(f"/api/v1/footprints/{gait_id}")
    assert wrong.status_code == 404
    assert "belongs to a gait recording" in wrong.json()["detail"]
    missing_figure = client.get(f"/api/v1/gait/{gait_id}/figures/nothing.svg")
    assert (
        missing_figure.status_code == 404 and "it has: cop, force, strides" in missing_figure.json()["detail"]
    )


def test_an_uploaded_footprint_decides_the_assessments_feet(
    client: TestClient, app: FastAPI, photo: tuple[bytes, str]
) -> None:
    content, side = photo
    footprint = upload(client, "footprints", ("foot.jpg", content)).json()
    measured = footprint["prints"][0]
    gait = upload(
        client, "gait", ("walk.txt", (DATA / "moticon" / "walk_with_events.txt").read_bytes())
    ).json()
    intake = {
        "schema_version": 1,
        "pain": [{"region": "knee", "side": "both", "intensity": 4}],
        "feet": {"self_reported_arch": "high"},
        "files": {"footprint_images": [footprint["id"]], "gait_recordings": [gait["id"]]},
    }
    response = client.post("/api/v1/assessments", content=json.dumps(intake), headers=JSON)
    assert response.status_code == 201, response.text
    foot = response.json()["feet"][side]
    assert foot["basis"][0].startswith("measured footprint: Arch Index"), foot
    assert f"Arch Index {measured['arch_index']:.4f}" in foot["basis"][0]
    assert foot["arch_type"] == measured["arch_type"]  # the measurement wins over "high" said by the person
    with app.state.sessions() as session:
        linked = {row.id for row in repository.uploads_of(session, response.json()["id"])}
    assert linked == {footprint["id"], gait["id"]}


def test_an_id_of_the_wrong_kind_in_an_intake_is_refused(client: TestClient, app: FastAPI) -> None:
    gait_id = upload(
        client, "gait", ("m.txt", (DATA / "moticon" / "walk_with_events.txt").read_bytes())
    ).json()["id"]
    intake = {"schema_version": 1, "files": {"footprint_images": [gait_id]}}
    response = client.post("/api/v1/assessments", content=json.dumps(intake), headers=JSON)
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert (
        "files.footprint_images[0]" in detail and "is the id of a gait recording, not a footprint" in detail
    )
    assert rows(app, AssessmentRow) == 0
