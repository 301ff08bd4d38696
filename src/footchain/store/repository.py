"""Reading and writing footchain's records. Every function takes an open ``Session``; callers commit.

Ids come from ``secrets.token_urlsafe``: 24 random bytes, 32 characters, far beyond guessing.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import CursorResult, Delete, delete, select, update
from sqlalchemy.orm import Session

from footchain.store.models import AssessmentRow, DraftRow, UploadRow

CHUNK = 500  # ids per IN (...) list when deleting many rows


def _delete(session: Session, statement: Delete) -> int:
    """Run a DELETE; returns how many rows it deleted."""
    result = session.execute(statement)
    return result.rowcount if isinstance(result, CursorResult) else 0


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


def uploads_named(session: Session, upload_ids: Sequence[str], kind: str | None = None) -> list[UploadRow]:
    """The uploads with these ids (of this kind, when given), in the order named; unknown ids are left out.

    The results pages read an assessment's uploads through the ids in its stored intake, because one
    upload may be used by several assessments while ``UploadRow.assessment_id`` names only the latest.
    """
    wanted = list(dict.fromkeys(upload_ids))
    if not wanted:
        return []
    query = select(UploadRow).where(UploadRow.id.in_(wanted))
    if kind is not None:
        query = query.where(UploadRow.kind == kind)
    found = {row.id: row for row in session.scalars(query)}
    return [found[upload_id] for upload_id in wanted if upload_id in found]


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


def delete_upload(session: Session, upload_id: str) -> bool:
    """Delete the upload with this id; returns whether there was one."""
    return _delete(session, delete(UploadRow).where(UploadRow.id == upload_id)) > 0


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


def delete_draft(session: Session, draft_id: str) -> bool:
    """Delete the draft with this id; returns whether there was one. Its uploads are left alone."""
    return _delete(session, delete(DraftRow).where(DraftRow.id == draft_id)) > 0


def expire_drafts(session: Session, older_than: timedelta) -> int:
    """Delete the drafts not updated for ``older_than``, with their uploads that no assessment used.

    A draft left unfinished that long is abandoned; its photos and recordings would otherwise stay
    stored with no way to reach them. Returns how many drafts were deleted.
    """
    cutoff = _now() - older_than
    expired = session.execute(select(DraftRow.id, DraftRow.answers).where(DraftRow.updated_at < cutoff)).all()
    if not expired:
        return 0
    deleted = 0
    upload_ids = [
        upload_id
        for _draft_id, answers in expired
        for ids in (answers.get("files") or {}).values()
        if isinstance(ids, list)
        for upload_id in ids
        if isinstance(upload_id, str)
    ]
    draft_ids = [draft_id for draft_id, _answers in expired]
    for start in range(0, max(len(upload_ids), len(draft_ids)), CHUNK):
        if upload_ids[start : start + CHUNK]:
            session.execute(
                delete(UploadRow).where(
                    UploadRow.id.in_(upload_ids[start : start + CHUNK]), UploadRow.assessment_id.is_(None)
                )
            )
        if draft_ids[start : start + CHUNK]:
            deleted += _delete(  # updated_at again: a draft saved since the select above stays
                session,
                delete(DraftRow).where(
                    DraftRow.id.in_(draft_ids[start : start + CHUNK]), DraftRow.updated_at < cutoff
                ),
            )
    return deleted
