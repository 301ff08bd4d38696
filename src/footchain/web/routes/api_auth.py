"""Sign-in for the API and user management, under ``/api/v1``.

- ``POST /auth/login`` ``{"email", "password"}`` → ``{"access_token", "token_type": "bearer",
  "expires_in"}``; wrong → 401; too many failures (``web.auth`` rate limits) → 429 with ``Retry-After``.
- ``POST /auth/logout``: the bearer token stops working at once (204).
- ``GET /auth/me``: who the token belongs to (id, clinic, role).
- ``GET /users``, ``POST /users`` ``{"email", "password", "role"}``, ``PATCH /users/{id}``
  ``{"active"?, "role"?}``: a clinic admin lists, creates and switches off the users of their own clinic;
  a clinician gets 403, another clinic's user 404.

Password checks (argon2) are slow on purpose: these routes are plain ``def``, run in worker threads.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field

from footchain.store import accounts
from footchain.store.database import write_transaction
from footchain.store.models import UserRow
from footchain.web.auth import (
    API_TOKEN_LIFETIME,
    ROLES,
    ApiAdmin,
    ApiUser,
    authenticate,
    client_address,
    create_account,
    start_api_token,
)
from footchain.web.dependencies import DbSession
from footchain.web.errors import HttpError

router = APIRouter(tags=["accounts"])

USER_NOT_FOUND = "No user of your clinic has this id."


class LoginRequest(BaseModel):
    email: str = Field(max_length=320)
    password: str = Field(max_length=1024)


class NewUser(BaseModel):
    email: str = Field(max_length=320)
    password: str = Field(max_length=1024)
    role: str = Field(description=f"One of {', '.join(ROLES)}.")


class UserChange(BaseModel):
    active: bool | None = None
    role: str | None = None


def user_json(user: UserRow) -> dict[str, Any]:
    created: datetime = user.created_at
    return {
        "id": user.id,
        "email": user.email,
        "role": user.role,
        "active": user.active,
        "created_at": created.isoformat(),
    }


@router.post(
    "/auth/login",
    responses={
        401: {"description": "Wrong email or password (the same answer for an unknown email)."},
        429: {
            "description": "Too many wrong passwords in a row; wait before trying again.",
            "headers": {"Retry-After": {"description": "Seconds to wait.", "schema": {"type": "integer"}}},
        },
    },
)
def api_login(body: LoginRequest, request: Request, session: DbSession) -> dict[str, Any]:
    """A bearer token for the API: send it as ``Authorization: Bearer <access_token>``."""
    user = authenticate(session, body.email, body.password, client_address(request))
    token = start_api_token(session, user)
    return {
        "access_token": token,
        "token_type": "bearer",
        "expires_in": int(API_TOKEN_LIFETIME.total_seconds()),
    }


@router.post("/auth/logout", status_code=204)
def api_logout(request: Request, user: ApiUser, session: DbSession) -> Response:
    """End this bearer token (the user's other tokens and page sessions stay)."""
    token = request.headers.get("authorization", "").partition(" ")[2].strip()
    with write_transaction(session):
        accounts.end_api_token(session, token)
        accounts.audit(
            session,
            clinic_id=user.clinic_id,
            user_id=user.id,
            action="logout",
            record_type="user",
            record_id=user.id,
        )
    return Response(status_code=204)


@router.get("/auth/me")
def api_me(user: ApiUser) -> dict[str, Any]:
    """Who this token signs in: user id, clinic id and role."""
    return {"id": user.id, "clinic_id": user.clinic_id, "role": user.role}


@router.get("/users")
def list_users(admin: ApiAdmin, session: DbSession) -> list[dict[str, Any]]:
    """The users of the admin's clinic, oldest first."""
    return [user_json(user) for user in accounts.users_of(session, admin.clinic_id)]


@router.post("/users", status_code=201)
def add_user(body: NewUser, admin: ApiAdmin, session: DbSession) -> dict[str, Any]:
    """A new clinician or admin of the admin's own clinic."""
    user = create_account(session, admin.clinic_id, body.email, body.password, body.role, by=admin.id)
    return user_json(user)


def change_user(
    session: DbSession, admin_id: str, clinic_id: str, user_id: str, change: UserChange
) -> UserRow:
    """Switch a user of the clinic on or off, or change their role (not one's own: no lock-out)."""
    user = accounts.clinic_user(session, clinic_id, user_id)
    if user is None:
        raise HttpError(404, USER_NOT_FOUND)
    if change.role is not None and change.role not in ROLES:
        raise HttpError(422, f"role: choose {' or '.join(ROLES)}")
    if user.id == admin_id and (change.active is False or change.role not in (None, "admin")):
        raise HttpError(
            409, "You cannot switch off your own account or give up your own admin role: ask another admin."
        )
    with write_transaction(session):
        if change.role is not None:
            user.role = change.role
        if change.active is not None:
            accounts.set_user_active(session, user, change.active)
        accounts.audit(
            session,
            clinic_id=clinic_id,
            user_id=admin_id,
            action="update",
            record_type="user",
            record_id=user.id,
        )
    return user


@router.patch("/users/{user_id}")
def patch_user(user_id: str, body: UserChange, admin: ApiAdmin, session: DbSession) -> dict[str, Any]:
    """Switch a user off (``"active": false`` also signs them out everywhere) or on, or change the role."""
    return user_json(change_user(session, admin.id, admin.clinic_id, user_id, body))
