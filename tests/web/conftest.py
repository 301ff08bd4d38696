"""Fixtures for the web tests: the app on a fresh SQLite file, a live server, a browser, screenshots."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from playwright.sync_api import Browser

from footchain.web.app import create_app
from footchain.web.settings import Settings
from tests.browser import ARTIFACTS, chromium
from tests.live import serving


@pytest.fixture
def app(tmp_path: Path) -> FastAPI:
    """The app on its own, freshly migrated SQLite file."""
    return create_app(Settings(database_url=f"sqlite:///{tmp_path / 'footchain.db'}"))


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def live_server(tmp_path: Path) -> Iterator[str]:
    """A real uvicorn server on loopback (its own SQLite file); yields its base URL."""
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'live.db'}")
    with serving(create_app(settings)) as (host, port):
        yield f"http://{host}:{port}"


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
