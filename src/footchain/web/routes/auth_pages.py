"""Sign-in pages and the users page.

- ``GET /login``: the sign-in form (a signed-in browser goes straight on to ``next``).
- ``POST /login`` (email, password, next, login token): a fresh session cookie and 303 to ``next`` when
  it is a path on this site (``web.auth.safe_next``), else to the patient list. Wrong → the form again
  with 401; too many failures → 429 with ``Retry-After``; a form without the token of this browser's
  sign-in cookie → 403 (login CSRF).
- ``POST /logout`` (CSRF): ends the session, 303 to ``/login``.
- ``GET /clinic/users``, ``POST /clinic/users``, ``POST /clinic/users/{id}/active``: an admin lists,
  creates and switches off the users of their clinic (CSRF-checked); a clinician gets a 403 page.

Routes that check passwords are plain ``def``: argon2 runs in a worker thread, not on the event loop.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from footchain.store import accounts
from footchain.store.database import write_transaction
from footchain.web.auth import (
    LOGIN_CSRF_COOKIE,
    MAX_PASSWORD_LENGTH,
    MIN_PASSWORD_LENGTH,
    ROLES,
    SESSION_COOKIE,
    CsrfAdmin,
    CsrfUser,
    CurrentUser,
    PageAdmin,
    TooManyAttempts,
    authenticate,
    client_address,
    create_account,
    login_form_matches,
    login_form_token,
    safe_next,
    set_login_form_cookie,
    set_session_cookie,
    start_page_session,
)
from footchain.web.dependencies import DbSession
from footchain.web.errors import HttpError
from footchain.web.routes.api_auth import UserChange, change_user
from footchain.web.templating import TEMPLATES

router = APIRouter(tags=["sign-in pages"], include_in_schema=False)

FORM_EXPIRED = "This sign-in form has expired (or did not come from footchain). Please sign in again."
SIGNED_OUT = "You are signed out."


def _login_page(
    request: Request,
    *,
    next_path: str,
    email: str = "",
    error: str | None = None,
    notice: str | None = None,
    status: int = 200,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    token = login_form_token(request)
    context = {"next": next_path, "email": email, "error": error, "notice": notice, "form_token": token}
    response = TEMPLATES.TemplateResponse(
        request, "auth/login.html.j2", context, status_code=status, headers=headers
    )
    set_login_form_cookie(response, request, token)
    response.headers["Cache-Control"] = "no-store"
    return response


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, session: DbSession, next: str | None = None, out: int = 0) -> Response:
    """The sign-in form; already signed in → on to where the person was going."""
    token = request.cookies.get(SESSION_COOKIE)
    if token and accounts.web_session(session, token) is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return _login_page(request, next_path=safe_next(next), notice=SIGNED_OUT if out else None)


@router.post("/login", response_class=HTMLResponse)
def login(
    request: Request,
    session: DbSession,
    email: Annotated[str, Form(max_length=320)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    next: Annotated[str, Form(max_length=2000)] = "",
    form_token: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    """Check the email and password; start a fresh session (any old one of this browser is ended)."""
    target = safe_next(next)
    if not login_form_matches(request, form_token):
        return _login_page(request, next_path=target, email=email, error=FORM_EXPIRED, status=403)
    if not email.strip() or not password:
        return _login_page(
            request, next_path=target, email=email, error="Enter your email and password.", status=422
        )
    try:
        user = authenticate(session, email, password, client_address(request))
    except TooManyAttempts as exc:
        return _login_page(
            request, next_path=target, email=email, error=str(exc), status=429, headers=exc.headers
        )
    except HttpError as exc:
        return _login_page(request, next_path=target, email=email, error=str(exc), status=exc.status_code)
    old = request.cookies.get(SESSION_COOKIE)
    if old:
        with write_transaction(session):
            accounts.end_web_session(session, old)
    response = RedirectResponse(target, status_code=303)
    set_session_cookie(response, request, start_page_session(session, user))
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
    return response


@router.post("/logout")
def logout(request: Request, user: CsrfUser, session: DbSession) -> Response:
    """End this browser's session and go back to the sign-in page."""
    with write_transaction(session):
        accounts.end_web_session(session, request.cookies.get(SESSION_COOKIE, ""))
        accounts.audit(
            session,
            clinic_id=user.clinic_id,
            user_id=user.id,
            action="logout",
            record_type="user",
            record_id=user.id,
        )
    response = RedirectResponse("/login?out=1", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


def _users_page(
    request: Request,
    session: DbSession,
    user: CurrentUser,
    *,
    form: dict[str, str] | None = None,
    error: str | None = None,
    notice: str | None = None,
    status: int = 200,
) -> HTMLResponse:
    context: dict[str, Any] = {
        "user": user,
        "users": accounts.users_of(session, user.clinic_id),
        "roles": ROLES,
        "form": form or {"email": "", "role": "clinician"},
        "error": error,
        "notice": notice,
        "min_password": MIN_PASSWORD_LENGTH,
        "max_password": MAX_PASSWORD_LENGTH,
    }
    response = TEMPLATES.TemplateResponse(request, "clinic/users.html.j2", context, status_code=status)
    response.headers["Cache-Control"] = "no-store"
    return response


NOTICES = {"created": "The user was created. They can sign in now.", "changed": "The user was updated."}


@router.get("/clinic/users", response_class=HTMLResponse)
def users_page(request: Request, admin: PageAdmin, session: DbSession, done: str = "") -> HTMLResponse:
    """The clinic's users and a form to add one (admins only)."""
    return _users_page(request, session, admin, notice=NOTICES.get(done))


@router.post("/clinic/users", response_class=HTMLResponse)
def create_user_from_page(
    request: Request,
    admin: CsrfAdmin,
    session: DbSession,
    email: Annotated[str, Form(max_length=320)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    role: Annotated[str, Form(max_length=20)] = "clinician",
) -> Response:
    """Create a clinician or admin of the admin's clinic; problems are shown on the form."""
    try:
        create_account(session, admin.clinic_id, email, password, role, by=admin.id)
    except HttpError as exc:
        form = {"email": email, "role": role}
        return _users_page(request, session, admin, form=form, error=str(exc), status=exc.status_code)
    return RedirectResponse("/clinic/users?done=created", status_code=303)


@router.post("/clinic/users/{user_id}/active")
def set_active_from_page(
    user_id: str,
    admin: CsrfAdmin,
    session: DbSession,
    active: Annotated[str, Form(max_length=5)] = "",
) -> Response:
    """Switch a user off (signs them out everywhere) or back on."""
    change_user(session, admin.id, admin.clinic_id, user_id, UserChange(active=active == "1"))
    return RedirectResponse("/clinic/users?done=changed", status_code=303)
