"""Reading and writing footchain's records. Every function takes an open ``Session``; callers commit.

Ids come from ``secrets.token_urlsafe``: 24 random bytes, 32 characters, far beyond guessing.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from footchain.store.models import AssessmentRow, DraftRow, UploadRow


def new_id() -> str:
    """An unguessable id (192 random bits)."""
    return secrets.token_urlsafe(24)


def _now() -> datetime:
    return datetime.now(UTC)


def save_assessment(
    session: Session, intake: dict[str, Any], result: dict[str, Any], upload_ids: Sequence[str] = ()
) -> str:
    """Store an assessment (intake as assessed + contract JSON) and link the uploads it used."""
    row = AssessmentRow(id=new_id(), created_at=_now(), intake=intake, result=result)
    session.add(row)
    session.flush()
    if upload_ids:
        session.execute(update(UploadRow).where(UploadRow.id.in_(upload_ids)).values(assessment_id=row.id))
    return row.id


def get_assessment(session: Session, assessment_id: str) -> AssessmentRow | None:
    """The assessment with this id, or None."""
    return session.get(AssessmentRow, assessment_id)


def uploads_of(session: Session, assessment_id: str) -> list[UploadRow]:
    """The uploads an assessment used, oldest first."""
    query = select(UploadRow).where(UploadRow.assessment_id == assessment_id).order_by(UploadRow.created_at)
    return list(session.scalars(query))


def save_upload(
    session: Session,
    *,
    kind: str,
    filename: str,
    media_type: str,
    content: bytes,
    result: dict[str, Any],
    overlay_png: bytes | None = None,
    figures: dict[str, str] | None = None,
) -> str:
    """Store an analysed upload and its pictures; returns its id."""
    row = UploadRow(
        id=new_id(),
        created_at=_now(),
        kind=kind,
        filename=filename[:255],
        media_type=media_type,
        size_bytes=len(content),
        content=content,
        result=result,
        overlay_png=overlay_png,
        figures=figures or {},
    )
    session.add(row)
    session.flush()
    return row.id


def get_upload(session: Session, upload_id: str, kind: str | None = None) -> UploadRow | None:
    """The upload with this id (and of this kind, when given), or None."""
    row = session.get(UploadRow, upload_id)
    return row if row is not None and (kind is None or row.kind == kind) else None


def create_draft(session: Session) -> str:
    """A new, empty self-assessment draft; returns its id."""
    now = _now()
    row = DraftRow(id=new_id(), created_at=now, updated_at=now, answers={})
    session.add(row)
    session.flush()
    return row.id


def get_draft(session: Session, draft_id: str) -> DraftRow | None:
    """The draft with this id, or None."""
    return session.get(DraftRow, draft_id)


def update_draft(session: Session, draft_id: str, answers: dict[str, Any]) -> None:
    """Replace a draft's answers (the caller merges step answers into the previous ones)."""
    session.execute(
        update(DraftRow).where(DraftRow.id == draft_id).values(answers=answers, updated_at=_now())
    )
