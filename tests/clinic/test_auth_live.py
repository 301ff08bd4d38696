"""Sign-in on a real uvicorn server (the cookie as a browser receives it) and on both databases."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from footchain.web.app import create_app
from footchain.web.auth import MAX_ACCOUNT_FAILURES, MAX_ADDRESS_FAILURES, SESSION_COOKIE
from footchain.web.settings import Settings
from tests.clinic.conftest import create_clinic_user
from tests.databases import empty_database_url, postgres_session_url  # noqa: F401
from tests.web.conftest import live_server  # noqa: F401


def test_a_real_server_sets_an_httponly_samesite_cookie(live_server: str, tmp_path: Path) -> None:  # noqa: F811
    factory: sessionmaker[Session] = create_app(
        Settings(database_url=f"sqlite:///{tmp_path / 'live.db'}")
    ).state.sessions
    user = create_clinic_user(factory, "Live Clinic", "admin", "admin@live.example")
    with httpx.Client(base_url=live_server, follow_redirects=False, timeout=30) as browser:
        page = browser.get("/login", params={"next": "/clinic/users"})
        token = re.search(r'name="form_token" value="([^"]+)"', page.text)
        assert page.status_code == 200 and token
        form = {"email": user.email, "password": user.password, "next": "/clinic/users"}
        response = browser.post("/login", data={**form, "form_token": token.group(1)})
        assert response.status_code == 303 and response.headers["location"] == "/clinic/users"
        cookie = next(c for c in response.headers.get_list("set-cookie") if c.startswith(SESSION_COOKIE))
        attributes = {part.strip().split("=")[0].lower() for part in cookie.split(";")}
        assert {"httponly", "samesite", "path", "max-age"} <= attributes
        assert "samesite=lax" in cookie.lower() and "secure" not in attributes  # plain HTTP here
        users = browser.get("/clinic/users")
        assert users.status_code == 200 and "admin@live.example" in users.text


def test_sign_in_and_rate_limits_on_both_databases(empty_database_url: str) -> None:  # noqa: F811
    app = create_app(Settings(database_url=empty_database_url))
    user = create_clinic_user(app.state.sessions, "Both", "clinician", "both@clinic.example")
    with TestClient(app) as client:

        def login(email: str, password: str) -> int:
            return client.post("/api/v1/auth/login", json={"email": email, "password": password}).status_code

        assert login(user.email, user.password) == 200
        assert [login(user.email, "wrong password") for _ in range(MAX_ACCOUNT_FAILURES)] == [401] * 10
        assert login(user.email, user.password) == 429
        others = [login(f"other{n}@x.example", "wrong") for n in range(MAX_ADDRESS_FAILURES - 10)]
        assert others == [401] * (MAX_ADDRESS_FAILURES - 10)
        assert login("fresh@x.example", "wrong") == 429  # the address has had its 20 failures
