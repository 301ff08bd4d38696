"""Faults the app must survive (issue 16), on SQLite and on PostgreSQL:

- ``kill -9`` of the server while clients post assessments: after a restart every assessment that was
  answered 201 is readable and intact, and SQLite's ``PRAGMA integrity_check`` says ``ok``;
- ``kill -9`` while the server migrates a new database: the next start finishes the migration;
- ``kill -9`` while visit files are uploaded and the background queue measures them: after a restart
  every accepted file is there and gets measured (the killed worker's claim expires with its heartbeat);
- PostgreSQL stopped and started again under the app (a throwaway server of the test's own): meanwhile
  every request gets 503 with ``Retry-After`` within seconds (never 500, never a hang), and afterwards
  the app serves again by itself, without a restart;
- a full disk under a SQLite database (a 3 MB tmpfs): the answer is 503 with a message saying the disk
  is full, nothing is half-written and the file passes ``PRAGMA integrity_check``.
"""

from __future__ import annotations

import sqlite3
import subprocess
import threading
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.orm import sessionmaker

from footchain.store.database import database_url, make_engine
from tests.clinic.conftest import create_clinic_user
from tests.faults.servers import footchain_server, kill_hard, start_server, throwaway_postgres
from tests.live import free_port
from tests.shared import CONTRACTS, DATA

INTAKES = [path.read_bytes() for path in sorted((CONTRACTS / "examples").glob("*.json"))]
JSON = {"content-type": "application/json"}
REQUEST_TIMEOUT_S = 15.0


def _post_until_stopped(base: str, stop: threading.Event, created: dict[str, dict[str, object]]) -> None:
    with httpx.Client(base_url=base, timeout=REQUEST_TIMEOUT_S) as client:
        n = 0
        while not stop.is_set():
            try:
                response = client.post("/api/v1/assessments", content=INTAKES[n % len(INTAKES)], headers=JSON)
            except httpx.HTTPError:
                return  # the server is gone
            if response.status_code == 201:
                body = response.json()
                created[body["id"]] = body
            n += 1


def _integrity(url: str) -> str:
    database = url.removeprefix("sqlite:///")
    with sqlite3.connect(database) as connection:
        return str(connection.execute("PRAGMA integrity_check").fetchone()[0])


@pytest.mark.parametrize("empty_database_url", ["sqlite", "postgresql"], indirect=True)
def test_kill_9_during_assessment_writes_loses_nothing_answered(empty_database_url: str) -> None:
    port = free_port()
    process = start_server(empty_database_url, port)
    base = f"http://127.0.0.1:{port}"
    created: dict[str, dict[str, object]] = {}
    stop = threading.Event()
    clients = [threading.Thread(target=_post_until_stopped, args=(base, stop, created)) for _ in range(4)]
    for client in clients:
        client.start()
    time.sleep(1.5)
    kill_hard(process)
    stop.set()
    for client in clients:
        client.join(REQUEST_TIMEOUT_S + 5)
    assert len(created) >= 5, "too few assessments were written before the kill to test anything"
    if empty_database_url.startswith("sqlite"):
        assert _integrity(empty_database_url) == "ok"
    with footchain_server(empty_database_url, port) as (_, base):
        for assessment_id, posted in created.items():
            response = httpx.get(f"{base}/api/v1/assessments/{assessment_id}", timeout=REQUEST_TIMEOUT_S)
            assert response.status_code == 200, assessment_id
            assert response.json() == posted


@pytest.mark.parametrize("empty_database_url", ["sqlite", "postgresql"], indirect=True)
@pytest.mark.parametrize("after_s", [0.8])
def test_kill_9_during_migration_then_the_next_start_finishes_it(
    empty_database_url: str, after_s: float
) -> None:
    port = free_port()
    process = start_server(empty_database_url, port, wait=False)
    time.sleep(after_s)  # the interpreter starts, imports, connects and migrates in this window
    kill_hard(process)
    if (
        empty_database_url.startswith("sqlite")
        and Path(empty_database_url.removeprefix("sqlite:///")).exists()
    ):
        assert _integrity(empty_database_url) == "ok"
    with footchain_server(empty_database_url, port) as (_, base):
        created = httpx.post(f"{base}/api/v1/assessments", content=INTAKES[0], headers=JSON, timeout=30)
        assert created.status_code == 201
        read = httpx.get(f"{base}/api/v1/assessments/{created.json()['id']}", timeout=30)
        assert read.json() == created.json()


def test_postgres_restart_gives_503_with_retry_after_then_recovers_by_itself() -> None:
    with throwaway_postgres() as postgres, footchain_server(postgres.url) as (process, base):
        client = httpx.Client(base_url=base, timeout=REQUEST_TIMEOUT_S)
        before = client.post("/api/v1/assessments", content=INTAKES[0], headers=JSON)
        assert before.status_code == 201
        postgres.stop("fast")
        during = []
        for n in range(6):
            started = time.monotonic()
            response = client.post("/api/v1/assessments", content=INTAKES[n % len(INTAKES)], headers=JSON)
            during.append(
                (response.status_code, response.headers.get("retry-after"), time.monotonic() - started)
            )
            read = client.get(f"/api/v1/assessments/{before.json()['id']}")
            during.append((read.status_code, read.headers.get("retry-after"), 0.0))
        assert all(status == 503 and retry == "5" for status, retry, _ in during), during
        assert max(seconds for _, _, seconds in during) < 10.0, during
        assert "database" in client.get("/api/v1/assessments/x").json()["detail"]
        postgres.start()
        deadline = time.monotonic() + 30
        after = client.post("/api/v1/assessments", content=INTAKES[1], headers=JSON)
        while after.status_code == 503 and time.monotonic() < deadline:
            time.sleep(0.5)
            after = client.post("/api/v1/assessments", content=INTAKES[1], headers=JSON)
        assert after.status_code == 201
        assert process.poll() is None  # the same server process recovered
        assert client.get(f"/api/v1/assessments/{before.json()['id']}").json() == before.json()
        client.close()


