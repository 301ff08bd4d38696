"""Upload limits and a responsive server: bodies over ``max_upload_bytes`` are refused with 413 as they
stream in (declared or chunked), and measurements run off the event loop, two at a time.

The socket tests talk raw HTTP/1.1 to a real uvicorn server so that what is sent (a header promising
100 MB, a chunked body) is exactly what a misbehaving client would send. Concurrency is proved by the
order of events, never by timing.
"""

from __future__ import annotations

import select as io_select
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from footchain.store.models import AssessmentRow, UploadRow
from footchain.web import uploads
from footchain.web.app import create_app
from footchain.web.routes import api_measurements
from footchain.web.settings import Settings
from tests.footprint.photo_cases import sheet_photo_case
from tests.live import serving
from tests.shared import DATA

LIMIT = 1024 * 1024  # 1 MB, so the tests send little
PART_HEAD = (  # a well-formed start of a multipart body, so the form parser keeps reading the file
    b'--x\r\nContent-Disposition: form-data; name="file"; filename="walk.txt"\r\n'
    b"Content-Type: text/plain\r\n\r\n"
)
WAIT_S = 60  # how long an event may take before the test gives up (a hang guard, not a speed target)


def small_limit_app(tmp_path: Path) -> FastAPI:
    return create_app(Settings(database_url=f"sqlite:///{tmp_path / 'limits.db'}", max_upload_bytes=LIMIT))


def stored_rows(app: FastAPI) -> int:
    with app.state.sessions() as session:
        uploads_count = session.scalar(select(func.count()).select_from(UploadRow)) or 0
        assessments = session.scalar(select(func.count()).select_from(AssessmentRow)) or 0
        return int(uploads_count + assessments)


