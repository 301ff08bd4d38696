"""Visits over the API: recorded with an intake (assessed), FPI-6, outcome scores; a timeline; edits."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from footchain.store.models import VisitFileRow, VisitRow
from tests.clinic.conftest import ClinicUser

HEEL_INTAKE = {
    "schema_version": 1,
    "pain": [{"region": "heel", "side": "left", "intensity": 6, "worst_with": ["first_steps_morning"]}],
    "feet": {"fpi6": {"left": [2, 2, 1, 2, 2, 1], "right": [0, 0, 0, 0, 0, 0]}},
}


def new_patient(client: TestClient, user: ClinicUser) -> str:
    response = client.post(
        "/api/v1/patients", json={"name": "Vic Visit", "birth_year": 1961}, headers=user.headers
    )
    assert response.status_code == 201
    patient_id: str = response.json()["id"]
    return patient_id


def test_a_visit_with_an_intake_is_assessed_and_fpi6_drives_the_feet_findings(
    clinic_client: TestClient, clinic_a: ClinicUser
) -> None:
    patient_id = new_patient(clinic_client, clinic_a)
    response = clinic_client.post(
        f"/api/v1/patients/{patient_id}/visits",
        json={
            "visited_on": "2026-02-03",
            "kind": "assessment",
            "intake": HEEL_INTAKE,
            "pain_score": 6,
            "psfs": [{"activity": "walk the dog", "score": 3}, {"activity": "stairs", "score": 5}],
        },
        headers=clinic_a.headers,
    )
    assert response.status_code == 201, response.text
    visit = response.json()
    assert response.headers["location"] == f"/api/v1/visits/{visit['id']}"
    assert visit["intake"]["feet"]["fpi6"]["left"] == [2, 2, 1, 2, 2, 1]
    feet = visit["assessment"]["feet"]
    assert feet["left"]["posture"] == "highly_pronated"  # total +10 (Redmond 2006 bands via knowledge)
    assert feet["right"]["posture"] == "normal"
    assert any(c["id"] == "plantar_fasciitis" for c in visit["assessment"]["conditions"])
    assert visit["pain_score"] == 6 and visit["psfs"][1] == {"activity": "stairs", "score": 5}
    assert clinic_client.get(f"/api/v1/visits/{visit['id']}", headers=clinic_a.headers).json() == visit


def test_a_bare_follow_up_has_no_assessment(clinic_client: TestClient, clinic_a: ClinicUser) -> None:
    patient_id = new_patient(clinic_client, clinic_a)
    response = clinic_client.post(
        f"/api/v1/patients/{patient_id}/visits",
        json={"visited_on": "2026-03-03", "kind": "follow_up", "pain_score": 2},
        headers=clinic_a.headers,
    )
    assert response.status_code == 201
    assert response.json()["assessment"] is None and response.json()["intake"] == {}


def test_bad_visits_are_refused_with_the_field_named_and_nothing_is_stored(
    clinic_client: TestClient, clinic_a: ClinicUser, sessions: sessionmaker[Session]
) -> None:
    patient_id = new_patient(clinic_client, clinic_a)
    url = f"/api/v1/patients/{patient_id}/visits"
    cases = [
        ({"visited_on": "2026-13-01"}, "visited_on"),
        ({"visited_on": "2026-01-01", "pain_score": 11}, "pain_score"),
        ({"visited_on": "2026-01-01", "psfs": [{"activity": "a", "score": 1}] * 6}, "psfs"),
        ({"visited_on": "2026-01-01", "kind": "surgery"}, "kind"),
        (
            {
                "visited_on": "2026-01-01",
                "intake": {"schema_version": 1, "feet": {"fpi6": {"left": [3] * 6}}},
            },
            "fpi6",
        ),
        (
            {
                "visited_on": "2026-01-01",
                "intake": {"schema_version": 1, "files": {"footprint_images": ["x"]}},
            },
            "files",
        ),
    ]
    for body, field in cases:
        response = clinic_client.post(url, json=body, headers=clinic_a.headers)
        assert response.status_code == 422, body
        assert field in response.json()["detail"], response.json()
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(VisitRow)) == 0


def test_the_timeline_is_oldest_first_by_visit_date(clinic_client: TestClient, clinic_a: ClinicUser) -> None:
    patient_id = new_patient(clinic_client, clinic_a)
    for day in ("2026-03-01", "2026-01-01", "2026-02-01"):
        clinic_client.post(
            f"/api/v1/patients/{patient_id}/visits", json={"visited_on": day}, headers=clinic_a.headers
        )
    response = clinic_client.get(f"/api/v1/patients/{patient_id}/visits", headers=clinic_a.headers)
    assert [v["visited_on"] for v in response.json()["visits"]] == ["2026-01-01", "2026-02-01", "2026-03-01"]


def test_changing_the_intake_assesses_the_visit_again(
    clinic_client: TestClient, clinic_a: ClinicUser
) -> None:
    patient_id = new_patient(clinic_client, clinic_a)
    visit = clinic_client.post(
        f"/api/v1/patients/{patient_id}/visits",
        json={"visited_on": "2026-02-03", "intake": HEEL_INTAKE},
        headers=clinic_a.headers,
    ).json()
    supinated = {"schema_version": 1, "feet": {"fpi6": {"left": [-2] * 6, "right": [-2] * 6}}}
    response = clinic_client.patch(
        f"/api/v1/visits/{visit['id']}", json={"intake": supinated, "pain_score": 3}, headers=clinic_a.headers
    )
    assert response.status_code == 200
    changed = response.json()
    assert changed["assessment"]["feet"]["left"]["posture"] == "highly_supinated"
    assert changed["pain_score"] == 3 and changed["visited_on"] == "2026-02-03"


def test_uploads_are_sniffed_before_queueing_and_a_wrong_type_stores_nothing(
    clinic_client: TestClient, clinic_a: ClinicUser, sessions: sessionmaker[Session]
) -> None:
    patient_id = new_patient(clinic_client, clinic_a)
    visit_id = clinic_client.post(
        f"/api/v1/patients/{patient_id}/visits", json={"visited_on": "2026-02-03"}, headers=clinic_a.headers
    ).json()["id"]
    url = f"/api/v1/visits/{visit_id}/files"
    pdf = clinic_client.post(
        url, data={"kind": "footprint"}, files={"file": ("scan.jpg", b"%PDF-1.7 ...", "image/jpeg")},
        headers=clinic_a.headers,
    )  # fmt: skip
    assert pdf.status_code == 415
    assert pdf.json()["detail"] == (
        "scan.jpg is a PDF document, not a footprint photo, scan or pressure export. "
        "Its type was judged from its content."
    )
    heic = b"\x00\x00\x00\x18ftypheic" + b"\x00" * 32
    photo = clinic_client.post(
        url,
        data={"kind": "footprint"},
        files={"file": ("photo.heic", heic, "image/heic")},
        headers=clinic_a.headers,
    )
    assert photo.status_code == 415 and "HEIC" in photo.json()["detail"]
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
    gait = clinic_client.post(
        url, data={"kind": "gait"}, files={"file": ("walk.png", png, "image/png")}, headers=clinic_a.headers
    )
    assert gait.status_code == 415 and "gait recording" in gait.json()["detail"]
    kind = clinic_client.post(
        url, data={"kind": "xray"}, files={"file": ("a.png", png, "image/png")}, headers=clinic_a.headers
    )
    assert kind.status_code == 422 and "footprint" in kind.json()["detail"]
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(VisitFileRow)) == 0