@pytest.fixture
def small_disk(tmp_path: Path):  # type: ignore[no-untyped-def]
    """A 3 MB tmpfs (mounted as root, as the tests and CI run here)."""
    mount = tmp_path / "small"
    mount.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(mount)], check=True)
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_full_disk_under_sqlite_is_a_clear_503_and_no_corruption(small_disk: Path) -> None:
    from fastapi.testclient import TestClient

    from footchain.web.app import create_app
    from footchain.web.settings import Settings

    url = f"sqlite:///{small_disk / 'footchain.db'}"
    app = create_app(Settings(database_url=url))
    created: dict[str, object] = {}
    refused = []
    with TestClient(app, raise_server_exceptions=False) as client:
        for n in range(400):
            response = client.post("/api/v1/assessments", content=INTAKES[n % len(INTAKES)], headers=JSON)
            if response.status_code == 201:
                created[response.json()["id"]] = response.json()
                continue
            refused.append(response)
            if len(refused) >= 3:
                break
        assert refused, "the 3 MB disk never filled"
        for response in refused:
            assert response.status_code == 503
            assert response.headers["retry-after"] == "5"
            assert "disk is full" in response.json()["detail"]
        for assessment_id, posted in created.items():
            assert client.get(f"/api/v1/assessments/{assessment_id}").json() == posted
    app.state.sessions.kw["bind"].dispose()
    assert _integrity(url) == "ok"
    engine = create_engine(url)
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT count(*) FROM assessments")).scalar_one()
    engine.dispose()
    assert rows == len(created)


QUEUE_STALE = {"FOOTCHAIN_QUEUE_STALE_S": "2"}  # a killed worker's file is measured again after 2 s
GAIT_FILES = ("gaitpdb/GaCo01_01.txt", "gaitpdb/GaCo02_01.txt", "gaitpdb/GaCo03_01.txt")


def _upload_until_stopped(
    base: str, token: str, visit_id: str, stop: threading.Event, accepted: list[str]
) -> None:
    names = [DATA / name for name in GAIT_FILES]
    with httpx.Client(base_url=base, timeout=REQUEST_TIMEOUT_S) as client:
        n = 0
        while not stop.is_set():
            path = names[n % len(names)]
            try:
                response = client.post(
                    f"/api/v1/visits/{visit_id}/files",
                    headers={"Authorization": f"Bearer {token}"},
                    data={"kind": "gait"},
                    files={"file": (path.name, path.read_bytes(), "text/plain")},
                )
            except httpx.HTTPError:
                return
            if response.status_code == 202:
                accepted.extend(item["id"] for item in response.json()["files"])
            n += 1


@pytest.mark.parametrize("empty_database_url", ["sqlite", "postgresql"], indirect=True)
def test_kill_9_during_uploads_and_measuring_then_the_queue_resumes(empty_database_url: str) -> None:
    """Uploads stream in and the worker measures while the server is killed; after a restart every
    accepted file is there and is measured to the end (a file the killed worker had claimed is queued
    again once its heartbeat has stopped)."""
    port = free_port()
    process = start_server(empty_database_url, port, env=QUEUE_STALE)
    base = f"http://127.0.0.1:{port}"
    user = create_clinic_user(
        sessionmaker(make_engine(database_url(empty_database_url))), "Kill clinic", "admin", "k@x.example"
    )
    with httpx.Client(base_url=base, headers=user.headers, timeout=REQUEST_TIMEOUT_S) as client:
        patient = client.post("/api/v1/patients", json={"name": "Kay Test", "birth_year": 1960}).json()
        visit = client.post(
            f"/api/v1/patients/{patient['id']}/visits",
            json={"visited_on": "2026-01-05", "kind": "assessment"},
        ).json()
    accepted: list[str] = []
    stop = threading.Event()
    uploader = threading.Thread(
        target=_upload_until_stopped, args=(base, user.token, visit["id"], stop, accepted)
    )
    uploader.start()
    deadline = time.monotonic() + 30
    running: list[str] = []
    with httpx.Client(base_url=base, headers=user.headers, timeout=REQUEST_TIMEOUT_S) as client:
        while time.monotonic() < deadline and not (running and len(accepted) >= 3):  # kill mid-measuring
            files = [client.get(f"/api/v1/visits/{visit['id']}/files/{i}").json() for i in list(accepted)[:3]]
            running = [f["id"] for f in files if f["status"] == "running"]
            time.sleep(0.05)
    kill_hard(process)
    stop.set()
    uploader.join(REQUEST_TIMEOUT_S + 5)
    assert len(accepted) >= 3
    if empty_database_url.startswith("sqlite"):
        assert _integrity(empty_database_url) == "ok"
    with (
        footchain_server(empty_database_url, port, env=QUEUE_STALE) as (_, base),
        httpx.Client(base_url=base, headers=user.headers, timeout=REQUEST_TIMEOUT_S) as client,
    ):
        deadline = time.monotonic() + 120
        status: dict[str, str] = {}
        while time.monotonic() < deadline:
            status = {
                i: client.get(f"/api/v1/visits/{visit['id']}/files/{i}").json()["status"] for i in accepted
            }
            if all(s == "done" for s in status.values()):
                break
            time.sleep(0.5)
        assert set(status.values()) == {"done"}, status
        measured = client.get(f"/api/v1/visits/{visit['id']}/files/{accepted[0]}").json()
        assert measured["result"] is not None
