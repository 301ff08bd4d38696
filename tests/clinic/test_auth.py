"""Sign-in, sign-out, rate limiting, users management and the page error pages (clinic mode, engineer A).

Everything goes through the real app on its own SQLite file (``tests/clinic/conftest.py``); the
rate-limit counts live in the database, so some tests place earlier attempts there directly.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from footchain.store import accounts
from footchain.store.database import write_transaction
from footchain.store.models import ApiTokenRow, AuditRow, LoginAttemptRow, UserRow, WebSessionRow
from footchain.web.auth import (
    AFTER_LOGIN,
    LOGIN_CSRF_COOKIE,
    LOGIN_WINDOW,
    MAX_ACCOUNT_FAILURES,
    MAX_ADDRESS_FAILURES,
    SESSION_COOKIE,
    safe_next,
)
from tests.clinic.conftest import PRIVATE_USER_EMAIL, ClinicUser, sign_in_page

WRONG = "not the password at all"


def form_token(page: str) -> str:
    found = re.search(r'name="form_token" value="([^"]+)"', page)
    assert found, "the sign-in form carries its anti-forgery token"
    return found.group(1)


def page_login(client: TestClient, email: str, password: str, next_path: str = "") -> object:
    """Open the sign-in page as a browser does, then post the form with its token."""
    page = client.get("/login", params={"next": next_path} if next_path else None)
    assert page.status_code == 200
    data = {"email": email, "password": password, "next": next_path, "form_token": form_token(page.text)}
    return client.post("/login", data=data, follow_redirects=False)


def api_login(client: TestClient, email: str, password: str) -> int:
    return client.post("/api/v1/auth/login", json={"email": email, "password": password}).status_code


def csrf_of(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found, "the page has a CSRF-protected form"
    return found.group(1)


# --- page sign-in and sign-out -------------------------------------------------------------------------


def test_sign_in_starts_a_fresh_httponly_session_and_goes_to_next(
    clinic_client: TestClient, sessions: sessionmaker[Session], admin_a: ClinicUser
) -> None:
    old_token = "planted-by-someone-else"
    clinic_client.cookies.set(SESSION_COOKIE, old_token)
    response = page_login(clinic_client, admin_a.email.upper(), admin_a.password, "/clinic/users?x=1")
    assert response.status_code == 303  # type: ignore[attr-defined]
    assert response.headers["location"] == "/clinic/users?x=1"  # type: ignore[attr-defined]
    cookie = next(c for c in response.headers.get_list("set-cookie") if c.startswith(SESSION_COOKIE))  # type: ignore[attr-defined]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Secure" not in cookie
    token = cookie.split(";")[0].split("=", 1)[1]
    assert token and token != old_token
    clinic_client.cookies.clear()
    clinic_client.cookies.set(SESSION_COOKIE, token)
    with sessions() as session:
        found = accounts.web_session(session, token)
        assert found is not None and found[1].id == admin_a.id
    page = clinic_client.get("/clinic/users")
    assert page.status_code == 200 and admin_a.email in page.text


def test_signing_in_again_replaces_the_browsers_session(
    clinic_client: TestClient, sessions: sessionmaker[Session], clinic_a: ClinicUser
) -> None:
    sign_in_page(clinic_client, sessions, clinic_a)
    before = clinic_client.cookies.get(SESSION_COOKIE)
    page = clinic_client.get("/login", follow_redirects=False)  # signed in: straight on
    assert page.status_code == 303 and page.headers["location"] == AFTER_LOGIN
    # A signed-in browser that posts the form anyway gets a new session and loses the old one.
    clinic_client.cookies.set(LOGIN_CSRF_COOKIE, "t" * 43)
    data = {"email": clinic_a.email, "password": clinic_a.password, "form_token": "t" * 43}
    response = clinic_client.post("/login", data=data, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == AFTER_LOGIN
    cookie = next(c for c in response.headers.get_list("set-cookie") if c.startswith(SESSION_COOKIE))
    after = cookie.split(";")[0].split("=", 1)[1]
    assert after and after != before
    with sessions() as session:
        assert accounts.web_session(session, before or "") is None
        assert accounts.web_session(session, after) is not None


def test_session_cookie_is_secure_over_https(clinic_app: FastAPI, clinic_a: ClinicUser) -> None:
    with TestClient(clinic_app, base_url="https://testserver") as client:
        page = client.get("/login")
        assert "Secure" in page.headers["set-cookie"]
        response = page_login(client, clinic_a.email, clinic_a.password)
        cookie = next(c for c in response.headers.get_list("set-cookie") if c.startswith(SESSION_COOKIE))  # type: ignore[attr-defined]
        assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie


@pytest.mark.parametrize(
    "raw",
    [
        "https://evil.example/clinic",
        "//evil.example/clinic",
        "/\\evil.example",
        "javascript:alert(1)",
        "clinic/patients",
        "/login?next=//evil.example",
        "/logout",
        "/clinic/\npatients",
        "",
        None,
    ],
)
def test_only_same_site_paths_are_followed_after_sign_in(raw: str | None) -> None:
    assert safe_next(raw) == AFTER_LOGIN


def test_same_site_paths_are_kept() -> None:
    assert safe_next("/clinic/patients/abc?tab=gear") == "/clinic/patients/abc?tab=gear"


def test_an_off_site_next_is_not_followed(clinic_client: TestClient, clinic_a: ClinicUser) -> None:
    response = page_login(clinic_client, clinic_a.email, clinic_a.password, "https://evil.example/")
    assert response.status_code == 303 and response.headers["location"] == AFTER_LOGIN  # type: ignore[attr-defined]


def test_sign_in_form_without_its_token_is_refused(
    clinic_client: TestClient, sessions: sessionmaker[Session], clinic_a: ClinicUser
) -> None:
    data = {"email": clinic_a.email, "password": clinic_a.password}
    response = clinic_client.post("/login", data=data, follow_redirects=False)
    assert response.status_code == 403 and "expired" in response.text
    assert response.headers["content-type"].startswith("text/html")
    # A token from another browser (not this browser's sign-in cookie) is refused too.
    clinic_client.cookies.set(LOGIN_CSRF_COOKIE, "mine")
    forged = clinic_client.post("/login", data={**data, "form_token": "theirs"}, follow_redirects=False)
    assert forged.status_code == 403 and SESSION_COOKIE not in clinic_client.cookies
    with sessions() as session:
        assert session.scalars(select(WebSessionRow)).first() is None


def test_wrong_password_shows_the_form_again_with_401(
    clinic_client: TestClient, clinic_a: ClinicUser
) -> None:
    response = page_login(clinic_client, clinic_a.email, WRONG)
    assert response.status_code == 401  # type: ignore[attr-defined]
    text: str = response.text  # type: ignore[attr-defined]
    assert "Wrong email or password" in text and 'name="password"' in text
    assert SESSION_COOKIE not in clinic_client.cookies


def test_a_missing_email_or_password_is_asked_for(clinic_client: TestClient) -> None:
    response = page_login(clinic_client, "", "")
    assert response.status_code == 422 and "Enter your email and password" in response.text  # type: ignore[attr-defined]


def test_pages_redirect_to_sign_in_and_back(clinic_client: TestClient, admin_a: ClinicUser) -> None:
    response = clinic_client.get("/clinic/users", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/login?next=/clinic/users"
    page = clinic_client.get(response.headers["location"])
    assert 'name="next" value="/clinic/users"' in page.text


def test_sign_out_needs_the_csrf_token_and_ends_the_session(
    clinic_client: TestClient, sessions: sessionmaker[Session], clinic_a: ClinicUser
) -> None:
    csrf = sign_in_page(clinic_client, sessions, clinic_a)
    token = clinic_client.cookies.get(SESSION_COOKIE) or ""
    refused = clinic_client.post("/logout", follow_redirects=False)
    assert refused.status_code == 403 and refused.headers["content-type"].startswith("text/html")
    wrong = clinic_client.post("/logout", data={"csrf_token": "guess"}, follow_redirects=False)
    assert wrong.status_code == 403
    with sessions() as session:
        assert accounts.web_session(session, token) is not None  # still signed in
    response = clinic_client.post("/logout", data={"csrf_token": csrf}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/login")
    with sessions() as session:
        assert accounts.web_session(session, token) is None
        actions = session.scalars(select(AuditRow.action).where(AuditRow.user_id == clinic_a.id)).all()
        assert "logout" in actions
    assert "signed out" in clinic_client.get("/login?out=1").text
    clinic_client.cookies.set(SESSION_COOKIE, token)  # the old cookie no longer opens anything
    assert clinic_client.get("/clinic/users", follow_redirects=False).status_code == 303


def test_anonymous_sign_out_goes_to_sign_in(clinic_client: TestClient) -> None:
    response = clinic_client.post("/logout", data={"csrf_token": "x"}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/login")


# --- API sign-in ----------------------------------------------------------------------------------------


def test_api_login_gives_a_bearer_token(clinic_client: TestClient, clinic_a: ClinicUser) -> None:
    response = clinic_client.post(
        "/api/v1/auth/login", json={"email": f"  {clinic_a.email.title()} ", "password": clinic_a.password}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer" and body["expires_in"] == 24 * 3600
    headers = {"Authorization": f"Bearer {body['access_token']}"}
    me = clinic_client.get("/api/v1/auth/me", headers=headers).json()
    assert me == {"id": clinic_a.id, "clinic_id": clinic_a.clinic_id, "role": "clinician"}
    assert clinic_client.post("/api/v1/auth/logout", headers=headers).status_code == 204
    assert clinic_client.get("/api/v1/auth/me", headers=headers).status_code == 401


def test_api_login_refuses_wrong_and_unknown_alike(clinic_client: TestClient, clinic_a: ClinicUser) -> None:
    wrong = clinic_client.post("/api/v1/auth/login", json={"email": clinic_a.email, "password": WRONG})
    unknown = clinic_client.post("/api/v1/auth/login", json={"email": "nobody@x.example", "password": WRONG})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json() and "Wrong email or password" in wrong.json()["detail"]
    missing = clinic_client.post("/api/v1/auth/login", json={"email": clinic_a.email})
    assert missing.status_code == 422 and "password" in missing.json()["detail"]


def test_anonymous_and_bad_tokens_get_401(clinic_client: TestClient) -> None:
    for headers in ({}, {"Authorization": "Bearer nonsense"}, {"Authorization": "Basic abc"}):
        for method, path in (("GET", "/api/v1/auth/me"), ("GET", "/api/v1/users"), ("POST", "/api/v1/users")):
            response = clinic_client.request(method, path, headers=headers, json={})
            assert response.status_code == 401, (method, path, headers)
            assert "Sign in first" in response.json()["detail"]


def test_tokens_and_sessions_expire(
    clinic_client: TestClient, sessions: sessionmaker[Session], clinic_a: ClinicUser
) -> None:
    sign_in_page(clinic_client, sessions, clinic_a)
    assert clinic_client.get("/api/v1/auth/me", headers=clinic_a.headers).status_code == 200
    past = accounts.now() - timedelta(seconds=1)
    with sessions() as session, write_transaction(session):
        session.execute(update(ApiTokenRow).values(expires_at=past))
        session.execute(update(WebSessionRow).values(expires_at=past))
    assert clinic_client.get("/api/v1/auth/me", headers=clinic_a.headers).status_code == 401
    response = clinic_client.get("/clinic/patients", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/login")


def test_switched_off_users_cannot_sign_in(
    clinic_client: TestClient, sessions: sessionmaker[Session], clinic_a: ClinicUser
) -> None:
    with sessions() as session, write_transaction(session):
        user = session.get(UserRow, clinic_a.id)
        assert user is not None
        accounts.set_user_active(session, user, False)
    assert api_login(clinic_client, clinic_a.email, clinic_a.password) == 401
    assert page_login(clinic_client, clinic_a.email, clinic_a.password).status_code == 401  # type: ignore[attr-defined]
    assert clinic_client.get("/api/v1/auth/me", headers=clinic_a.headers).status_code == 401


# --- rate limiting --------------------------------------------------------------------------------------


def test_twenty_wrong_passwords_in_a_row_are_stopped_with_429(
    clinic_client: TestClient, clinic_a: ClinicUser
) -> None:
    statuses = [api_login(clinic_client, clinic_a.email, WRONG) for _ in range(20)]
    assert statuses == [401] * MAX_ACCOUNT_FAILURES + [429] * (20 - MAX_ACCOUNT_FAILURES)
    refused = clinic_client.post(
        "/api/v1/auth/login", json={"email": clinic_a.email, "password": clinic_a.password}
    )
    assert refused.status_code == 429  # even the right password waits: it is not even checked
    retry_after = int(refused.headers["Retry-After"])
    assert 0 < retry_after <= LOGIN_WINDOW.total_seconds()
    assert "Too many failed sign-ins" in refused.json()["detail"]


def test_the_sign_in_page_says_when_to_try_again(clinic_client: TestClient, clinic_a: ClinicUser) -> None:
    for _ in range(MAX_ACCOUNT_FAILURES):
        assert api_login(clinic_client, clinic_a.email, WRONG) == 401
    response = page_login(clinic_client, clinic_a.email, clinic_a.password)
    assert response.status_code == 429 and int(response.headers["Retry-After"]) > 0  # type: ignore[attr-defined]
    assert "try again in 15 minutes" in response.text  # type: ignore[attr-defined]
    assert SESSION_COOKIE not in clinic_client.cookies


def test_one_address_guessing_many_accounts_is_stopped(
    clinic_client: TestClient, clinic_a: ClinicUser
) -> None:
    statuses = [
        api_login(clinic_client, f"guess{n}@clinic-a.example", WRONG) for n in range(MAX_ADDRESS_FAILURES)
    ]
    assert statuses == [401] * MAX_ADDRESS_FAILURES
    assert api_login(clinic_client, clinic_a.email, clinic_a.password) == 429
    assert api_login(clinic_client, "guess-new@clinic-a.example", WRONG) == 429


def test_a_successful_sign_in_clears_the_accounts_count(
    clinic_client: TestClient, clinic_a: ClinicUser
) -> None:
    for _ in range(MAX_ACCOUNT_FAILURES - 1):
        assert api_login(clinic_client, clinic_a.email, WRONG) == 401
    assert api_login(clinic_client, clinic_a.email, clinic_a.password) == 200
    for _ in range(MAX_ACCOUNT_FAILURES - 1):
        assert api_login(clinic_client, clinic_a.email, WRONG) == 401
    assert api_login(clinic_client, clinic_a.email, clinic_a.password) == 200


def test_failures_older_than_the_window_do_not_count(
    clinic_client: TestClient, sessions: sessionmaker[Session], clinic_a: ClinicUser, clinic_b: ClinicUser
) -> None:
    long_ago = accounts.now() - LOGIN_WINDOW - timedelta(minutes=1)
    recently = accounts.now() - LOGIN_WINDOW + timedelta(minutes=2)
    with sessions() as session, write_transaction(session):
        for n in range(MAX_ADDRESS_FAILURES):
            account = accounts.account_key(clinic_a.email if n < MAX_ACCOUNT_FAILURES else f"x{n}@y.example")
            session.add(LoginAttemptRow(account=account, address="testclient", at=long_ago, succeeded=False))
        for _ in range(MAX_ACCOUNT_FAILURES):
            account = accounts.account_key(clinic_b.email)
            session.add(LoginAttemptRow(account=account, address="elsewhere", at=recently, succeeded=False))
    assert api_login(clinic_client, clinic_a.email, clinic_a.password) == 200
    response = clinic_client.post(
        "/api/v1/auth/login", json={"email": clinic_b.email, "password": clinic_b.password}
    )
    assert response.status_code == 429
    # The oldest counted failure leaves the window in about 2 minutes: that is when to retry.
    assert 60 < int(response.headers["Retry-After"]) <= 120


def test_attempts_and_audit_keep_no_email(
    clinic_client: TestClient, sessions: sessionmaker[Session], make_user: object
) -> None:
    user: ClinicUser = make_user("Clinic A", "clinician", PRIVATE_USER_EMAIL)  # type: ignore[operator]
    assert api_login(clinic_client, PRIVATE_USER_EMAIL, WRONG) == 401
    assert api_login(clinic_client, PRIVATE_USER_EMAIL, user.password) == 200
    with sessions() as session:
        attempts = session.scalars(select(LoginAttemptRow).order_by(LoginAttemptRow.id)).all()
        assert [a.succeeded for a in attempts] == [False, True]
        assert {a.account for a in attempts} == {accounts.account_key(PRIVATE_USER_EMAIL)}
        audit = session.scalars(select(AuditRow).order_by(AuditRow.id)).all()
        assert [(a.action, a.user_id, a.record_id) for a in audit[-2:]] == [
            ("login_failed", user.id, user.id),
            ("login", user.id, user.id),
        ]
        for row in (*attempts, *audit):
            assert "zephyrine" not in repr(vars(row)).lower() and "vantablack" not in repr(vars(row)).lower()


# --- users: API ----------------------------------------------------------------------------------------


def test_an_admin_creates_and_lists_users_of_their_clinic(
    clinic_client: TestClient, sessions: sessionmaker[Session], admin_a: ClinicUser, clinic_b: ClinicUser
) -> None:
    new = {"email": "New.Clinician@Clinic-A.example", "password": "twelve chars", "role": "clinician"}
    response = clinic_client.post("/api/v1/users", json=new, headers=admin_a.headers)
    assert response.status_code == 201
    made = response.json()
    assert (
        made["email"] == "new.clinician@clinic-a.example" and made["role"] == "clinician" and made["active"]
    )
    assert "password" not in made and "password_hash" not in made
    listed = clinic_client.get("/api/v1/users", headers=admin_a.headers).json()
    assert {u["email"] for u in listed} == {admin_a.email, made["email"]}  # not clinic B's users
    assert api_login(clinic_client, made["email"], "twelve chars") == 200
    with sessions() as session:
        row = session.get(UserRow, made["id"])
        assert row is not None and row.clinic_id == admin_a.clinic_id
        audit = session.scalars(select(AuditRow).where(AuditRow.record_id == made["id"])).first()
        assert audit is not None and (audit.action, audit.user_id) == ("create", admin_a.id)


@pytest.mark.parametrize(
    ("body", "status", "words"),
    [
        (
            {"email": "x@clinic-a.example", "password": "eleven char", "role": "clinician"},
            422,
            "12 characters",
        ),
        ({"email": "not an email", "password": "long enough pw", "role": "clinician"}, 422, "email address"),
        (
            {"email": "x@clinic-a.example", "password": "long enough pw", "role": "owner"},
            422,
            "admin or clinician",
        ),
        ({"email": "x@clinic-a.example", "role": "clinician"}, 422, "password"),
    ],
)
def test_a_new_user_with_bad_fields_is_refused(
    clinic_client: TestClient, admin_a: ClinicUser, body: dict[str, str], status: int, words: str
) -> None:
    response = clinic_client.post("/api/v1/users", json=body, headers=admin_a.headers)
    assert response.status_code == status and words in response.json()["detail"]


def test_long_passphrases_are_welcome_up_to_128_characters(
    clinic_client: TestClient, admin_a: ClinicUser
) -> None:
    passphrase = "walk the long way home along the river " * 2  # 78 characters
    body = {"email": "long@clinic-a.example", "password": passphrase, "role": "clinician"}
    assert clinic_client.post("/api/v1/users", json=body, headers=admin_a.headers).status_code == 201
    assert api_login(clinic_client, body["email"], passphrase) == 200
    too_long = {**body, "email": "longer@clinic-a.example", "password": "x" * 129}
    refused = clinic_client.post("/api/v1/users", json=too_long, headers=admin_a.headers)
    assert refused.status_code == 422 and "at most 128 characters" in refused.json()["detail"]


def test_a_taken_email_is_409(clinic_client: TestClient, admin_a: ClinicUser, clinic_b: ClinicUser) -> None:
    body = {"email": clinic_b.email.upper(), "password": "long enough pw", "role": "clinician"}
    response = clinic_client.post("/api/v1/users", json=body, headers=admin_a.headers)
    assert response.status_code == 409 and "already exists" in response.json()["detail"]


def test_clinicians_cannot_manage_users(
    clinic_client: TestClient, clinic_a: ClinicUser, admin_a: ClinicUser
) -> None:
    body = {"email": "sneaky@clinic-a.example", "password": "long enough pw", "role": "admin"}
    assert clinic_client.get("/api/v1/users", headers=clinic_a.headers).status_code == 403
    created = clinic_client.post("/api/v1/users", json=body, headers=clinic_a.headers)
    assert created.status_code == 403 and "admin" in created.json()["detail"]
    patched = clinic_client.patch(
        f"/api/v1/users/{admin_a.id}", json={"active": False}, headers=clinic_a.headers
    )
    assert patched.status_code == 403
    assert api_login(clinic_client, "sneaky@clinic-a.example", "long enough pw") == 401


def test_an_admin_switches_a_user_off_and_on(
    clinic_client: TestClient, admin_a: ClinicUser, clinic_a: ClinicUser
) -> None:
    off = clinic_client.patch(f"/api/v1/users/{clinic_a.id}", json={"active": False}, headers=admin_a.headers)
    assert off.status_code == 200 and off.json()["active"] is False
    assert clinic_client.get("/api/v1/auth/me", headers=clinic_a.headers).status_code == 401  # signed out
    assert api_login(clinic_client, clinic_a.email, clinic_a.password) == 401
    on = clinic_client.patch(f"/api/v1/users/{clinic_a.id}", json={"active": True}, headers=admin_a.headers)
    assert on.status_code == 200 and api_login(clinic_client, clinic_a.email, clinic_a.password) == 200
    own = clinic_client.patch(f"/api/v1/users/{admin_a.id}", json={"active": False}, headers=admin_a.headers)
    assert own.status_code == 409


def test_another_clinics_user_is_404(
    clinic_client: TestClient, admin_a: ClinicUser, clinic_b: ClinicUser
) -> None:
    theirs = clinic_client.patch(
        f"/api/v1/users/{clinic_b.id}", json={"active": False}, headers=admin_a.headers
    )
    unknown = clinic_client.patch(
        f"/api/v1/users/{'0' * 32}", json={"active": False}, headers=admin_a.headers
    )
    assert theirs.status_code == unknown.status_code == 404
    assert theirs.json() == unknown.json()
    assert api_login(clinic_client, clinic_b.email, clinic_b.password) == 200


# --- users: page ---------------------------------------------------------------------------------------


def test_an_admin_creates_a_clinician_on_the_users_page(
    clinic_client: TestClient, sessions: sessionmaker[Session], admin_a: ClinicUser
) -> None:
    sign_in_page(clinic_client, sessions, admin_a)
    page = clinic_client.get("/clinic/users")
    assert page.status_code == 200 and "Add a user" in page.text
    assert "/static/clinic.css" in page.text and "/static/outcomes.css" in page.text
    form = {"email": "nurse@clinic-a.example", "password": "long enough pw", "role": "clinician"}
    refused = clinic_client.post("/clinic/users", data=form, follow_redirects=False)
    assert refused.status_code == 403  # no CSRF token: nothing created
    weak = clinic_client.post(
        "/clinic/users", data={**form, "password": "short", "csrf_token": csrf_of(page.text)}
    )
    assert (
        weak.status_code == 422
        and "12 characters" in weak.text
        and 'value="nurse@clinic-a.example"' in weak.text
    )
    response = clinic_client.post(
        "/clinic/users", data={**form, "csrf_token": csrf_of(page.text)}, follow_redirects=False
    )
    assert response.status_code == 303 and response.headers["location"] == "/clinic/users?done=created"
    listed = clinic_client.get(response.headers["location"]).text
    assert "nurse@clinic-a.example" in listed and "The user was created" in listed
    with sessions() as session:
        user = accounts.user_by_email(session, "nurse@clinic-a.example")
        assert user is not None and user.role == "clinician" and user.clinic_id == admin_a.clinic_id


def test_an_admin_switches_a_user_off_on_the_page(
    clinic_client: TestClient, sessions: sessionmaker[Session], admin_a: ClinicUser, clinic_a: ClinicUser
) -> None:
    csrf = sign_in_page(clinic_client, sessions, admin_a)
    path = f"/clinic/users/{clinic_a.id}/active"
    assert clinic_client.post(path, data={"active": "0"}, follow_redirects=False).status_code == 403
    response = clinic_client.post(path, data={"active": "0", "csrf_token": csrf}, follow_redirects=False)
    assert response.status_code == 303
    assert "switched off" in clinic_client.get("/clinic/users").text
    assert api_login(clinic_client, clinic_a.email, clinic_a.password) == 401


def test_clinicians_get_a_403_page_for_users(
    clinic_client: TestClient, sessions: sessionmaker[Session], clinic_a: ClinicUser
) -> None:
    csrf = sign_in_page(clinic_client, sessions, clinic_a)
    page = clinic_client.get("/clinic/users")
    assert page.status_code == 403 and page.headers["content-type"].startswith("text/html")
    assert "Only a clinic admin" in page.text and "<h1>" in page.text
    form = {"email": "x@clinic-a.example", "password": "long enough pw", "role": "admin", "csrf_token": csrf}
    assert clinic_client.post("/clinic/users", data=form).status_code == 403
    with sessions() as session:
        assert accounts.user_by_email(session, "x@clinic-a.example") is None


# --- error pages ---------------------------------------------------------------------------------------


def test_page_errors_are_pages_and_api_errors_json(
    clinic_client: TestClient, sessions: sessionmaker[Session], clinic_a: ClinicUser
) -> None:
    sign_in_page(clinic_client, sessions, clinic_a)
    page = clinic_client.get("/clinic/no-such-page")
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert "Not found" in page.text and 'href="/clinic/patients"' in page.text
    api = clinic_client.get("/api/v1/no-such-thing", headers=clinic_a.headers)
    assert api.status_code == 404 and api.json() == {"detail": "Not Found"}
    browser = clinic_client.get("/no-such-page", headers={"Accept": "text/html"})
    assert browser.status_code == 404 and browser.headers["content-type"].startswith("text/html")
