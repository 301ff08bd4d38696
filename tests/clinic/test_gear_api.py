"""Gear over the API and the page forms: add, wear check, retire, delete; reminders; clinic scoping; CSRF."""

from __future__ import annotations

from datetime import date, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from footchain.store.models import AuditRow, GearRow
from footchain.store.repository import new_id
from tests.clinic.conftest import ClinicUser, sign_in_page
from tests.clinic.test_outcomes_api import add_patient

TODAY = date.today()


def test_gear_lifecycle_over_the_api(
    clinic_client: TestClient, sessions: sessionmaker[Session], clinic_a: ClinicUser
) -> None:
    patient = add_patient(sessions, clinic_a)
    old = (TODAY - timedelta(days=200)).isoformat()
    made = clinic_client.post(
        f"/api/v1/patients/{patient}/gear",
        json={"kind": "top_cover", "name": "  Blue cover ", "started_on": old},
        headers=clinic_a.headers,
    )
    assert made.status_code == 201, made.text
    cover = made.json()
    assert cover["name"] == "Blue cover" and cover["reminder"]["status"] == "due"
    shoes = clinic_client.post(
        f"/api/v1/patients/{patient}/gear",
        json={"kind": "shoes", "name": "Trail shoes", "started_on": TODAY.isoformat(), "distance_km": 12.5},
        headers=clinic_a.headers,
    ).json()
    assert shoes["reminder"]["status"] == "ok"
    reminders = clinic_client.get(f"/api/v1/patients/{patient}/reminders", headers=clinic_a.headers).json()
    assert [r["gear_id"] for r in reminders["reminders"]] == [cover["id"], shoes["id"]]
    changed = clinic_client.patch(
        f"/api/v1/gear/{shoes['id']}",
        json={"distance_km": 80, "wear_checked_on": TODAY.isoformat()},
        headers=clinic_a.headers,
    )
    assert changed.status_code == 200 and changed.json()["distance_km"] == 80
    retired = clinic_client.patch(
        f"/api/v1/gear/{cover['id']}", json={"retired_on": TODAY.isoformat()}, headers=clinic_a.headers
    ).json()
    assert retired["reminder"] is None
    listed = clinic_client.get(f"/api/v1/patients/{patient}/gear", headers=clinic_a.headers).json()["gear"]
    assert [g["id"] for g in listed] == [shoes["id"], cover["id"]]  # in use first
    assert clinic_client.delete(f"/api/v1/gear/{cover['id']}", headers=clinic_a.headers).status_code == 204
    assert (
        clinic_client.patch(f"/api/v1/gear/{cover['id']}", json={}, headers=clinic_a.headers).status_code
        == 404
    )
    with sessions() as session:
        assert session.get(GearRow, cover["id"]) is None
        actions = [a.action for a in session.scalars(select(AuditRow).where(AuditRow.record_type == "gear"))]
    assert sorted(actions) == ["create", "create", "delete", "update", "update"]


def test_bad_gear_is_refused_with_the_field_named(
    clinic_client: TestClient, sessions: sessionmaker[Session], clinic_a: ClinicUser
) -> None:
    patient = add_patient(sessions, clinic_a)
    url = f"/api/v1/patients/{patient}/gear"
    cases = [
        ({"kind": "socks", "name": "x", "started_on": "2026-01-01"}, "kind"),
        ({"kind": "shoes", "name": " ", "started_on": "2026-01-01"}, "name"),
        ({"kind": "shoes", "name": "x", "started_on": "2026-01-01", "distance_km": -1}, "distance_km"),
        ({"kind": "shoes", "name": "x", "started_on": (TODAY + timedelta(days=3)).isoformat()}, "started_on"),
        (
            {"kind": "shoes", "name": "x", "started_on": "2026-01-01", "wear_checked_on": "2025-01-01"},
            "wear_checked_on",
        ),
    ]
    for body, field in cases:
        answer = clinic_client.post(url, json=body, headers=clinic_a.headers)
        assert answer.status_code == 422 and field in answer.json()["detail"], (body, answer.text)


