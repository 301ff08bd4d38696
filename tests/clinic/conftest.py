"""Fixtures for clinic mode: an app on a fresh SQLite file, clinics with users, signed-in API and page clients.

Users are made directly in the store (argon2 hash included) and signed in by issuing a real bearer
token or page session, so each test starts from a known state; the sign-in routes have their own tests.
"""

from __future__ import annotations

import logging
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from footchain.store import accounts
from footchain.store.database import write_transaction
from footchain.web.app import create_app
from footchain.web.auth import API_TOKEN_LIFETIME, SESSION_COOKIE, SESSION_LIFETIME, hash_password, new_token
from footchain.web.settings import Settings
from tests.browser import ARTIFACTS
from tests.databases import empty_postgres, postgres_session_url  # noqa: F401  (a fixture)
from tests.live import serving

PASSWORD = "correct horse battery staple"


@dataclass(frozen=True)
class ClinicUser:
    """A user made for a test: ids, email and password, and a bearer token for the API."""

    id: str
    clinic_id: str
    clinic_name: str
    email: str
    password: str
    role: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@pytest.fixture
def clinic_app(request: pytest.FixtureRequest, tmp_path: Path) -> FastAPI:
    """The app on a fresh SQLite file; on the session's emptied PostgreSQL database when a test asks
    with ``@pytest.mark.parametrize("clinic_app", ["sqlite", "postgresql"], indirect=True)``."""
    backend = getattr(request, "param", "sqlite")
    if backend == "postgresql":
        url: str = request.getfixturevalue("postgres_session_url")
        empty_postgres(url)
        return create_app(Settings(database_url=url))
    return create_app(Settings(database_url=f"sqlite:///{tmp_path / 'clinic.db'}"))


@pytest.fixture
def sessions(clinic_app: FastAPI) -> sessionmaker[Session]:
    factory: sessionmaker[Session] = clinic_app.state.sessions
    return factory


def create_clinic_user(factory: sessionmaker[Session], clinic_name: str, role: str, email: str) -> ClinicUser:
    """A user of ``clinic_name`` (created when new) with an API token."""
    token = new_token()
    with factory() as session, write_transaction(session):
        clinic = accounts.clinic_by_name(session, clinic_name) or accounts.create_clinic(session, clinic_name)
        user = accounts.create_user(session, clinic.id, email, hash_password(PASSWORD), role)
        accounts.issue_api_token(session, user.id, token, API_TOKEN_LIFETIME)
        return ClinicUser(user.id, clinic.id, clinic_name, user.email, PASSWORD, role, token)


@pytest.fixture
def make_user(sessions: sessionmaker[Session]):  # type: ignore[no-untyped-def]
    """``make_user(clinic_name, role, email=None)`` → a ``ClinicUser`` (a fresh email when none is given)."""
    counter = iter(range(1, 10_000))

    def make(clinic_name: str, role: str = "clinician", email: str | None = None) -> ClinicUser:
        address = email or f"{role}{next(counter)}@{clinic_name.lower().replace(' ', '-')}.example"
        return create_clinic_user(sessions, clinic_name, role, address)

    return make


@pytest.fixture
def clinic_client(clinic_app: FastAPI) -> Iterator[TestClient]:
    with TestClient(clinic_app) as client:
        yield client


def page_session(factory: sessionmaker[Session], user: ClinicUser) -> tuple[str, str]:
    """A real page session of ``user``: (cookie token, CSRF token)."""
    token, csrf = new_token(), new_token()
    with factory() as session, write_transaction(session):
        accounts.start_web_session(session, user.id, token, csrf, SESSION_LIFETIME)
    return token, csrf


def sign_in_page(client: TestClient, factory: sessionmaker[Session], user: ClinicUser) -> str:
    """Give ``client`` a real page session of ``user``; returns the session's CSRF token."""
    token, csrf = page_session(factory, user)
    client.cookies.set(SESSION_COOKIE, token)
    return csrf


@pytest.fixture
def clinic_a(make_user) -> ClinicUser:  # type: ignore[no-untyped-def]
    """A clinician of "Clinic A"."""
    user: ClinicUser = make_user("Clinic A", "clinician")
    return user


@pytest.fixture
def clinic_b(make_user) -> ClinicUser:  # type: ignore[no-untyped-def]
    """A clinician of "Clinic B"."""
    user: ClinicUser = make_user("Clinic B", "clinician")
    return user


@pytest.fixture
def admin_a(make_user) -> ClinicUser:  # type: ignore[no-untyped-def]
    """An admin of "Clinic A"."""
    user: ClinicUser = make_user("Clinic A", "admin")
    return user


