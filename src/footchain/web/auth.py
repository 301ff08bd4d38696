"""Who is asking: signed-in clinic users for the pages (session cookie) and the API (bearer token).

- Passwords are argon2id hashes (argon2-cffi's defaults, RFC 9106).
- A page session is a random token in an HttpOnly, SameSite=Lax cookie (Secure over HTTPS); the
  database keeps its SHA-256 and the session's CSRF token, which every form posts back.
- An API token comes from ``POST /api/v1/auth/login`` and is sent as ``Authorization: Bearer ...``.
- Pages without a session redirect to ``/login``; the API answers 401.
Everything a clinic user reads or writes is filtered by ``CurrentUser.clinic_id``.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated
from urllib.parse import quote

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from fastapi import Depends, FastAPI, Request
from fastapi.responses import RedirectResponse, Response

from footchain.store import accounts
from footchain.store.models import UserRow
from footchain.web.dependencies import DbSession
from footchain.web.errors import HttpError

SESSION_COOKIE = "footchain_session"
SESSION_LIFETIME = timedelta(hours=12)
API_TOKEN_LIFETIME = timedelta(hours=24)
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
ROLES = ("admin", "clinician")
_HASHER = PasswordHasher()


def hash_password(password: str) -> str:
    """An argon2id hash of ``password``."""
    return _HASHER.hash(password)


def password_matches(stored_hash: str, password: str) -> bool:
    """Whether ``password`` matches ``stored_hash`` (constant time; a broken hash never matches)."""
    try:
        return _HASHER.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def new_token() -> str:
    """A random session or API token (256 bits)."""
    return secrets.token_urlsafe(32)


@dataclass(frozen=True)
class CurrentUser:
    """The signed-in user; ``csrf_token`` is set for page sessions only."""

    id: str
    clinic_id: str
    role: str
    csrf_token: str | None = None

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @classmethod
    def of(cls, row: UserRow, csrf_token: str | None = None) -> CurrentUser:
        return cls(id=row.id, clinic_id=row.clinic_id, role=row.role, csrf_token=csrf_token)


class LoginRequired(Exception):
    """A page needs a signed-in user: answered with a redirect to the sign-in page."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def api_user(request: Request, session: DbSession) -> CurrentUser:
    """The API caller from its bearer token; 401 without a valid one."""
    token = _bearer(request)
    user = accounts.api_token_user(session, token) if token else None
    if user is None:
        raise HttpError(
            401,
            "Sign in first: POST /api/v1/auth/login with your email and password, then send "
            "'Authorization: Bearer <access_token>'. Tokens expire after 24 hours.",
        )
    return CurrentUser.of(user)


def page_user(request: Request, session: DbSession) -> CurrentUser:
    """The signed-in page user from the session cookie; redirect to /login without one."""
    token = request.cookies.get(SESSION_COOKIE)
    found = accounts.web_session(session, token) if token else None
    if found is None:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise LoginRequired(target)
    row, user = found
    return CurrentUser.of(user, csrf_token=row.csrf_token)


def api_admin(user: Annotated[CurrentUser, Depends(api_user)]) -> CurrentUser:
    """An admin API caller; a clinician gets 403."""
    if not user.is_admin:
        raise HttpError(403, "Only a clinic admin can manage users.")
    return user


def page_admin(user: Annotated[CurrentUser, Depends(page_user)]) -> CurrentUser:
    """An admin page user; a clinician gets 403."""
    if not user.is_admin:
        raise HttpError(403, "Only a clinic admin can manage users.")
    return user


async def csrf_protected(request: Request, user: Annotated[CurrentUser, Depends(page_user)]) -> CurrentUser:
    """A page user whose form post carries the session's CSRF token (form field or header); else 403."""
    sent = request.headers.get(CSRF_HEADER)
    if sent is None:
        form = await request.form()
        value = form.get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    expected = user.csrf_token or ""
    if not sent or not hmac.compare_digest(sent, expected):
        raise HttpError(
            403, "This form has expired or did not come from footchain. Reload the page and try again."
        )
    return user


def set_session_cookie(response: Response, request: Request, token: str) -> None:
    """The session cookie: HttpOnly, SameSite=Lax, Secure when the page was served over HTTPS."""
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=int(SESSION_LIFETIME.total_seconds()),
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        path="/",
    )


def install_auth_handlers(app: FastAPI) -> None:
    """Pages that need a user redirect to the sign-in page, keeping where the person was going."""

    @app.exception_handler(LoginRequired)
    async def login_required(_request: Request, exc: LoginRequired) -> Response:
        return RedirectResponse(f"/login?next={quote(exc.next_path, safe='/')}", status_code=303)


ApiUser = Annotated[CurrentUser, Depends(api_user)]
ApiAdmin = Annotated[CurrentUser, Depends(api_admin)]
PageUser = Annotated[CurrentUser, Depends(page_user)]
PageAdmin = Annotated[CurrentUser, Depends(page_admin)]
CsrfUser = Annotated[CurrentUser, Depends(csrf_protected)]