def test_gear_of_another_clinic_is_not_found(
    clinic_client: TestClient, sessions: sessionmaker[Session], clinic_a: ClinicUser, clinic_b: ClinicUser
) -> None:
    patient = add_patient(sessions, clinic_a)
    gear = clinic_client.post(
        f"/api/v1/patients/{patient}/gear",
        json={"kind": "insoles", "name": "Insoles", "started_on": TODAY.isoformat()},
        headers=clinic_a.headers,
    ).json()
    for method, url, body in [
        ("GET", f"/api/v1/patients/{patient}/gear", None),
        (
            "POST",
            f"/api/v1/patients/{patient}/gear",
            {"kind": "shoes", "name": "x", "started_on": "2026-01-01"},
        ),
        ("GET", f"/api/v1/patients/{patient}/reminders", None),
        ("PATCH", f"/api/v1/gear/{gear['id']}", {"name": "mine now"}),
        ("DELETE", f"/api/v1/gear/{gear['id']}", None),
        ("PATCH", f"/api/v1/gear/{new_id()}", {"name": "x"}),
    ]:
        answer = clinic_client.request(method, url, json=body, headers=clinic_b.headers)
        assert answer.status_code == 404, (method, url)
        assert clinic_client.request(method, url, json=body).status_code == 401
    with sessions() as session:
        row = session.get(GearRow, gear["id"])
        assert row is not None and row.name == "Insoles"


def test_gear_forms_need_the_csrf_token_and_change_the_record(
    clinic_client: TestClient, sessions: sessionmaker[Session], clinic_a: ClinicUser, clinic_b: ClinicUser
) -> None:
    patient = add_patient(sessions, clinic_a)
    csrf = sign_in_page(clinic_client, sessions, clinic_a)
    form = {"kind": "shoes", "name": "Road shoes", "started_on": (TODAY - timedelta(days=120)).isoformat()}
    refused = clinic_client.post(f"/clinic/patients/{patient}/gear", data=form, follow_redirects=False)
    assert refused.status_code == 403
    added = clinic_client.post(
        f"/clinic/patients/{patient}/gear", data={**form, "csrf_token": csrf}, follow_redirects=False
    )
    assert added.status_code == 303 and added.headers["location"] == f"/clinic/patients/{patient}#gear"
    page = clinic_client.get(f"/clinic/patients/{patient}/gear")
    assert page.status_code == 200 and "Road shoes" in page.text
    assert "Check the wear of the shoes" in page.text and 'class="reminder reminder-due"' in page.text
    assert page.text.count(f'value="{csrf}"') >= 5  # every form carries the token
    with sessions() as session:
        gear_id = session.scalars(select(GearRow.id).where(GearRow.patient_id == patient)).one()
    base = f"/clinic/patients/{patient}/gear/{gear_id}"
    assert clinic_client.post(f"{base}/wear-check", data={}, follow_redirects=False).status_code == 403
    checked = clinic_client.post(
        f"{base}/wear-check", data={"csrf_token": csrf, "back": "gear"}, follow_redirects=False
    )
    assert checked.status_code == 303 and checked.headers["location"] == f"/clinic/patients/{patient}/gear"
    worn = clinic_client.post(
        f"{base}/worn", data={"csrf_token": csrf, "distance_km": "42,5"}, follow_redirects=False
    )
    assert worn.status_code == 303
    bad = clinic_client.post(f"{base}/worn", data={"csrf_token": csrf, "hours_worn": "lots"})
    assert bad.status_code == 422 and "hours worn as a number" in bad.text
    retired = clinic_client.post(f"{base}/retire", data={"csrf_token": csrf}, follow_redirects=False)
    assert retired.status_code == 303
    with sessions() as session:
        row = session.get(GearRow, gear_id)
        assert row is not None
        today = date.today()  # the server's day when it answered, not the day this module was imported
        assert (row.wear_checked_on, row.distance_km, row.retired_on) == (today, 42.5, today)
    rejected = clinic_client.post(
        f"/clinic/patients/{patient}/gear",
        data={"csrf_token": csrf, "kind": "shoes", "name": "", "started_on": "soon"},
    )
    assert rejected.status_code == 422
    assert "Enter a name" in rejected.text and "as a date" in rejected.text
    # Clinic B's user with a valid token of their own cannot touch clinic A's gear.
    other_csrf = sign_in_page(clinic_client, sessions, clinic_b)
    assert clinic_client.post(f"{base}/delete", data={"csrf_token": other_csrf}).status_code == 404
    assert (
        clinic_client.post(
            f"/clinic/patients/{patient}/gear", data={**form, "csrf_token": other_csrf}
        ).status_code
        == 404
    )
    csrf = sign_in_page(clinic_client, sessions, clinic_a)
    with sessions() as session:
        assert session.get(GearRow, gear_id) is not None
    deleted = clinic_client.post(f"{base}/delete", data={"csrf_token": csrf}, follow_redirects=False)
    assert deleted.status_code == 303
    with sessions() as session:
        assert session.get(GearRow, gear_id) is None
