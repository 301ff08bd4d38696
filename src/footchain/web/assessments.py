"""Assess an intake that arrived over HTTP and store it, with the uploads it names.

Over HTTP, ``files.footprint_images`` and ``files.gait_recordings`` hold the ids that
``POST /api/v1/footprints`` and ``POST /api/v1/gait`` returned, never server paths: the server reads
no file a client names. The stored measurements are merged in as the CLI merges measured files.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from footchain.engine import assess_measured
from footchain.errors import IntakeError
from footchain.intake import parse_intake
from footchain.measure.footprint.result import FootprintResult
from footchain.measure.intake_files import MeasuredIntake, merge_footprints
from footchain.store import repository
from footchain.store.database import write_transaction
from footchain.store.models import UploadRow
from footchain.types import Assessment, GaitInput, Intake

UPLOAD_ROUTES = {"footprint": "POST /api/v1/footprints", "gait": "POST /api/v1/gait"}
KIND_WORDS = {"footprint": "a footprint", "gait": "a gait recording"}
KIND_FIELDS = {"footprint": "footprint_images", "gait": "gait_recordings"}


@dataclass(frozen=True)
class StoredAssessment:
    id: str
    assessment: Assessment
    intake: Intake
    created_at: datetime | None = None


def _uploads(session: Session, ids: list[str], kind: str, field: str) -> list[UploadRow]:
    rows = []
    for index, upload_id in enumerate(ids):
        row = repository.get_upload(session, upload_id)
        if row is not None and row.kind != kind and row.kind in KIND_WORDS:
            raise IntakeError(
                f"files.{field}[{index}]: '{upload_id[:40]}' is the id of {KIND_WORDS[row.kind]}, "
                f"not {KIND_WORDS[kind]}; put it in files.{KIND_FIELDS[row.kind]}."
            )
        if row is None or row.kind != kind:
            raise IntakeError(
                f"files.{field}[{index}]: '{upload_id[:40]}' is not the id of an uploaded {kind} file; "
                f"upload the file to {UPLOAD_ROUTES[kind]} first and put the id it returns here."
            )
        rows.append(row)
    return rows


def measured_intake(session: Session, intake: Intake) -> tuple[MeasuredIntake, list[str]]:
    """The intake with its uploaded footprints merged and its gait results; returns the upload ids too."""
    footprints = _uploads(session, intake.files.footprint_images, "footprint", "footprint_images")
    recordings = _uploads(session, intake.files.gait_recordings, "gait", "gait_recordings")
    notes: list[str] = []
    if footprints:
        results = [(row.filename, FootprintResult.model_validate(row.result)) for row in footprints]
        intake, notes = merge_footprints(intake, results)
    gait = [GaitInput(name=row.filename, result=row.result) for row in recordings]
    ids = [row.id for row in (*footprints, *recordings)]
    return MeasuredIntake(intake=intake, gait=gait, notes=notes), ids


def assess_and_store(session: Session, data: object) -> StoredAssessment:
    """Validate intake JSON, assess it with its uploads, store it and commit; returns the stored record.

    Raises ``IntakeError`` naming each bad field, or an upload id that does not exist or is of the other
    kind. The whole of it runs in one ``write_transaction``: on SQLite, writers of this process queue for
    the database instead of sleeping in its busy handler (the GIL runs the assessment itself one thread
    at a time anyway).
    """
    with write_transaction(session):
        intake = parse_intake(data)
        measured, upload_ids = measured_intake(session, intake)
        assessment = assess_measured(measured)
        stored_intake = measured.intake.model_dump(mode="json", exclude_none=True)
        assessment_id = repository.save_assessment(
            session, stored_intake, assessment.to_json_dict(), upload_ids=upload_ids
        )
    return StoredAssessment(id=assessment_id, assessment=assessment, intake=measured.intake)


def load_stored(session: Session, assessment_id: str) -> StoredAssessment | None:
    """A stored assessment as domain objects, or None when the id is unknown."""
    row = repository.get_assessment(session, assessment_id)
    if row is None:
        return None
    return StoredAssessment(
        id=row.id,
        assessment=Assessment.model_validate(row.result),
        intake=Intake.model_validate(row.intake),
        created_at=row.created_at,
    )
