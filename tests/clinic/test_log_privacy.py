"""No personal data in logs: a whole clinic session leaves no patient name, email or pain text in them.

The session (sign-in by API and by form, a patient with a distinctive name, email, phone and notes, an
assessment with pain and a PSFS activity, a footprint upload named after the patient, a follow-up, gear,
outcomes, exports, a failed sign-in, a form with a mistake, searches, deletion) runs twice:

- against the real ``footchain serve`` in a subprocess, its stdout and stderr captured to a file;
- in-process, with a root logging handler catching every record at DEBUG from every logger.

The strings come from ``tests.clinic.conftest.PRIVATE_STRINGS``, the same ones the whole-run log check
(``test-artifacts/test-run.log``, see the conftest) looks for.
"""

from __future__ import annotations

import logging
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from tests.clinic.conftest import (
    PASSWORD,
    PRIVATE_ACTIVITY,
    PRIVATE_EMAIL,
    PRIVATE_GEAR,
    PRIVATE_NAME,
    PRIVATE_NOTES,
    PRIVATE_PHONE,
    PRIVATE_USER_EMAIL,
    WithoutTestClient,
    create_clinic_user,
    private_strings_in,
)
from tests.live import free_port
from tests.shared import DATA

FOOTCHAIN = Path(sys.executable).with_name("footchain")
FOOTPRINT_CSV = DATA / "footprint_templates" / "MUN104L.csv"
FILE_WAIT_S = 120.0
INTAKE = {
    "schema_version": 1,
    "person": {"age_years": 41, "sex": "female"},
    "pain": [
        {"region": "knee", "side": "left", "intensity": 7, "duration_weeks": 12, "worst_with": ["stairs"]}
    ],
    "feet": {"self_reported_arch": "flat", "fpi6": {"left": [2, 2, 1, 1, 2, 1], "right": [1, 1, 1, 1, 1, 0]}},
}


def _form_token(page: httpx.Response) -> str:
    match = re.search(r'name="form_token"\s+value="([^"]+)"', page.text)
    assert match, "the sign-in page has no form_token field"
    return match.group(1)


def _csrf(page: httpx.Response) -> str:
    match = re.search(r'name="csrf_token"\s+value="([^"]+)"', page.text)
    assert match, "a signed-in page has no csrf_token field"
    return match.group(1)


def clinic_session(client: httpx.Client, email: str, password: str) -> None:
    """What a clinician does in a day, with the private strings in every field that takes text."""
    # Mistakes first: a wrong password and an unknown email (failed sign-ins are where emails leak).
    assert (
        client.post("/api/v1/auth/login", json={"email": email, "password": "not the password"}).status_code
        == 401
    )
    assert (
        client.post("/api/v1/auth/login", json={"email": PRIVATE_EMAIL, "password": "x" * 12}).status_code
        == 401
    )
    login = client.post("/api/v1/auth/login", json={"email": email, "password": password})
    assert login.status_code == 200, login.text
    api = {"Authorization": f"Bearer {login.json()['access_token']}"}

    bad = client.post("/api/v1/patients", headers=api, json={"name": PRIVATE_NAME, "birth_year": "long ago"})
    assert bad.status_code == 422
    created = client.post(
        "/api/v1/patients",
        headers=api,
        json={
            "name": PRIVATE_NAME,
            "birth_year": 1984,
            "email": PRIVATE_EMAIL,
            "phone": PRIVATE_PHONE,
            "notes": PRIVATE_NOTES,
        },
    )
    assert created.status_code == 201, created.text
    patient = created.json()["id"]
    assert PRIVATE_NAME in client.get("/api/v1/patients", headers=api, params={"q": "Quillfeather"}).text
    visit_body = {
        "visited_on": "2025-02-01",
        "kind": "assessment",
        "intake": INTAKE,
        "pain_score": 7,
        "psfs": [{"activity": PRIVATE_ACTIVITY, "score": 3}],
    }
    visit = client.post(f"/api/v1/patients/{patient}/visits", headers=api, json=visit_body)
    assert visit.status_code == 201, visit.text
    visit_id = visit.json()["id"]
    upload = client.post(
        f"/api/v1/visits/{visit_id}/files",
        headers=api,
        data={"kind": "footprint"},
        files={"file": (f"{PRIVATE_NAME} left foot.csv", FOOTPRINT_CSV.read_bytes(), "text/csv")},
    )
    assert upload.status_code == 202, upload.text
    file_id = upload.json()["id"]
    broken = client.post(
        f"/api/v1/visits/{visit_id}/files",
        headers=api,
        data={"kind": "footprint"},
        files={"file": (f"{PRIVATE_NAME}.png", b"\x89PNG\r\n\x1a\n" + b"not really" * 40, "image/png")},
    )
    assert broken.status_code in (202, 415, 422), broken.text
    deadline = time.monotonic() + FILE_WAIT_S
    while client.get(f"/api/v1/visits/{visit_id}/files/{file_id}", headers=api).json()["status"] not in (
        "done",
        "failed",
    ):
        assert time.monotonic() < deadline, "the footprint was not analysed in time"
        time.sleep(0.2)
    follow_up = client.post(
        f"/api/v1/patients/{patient}/visits",
        headers=api,
        json={
            "visited_on": "2025-04-01",
            "kind": "follow_up",
            "pain_score": 2,
            "psfs": [{"activity": PRIVATE_ACTIVITY, "score": 8}],
        },
    )
    assert follow_up.status_code == 201, follow_up.text
    patched = client.patch(
        f"/api/v1/patients/{patient}", headers=api, json={"notes": PRIVATE_NOTES + " (worse)"}
    )
    assert patched.status_code == 200, patched.text
    gear = client.post(
        f"/api/v1/patients/{patient}/gear",
        headers=api,
        json={"kind": "shoes", "name": PRIVATE_GEAR, "started_on": "2024-06-01", "distance_km": 420},
    )
    assert gear.status_code == 201, gear.text
    assert client.get(f"/api/v1/patients/{patient}/outcomes", headers=api).status_code == 200
    assert client.get(f"/api/v1/patients/{patient}/reminders", headers=api).status_code == 200
    exported = client.get(f"/api/v1/patients/{patient}/export.json", headers=api)
    assert exported.status_code == 200 and PRIVATE_NAME in exported.text
    assert client.get(f"/api/v1/patients/{patient}/export.pdf", headers=api).status_code == 200

    # The same by the pages, as a browser would.
    form = client.get("/login")
    wrong = client.post(
        "/login", data={"email": email, "password": "nope nope nope", "form_token": _form_token(form)}
    )
    assert wrong.status_code == 401
    signed_in = client.post(
        "/login",
        data={
            "email": email,
            "password": password,
            "next": "/clinic/patients",
            "form_token": _form_token(wrong),
        },
    )
    assert signed_in.status_code == 200, signed_in.text[:300]
    listing = client.get("/clinic/patients", params={"q": "Quillfeather"})
    assert PRIVATE_NAME in listing.text
    csrf = _csrf(listing)
    mistake = client.post(
        "/clinic/patients", data={"name": PRIVATE_NAME, "birth_year": "soon", "csrf_token": csrf}
    )
    assert mistake.status_code == 422
    assert client.get(f"/clinic/patients/{patient}").status_code == 200
    assert client.get(f"/clinic/visits/{visit_id}").status_code == 200
    assert client.get(f"/clinic/patients/{patient}/compare").status_code == 200
    assert client.get(f"/clinic/patients/{patient}/outcomes").status_code == 200
    visit_page = client.post(
        f"/clinic/patients/{patient}/visits/new",
        data={"visited_on": "2025-05-01", "kind": "follow_up", "pain_score": "1", "csrf_token": csrf},
    )
    assert visit_page.status_code == 200, visit_page.text[:300]
    forged = client.post(f"/clinic/patients/{patient}/delete", data={"csrf_token": "forged"})
    assert forged.status_code == 403
    assert client.delete(f"/api/v1/patients/{patient}", headers=api).status_code == 204
    assert client.get(f"/clinic/patients/{patient}").status_code == 404
    assert client.post("/logout", data={"csrf_token": csrf}).status_code == 200


