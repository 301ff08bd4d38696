"""Who is asking: signed-in clinic users for the pages (session cookie) and the API (bearer token).

- Passwords are argon2id hashes (argon2-cffi's defaults, RFC 9106).
- A page session is a random token in an HttpOnly, SameSite=Lax cookie (Secure over HTTPS); the
  database keeps its SHA-256 and the session's CSRF token, which every form posts back.
- An API token comes from ``POST /api/v1/auth/login`` and is sent as ``Authorization: Bearer ...``.
- Pages without a session redirect to ``/login``; the API answers 401.
- Sign-in is rate limited per account and per network address from the ``login_attempts`` table
  (no memory state, so several app servers share the count): see ``LOGIN_WINDOW``,
  ``MAX_ACCOUNT_FAILURES`` and ``MAX_ADDRESS_FAILURES``. A refused attempt answers 429 with
  ``Retry-After`` and is not checked or counted.
- The sign-in form itself carries a token that must match a cookie set with the form (double submit),
  so another site cannot sign a browser in to an account of its choosing (login CSRF).
Everything a clinic user reads or writes is filtered by ``CurrentUser.clinic_id``.
"""

from __future__ import annotations

import functools
import hmac
import math
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated
from urllib.parse import quote, urlsplit

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from fastapi import Depends, FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from footchain.store import accounts
from footchain.store.database import write_transaction
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

# Sign-in rate limits, all in one place. Failed sign-ins counted over the last LOGIN_WINDOW: an account
# with MAX_ACCOUNT_FAILURES failures since its last successful sign-in, or an address with
# MAX_ADDRESS_FAILURES failures (whatever the accounts), is refused with 429 until the oldest counted
# failure leaves the window. So the 11th wrong password in a row for one account, and the 21st from one
# address, are refused. (footchain's own choice, in the range OWASP's Authentication Cheat Sheet
# describes for account throttling; NIST SP 800-63B §5.2.2 allows at most 100 consecutive failures.)
LOGIN_WINDOW = timedelta(minutes=15)
MAX_ACCOUNT_FAILURES = 10
MAX_ADDRESS_FAILURES = 20
# OWASP ASVS 4.0 V2.1.1 (level 2): at least 12 characters (NIST SP 800-63B §5.1.1.2 asks for 8).
MIN_PASSWORD_LENGTH = 12
# V2.1.2: passphrases of 64 characters and more are welcome; over 128 is refused (argon2 hashes any length,
# but an unbounded field is an easy way to make the server hash megabytes).
MAX_PASSWORD_LENGTH = 128
LOGIN_CSRF_COOKIE = "footchain_login"
LOGIN_CSRF_LIFETIME = timedelta(hours=2)
AFTER_LOGIN = "/clinic/patients"
WRONG_CREDENTIALS = "Wrong email or password (or the account has been switched off: ask your clinic's admin)."
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


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


@functools.cache
def _dummy_hash() -> str:
    """A hash to check unknown emails against, so that they take as long as known ones."""
    return hash_password(new_token())


class TooManyAttempts(HttpError):
    """429: too many failed sign-ins; ``retry_after_s`` goes into the ``Retry-After`` header."""

    def __init__(self, retry_after_s: int) -> None:
        minutes = max(1, math.ceil(retry_after_s / 60))
        super().__init__(
            429,
            f"Too many failed sign-ins. For your patients' safety, signing in is paused: try again in "
            f"{minutes} minute{'s' if minutes != 1 else ''}, or ask your clinic's admin to check your account.",
            headers={"Retry-After": str(retry_after_s)},
        )
        self.retry_after_s = retry_after_s


def client_address(request: Request) -> str:
    """The network address the request came from (behind a proxy, run uvicorn with --proxy-headers)."""
    return request.client.host if request.client else "unknown"


def _wait_s(failures: list[datetime], limit: int) -> int | None:
    """Seconds until fewer than ``limit`` of ``failures`` (oldest first) are inside the window."""
    if len(failures) < limit:
        return None
    leaves = failures[len(failures) - limit] + LOGIN_WINDOW
    return max(1, math.ceil((leaves - accounts.now()).total_seconds()))


def login_wait_s(session: Session, email: str, address: str) -> int | None:
    """None when this account may try to sign in from this address now, else seconds to wait."""
    waits = [
        _wait_s(accounts.recent_failures(session, email=email, window=LOGIN_WINDOW), MAX_ACCOUNT_FAILURES),
        _wait_s(
            accounts.recent_failures(session, address=address, window=LOGIN_WINDOW), MAX_ADDRESS_FAILURES
        ),
    ]
    found = [wait for wait in waits if wait is not None]
    return max(found) if found else None


