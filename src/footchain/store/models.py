"""The tables, as SQLAlchemy 2 declarative models. Alembic's migrations create them; keep both in step.

Ids are unguessable random tokens: an anonymous assessment is reachable only through its id.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

ID_LENGTH = 32


class Base(DeclarativeBase):
    pass


class AssessmentRow(Base):
    """One assessment: the intake as assessed (measured footprint values merged in) and its result."""

    __tablename__ = "assessments"

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    intake: Mapped[dict[str, Any]] = mapped_column(JSON)
    result: Mapped[dict[str, Any]] = mapped_column(JSON)


class UploadRow(Base):
    """An uploaded footprint image or gait recording, its measurement and its pictures."""

    __tablename__ = "uploads"

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
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
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    answers: Mapped[dict[str, Any]] = mapped_column(JSON)
