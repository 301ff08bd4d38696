"""Fixtures for clinic mode: an app on a fresh SQLite file, clinics with users, signed-in API and page clients.

Users are made directly in the store (argon2 hash included) and signed in by issuing a real bearer
token or page session, so each test starts from a known state; the sign-in routes have their own tests.
"""

from __future__ import annotations

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
def clinic_app(tmp_path: Path) -> FastAPI:
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


def sign_in_page(client: TestClient, factory: sessionmaker[Session], user: ClinicUser) -> str:
    """Give ``client`` a real page session of ``user``; returns the session's CSRF token."""
    token, csrf = new_token(), new_token()
    with factory() as session, write_transaction(session):
        accounts.start_web_session(session, user.id, token, csrf, SESSION_LIFETIME)
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
