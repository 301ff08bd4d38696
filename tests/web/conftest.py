"""Fixtures for the web tests: the app on a fresh SQLite file, a live server, a browser, screenshots."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient
from playwright.sync_api import Browser

from footchain.web.app import create_app
from footchain.web.settings import Settings
from tests.browser import ARTIFACTS, chromium


@pytest.fixture
def app(tmp_path: Path) -> FastAPI:
    """The app on its own, freshly migrated SQLite file."""
    return create_app(Settings(database_url=f"sqlite:///{tmp_path / 'footchain.db'}"))


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def live_server(tmp_path: Path) -> Iterator[str]:
    """A real uvicorn server on loopback (its own SQLite file); yields its base URL."""
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'live.db'}")
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(settings), host="127.0.0.1", port=port, log_level="warning", access_log=False
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                break
        except httpx.TransportError:
            time.sleep(0.05)
    else:
        pytest.fail("the test server did not start within 20 s")
    yield base
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with chromium() as browser:
        yield browser


@pytest.fixture
def screenshots(request: pytest.FixtureRequest) -> Path:
    """``test-artifacts/screenshots/<test name>/``: where a browser test saves what a person would see."""
    folder = ARTIFACTS / "screenshots" / request.node.name.replace("/", "_")
    folder.mkdir(parents=True, exist_ok=True)
    return folder
