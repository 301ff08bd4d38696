"""A patient's whole record as JSON and as a readable PDF: visits, results (not raw bytes), gear, verdict."""

from __future__ import annotations

import io
import json
from datetime import UTC, date, datetime

from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlalchemy.orm import Session, sessionmaker

from footchain.store.models import GearRow
from footchain.store.repository import new_id
from tests.clinic.conftest import ClinicUser
from tests.clinic.test_worker import upload, wait_until_finished
from tests.shared import DATA

INTAKE = {
    "schema_version": 1,
    "pain": [{"region": "heel", "side": "right", "intensity": 7, "worst_with": ["first_steps_morning"]}],
    "feet": {"fpi6": {"left": [1, 1, 1, 1, 1, 1], "right": [1, 1, 2, 1, 1, 1]}},
}


def recorded_patient(
    client: TestClient, user: ClinicUser, sessions: sessionmaker[Session]
) -> tuple[str, str]:
    """A patient with an assessment (pain 7, PSFS 3), a gait file, a follow-up (pain 2, PSFS 7) and insoles."""
    patient_id = client.post(
        "/api/v1/patients",
        json={"name": "Erin Export", "birth_year": 1975, "reference": "EX-9"},
        headers=user.headers,
    ).json()["id"]
    first = client.post(
        f"/api/v1/patients/{patient_id}/visits",
        json={"visited_on": "2026-01-10", "intake": INTAKE, "pain_score": 7,
              "psfs": [{"activity": "run 5 km", "score": 3}]},
        headers=user.headers,
    ).json()  # fmt: skip
    content = (DATA / "gaitpdb" / "GaCo01_01.txt").read_bytes()
    file_id = upload(client, user, first["id"], "gait", "GaCo01_01.txt", content)
    assert wait_until_finished(client, user, first["id"], file_id)["status"] == "done"
    client.post(
        f"/api/v1/patients/{patient_id}/visits",
        json={"visited_on": "2026-03-10", "kind": "follow_up", "pain_score": 2,
              "psfs": [{"activity": "run 5 km", "score": 7}]},
        headers=user.headers,
    )  # fmt: skip
    moment = datetime.now(UTC)
    with sessions() as session:
        session.add(
            GearRow(
                id=new_id(), clinic_id=user.clinic_id, patient_id=patient_id, kind="insoles", name="Arch insoles",
                started_on=date(2026, 1, 10), created_at=moment, updated_at=moment,
            )
        )  # fmt: skip
        session.commit()
    return patient_id, file_id


def test_the_json_export_holds_the_whole_record_but_no_raw_uploads(
    clinic_client: TestClient, clinic_a: ClinicUser, sessions: sessionmaker[Session]
) -> None:
    patient_id, file_id = recorded_patient(clinic_client, clinic_a, sessions)
    response = clinic_client.get(f"/api/v1/patients/{patient_id}/export.json", headers=clinic_a.headers)
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    assert "attachment" in response.headers["content-disposition"]
    record = response.json()
    assert record["patient"]["name"] == "Erin Export" and record["patient"]["reference"] == "EX-9"
    assert [v["visited_on"] for v in record["visits"]] == ["2026-01-10", "2026-03-10"]
    first, follow_up = record["visits"]
    assert first["intake"]["feet"]["fpi6"]["right"] == [1, 1, 2, 1, 1, 1]
    assert first["assessment"]["feet"]["right"]["posture"] == "pronated"
    [gait] = first["files"]
    assert gait["id"] == file_id and gait["status"] == "done" and "summary" in json.dumps(gait["result"])
    assert "content" not in gait and "overlay_png" not in gait
    assert follow_up["assessment"] is None and follow_up["pain_score"] == 2
    assert [g["name"] for g in record["gear"]] == ["Arch insoles"]
    assert record["outcomes"]["pain"] == "improved"  # 7 → 2: ≥ 2 points and ≥ 30 % (Farrar 2001)
    assert record["outcomes"]["psfs"] == "improved"  # 3 → 7: ≥ 2 points (Stratford 1995)
    assert record["outcomes"]["overall"] == "improved"


def test_the_pdf_export_is_a_readable_record(
    clinic_client: TestClient, clinic_a: ClinicUser, sessions: sessionmaker[Session]
) -> None:
    patient_id, _file_id = recorded_patient(clinic_client, clinic_a, sessions)
    response = clinic_client.get(f"/api/v1/patients/{patient_id}/export.pdf", headers=clinic_a.headers)
    assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    text = " ".join(page.extract_text() for page in reader.pages)
    words = " ".join(text.split())
    for expected in ("Patient record", "Erin Export", "1975", "2026-01-10", "2026-03-10", "Overall: improved",
                     "Arch insoles", "Latest assessment", "GaCo01_01.txt"):  # fmt: skip
        assert expected in words, expected


def test_exports_from_the_pages_need_the_session_and_stay_in_the_clinic(
    clinic_client: TestClient, clinic_a: ClinicUser, clinic_b: ClinicUser, sessions: sessionmaker[Session]
) -> None:
    from tests.clinic.conftest import sign_in_page

    patient_id, _ = recorded_patient(clinic_client, clinic_a, sessions)
    url = f"/clinic/patients/{patient_id}/export.json"
    anonymous = clinic_client.get(url, follow_redirects=False)
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login")
    sign_in_page(clinic_client, sessions, clinic_b)
    assert clinic_client.get(url).status_code == 404
    sign_in_page(clinic_client, sessions, clinic_a)
    assert clinic_client.get(url).json()["patient"]["id"] == patient_id