# --- Logs of the whole test run, checked for personal data -------------------------------------------
#
# Acceptance: "logs of a full test run contain no patient name, email or pain text". Every logging
# record of the run (any logger, DEBUG and up, every thread: in-process apps and live servers alike) is
# written to ``test-artifacts/test-run.log``; when the session ends the file is searched for the
# distinctive strings the clinic tests put into records, and the run fails if one is found.

# Patient and user data that the clinic tests send and that must never reach a log line.
PRIVATE_NAME = "Zephyrine Quillfeather-Oyelaran"
PRIVATE_EMAIL = "zephyrine.quillfeather@patient-mail.example"
PRIVATE_PHONE = "+44 7700 900417"
PRIVATE_NOTES = "Sharp ache under the left kneecap on the Xanthorrhoea stairs"
PRIVATE_ACTIVITY = "Climbing the Xanthorrhoea stairs"
PRIVATE_GEAR = "Quillfeather trail shoes"
PRIVATE_USER_EMAIL = "dr.vantablack-osei@clinic-private.example"
PRIVATE_STRINGS = (
    PRIVATE_NAME,
    PRIVATE_EMAIL,
    PRIVATE_PHONE,
    PRIVATE_NOTES,
    PRIVATE_ACTIVITY,
    PRIVATE_GEAR,
    PRIVATE_USER_EMAIL,
    "Quillfeather",  # any part of the name, in any context
    "Xanthorrhoea",  # any part of the pain text
)
RUN_LOG = ARTIFACTS / "test-run.log"
_RUN_LOG_HANDLER: logging.Handler | None = None


# The tests' own HTTP client logs every URL it requests (httpx at INFO), so a search for a patient by
# name shows up there. That is the test client, not footchain: its records are left out. (footchain's
# server runs without an access log; a reverse proxy in front of it would log such URLs, see the report.)
CLIENT_LOGGERS = ("httpx", "httpcore")


class WithoutTestClient(logging.Filter):
    """Drops the records of the tests' own HTTP client (``CLIENT_LOGGERS``)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.name.startswith(CLIENT_LOGGERS)


def private_strings_in(text: str) -> list[str]:
    """The private strings that occur in ``text`` (case-insensitive)."""
    lowered = text.lower()
    return [value for value in PRIVATE_STRINGS if value.lower() in lowered]


def pytest_configure(config: pytest.Config) -> None:
    """Send every logging record of the run to ``test-artifacts/test-run.log`` (a fresh file per run)."""
    global _RUN_LOG_HANDLER
    if _RUN_LOG_HANDLER is not None:
        return
    RUN_LOG.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(RUN_LOG, mode="w", encoding="utf-8")
    handler.setLevel(logging.DEBUG)
    handler.addFilter(WithoutTestClient())
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(threadName)s] %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    _RUN_LOG_HANDLER = handler


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Fail the run when its log holds a patient's name, email or pain text."""
    global _RUN_LOG_HANDLER
    if _RUN_LOG_HANDLER is None:
        return
    logging.getLogger().removeHandler(_RUN_LOG_HANDLER)
    _RUN_LOG_HANDLER.close()
    _RUN_LOG_HANDLER = None
    found = private_strings_in(RUN_LOG.read_text(encoding="utf-8", errors="replace"))
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write("\n")
    if found:
        message = f"{RUN_LOG} holds personal data from the clinic tests: {', '.join(found)}"
        if reporter is not None:
            reporter.write_line(f"LOG PRIVACY FAILURE: {message}", red=True, bold=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
    elif reporter is not None:
        size = RUN_LOG.stat().st_size
        reporter.write_line(f"log privacy: {RUN_LOG} ({size} bytes) holds none of the private test strings")


# --- A live server with a bootstrap admin, for the browser walk-through ---------------------------------

FOOTCHAIN = Path(sys.executable).with_name("footchain")


@dataclass(frozen=True)
class LiveClinic:
    """A running server (base URL) whose clinic has one admin, made by ``footchain users create``."""

    base: str
    admin_email: str
    password: str
    database_url: str


@pytest.fixture
def clinic_live_server(tmp_path: Path) -> Iterator[LiveClinic]:
    """A real uvicorn server on loopback (own SQLite file) with an admin bootstrapped by the CLI."""
    database = f"sqlite:///{tmp_path / 'live-clinic.db'}"
    secret = tmp_path / "admin-password"
    secret.write_text(PASSWORD + "\n", encoding="utf-8")
    admin = "admin@browser-clinic.example"
    made = subprocess.run(
        [
            *(str(FOOTCHAIN), "users", "create", "--database", database, "--clinic", "Browser Clinic"),
            *("--email", admin, "--role", "admin", "--password-file", str(secret)),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert made.returncode == 0, f"footchain users create failed: {made.stderr}"
    with serving(create_app(Settings(database_url=database))) as (host, port):
        yield LiveClinic(f"http://{host}:{port}", admin, PASSWORD, database)
