"""A clinic's patients, their visits and the visits' files (clinic mode).

Every function that reads or changes a clinic record takes the caller's ``clinic_id`` and filters on
it, so a record of another clinic looks exactly like one that does not exist (``None``). The visit
files are also the background analysis queue: ``claim_next_file`` moves one ``queued`` row to
``running`` with a conditional UPDATE, so several app servers (or threads) never measure the same file
twice. Callers commit (``write_transaction``).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import CursorResult, delete, func, select, update
from sqlalchemy.orm import Session

from footchain.store.accounts import now
from footchain.store.models import GearRow, PatientRow, VisitFileRow, VisitRow
from footchain.store.repository import new_id

FILE_STATES = ("queued", "running", "done", "failed")
SEARCH_LIMIT = 200


def _rowcount(result: object) -> int:
    return result.rowcount if isinstance(result, CursorResult) else 0


# Patients


def create_patient(
    session: Session, clinic_id: str, *, name: str, birth_year: int, details: dict[str, Any]
) -> PatientRow:
    moment = now()
    row = PatientRow(
        id=new_id(),
        clinic_id=clinic_id,
        name=name,
        birth_year=birth_year,
        details=details,
        created_at=moment,
        updated_at=moment,
    )
    session.add(row)
    session.flush()
    return row


def get_patient(session: Session, clinic_id: str, patient_id: str) -> PatientRow | None:
    """The clinic's patient with this id, or None (unknown id or another clinic's patient)."""
    query = select(PatientRow).where(PatientRow.id == patient_id, PatientRow.clinic_id == clinic_id)
    return session.scalars(query).first()


def search_patients(session: Session, clinic_id: str, text: str = "") -> list[PatientRow]:
    """The clinic's patients whose name contains ``text`` (any case), by name; all when ``text`` is empty."""
    query = select(PatientRow).where(PatientRow.clinic_id == clinic_id)
    words = text.strip().lower()
    if words:
        escaped = words.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(func.lower(PatientRow.name).like(f"%{escaped}%", escape="\\"))
    return list(
        session.scalars(query.order_by(func.lower(PatientRow.name), PatientRow.id).limit(SEARCH_LIMIT))
    )


def update_patient(session: Session, row: PatientRow, changes: dict[str, Any]) -> PatientRow:
    """Apply ``changes`` (name, birth_year, and detail fields; a detail set to None is removed)."""
    details = dict(row.details)
    for key, value in changes.items():
        if key in ("name", "birth_year"):
            setattr(row, key, value)
        elif value is None:
            details.pop(key, None)
        else:
            details[key] = value
    row.details = details
    row.updated_at = now()
    session.flush()
    return row


def delete_patient(session: Session, clinic_id: str, patient_id: str) -> bool:
    """Delete the patient with every visit, visit file and gear record (real deletion); whether one was.

    The children are deleted explicitly as well as by ``ON DELETE CASCADE``, so deletion never depends on
    a connection's foreign-key setting.
    """
    if get_patient(session, clinic_id, patient_id) is None:
        return False
    visit_ids = select(VisitRow.id).where(VisitRow.patient_id == patient_id, VisitRow.clinic_id == clinic_id)
    session.execute(
        delete(VisitFileRow).where(VisitFileRow.clinic_id == clinic_id, VisitFileRow.visit_id.in_(visit_ids))
    )
    session.execute(
        delete(VisitRow).where(VisitRow.clinic_id == clinic_id, VisitRow.patient_id == patient_id)
    )
    session.execute(delete(GearRow).where(GearRow.clinic_id == clinic_id, GearRow.patient_id == patient_id))
    deleted = session.execute(
        delete(PatientRow).where(PatientRow.clinic_id == clinic_id, PatientRow.id == patient_id)
    )
    session.expunge_all()
    return _rowcount(deleted) > 0


# Visits


def create_visit(
    session: Session,
    clinic_id: str,
    patient_id: str,
    *,
    visited_on: date,
    kind: str,
    intake: dict[str, Any],
    pain_score: int | None,
    psfs: list[dict[str, Any]],
    created_by: str | None,
) -> VisitRow:
    moment = now()
    row = VisitRow(
        id=new_id(),
        clinic_id=clinic_id,
        patient_id=patient_id,
        visited_on=visited_on,
        kind=kind,
        intake=intake,
        assessment=None,
        pain_score=pain_score,
        psfs=psfs,
        created_by=created_by,
        created_at=moment,
        updated_at=moment,
    )
    session.add(row)
    session.flush()
    return row


