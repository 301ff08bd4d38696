"""The background analysis of visit files: queued, claimed once, measured, stored, and the visit re-assessed.

Tests wait for the worker by polling the status with a deadline (no timing thresholds). The queue claim
is tested on SQLite and PostgreSQL (``empty_database_url``).
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from footchain.store import accounts, patients
from footchain.store.database import open_database, write_transaction
from footchain.store.models import VisitFileRow
from footchain.web.worker import AnalysisWorker
from tests.clinic.conftest import ClinicUser
from tests.databases import empty_database_url, postgres_session_url  # noqa: F401
from tests.footprint.photo_cases import sheet_photo_case
from tests.shared import DATA

DEADLINE_S = 120.0


def wait_until_finished(client: TestClient, user: ClinicUser, visit_id: str, file_id: str) -> dict[str, Any]:
    """Poll the file's status until it is done or failed (fails the test after ``DEADLINE_S``)."""
    deadline = time.monotonic() + DEADLINE_S
    while time.monotonic() < deadline:
        body: dict[str, Any] = client.get(
            f"/api/v1/visits/{visit_id}/files/{file_id}", headers=user.headers
        ).json()
        if body["status"] in ("done", "failed"):
            return body
        time.sleep(0.1)
    raise AssertionError(f"the file was not measured within {DEADLINE_S:.0f} s")


def new_visit(client: TestClient, user: ClinicUser, intake: dict[str, Any] | None = None) -> str:
    patient_id = client.post(
        "/api/v1/patients", json={"name": "Wanda Worker", "birth_year": 1980}, headers=user.headers
    ).json()["id"]
    body: dict[str, Any] = {"visited_on": "2026-04-01"}
    if intake is not None:
        body["intake"] = intake
    visit_id: str = client.post(
        f"/api/v1/patients/{patient_id}/visits", json=body, headers=user.headers
    ).json()["id"]
    return visit_id


def upload(client: TestClient, user: ClinicUser, visit_id: str, kind: str, name: str, content: bytes) -> str:
    response = client.post(
        f"/api/v1/visits/{visit_id}/files",
        data={"kind": kind},
        files={"file": (name, content)},
        headers=user.headers,
    )
    assert response.status_code == 202, response.text
    assert response.json()["status"] == "queued"
    file_id: str = response.json()["id"]
    return file_id


def test_a_footprint_photo_is_measured_and_merged_into_the_visits_assessment(
    clinic_client: TestClient, clinic_a: ClinicUser, tmp_path: Path
) -> None:
    photo, truth = sheet_photo_case(7200, tmp_path, image_size=(1600, 1200))
    visit_id = new_visit(
        clinic_client, clinic_a, {"schema_version": 1, "feet": {"self_reported_arch": "normal"}}
    )
    before = clinic_client.get(f"/api/v1/visits/{visit_id}", headers=clinic_a.headers).json()["assessment"]
    assert not any("footprint" in b.lower() and "no footprint" not in b.lower()
                   for b in before["feet"]["left"]["basis"] + before["feet"]["right"]["basis"])  # fmt: skip
    file_id = upload(clinic_client, clinic_a, visit_id, "footprint", "print.jpg", photo.read_bytes())

    body = wait_until_finished(clinic_client, clinic_a, visit_id, file_id)
    assert body["status"] == "done", body["error"]
    assert body["error"] is None and body["has_overlay"] is True
    prints = body["result"]["prints"]
    assert len(prints) == 1
    assert abs(prints[0]["foot_length_mm"] - truth.foot_length_mm) < 0.05 * truth.foot_length_mm
    visit = clinic_client.get(f"/api/v1/visits/{visit_id}", headers=clinic_a.headers).json()
    side = prints[0]["side"]
    basis = " ".join(visit["assessment"]["feet"][side]["basis"]).lower()
    assert "arch index" in basis or "footprint" in basis
    assert visit["assessment"] != before


def test_a_file_that_cannot_be_measured_fails_with_the_clear_message(
    clinic_client: TestClient, clinic_a: ClinicUser
) -> None:
    visit_id = new_visit(
        clinic_client, clinic_a, {"schema_version": 1, "feet": {"self_reported_arch": "flat"}}
    )
    file_id = upload(
        clinic_client, clinic_a, visit_id, "footprint", "notes.txt", b"this is not a pressure table\n"
    )
    body = wait_until_finished(clinic_client, clinic_a, visit_id, file_id)
    assert body["status"] == "failed"
    assert "notes.txt" in body["error"] and "/tmp" not in body["error"]
    visit = clinic_client.get(f"/api/v1/visits/{visit_id}", headers=clinic_a.headers).json()
    assert visit["assessment"]["feet"]["left"]["arch_type"] == "flat"  # the intake's assessment stands