def read_response(sock: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection (a reset after its answer ends it too:
    a server that hangs up on a body it will not read may reset the connection once it has answered)."""
    sock.settimeout(WAIT_S)
    data = b""
    try:
        while chunk := sock.recv(65536):
            data += chunk
    except ConnectionResetError:
        pass
    return data


def answered(sock: socket.socket) -> bool:
    """Whether the server has already sent something (without waiting)."""
    readable, _, _ = io_select.select([sock], [], [], 0)
    return bool(readable)


@pytest.fixture
def limited(tmp_path: Path) -> Iterator[tuple[FastAPI, TestClient]]:
    app = small_limit_app(tmp_path)
    with TestClient(app) as client:
        yield app, client


# ----------------------------------------------------------------------------------------------
# in-process: every route, declared and streamed bodies


@pytest.mark.parametrize(
    "route", ["/api/v1/footprints", "/api/v1/gait", "/api/v1/assessments", "/api/anything/else"]
)
def test_a_declared_body_over_the_limit_is_413_naming_the_limit(
    limited: tuple[FastAPI, TestClient], route: str
) -> None:
    app, client = limited
    response = client.post(route, files={"file": ("big.jpg", b"\xff\xd8\xff" + bytes(LIMIT))})
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/json"
    detail = response.json()["detail"]
    assert "limit of 1 MB" in detail and "FOOTCHAIN_MAX_UPLOAD_MB" in detail
    assert stored_rows(app) == 0


def test_a_streamed_body_without_length_is_counted_and_refused(limited: tuple[FastAPI, TestClient]) -> None:
    app, client = limited

    def body() -> Iterator[bytes]:
        yield PART_HEAD
        for _ in range(20):
            yield b"1.0\t2.0\n" * 12_500

    headers = {"Content-Type": "multipart/form-data; boundary=x"}
    response = client.post("/api/v1/gait", content=body(), headers=headers)
    assert response.status_code == 413
    assert "limit of 1 MB" in response.json()["detail"]
    assert stored_rows(app) == 0


def test_a_body_under_the_limit_passes(limited: tuple[FastAPI, TestClient]) -> None:
    _app, client = limited
    recording = (DATA / "moticon" / "walk_with_events.txt").read_bytes()
    assert len(recording) < LIMIT
    assert client.post("/api/v1/gait", files={"file": ("walk.txt", recording)}).status_code == 201


def test_the_limit_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("FOOTCHAIN_MAX_UPLOAD_MB", "0.5")
    settings = Settings.from_environment(f"sqlite:///{tmp_path / 'env.db'}")
    assert settings.max_upload_bytes == 512 * 1024
    with TestClient(create_app(settings)) as client:
        response = client.post("/api/v1/footprints", files={"file": ("a.jpg", bytes(600 * 1024))})
    assert response.status_code == 413 and "limit of 0.5 MB" in response.json()["detail"]


# ----------------------------------------------------------------------------------------------
# a real server and raw sockets


def test_a_promised_huge_body_is_refused_at_once_without_reading_it(tmp_path: Path) -> None:
    app = small_limit_app(tmp_path)
    with serving(app) as (host, port), socket.create_connection((host, port)) as sock:
        sock.sendall(
            b"POST /api/v1/footprints HTTP/1.1\r\nHost: test\r\n"
            b"Content-Type: multipart/form-data; boundary=x\r\nContent-Length: 104857600\r\n\r\n"
        )  # not one byte of the promised 100 MB is sent: the answer must come anyway
        response = read_response(sock)
    assert response.startswith(b"HTTP/1.1 413 ")
    assert b"limit of 1 MB" in response
    assert stored_rows(app) == 0


def test_a_chunked_body_is_refused_once_it_passes_the_limit(tmp_path: Path) -> None:
    app = small_limit_app(tmp_path)
    chunk = b"1.0\t2.0\n" * 8192
    with serving(app) as (host, port), socket.create_connection((host, port)) as sock:
        sock.sendall(
            b"POST /api/v1/gait HTTP/1.1\r\nHost: test\r\n"
            b"Content-Type: multipart/form-data; boundary=x\r\nTransfer-Encoding: chunked\r\n\r\n"
            b"%x\r\n%s\r\n" % (len(PART_HEAD), PART_HEAD)
        )
        sent = len(PART_HEAD)
        try:  # just past the limit, stopping as soon as the server answers, then listen
            while sent <= LIMIT and not answered(sock):
                sock.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                sent += len(chunk)
        except (ConnectionResetError, BrokenPipeError):
            pass  # the server answered and hung up while the rest of the body was on its way
        response = read_response(sock)
    assert response.startswith(b"HTTP/1.1 413 ")
    assert b"FOOTCHAIN_MAX_UPLOAD_MB" in response
    assert stored_rows(app) == 0


# ----------------------------------------------------------------------------------------------
# measuring off the event loop, at most two at a time


@pytest.fixture(scope="module")
def big_photo(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """A 12-megapixel phone photo of a print on the calibration sheet."""
    path, _truth = sheet_photo_case(7201, tmp_path_factory.mktemp("big"), image_size=(4000, 3000))
    return path.read_bytes()


def gated(
    real: Callable[..., Any], inside: threading.Semaphore, release: threading.Event, log: list[str]
) -> Any:
    """``real`` (the true analyser), announcing when it starts and holding until ``release``: the
    measurement itself is not replaced, only observed."""

    def analyse(*args: Any, **kwargs: Any) -> Any:
        log.append("analysis started")
        inside.release()
        assert release.wait(WAIT_S), "never released"
        result = real(*args, **kwargs)
        log.append("analysis finished")
        return result

    return analyse


def test_healthz_answers_while_a_12_megapixel_photo_is_measured(
    live_server: str, big_photo: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    inside, release, log = threading.Semaphore(0), threading.Event(), []
    monkeypatch.setattr(
        api_measurements,
        "analyze_footprint_upload",
        gated(uploads.analyze_footprint_upload, inside, release, log),
    )
    answers: list[httpx.Response] = []
    poster = threading.Thread(
        target=lambda: answers.append(
            httpx.post(
                f"{live_server}/api/v1/footprints", files={"file": ("foot.jpg", big_photo)}, timeout=WAIT_S
            )
        )
    )
    poster.start()
    try:
        assert inside.acquire(timeout=WAIT_S), "the analysis never started"
        health = httpx.get(f"{live_server}/healthz", timeout=WAIT_S)  # while the measurement is held
        log.append("healthz answered")
    finally:
        release.set()
        poster.join(WAIT_S)
    assert health.status_code == 200
    assert log == ["analysis started", "healthz answered", "analysis finished"]
    assert answers and answers[0].status_code == 201, answers


def test_at_most_two_measurements_run_at_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    inside, release, log = threading.Semaphore(0), threading.Event(), []
    monkeypatch.setattr(
        api_measurements, "analyze_gait_upload", gated(uploads.analyze_gait_upload, inside, release, log)
    )
    recording = (DATA / "moticon" / "walk_with_events.txt").read_bytes()
    app = create_app(Settings(database_url=f"sqlite:///{tmp_path / 'cap.db'}"))
    answers: list[int] = []
    with serving(app) as (host, port):
        url = f"http://{host}:{port}/api/v1/gait"
        posters = [
            threading.Thread(
                target=lambda: answers.append(
                    httpx.post(url, files={"file": ("walk.txt", recording)}, timeout=WAIT_S).status_code
                )
            )
            for _ in range(3)
        ]
        for poster in posters:
            poster.start()
        try:
            assert inside.acquire(timeout=WAIT_S) and inside.acquire(timeout=WAIT_S)
            limiter = app.state.analysis_limiter
            deadline = time.monotonic() + WAIT_S  # wait for the third request to queue (a hang guard)
            while limiter.statistics().tasks_waiting < 1 and time.monotonic() < deadline:
                time.sleep(0.01)
            assert limiter.borrowed_tokens == 2 and limiter.statistics().tasks_waiting == 1
            assert log.count("analysis started") == 2  # the third waits its turn
        finally:
            release.set()
            for poster in posters:
                poster.join(WAIT_S)
    assert answers == [201, 201, 201]
    assert log.count("analysis finished") == 3
