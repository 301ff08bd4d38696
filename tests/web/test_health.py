"""The server answers and says so: ``GET /healthz`` on a migrated database, on a real socket too."""

from __future__ import annotations

import httpx
from fastapi.testclient import TestClient


def test_healthz_answers_ok(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_live_server_answers_healthz_and_documents_its_api(live_server: str) -> None:
    assert httpx.get(f"{live_server}/healthz").json() == {"status": "ok"}
    spec = httpx.get(f"{live_server}/openapi.json").json()
    assert spec["info"]["title"] == "footchain"