def test_a_gait_recording_adds_its_measurement_to_the_visit(
    clinic_client: TestClient, clinic_a: ClinicUser
) -> None:
    visit_id = new_visit(clinic_client, clinic_a)
    content = (DATA / "gaitpdb" / "GaCo01_01.txt").read_bytes()
    file_id = upload(clinic_client, clinic_a, visit_id, "gait", "GaCo01_01.txt", content)
    body = wait_until_finished(clinic_client, clinic_a, visit_id, file_id)
    assert body["status"] == "done", body["error"]
    assert {"force", "strides"} <= set(body["figures"])
    visit = clinic_client.get(f"/api/v1/visits/{visit_id}", headers=clinic_a.headers).json()
    assert visit["assessment"] is not None  # measurements alone are assessed
    assert not any(text.startswith("No gait recording:") for text in visit["assessment"]["limits"])


def _queue(factory: sessionmaker[Session], count: int) -> list[str]:
    with factory() as session, write_transaction(session):
        clinic = accounts.create_clinic(session, "Queue clinic")
        patient = patients.create_patient(session, clinic.id, name="Q", birth_year=1990, details={})
        visit = patients.create_visit(
            session, clinic.id, patient.id, visited_on=date(2026, 1, 1), kind="assessment", intake={},
            pain_score=None, psfs=[], created_by=None,
        )  # fmt: skip
        return [
            patients.add_visit_file(
                session, clinic.id, visit.id, kind="footprint", filename=f"{n}.png", media_type="image/png",
                content=b"\x89PNG",
            ).id
            for n in range(count)
        ]  # fmt: skip


def test_each_queued_file_is_claimed_exactly_once_by_concurrent_workers(empty_database_url: str) -> None:  # noqa: F811
    factory = open_database(empty_database_url)
    queued = _queue(factory, 24)
    claimed: list[str] = []
    guard = threading.Lock()
    start = threading.Barrier(6)

    def claim_all() -> None:
        start.wait()
        while True:
            with factory() as session, write_transaction(session):
                file_id = patients.claim_next_file(session)
            if file_id is None:
                with factory() as session:
                    if not session.scalars(
                        select(VisitFileRow.id).where(VisitFileRow.status == "queued")
                    ).first():
                        return
                continue
            with guard:
                claimed.append(file_id)

    threads = [threading.Thread(target=claim_all) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(claimed) == sorted(queued)  # every file once, none twice
    with factory() as session:
        assert set(session.scalars(select(VisitFileRow.status))) == {"running"}
    factory.kw["bind"].dispose()


def test_files_left_running_by_a_stopped_server_are_queued_again(empty_database_url: str) -> None:  # noqa: F811
    factory = open_database(empty_database_url)
    [file_id] = _queue(factory, 1)
    with factory() as session, write_transaction(session):
        assert patients.claim_next_file(session) == file_id
        assert patients.claim_next_file(session) is None
    with factory() as session, write_transaction(session):
        assert patients.requeue_stale(session, timedelta(minutes=15)) == 0
        long_ago = datetime.now(UTC) - timedelta(hours=1)
        session.execute(update(VisitFileRow).values(started_at=long_ago))
    with factory() as session, write_transaction(session):
        assert patients.requeue_stale(session, timedelta(minutes=15)) == 1
        assert patients.claim_next_file(session) == file_id
    factory.kw["bind"].dispose()


def test_the_worker_measures_what_is_queued_and_stops_cleanly(tmp_path: Path) -> None:
    factory = open_database(f"sqlite:///{tmp_path / 'worker.db'}")
    [file_id] = _queue(factory, 1)  # a PNG header only: the measurement fails with a clear message
    worker = AnalysisWorker(factory, idle_wait_s=0.05)
    worker.start()
    try:
        deadline = time.monotonic() + DEADLINE_S
        while time.monotonic() < deadline:
            with factory() as session:
                row = session.get(VisitFileRow, file_id)
                assert row is not None
                if row.status in ("done", "failed"):
                    break
            time.sleep(0.05)
        assert row.status == "failed" and row.error and "0.png" in row.error
        assert row.finished_at is not None and row.started_at is not None
    finally:
        worker.stop()
    assert not worker.running


def test_a_file_whose_patient_was_deleted_mid_measurement_leaves_nothing_behind(tmp_path: Path) -> None:
    factory = open_database(f"sqlite:///{tmp_path / 'gone.db'}")
    [file_id] = _queue(factory, 1)
    with factory() as session, write_transaction(session):
        assert patients.claim_next_file(session) == file_id
        row = session.get(VisitFileRow, file_id)
        assert row is not None
        clinic_id, visit_id = row.clinic_id, row.visit_id
        patient_id = patients.get_visit(session, clinic_id, visit_id).patient_id  # type: ignore[union-attr]
    with factory() as session, write_transaction(session):
        assert patients.delete_patient(session, clinic_id, patient_id)
    AnalysisWorker(factory)._store(file_id, clinic_id, visit_id, None, "gone")
    with factory() as session:
        assert session.get(VisitFileRow, file_id) is None
