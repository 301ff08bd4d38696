"""Clinics, users, sign-in sessions, API tokens and the audit log (clinic mode).

Secrets never rest in the database: a session cookie or bearer token is a random token whose SHA-256
is stored, and passwords are argon2id hashes (``footchain.web.auth``). The audit log records ids and
actions only.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from footchain.store.models import ApiTokenRow, AuditRow, ClinicRow, LoginAttemptRow, UserRow, WebSessionRow
from footchain.store.repository import new_id


def now() -> datetime:
    return datetime.now(UTC)


def token_hash(token: str) -> str:
    """The SHA-256 (hex) under which a session or API token is stored."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_clinic(session: Session, name: str) -> ClinicRow:
    row = ClinicRow(id=new_id(), name=name, created_at=now())
    session.add(row)
    session.flush()
    return row


def clinic_by_name(session: Session, name: str) -> ClinicRow | None:
    return session.scalars(select(ClinicRow).where(ClinicRow.name == name)).first()


def create_user(session: Session, clinic_id: str, email: str, password_hash: str, role: str) -> UserRow:
    row = UserRow(
        id=new_id(),
        clinic_id=clinic_id,
        email=email.strip().lower(),
        password_hash=password_hash,
        role=role,
        active=True,
        created_at=now(),
    )
    session.add(row)
    session.flush()
    return row


def user_by_email(session: Session, email: str) -> UserRow | None:
    return session.scalars(select(UserRow).where(UserRow.email == email.strip().lower())).first()


def users_of(session: Session, clinic_id: str) -> list[UserRow]:
    query = select(UserRow).where(UserRow.clinic_id == clinic_id).order_by(UserRow.created_at)
    return list(session.scalars(query))


def start_web_session(
    session: Session, user_id: str, token: str, csrf_token: str, lifetime: timedelta
) -> None:
    """Store a signed-in browser session under the token's hash."""
    start = now()
    session.add(
        WebSessionRow(
            token_hash=token_hash(token),
            user_id=user_id,
            csrf_token=csrf_token,
            created_at=start,
            expires_at=start + lifetime,
        )
    )


def web_session(session: Session, token: str) -> tuple[WebSessionRow, UserRow] | None:
    """The live session of this cookie token and its active user, or None."""
    row = session.get(WebSessionRow, token_hash(token))
    if row is None or row.expires_at <= now():
        return None
    user = session.get(UserRow, row.user_id)
    return (row, user) if user is not None and user.active else None


def end_web_session(session: Session, token: str) -> None:
    session.execute(delete(WebSessionRow).where(WebSessionRow.token_hash == token_hash(token)))


def issue_api_token(session: Session, user_id: str, token: str, lifetime: timedelta) -> None:
    start = now()
    session.add(
        ApiTokenRow(
            token_hash=token_hash(token), user_id=user_id, created_at=start, expires_at=start + lifetime
        )
    )


def api_token_user(session: Session, token: str) -> UserRow | None:
    """The active user of a live bearer token, or None."""
    row = session.get(ApiTokenRow, token_hash(token))
    if row is None or row.expires_at <= now():
        return None
    user = session.get(UserRow, row.user_id)
    return user if user is not None and user.active else None


def audit(
    session: Session,
    *,
    clinic_id: str | None,
    user_id: str | None,
    action: str,
    record_type: str,
    record_id: str | None = None,
) -> None:
    """Record who did what to which record (ids only; never names, emails or health data)."""
    session.add(
        AuditRow(
            at=now(),
            clinic_id=clinic_id,
            user_id=user_id,
            action=action,
            record_type=record_type,
            record_id=record_id,
        )
    )


def set_user_active(session: Session, user: UserRow, active: bool) -> None:
    """Activate or deactivate ``user``; deactivating also ends their page sessions and API tokens."""
    user.active = active
    if not active:
        end_all_sessions(session, user.id)


def end_all_sessions(session: Session, user_id: str) -> None:
    """Sign ``user_id`` out everywhere: every page session and API token of theirs is deleted."""
    session.execute(delete(WebSessionRow).where(WebSessionRow.user_id == user_id))
    session.execute(delete(ApiTokenRow).where(ApiTokenRow.user_id == user_id))


def end_api_token(session: Session, token: str) -> None:
    session.execute(delete(ApiTokenRow).where(ApiTokenRow.token_hash == token_hash(token)))


def purge_expired(session: Session) -> None:
    """Delete expired page sessions and API tokens, and sign-in attempts older than a day."""
    moment = now()
    session.execute(delete(WebSessionRow).where(WebSessionRow.expires_at <= moment))
    session.execute(delete(ApiTokenRow).where(ApiTokenRow.expires_at <= moment))
    session.execute(delete(LoginAttemptRow).where(LoginAttemptRow.at < moment - ATTEMPTS_KEPT))


# Sign-in attempts: kept a day (longer than any rate-limit window), then purged on the next sign-in.
ATTEMPTS_KEPT = timedelta(days=1)


def account_key(email: str) -> str:
    """The rate-limit key of an email address: SHA-256 of it lower-cased (the address itself is not kept)."""
    return hashlib.sha256(email.strip().lower().encode("utf-8")).hexdigest()


def record_login_attempt(session: Session, email: str, address: str, succeeded: bool) -> None:
    session.add(
        LoginAttemptRow(account=account_key(email), address=address[:64], at=now(), succeeded=succeeded)
    )


def _last_success(session: Session, account: str, since: datetime) -> datetime | None:
    query = select(func.max(LoginAttemptRow.at)).where(
        LoginAttemptRow.account == account, LoginAttemptRow.succeeded.is_(True), LoginAttemptRow.at >= since
    )
    found: datetime | None = session.scalar(query)
    if found is not None and found.tzinfo is None:  # SQLite aggregates come back without the type's zone
        found = found.replace(tzinfo=UTC)
    return found


def recent_failures(
    session: Session, *, email: str | None = None, address: str | None = None, window: timedelta
) -> list[datetime]:
    """Times of failed sign-ins in the last ``window``, oldest first: of one account (since its last
    successful sign-in: a success clears the account's count) or from one network address (a success
    does not clear it, so signing in to one's own account cannot reset a guessing run on others)."""
    since = now() - window
    query = select(LoginAttemptRow.at).where(
        LoginAttemptRow.succeeded.is_(False), LoginAttemptRow.at >= since
    )
    if email is not None:
        account = account_key(email)
        last_success = _last_success(session, account, since)
        query = query.where(LoginAttemptRow.account == account)
        if last_success is not None:
            query = query.where(LoginAttemptRow.at > last_success)
    if address is not None:
        query = query.where(LoginAttemptRow.address == address[:64])
    return list(session.scalars(query.order_by(LoginAttemptRow.at)))


def clinic_user(session: Session, clinic_id: str, user_id: str) -> UserRow | None:
    """The user ``user_id`` if they belong to ``clinic_id`` (else None, as for an unknown id)."""
    row = session.get(UserRow, user_id)
    return row if row is not None and row.clinic_id == clinic_id else None