# --- A real server ----------------------------------------------------------------------------------


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """``footchain serve`` on a temporary SQLite file with a clinician; (base URL, its log file)."""
    database = f"sqlite:///{tmp_path / 'served.db'}"
    secret = tmp_path / "password"
    secret.write_text(PASSWORD + "\n", encoding="utf-8")
    made = subprocess.run(
        [
            *(str(FOOTCHAIN), "users", "create", "--database", database, "--clinic", "Privacy Clinic"),
            *("--email", PRIVATE_USER_EMAIL, "--role", "clinician", "--password-file", str(secret)),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert made.returncode == 0, made.stderr
    port = free_port()
    log = tmp_path / "server.log"
    with log.open("wb") as sink:
        server = subprocess.Popen(
            [str(FOOTCHAIN), "serve", "--host", "127.0.0.1", "--port", str(port), "--database", database],
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, log.read_text(errors="replace")
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "footchain serve did not answer within 60 s"
            time.sleep(0.1)
        yield base, log
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def test_a_served_clinic_session_logs_no_personal_data(served: tuple[str, Path]) -> None:
    base, log = served
    with httpx.Client(base_url=base, timeout=60, follow_redirects=True) as client:
        clinic_session(client, PRIVATE_USER_EMAIL, PASSWORD)
    time.sleep(0.5)  # let the server flush what it writes
    text = log.read_text(encoding="utf-8", errors="replace")
    assert not private_strings_in(text), f"the server's output holds personal data:\n{text[-3000:]}"
    assert "Traceback" not in text, f"the server failed during the session:\n{text[-3000:]}"


# --- In-process, every logger at DEBUG ------------------------------------------------------------------


class Collect(logging.Handler):
    """Keeps every record, formatted with its traceback, as a person reading the logs would see it."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.addFilter(WithoutTestClient())
        self.lines: list[str] = []
        self.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture
def every_record() -> Iterator[Collect]:
    root = logging.getLogger()
    handler, level = Collect(), root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield handler
    root.removeHandler(handler)
    root.setLevel(level)


def test_an_in_process_clinic_session_logs_no_personal_data_at_debug(
    clinic_app: FastAPI, sessions: sessionmaker[Session], every_record: Collect
) -> None:
    create_clinic_user(sessions, "Privacy Clinic", "clinician", PRIVATE_USER_EMAIL)
    with TestClient(clinic_app, follow_redirects=True) as client:
        clinic_session(client, PRIVATE_USER_EMAIL, PASSWORD)
    assert every_record.lines, "no log record at all: the handler is not catching anything"
    leaked = [line for line in every_record.lines if private_strings_in(line)]
    assert not leaked, "log records with personal data:\n" + "\n".join(leaked[:20])
