"""Patients over the API: register, search, read, change, delete for real; only within one's own clinic."""

from __future__ import annotations

from datetime import UTC, date, datetime

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from footchain.store.models import AuditRow, GearRow, PatientRow, VisitFileRow, VisitRow
from footchain.store.repository import new_id
from tests.clinic.conftest import ClinicUser

FPI_INTAKE = {"schema_version": 1, "feet": {"fpi6": {"left": [1, 1, 1, 1, 1, 1], "right": [0] * 6}}}
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64  # sniffed as a PNG (the analysis itself would reject it)


def add_gear(sessions: sessionmaker[Session], clinic_id: str, patient_id: str) -> None:
    """A gear row made directly in the store (the gear routes are tested with engineer C's code)."""
    moment = datetime.now(UTC)
    with sessions() as session:
        session.add(
            GearRow(
                id=new_id(), clinic_id=clinic_id, patient_id=patient_id, kind="insoles", name="Blue insoles",
                started_on=date(2026, 1, 5), created_at=moment, updated_at=moment,
            )
        )  # fmt: skip
        session.commit()


def new_patient(client: TestClient, user: ClinicUser, name: str = "Ann Example", **extra: object) -> str:
    response = client.post(
        "/api/v1/patients", json={"name": name, "birth_year": 1970, **extra}, headers=user.headers
    )
    assert response.status_code == 201, response.text
    patient_id: str = response.json()["id"]
    return patient_id


def test_a_patient_needs_a_name_and_birth_year_and_keeps_optional_details(
    clinic_client: TestClient, clinic_a: ClinicUser
) -> None:
    response = clinic_client.post(
        "/api/v1/patients",
        json={"name": "Ann Example", "birth_year": 1970, "sex": "female", "reference": "R-17"},
        headers=clinic_a.headers,
    )
    assert response.status_code == 201
    body = response.json()
    assert len(body["id"]) == 32
    assert response.headers["location"] == f"/api/v1/patients/{body['id']}"
    assert {k: body[k] for k in ("name", "birth_year", "sex", "reference")} == {
        "name": "Ann Example", "birth_year": 1970, "sex": "female", "reference": "R-17",
    }  # fmt: skip
    read = clinic_client.get(f"/api/v1/patients/{body['id']}", headers=clinic_a.headers)
    assert read.status_code == 200 and read.json()["reference"] == "R-17"


def test_bad_patients_are_refused_with_the_field_named(
    clinic_client: TestClient, clinic_a: ClinicUser
) -> None:
    missing = clinic_client.post("/api/v1/patients", json={"name": "Ann"}, headers=clinic_a.headers)
    assert missing.status_code == 422 and "birth_year" in missing.json()["detail"]
    future = date.today().year + 1
    later = clinic_client.post(
        "/api/v1/patients", json={"name": "Ann", "birth_year": future}, headers=clinic_a.headers
    )
    assert later.status_code == 422 and "future" in later.json()["detail"]
    unknown = clinic_client.post(
        "/api/v1/patients", json={"name": "Ann", "birth_year": 1970, "shoe": 42}, headers=clinic_a.headers
    )
    assert unknown.status_code == 422 and "shoe" in unknown.json()["detail"]


def test_search_finds_name_parts_in_any_case_within_the_clinic_only(
    clinic_client: TestClient, clinic_a: ClinicUser, clinic_b: ClinicUser
) -> None:
    new_patient(clinic_client, clinic_a, "Ann Example")
    new_patient(clinic_client, clinic_a, "Bob Sample")
    new_patient(clinic_client, clinic_b, "Anna Other")

    def names(user: ClinicUser, q: str) -> list[str]:
        response = clinic_client.get("/api/v1/patients", params={"q": q}, headers=user.headers)
        assert response.status_code == 200
        return [p["name"] for p in response.json()["patients"]]

    assert names(clinic_a, "") == ["Ann Example", "Bob Sample"]
    assert names(clinic_a, "ANN") == ["Ann Example"]
    assert names(clinic_a, "%") == []  # a wildcard is a plain character
    assert names(clinic_b, "an") == ["Anna Other"]


def test_patch_changes_details_and_null_removes_one(clinic_client: TestClient, clinic_a: ClinicUser) -> None:
    patient_id = new_patient(clinic_client, clinic_a, phone="0123")
    response = clinic_client.patch(
        f"/api/v1/patients/{patient_id}",
        json={"name": "Ann Changed", "phone": None},
        headers=clinic_a.headers,
    )
    assert response.status_code == 200
    assert response.json()["name"] == "Ann Changed" and "phone" not in response.json()
    refused = clinic_client.patch(
        f"/api/v1/patients/{patient_id}", json={"name": None}, headers=clinic_a.headers
    )
    assert refused.status_code == 422