def get_visit(session: Session, clinic_id: str, visit_id: str) -> VisitRow | None:
    """The clinic's visit with this id, or None."""
    query = select(VisitRow).where(VisitRow.id == visit_id, VisitRow.clinic_id == clinic_id)
    return session.scalars(query).first()


def visits_of(session: Session, clinic_id: str, patient_id: str) -> list[VisitRow]:
    """The patient's visits, oldest first (by visit date, then by when they were recorded)."""
    query = (
        select(VisitRow)
        .where(VisitRow.clinic_id == clinic_id, VisitRow.patient_id == patient_id)
        .order_by(VisitRow.visited_on, VisitRow.created_at, VisitRow.id)
    )
    return list(session.scalars(query))


def gear_of(session: Session, clinic_id: str, patient_id: str) -> list[GearRow]:
    """The patient's shoes, insoles and top covers, oldest first (read by the export)."""
    query = (
        select(GearRow)
        .where(GearRow.clinic_id == clinic_id, GearRow.patient_id == patient_id)
        .order_by(GearRow.started_on, GearRow.created_at)
    )
    return list(session.scalars(query))


# Visit files: the analysis queue


def add_visit_file(
    session: Session,
    clinic_id: str,
    visit_id: str,
    *,
    kind: str,
    filename: str,
    media_type: str,
    content: bytes,
) -> VisitFileRow:
    """Store an uploaded file of a visit as ``queued`` for the background analysis."""
    row = VisitFileRow(
        id=new_id(),
        clinic_id=clinic_id,
        visit_id=visit_id,
        kind=kind,
        filename=filename,
        media_type=media_type,
        size_bytes=len(content),
        content=content,
        status="queued",
        error=None,
        result=None,
        overlay_png=None,
        figures={},
        created_at=now(),
    )
    session.add(row)
    session.flush()
    return row


def get_visit_file(session: Session, clinic_id: str, visit_id: str, file_id: str) -> VisitFileRow | None:
    """The clinic's file with this id, of this visit, or None."""
    query = select(VisitFileRow).where(
        VisitFileRow.id == file_id, VisitFileRow.visit_id == visit_id, VisitFileRow.clinic_id == clinic_id
    )
    return session.scalars(query).first()


def files_of(session: Session, clinic_id: str, visit_id: str) -> list[VisitFileRow]:
    """The visit's files, in upload order."""
    query = (
        select(VisitFileRow)
        .where(VisitFileRow.clinic_id == clinic_id, VisitFileRow.visit_id == visit_id)
        .order_by(VisitFileRow.created_at, VisitFileRow.id)
    )
    return list(session.scalars(query))


def claim_next_file(session: Session) -> str | None:
    """Claim the oldest queued file of any clinic for measuring: its id, or None when none is queued.

    The claim is ``UPDATE … SET status='running' WHERE id=:id AND status='queued'``: when two workers pick
    the same row, only one UPDATE changes it and the other tries the next row. The caller commits.
    This is the one function not scoped to a clinic: the worker serves every clinic on the server.
    """
    for _attempt in range(5):
        candidate = session.scalars(
            select(VisitFileRow.id)
            .where(VisitFileRow.status == "queued")
            .order_by(VisitFileRow.created_at, VisitFileRow.id)
            .limit(1)
        ).first()
        if candidate is None:
            return None
        claimed = session.execute(
            update(VisitFileRow)
            .where(VisitFileRow.id == candidate, VisitFileRow.status == "queued")
            .values(status="running", started_at=now())
        )
        if _rowcount(claimed) == 1:
            return candidate
    return None


def still_running(session: Session, file_id: str) -> None:
    """The measuring worker's heartbeat: a running file's ``started_at`` becomes now, so that
    :func:`requeue_stale` leaves it alone while its worker lives. The caller commits."""
    session.execute(
        update(VisitFileRow)
        .where(VisitFileRow.id == file_id, VisitFileRow.status == "running")
        .values(started_at=now())
    )


def requeue_stale(session: Session, older_than: timedelta) -> int:
    """Put files back in the queue whose worker has given no sign of life (:func:`still_running`) for
    longer than ``older_than``: its server was stopped or killed mid-way. Returns how many."""
    cutoff: datetime = now() - older_than
    result = session.execute(
        update(VisitFileRow)
        .where(VisitFileRow.status == "running", VisitFileRow.started_at < cutoff)
        .values(status="queued", started_at=None)
    )
    return _rowcount(result)
