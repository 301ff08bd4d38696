"""The tables, as SQLAlchemy 2 declarative models. Alembic's migrations create them; keep both in step.

Ids are unguessable random tokens: an anonymous assessment is reachable only through its id.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Dialect, ForeignKey, Integer, LargeBinary, String, TypeDecorator
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