def test_another_clinics_records_are_404_like_unknown_ids(
    clinic_client: TestClient, clinic_a: ClinicUser, clinic_b: ClinicUser
) -> None:
    patient_id = new_patient(clinic_client, clinic_a)
    visit = clinic_client.post(
        f"/api/v1/patients/{patient_id}/visits",
        json={"visited_on": "2026-01-05", "intake": FPI_INTAKE},
        headers=clinic_a.headers,
    ).json()
    queued = clinic_client.post(
        f"/api/v1/visits/{visit['id']}/files",
        data={"kind": "footprint"},
        files={"file": ("print.png", PNG, "image/png")},
        headers=clinic_a.headers,
    )
    assert queued.status_code == 202
    file_id = queued.json()["id"]
    unknown = "x" * 32
    unknown_answer = clinic_client.get(f"/api/v1/patients/{unknown}", headers=clinic_b.headers)
    attempts = [
        ("GET", f"/api/v1/patients/{patient_id}", None),
        ("PATCH", f"/api/v1/patients/{patient_id}", {"name": "Mallory"}),
        ("GET", f"/api/v1/patients/{patient_id}/visits", None),
        ("POST", f"/api/v1/patients/{patient_id}/visits", {"visited_on": "2026-01-06"}),
        ("GET", f"/api/v1/visits/{visit['id']}", None),
        ("PATCH", f"/api/v1/visits/{visit['id']}", {"pain_score": 0}),
        ("GET", f"/api/v1/visits/{visit['id']}/files/{file_id}", None),
        ("GET", f"/api/v1/patients/{patient_id}/export.json", None),
        ("GET", f"/api/v1/patients/{patient_id}/export.pdf", None),
        ("DELETE", f"/api/v1/patients/{patient_id}", None),
    ]
    for method, url, body in attempts:
        response = clinic_client.request(method, url, json=body, headers=clinic_b.headers)
        assert response.status_code == 404, (method, url)
        if "patients" in url and "/visits" not in url:
            assert response.json() == unknown_answer.json()
    upload = clinic_client.post(
        f"/api/v1/visits/{visit['id']}/files",
        data={"kind": "footprint"},
        files={"file": ("print.png", PNG, "image/png")},
        headers=clinic_b.headers,
    )
    assert upload.status_code == 404
    still = clinic_client.get(f"/api/v1/patients/{patient_id}", headers=clinic_a.headers)
    assert still.status_code == 200 and still.json()["name"] == "Ann Example"
    assert (
        len(clinic_client.get(f"/api/v1/visits/{visit['id']}", headers=clinic_a.headers).json()["files"]) == 1
    )


def test_deleting_a_patient_removes_every_row_and_keeps_an_id_only_audit_entry(
    clinic_client: TestClient, clinic_a: ClinicUser, sessions: sessionmaker[Session]
) -> None:
    keep = new_patient(clinic_client, clinic_a, "Kept Person")
    patient_id = new_patient(clinic_client, clinic_a, "Gone Person")
    for pid in (keep, patient_id):
        visit_id = clinic_client.post(
            f"/api/v1/patients/{pid}/visits",
            json={"visited_on": "2026-01-05", "pain_score": 5, "psfs": [{"activity": "stairs", "score": 4}]},
            headers=clinic_a.headers,
        ).json()["id"]
        clinic_client.post(
            f"/api/v1/visits/{visit_id}/files",
            data={"kind": "footprint"},
            files={"file": ("print.png", PNG, "image/png")},
            headers=clinic_a.headers,
        )
        add_gear(sessions, clinic_a.clinic_id, pid)

    response = clinic_client.delete(f"/api/v1/patients/{patient_id}", headers=clinic_a.headers)
    assert response.status_code == 204
    with sessions() as session:
        for table in (PatientRow, VisitRow, GearRow):
            owner = PatientRow.id if table is PatientRow else table.patient_id  # type: ignore[attr-defined]
            assert session.scalar(select(func.count()).select_from(table).where(owner == patient_id)) == 0
            assert session.scalar(select(func.count()).select_from(table).where(owner == keep)) == 1
        assert session.scalar(select(func.count()).select_from(VisitFileRow)) == 1  # the kept patient's
        deletions = list(session.scalars(select(AuditRow).where(AuditRow.action == "delete")))
        assert [(a.record_type, a.record_id, a.user_id) for a in deletions] == [
            ("patient", patient_id, clinic_a.id)
        ]
    again = clinic_client.delete(f"/api/v1/patients/{patient_id}", headers=clinic_a.headers)
    assert again.status_code == 404


def test_views_changes_and_exports_are_audited_with_ids_only(
    clinic_client: TestClient, clinic_a: ClinicUser, sessions: sessionmaker[Session]
) -> None:
    patient_id = new_patient(clinic_client, clinic_a, "Audited Person")
    clinic_client.get(f"/api/v1/patients/{patient_id}", headers=clinic_a.headers)
    clinic_client.patch(
        f"/api/v1/patients/{patient_id}", json={"notes": "knee pain"}, headers=clinic_a.headers
    )
    clinic_client.get(f"/api/v1/patients/{patient_id}/export.json", headers=clinic_a.headers)
    with sessions() as session:
        rows = list(
            session.scalars(select(AuditRow).where(AuditRow.record_id == patient_id).order_by(AuditRow.id))
        )
    assert [row.action for row in rows] == ["create", "view", "update", "export"]
    for row in rows:
        values = " ".join(str(getattr(row, c)) for c in ("action", "record_type", "record_id", "user_id"))
        assert "Audited" not in values and "knee" not in values
