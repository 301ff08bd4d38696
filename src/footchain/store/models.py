"""The tables, as SQLAlchemy 2 declarative models. Alembic's migrations create them; keep both in step.

Ids are unguessable random tokens: an anonymous assessment is reachable only through its id.

Clinic mode: every clinic record (patient, visit, visit file, gear) carries its ``clinic_id``, and every
query for one filters on it, so a record is visible only to its clinic. Deleting a patient deletes their
visits, files and gear (``ON DELETE CASCADE``): deletions are real. The audit log keeps ids and actions
only, never health data, and outlives what it records.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    TypeDecorator,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

ID_LENGTH = 32


class UtcDateTime(TypeDecorator[datetime]):
    """A moment in UTC, timezone-aware on every backend.

    PostgreSQL keeps the zone (``timestamptz``); SQLite keeps none, so times are stored as UTC and come
    back marked as UTC instead of naive.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("footchain stores timezone-aware times only")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    pass


class AssessmentRow(Base):
    """One assessment: the intake as assessed (measured footprint values merged in) and its result."""

    __tablename__ = "assessments"

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    intake: Mapped[dict[str, Any]] = mapped_column(JSON)
    result: Mapped[dict[str, Any]] = mapped_column(JSON)


class UploadRow(Base):
    """An uploaded footprint image or gait recording, its measurement and its pictures."""

    __tablename__ = "uploads"

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    kind: Mapped[str] = mapped_column(String(16))  # footprint | gait
    filename: Mapped[str] = mapped_column(String(255))
    media_type: Mapped[str] = mapped_column(String(100))  # sniffed from the content
    size_bytes: Mapped[int] = mapped_column(Integer)
    content: Mapped[bytes] = mapped_column(LargeBinary)
    result: Mapped[dict[str, Any]] = mapped_column(JSON)  # the measurement contract
    overlay_png: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    figures: Mapped[dict[str, Any]] = mapped_column(JSON)  # figure name → SVG text
    assessment_id: Mapped[str | None] = mapped_column(
        String(ID_LENGTH), ForeignKey("assessments.id", ondelete="SET NULL"), nullable=True, index=True
    )


class DraftRow(Base):
    """The answers of a self-assessment in progress, so that they survive a reload."""

    __tablename__ = "drafts"

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())
    answers: Mapped[dict[str, Any]] = mapped_column(JSON)


def _clinic_fk() -> Mapped[str]:
    return mapped_column(String(ID_LENGTH), ForeignKey("clinics.id", ondelete="CASCADE"), index=True)


class ClinicRow(Base):
    """A clinic or fitter's shop: the owner of its users and records."""

    __tablename__ = "clinics"

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class UserRow(Base):
    """A person who works in a clinic: ``admin`` (manages users) or ``clinician``."""

    __tablename__ = "users"

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    clinic_id: Mapped[str] = _clinic_fk()
    email: Mapped[str] = mapped_column(String(320), unique=True)  # stored lower-cased
    password_hash: Mapped[str] = mapped_column(String(200))  # argon2id
    role: Mapped[str] = mapped_column(String(16))  # admin | clinician
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class WebSessionRow(Base):
    """A signed-in browser: the cookie holds a random token, the table only its SHA-256."""

    __tablename__ = "web_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(
        String(ID_LENGTH), ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())


class ApiTokenRow(Base):
    """A bearer token for the API (``POST /api/v1/auth/login``); only its SHA-256 is kept."""

    __tablename__ = "api_tokens"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(
        String(ID_LENGTH), ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())


class LoginAttemptRow(Base):
    """One sign-in attempt, for rate limiting per account and per address (no email kept: its SHA-256)."""

    __tablename__ = "login_attempts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    account: Mapped[str] = mapped_column(String(64), index=True)  # SHA-256 of the lower-cased email
    address: Mapped[str] = mapped_column(String(64), index=True)  # the client's network address
    at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    succeeded: Mapped[bool] = mapped_column(Boolean)


