"""Outcomes over the API and on pages: verdict and chart from stored visits, scoped to the clinic.

Patients and visits are inserted directly in the store, so these tests do not depend on the visit routes.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from footchain.store.database import write_transaction
from footchain.store.models import AuditRow, PatientRow, VisitRow
from footchain.store.repository import new_id
from tests.clinic.conftest import ClinicUser, sign_in_page


def add_patient(factory: sessionmaker[Session], user: ClinicUser, name: str = "Ada Example") -> str:
    moment = datetime.now(UTC)
    with factory() as session, write_transaction(session):
        row = PatientRow(
            id=new_id(),
            clinic_id=user.clinic_id,
            name=name,
            birth_year=1970,
            details={},
            created_at=moment,
            updated_at=moment,
        )
        session.add(row)
        return row.id


def add_visit(
    factory: sessionmaker[Session],
    user: ClinicUser,
    patient_id: str,
    on: date,
    pain: int | None,
    psfs: list[dict[str, object]] | None = None,
) -> str:
    moment = datetime.now(UTC)
    with factory() as session, write_transaction(session):
        row = VisitRow(
            id=new_id(),
            clinic_id=user.clinic_id,
            patient_id=patient_id,
            visited_on=on,
            kind="follow_up",
            intake={},
            assessment=None,
            pain_score=pain,
            psfs=psfs or [],
            created_by=user.id,
            created_at=moment,
            updated_at=moment,
        )
        session.add(row)
        return row.id


def test_outcomes_verdict_from_stored_visits(
    clinic_client: TestClient, sessions: sessionmaker[Session], clinic_a: ClinicUser
) -> None:
    patient = add_patient(sessions, clinic_a)
    # Entered out of order: the timeline sorts by visit date.
    add_visit(sessions, clinic_a, patient, date(2026, 3, 1), 3, [{"activity": "stairs", "score": 7}])
    first = add_visit(sessions, clinic_a, patient, date(2026, 1, 10), 7, [{"activity": "stairs", "score": 3}])
    add_visit(sessions, clinic_a, patient, date(2026, 2, 1), None)
    answer = clinic_client.get(f"/api/v1/patients/{patient}/outcomes", headers=clinic_a.headers)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert [v["visited_on"] for v in body["visits"]] == ["2026-01-10", "2026-02-01", "2026-03-01"]
    assert body["visits"][0] == {
        "visit_id": first,
        "visited_on": "2026-01-10",
        "pain_score": 7,
        "psfs_mean": 3.0,
    }
    assert body["visits"][1]["pain_score"] is None
    verdict = body["verdict"]
    assert (verdict["pain"], verdict["psfs"], verdict["overall"]) == ("improved", "improved", "improved")
    assert verdict["pain_change"]["change"] == -4 and len(verdict["why"]) == 3
    with sessions() as session:
        audit = session.scalars(select(AuditRow).where(AuditRow.record_id == patient)).all()
    assert [(a.action, a.record_type, a.user_id) for a in audit] == [("view", "patient", clinic_a.id)]


def test_a_single_visit_is_not_enough(
    clinic_client: TestClient, sessions: sessionmaker[Session], clinic_a: ClinicUser
) -> None:
    patient = add_patient(sessions, clinic_a)
    add_visit(sessions, clinic_a, patient, date(2026, 1, 10), 5)
    body = clinic_client.get(f"/api/v1/patients/{patient}/outcomes", headers=clinic_a.headers).json()
    assert body["verdict"]["overall"] == "not enough follow-ups yet"


def test_other_clinics_and_anonymous_callers_get_nothing(
    clinic_client: TestClient, sessions: sessionmaker[Session], clinic_a: ClinicUser, clinic_b: ClinicUser
) -> None:
    patient = add_patient(sessions, clinic_a)
    add_visit(sessions, clinic_a, patient, date(2026, 1, 10), 5)
    theirs = clinic_client.get(f"/api/v1/patients/{patient}/outcomes", headers=clinic_b.headers)
    unknown = clinic_client.get(f"/api/v1/patients/{new_id()}/outcomes", headers=clinic_b.headers)
    assert theirs.status_code == unknown.status_code == 404
    assert theirs.json() == unknown.json()
    assert clinic_client.get(f"/api/v1/patients/{patient}/outcomes").status_code == 401
    page = clinic_client.get(f"/clinic/patients/{patient}/outcomes", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"].startswith("/login?next=")
    sign_in_page(clinic_client, sessions, clinic_b)
    assert clinic_client.get(f"/clinic/patients/{patient}/outcomes").status_code == 404


def test_outcomes_page_shows_verdict_chart_and_table(
    clinic_client: TestClient, sessions: sessionmaker[Session], clinic_a: ClinicUser
) -> None:
    patient = add_patient(sessions, clinic_a, name="<script>alert(1)</script>")
    add_visit(sessions, clinic_a, patient, date(2026, 1, 10), 3, [{"activity": "<b>run</b>", "score": 6}])
    add_visit(sessions, clinic_a, patient, date(2026, 2, 10), 6, [{"activity": "<b>run</b>", "score": 6}])
    sign_in_page(clinic_client, sessions, clinic_a)
    page = clinic_client.get(f"/clinic/patients/{patient}/outcomes")
    assert page.status_code == 200, page.text
    html = page.text
    assert 'data-verdict="worse"' in html and "Overall: worse" in html
    assert html.count('<svg xmlns="http://www.w3.org/2000/svg"') == 2 and "<desc" in html
    assert "<caption>Scores per visit</caption>" in html and "2026-02-10" in html
    assert "Farrar" in html and "Stratford" in html
    assert "<script>" not in html and "<b>run" not in html