def authenticate(session: Session, email: str, password: str, address: str) -> UserRow:
    """The active user with this email and password, or ``TooManyAttempts`` (429) / 401.

    Every checked attempt is counted in ``login_attempts`` and audited (``login`` or ``login_failed``,
    ids only); an unknown email costs the same argon2 check as a known one.
    """
    wait = login_wait_s(session, email, address)
    if wait is not None:
        raise TooManyAttempts(wait)
    user = accounts.user_by_email(session, email)
    matches = password_matches(user.password_hash if user else _dummy_hash(), password)
    accepted = user if user is not None and user.active and matches else None
    with write_transaction(session):
        accounts.purge_expired(session)
        accounts.record_login_attempt(session, email, address, accepted is not None)
        accounts.audit(
            session,
            clinic_id=user.clinic_id if user else None,
            user_id=user.id if user else None,
            action="login" if accepted else "login_failed",
            record_type="user",
            record_id=user.id if user else None,
        )
    if accepted is None:
        raise HttpError(401, WRONG_CREDENTIALS)
    return accepted


def start_page_session(session: Session, user: UserRow) -> str:
    """A fresh page session of ``user`` (never a reused token: no session fixation); its cookie token."""
    token = new_token()
    with write_transaction(session):
        accounts.start_web_session(session, user.id, token, new_token(), SESSION_LIFETIME)
    return token


def start_api_token(session: Session, user: UserRow) -> str:
    """A fresh bearer token of ``user``, valid for ``API_TOKEN_LIFETIME``."""
    token = new_token()
    with write_transaction(session):
        accounts.issue_api_token(session, user.id, token, API_TOKEN_LIFETIME)
    return token


def safe_next(raw: str | None) -> str:
    """Where to go after signing in: ``raw`` only when it is a path on this site, else the patient list.

    Absolute URLs, scheme-relative ``//host`` and backslash tricks (``/\\host``) are refused, so a
    crafted sign-in link cannot send a person off the site.
    """
    if not raw or not raw.startswith("/") or raw.startswith("//") or "\\" in raw:
        return AFTER_LOGIN
    if any(ord(char) < 32 or ord(char) == 127 for char in raw):
        return AFTER_LOGIN
    parts = urlsplit(raw)
    if parts.scheme or parts.netloc or parts.path.startswith(("/login", "/logout")):
        return AFTER_LOGIN
    return raw


def check_new_user(email: str, password: str, role: str) -> list[str]:
    """What is wrong with a new user's email, password and role (empty when nothing)."""
    problems = []
    cleaned = email.strip()
    if len(cleaned) > 320 or not _EMAIL.fullmatch(cleaned):
        problems.append("email: give an email address such as name@clinic.example")
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append(f"password: use at least {MIN_PASSWORD_LENGTH} characters (a few words work well)")
    elif len(password) > MAX_PASSWORD_LENGTH:
        problems.append(f"password: use at most {MAX_PASSWORD_LENGTH} characters")
    if role not in ROLES:
        problems.append(f"role: choose {' or '.join(ROLES)}")
    return problems


def create_account(
    session: Session, clinic_id: str, email: str, password: str, role: str, *, by: str | None
) -> UserRow:
    """A new active user of ``clinic_id``, audited as created ``by`` a user id (None: the command line).

    422 naming what is wrong with the email, password or role; 409 when the email is taken (emails are
    unique across clinics: one sign-in, one clinic).
    """
    problems = check_new_user(email, password, role)
    if problems:
        raise HttpError(422, "; ".join(problems))
    if accounts.user_by_email(session, email) is not None:
        raise HttpError(409, "A user with this email already exists. Choose another email address.")
    password_hash = hash_password(password)
    try:
        with write_transaction(session):
            user = accounts.create_user(session, clinic_id, email, password_hash, role)
            accounts.audit(
                session,
                clinic_id=clinic_id,
                user_id=by,
                action="create",
                record_type="user",
                record_id=user.id,
            )
    except IntegrityError:
        raise HttpError(409, "A user with this email already exists. Choose another email address.") from None
    return user


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


def csrf_admin(user: Annotated[CurrentUser, Depends(csrf_protected)]) -> CurrentUser:
    """An admin page user whose form post carries the CSRF token; a clinician gets 403."""
    if not user.is_admin:
        raise HttpError(403, "Only a clinic admin can manage users.")
    return user


def login_form_token(request: Request) -> str:
    """The sign-in form's anti-forgery token: the browser's current one, or a new one."""
    current = request.cookies.get(LOGIN_CSRF_COOKIE)
    return current if current and len(current) <= 64 else new_token()


def set_login_form_cookie(response: Response, request: Request, token: str) -> None:
    """The cookie the sign-in form's token must match (HttpOnly, SameSite=Lax, Secure over HTTPS)."""
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        token,
        max_age=int(LOGIN_CSRF_LIFETIME.total_seconds()),
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        path="/login",
    )


def login_form_matches(request: Request, sent: str | None) -> bool:
    """Whether the posted sign-in form carries the token of this browser's sign-in cookie."""
    expected = request.cookies.get(LOGIN_CSRF_COOKIE)
    return bool(sent and expected) and hmac.compare_digest(str(sent), str(expected))


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
CsrfAdmin = Annotated[CurrentUser, Depends(csrf_admin)]