class PatientRow(Base):
    """A clinic's patient: a name and a birth year are enough; more in ``details``."""

    __tablename__ = "patients"

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    clinic_id: Mapped[str] = _clinic_fk()
    name: Mapped[str] = mapped_column(String(200))
    birth_year: Mapped[int] = mapped_column(Integer)
    details: Mapped[dict[str, Any]] = mapped_column(JSON)  # optional: sex, email, phone, notes, reference
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())


class VisitRow(Base):
    """A visit: the intake (FPI-6 in ``feet.fpi6``), its assessment and plan, and the outcome scores.

    ``kind`` is ``assessment`` for a visit that assesses, ``follow_up`` for one that mainly records how
    the person is doing. Pain (0–10, NPRS) and the Patient-Specific Functional Scale (up to five
    activities rated 0–10) are the outcomes compared over visits (domain.md §7).
    """

    __tablename__ = "visits"

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    clinic_id: Mapped[str] = _clinic_fk()
    patient_id: Mapped[str] = mapped_column(
        String(ID_LENGTH), ForeignKey("patients.id", ondelete="CASCADE"), index=True
    )
    visited_on: Mapped[date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(16))  # assessment | follow_up
    intake: Mapped[dict[str, Any]] = mapped_column(JSON)  # intake schema v1 ({} for a bare follow-up)
    assessment: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)  # the contract
    pain_score: Mapped[int | None] = mapped_column(Integer, nullable=True)  # 0–10
    psfs: Mapped[list[Any]] = mapped_column(JSON)  # [{"activity": str, "score": 0–10}], at most 5
    created_by: Mapped[str | None] = mapped_column(
        String(ID_LENGTH), ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())


class VisitFileRow(Base):
    """A footprint image or gait recording of a visit; measured in the background (a queue table).

    ``status`` goes ``queued`` → ``running`` → ``done`` or ``failed`` (with ``error``, the clear message
    the command line would print). Any app server may claim queued files, so the queue survives restarts
    and several servers share it.
    """

    __tablename__ = "visit_files"

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    clinic_id: Mapped[str] = _clinic_fk()
    visit_id: Mapped[str] = mapped_column(
        String(ID_LENGTH), ForeignKey("visits.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))  # footprint | gait
    filename: Mapped[str] = mapped_column(String(255))
    media_type: Mapped[str] = mapped_column(String(100))
    size_bytes: Mapped[int] = mapped_column(Integer)
    content: Mapped[bytes] = mapped_column(LargeBinary)
    status: Mapped[str] = mapped_column(String(16), index=True)  # queued | running | done | failed
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)  # measurement contract
    overlay_png: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    figures: Mapped[dict[str, Any]] = mapped_column(JSON)  # figure name → SVG text
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    started_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)


class GearRow(Base):
    """Shoes, insoles or top covers a patient uses, for replacement and wear-check reminders (§8)."""

    __tablename__ = "gear"

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    clinic_id: Mapped[str] = _clinic_fk()
    patient_id: Mapped[str] = mapped_column(
        String(ID_LENGTH), ForeignKey("patients.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))  # shoes | insoles | top_cover
    name: Mapped[str] = mapped_column(String(200))
    started_on: Mapped[date] = mapped_column(Date)
    distance_km: Mapped[float | None] = mapped_column(Float, nullable=True)  # worn so far, as reported
    hours_worn: Mapped[float | None] = mapped_column(Float, nullable=True)
    wear_checked_on: Mapped[date | None] = mapped_column(Date, nullable=True)  # shoe wear last checked
    retired_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())


class AuditRow(Base):
    """Who viewed or changed what, when: ids and actions only, never names or health data."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    clinic_id: Mapped[str | None] = mapped_column(String(ID_LENGTH), nullable=True, index=True)
    user_id: Mapped[str | None] = mapped_column(String(ID_LENGTH), nullable=True)
    action: Mapped[str] = mapped_column(
        String(32)
    )  # login, login_failed, logout, view, create, update, delete, export
    record_type: Mapped[str] = mapped_column(String(32))  # clinic, user, patient, visit, visit_file, gear
    record_id: Mapped[str | None] = mapped_column(String(ID_LENGTH), nullable=True)
