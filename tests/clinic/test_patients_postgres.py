"""The whole patient flow on PostgreSQL: register, visit, background analysis, export, clinic scoping, delete."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from footchain.store.models import AuditRow, PatientRow, VisitFileRow, VisitRow
from footchain.web.app import create_app
from footchain.web.settings import Settings
from tests.clinic.conftest import create_clinic_user
from tests.clinic.test_worker import upload, wait_until_finished
from tests.databases import postgres_database
from tests.shared import DATA


@pytest.fixture
def postgres_app() -> Iterator[FastAPI]:
    with postgres_database() as url:
        app = create_app(Settings(database_url=url))
        yield app
        app.state.sessions.kw["bind"].dispose()


def test_the_patient_flow_on_postgresql(postgres_app: FastAPI) -> None:
    sessions: sessionmaker[Session] = postgres_app.state.sessions
    with TestClient(postgres_app) as client:
        a = create_clinic_user(sessions, "PG Clinic A", "clinician", "a@pg-a.example")
        b = create_clinic_user(sessions, "PG Clinic B", "clinician", "b@pg-b.example")
        patient_id = client.post(
            "/api/v1/patients", json={"name": "Paula Postgres", "birth_year": 1958}, headers=a.headers
        ).json()["id"]
        visit = client.post(
            f"/api/v1/patients/{patient_id}/visits",
            json={"visited_on": "2026-02-01", "pain_score": 5,
                  "intake": {"schema_version": 1, "feet": {"fpi6": {"left": [0] * 6, "right": [2] * 6}}}},
            headers=a.headers,
        ).json()  # fmt: skip
        assert visit["assessment"]["feet"]["right"]["posture"] == "highly_pronated"
        content = (DATA / "gaitpdb" / "GaCo01_01.txt").read_bytes()
        first = upload(client, a, visit["id"], "gait", "GaCo01_01.txt", content)
        second = upload(client, a, visit["id"], "gait", "again.txt", content)
        for file_id in (first, second):
            assert wait_until_finished(client, a, visit["id"], file_id)["status"] == "done"
        read = client.get(f"/api/v1/visits/{visit['id']}", headers=a.headers).json()
        assert [f["status"] for f in read["files"]] == ["done", "done"]
        assert client.get(f"/api/v1/visits/{visit['id']}", headers=b.headers).status_code == 404
        assert client.get("/api/v1/patients", headers=b.headers).json() == {"patients": []}
        record = client.get(f"/api/v1/patients/{patient_id}/export.json", headers=a.headers).json()
        assert len(record["visits"][0]["files"]) == 2
        assert client.delete(f"/api/v1/patients/{patient_id}", headers=a.headers).status_code == 204
    with sessions() as session:
        for table in (PatientRow, VisitRow, VisitFileRow):
            assert session.scalar(select(func.count()).select_from(table)) == 0
        assert (
            session.scalar(select(func.count()).select_from(AuditRow).where(AuditRow.action == "delete")) == 1
        )
