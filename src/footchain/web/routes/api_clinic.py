"""Clinic API: patients, visits, visit files (measured in the background) and the patient's record export.

Every route needs a bearer token (``ApiUser``) and reads or writes only the records of the caller's
clinic: an id of another clinic's record gets the same 404 as an id that does not exist. Every view,
change, deletion and export is written to the audit log (ids and actions only). The functions below the
routes' models (``register_patient``, ``record_visit``, …) are shared with the clinic pages.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from footchain.errors import IntakeError
from footchain.intake import parse_intake
from footchain.store import accounts, patients
from footchain.store.database import write_transaction
from footchain.store.models import PatientRow, VisitFileRow, VisitRow
from footchain.web.auth import ApiUser, CurrentUser
from footchain.web.dependencies import DbSession
from footchain.web.errors import HttpError
from footchain.web.uploads import DESCRIPTIONS, FOOTPRINT_TYPES, GAIT_TYPES, GAIT_WANTED, HEIC_ADVICE, sniff
from footchain.web.worker import lock_visit, reassess_visit, visit_assessment

router = APIRouter(tags=["clinic"])

NO_PATIENT = (
    "No patient of your clinic has this id. Check that the whole id was copied (ids are 32 characters)."
)
NO_VISIT = "No visit of your clinic has this id. Check that the whole id was copied (ids are 32 characters)."
NO_FILE = "This visit has no file with this id. Check the id that POST /api/v1/visits/{id}/files returned."
FILE_KINDS = ("footprint", "gait")
WANTED = {
    "footprint": (FOOTPRINT_TYPES, "a footprint photo, scan or pressure export"),
    "gait": (GAIT_TYPES, GAIT_WANTED),
}
MAX_PSFS = 5


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


def _birth_year_ok(value: int | None) -> int | None:
    if value is not None and value > date.today().year:
        raise ValueError(f"the birth year {value} is in the future")
    return value


class PatientIn(_Strict):
    """A new patient: a name and a birth year are enough."""

    name: str = Field(min_length=1, max_length=200)
    birth_year: int = Field(ge=1900)
    sex: Literal["female", "male", "other"] | None = None
    email: str | None = Field(default=None, max_length=320)
    phone: str | None = Field(default=None, max_length=50)
    notes: str | None = Field(default=None, max_length=5000)
    reference: str | None = Field(default=None, max_length=100)

    _year = field_validator("birth_year")(_birth_year_ok)


class PatientPatch(_Strict):
    """Fields to change; a detail field sent as null is removed."""

    name: str | None = Field(default=None, min_length=1, max_length=200)
    birth_year: int | None = Field(default=None, ge=1900)
    sex: Literal["female", "male", "other"] | None = None
    email: str | None = Field(default=None, max_length=320)
    phone: str | None = Field(default=None, max_length=50)
    notes: str | None = Field(default=None, max_length=5000)
    reference: str | None = Field(default=None, max_length=100)

    _year = field_validator("birth_year")(_birth_year_ok)


class PsfsItem(_Strict):
    """One Patient-Specific Functional Scale activity, rated 0 (unable) to 10 (as before the problem)."""

    activity: str = Field(min_length=1, max_length=120)
    score: int = Field(ge=0, le=10)


class VisitIn(_Strict):
    visited_on: date
    kind: Literal["assessment", "follow_up"] = "assessment"
    intake: dict[str, Any] | None = None
    pain_score: int | None = Field(default=None, ge=0, le=10)
    psfs: list[PsfsItem] = Field(default_factory=list, max_length=MAX_PSFS)


class VisitPatch(_Strict):
    visited_on: date | None = None
    kind: Literal["assessment", "follow_up"] | None = None
    intake: dict[str, Any] | None = None
    pain_score: int | None = Field(default=None, ge=0, le=10)
    psfs: list[PsfsItem] | None = Field(default=None, max_length=MAX_PSFS)


# Answers


def patient_json(row: PatientRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "name": row.name,
        "birth_year": row.birth_year,
        **row.details,
        "created_at": row.created_at.isoformat(),
        "updated_at": row.updated_at.isoformat(),
    }


def file_json(row: VisitFileRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "visit_id": row.visit_id,
        "kind": row.kind,
        "filename": row.filename,
        "media_type": row.media_type,
        "size_bytes": row.size_bytes,
        "status": row.status,
        "error": row.error,
        "result": row.result,
        "has_overlay": row.overlay_png is not None,
        "figures": sorted(row.figures),
        "created_at": row.created_at.isoformat(),
        "finished_at": row.finished_at.isoformat() if row.finished_at else None,
    }


def visit_json(row: VisitRow, files: list[VisitFileRow]) -> dict[str, Any]:
    return {
        "id": row.id,
        "patient_id": row.patient_id,
        "visited_on": row.visited_on.isoformat(),
        "kind": row.kind,
        "intake": row.intake,
        "assessment": row.assessment,
        "pain_score": row.pain_score,
        "psfs": row.psfs,
        "files": [file_json(f) for f in files],
        "created_at": row.created_at.isoformat(),
        "updated_at": row.updated_at.isoformat(),
    }


# Shared operations (API and pages)


def audit(session: Session, user: CurrentUser, action: str, record_type: str, record_id: str | None) -> None:
    """Write one audit row and commit (ids only)."""
    with write_transaction(session):
        accounts.audit(
            session,
            clinic_id=user.clinic_id,
            user_id=user.id,
            action=action,
            record_type=record_type,
            record_id=record_id,
        )


def patient_or_404(session: Session, user: CurrentUser, patient_id: str) -> PatientRow:
    row = patients.get_patient(session, user.clinic_id, patient_id)
    if row is None:
        raise HttpError(404, NO_PATIENT)
    return row


def visit_or_404(session: Session, user: CurrentUser, visit_id: str) -> VisitRow:
    row = patients.get_visit(session, user.clinic_id, visit_id)
    if row is None:
        raise HttpError(404, NO_VISIT)
    return row


def register_patient(session: Session, user: CurrentUser, data: PatientIn) -> PatientRow:
    details = data.model_dump(exclude={"name", "birth_year"}, exclude_none=True)
    with write_transaction(session):
        row = patients.create_patient(
            session, user.clinic_id, name=data.name, birth_year=data.birth_year, details=details
        )
        accounts.audit(
            session, clinic_id=user.clinic_id, user_id=user.id, action="create", record_type="patient",
            record_id=row.id,
        )  # fmt: skip
    return row


def remove_patient(session: Session, user: CurrentUser, patient_id: str) -> None:
    """Delete the patient and everything recorded about them; the audit row keeps the id only."""
    with write_transaction(session):
        if not patients.delete_patient(session, user.clinic_id, patient_id):
            raise HttpError(404, NO_PATIENT)
        accounts.audit(
            session, clinic_id=user.clinic_id, user_id=user.id, action="delete", record_type="patient",
            record_id=patient_id,
        )  # fmt: skip


def checked_intake(data: dict[str, Any] | None) -> dict[str, Any]:
    """The intake as stored: validated against intake schema v1; files come as visit uploads instead."""
    if not data:
        return {}
    intake = parse_intake(data)
    if intake.files.footprint_images or intake.files.gait_recordings:
        raise IntakeError(
            "intake.files: a clinic visit takes its footprints and recordings as uploads "
            "(POST /api/v1/visits/{id}/files or the visit form), not as ids in the intake; leave files out."
        )
    return intake.model_dump(mode="json", exclude_none=True)


def checked_upload(kind: str, filename: str, content: bytes) -> str:
    """The media type sniffed from ``content``; 415 when it is not a type this kind of file can be."""
    if kind not in FILE_KINDS:
        raise HttpError(422, f"kind: '{kind[:30]}' is not a kind of visit file; use 'footprint' or 'gait'.")
    if not content:
        raise HttpError(
            422, f"{filename} is empty (0 bytes): choose the file again; the copy may have failed."
        )
    media = sniff(content)
    types, wanted = WANTED[kind]
    if media == "image/heic":
        raise HttpError(415, f"{filename} is a HEIC photo, which footchain cannot read: {HEIC_ADVICE}.")
    if media not in types:
        found = DESCRIPTIONS.get(media, media)
        raise HttpError(415, f"{filename} is {found}, not {wanted}. Its type was judged from its content.")
    return media


Upload = tuple[str, str, bytes]  # kind, filename, content


def queue_files(session: Session, user: CurrentUser, visit: VisitRow, uploads: list[Upload]) -> list[str]:
    """Store the uploads as queued files of the visit (inside the caller's transaction); their ids."""
    ids = []
    for kind, filename, content in uploads:
        media = checked_upload(kind, filename, content)
        row = patients.add_visit_file(
            session, user.clinic_id, visit.id, kind=kind, filename=filename[:255], media_type=media,
            content=content,
        )  # fmt: skip
        accounts.audit(
            session, clinic_id=user.clinic_id, user_id=user.id, action="create", record_type="visit_file",
            record_id=row.id,
        )  # fmt: skip
        ids.append(row.id)
    return ids


def record_visit(
    session: Session, user: CurrentUser, patient_id: str, data: VisitIn, uploads: Sequence[Upload] = ()
) -> VisitRow:
    """A new visit of the patient, assessed when it has an intake; its uploads queued in the same
    transaction (each sniffed first: a wrong type stores nothing)."""
    patient_or_404(session, user, patient_id)
    for kind, filename, content in uploads:
        checked_upload(kind, filename, content)
    intake = checked_intake(data.intake)
    assessment = visit_assessment(intake, [])
    with write_transaction(session):
        visit = patients.create_visit(
            session,
            user.clinic_id,
            patient_id,
            visited_on=data.visited_on,
            kind=data.kind,
            intake=intake,
            pain_score=data.pain_score,
            psfs=[item.model_dump() for item in data.psfs],
            created_by=user.id,
        )
        visit.assessment = assessment
        accounts.audit(
            session, clinic_id=user.clinic_id, user_id=user.id, action="create", record_type="visit",
            record_id=visit.id,
        )  # fmt: skip
        queue_files(session, user, visit, list(uploads))
    return visit


def change_visit(session: Session, user: CurrentUser, visit_id: str, data: VisitPatch) -> VisitRow:
    visit_or_404(session, user, visit_id)
    changes = data.model_dump(exclude_unset=True)
    intake = checked_intake(data.intake) if "intake" in changes else None
    with write_transaction(session):
        visit = lock_visit(session, user.clinic_id, visit_id)
        if visit is None:
            raise HttpError(404, NO_VISIT)
        if "visited_on" in changes and data.visited_on is not None:
            visit.visited_on = data.visited_on
        if "kind" in changes and data.kind is not None:
            visit.kind = data.kind
        if "pain_score" in changes:
            visit.pain_score = data.pain_score
        if "psfs" in changes:
            visit.psfs = [item.model_dump() for item in data.psfs or []]
        if intake is not None:
            visit.intake = intake
            reassess_visit(session, visit)
        visit.updated_at = accounts.now()
        accounts.audit(
            session, clinic_id=user.clinic_id, user_id=user.id, action="update", record_type="visit",
            record_id=visit.id,
        )  # fmt: skip
    return visit


def wake_worker(request: Request) -> None:
    worker = getattr(request.app.state, "analysis_worker", None)
    if worker is not None:
        worker.wake()


# Routes: patients


@router.post("/patients", status_code=201, summary="Register a patient")
def create_patient(data: PatientIn, user: ApiUser, session: DbSession) -> JSONResponse:
    """A patient needs only `name` and `birth_year`; `sex`, `email`, `phone`, `notes`, `reference` are
    optional."""
    row = register_patient(session, user, data)
    return JSONResponse(
        patient_json(row), status_code=201, headers={"Location": f"/api/v1/patients/{row.id}"}
    )


@router.get("/patients", summary="Search the clinic's patients")
def list_patients(user: ApiUser, session: DbSession, q: str = "") -> dict[str, Any]:
    """The clinic's patients whose name contains `q` (any case), sorted by name (at most 200)."""
    rows = patients.search_patients(session, user.clinic_id, q[:200])
    audit(session, user, "view", "patient", None)
    return {"patients": [patient_json(row) for row in rows]}


@router.get("/patients/{patient_id}", summary="Read a patient")
def get_patient(patient_id: str, user: ApiUser, session: DbSession) -> dict[str, Any]:
    row = patient_or_404(session, user, patient_id)
    audit(session, user, "view", "patient", row.id)
    return patient_json(row)


@router.patch("/patients/{patient_id}", summary="Change a patient's details")
def patch_patient(patient_id: str, data: PatientPatch, user: ApiUser, session: DbSession) -> dict[str, Any]:
    row = patient_or_404(session, user, patient_id)
    changes = data.model_dump(exclude_unset=True)
    if changes.get("name", "") is None or ("birth_year" in changes and changes["birth_year"] is None):
        raise HttpError(422, "name and birth_year cannot be removed; send a new value instead.")
    with write_transaction(session):
        patients.update_patient(session, row, changes)
        accounts.audit(
            session, clinic_id=user.clinic_id, user_id=user.id, action="update", record_type="patient",
            record_id=row.id,
        )  # fmt: skip
    return patient_json(row)


@router.delete("/patients/{patient_id}", status_code=204, summary="Delete a patient and their whole record")
def delete_patient(patient_id: str, user: ApiUser, session: DbSession) -> Response:
    """Real deletion: the patient, every visit, file and gear record are gone; the audit log keeps ids."""
    remove_patient(session, user, patient_id)
    return Response(status_code=204)


# Routes: visits


@router.post("/patients/{patient_id}/visits", status_code=201, summary="Record a visit")
def create_visit(patient_id: str, data: VisitIn, user: ApiUser, session: DbSession) -> JSONResponse:
    """`visited_on` (YYYY-MM-DD), `kind` (`assessment` | `follow_up`), optional `intake` (intake schema v1,
    without `files`), `pain_score` 0–10 and `psfs` (up to 5 `{"activity", "score"}`). Answers the visit
    with its `assessment` (the contract; null without an intake)."""
    visit = record_visit(session, user, patient_id, data)
    return JSONResponse(
        visit_json(visit, []), status_code=201, headers={"Location": f"/api/v1/visits/{visit.id}"}
    )


@router.get("/patients/{patient_id}/visits", summary="A patient's visits, oldest first")
def list_visits(patient_id: str, user: ApiUser, session: DbSession) -> dict[str, Any]:
    patient_or_404(session, user, patient_id)
    rows = patients.visits_of(session, user.clinic_id, patient_id)
    audit(session, user, "view", "patient", patient_id)
    return {"visits": [visit_json(row, patients.files_of(session, user.clinic_id, row.id)) for row in rows]}


@router.get("/visits/{visit_id}", summary="Read a visit")
def get_visit(visit_id: str, user: ApiUser, session: DbSession) -> dict[str, Any]:
    row = visit_or_404(session, user, visit_id)
    audit(session, user, "view", "visit", row.id)
    return visit_json(row, patients.files_of(session, user.clinic_id, row.id))


@router.patch("/visits/{visit_id}", summary="Change a visit")
def patch_visit(visit_id: str, data: VisitPatch, user: ApiUser, session: DbSession) -> dict[str, Any]:
    """Changing the intake assesses the visit again (with its finished measurements)."""
    visit = change_visit(session, user, visit_id, data)
    return visit_json(visit, patients.files_of(session, user.clinic_id, visit.id))


# Routes: visit files


def _queue(session: Session, user: CurrentUser, visit_id: str, uploads: list[Upload]) -> list[str]:
    visit = visit_or_404(session, user, visit_id)
    for kind, filename, content in uploads:
        checked_upload(kind, filename, content)
    with write_transaction(session):
        return queue_files(session, user, visit, uploads)


@router.post("/visits/{visit_id}/files", status_code=202, summary="Upload a footprint or gait recording")
async def upload_files(
    visit_id: str,
    request: Request,
    user: ApiUser,
    session: DbSession,
    file: Annotated[list[UploadFile], File(description="One or more files of this kind")],
    kind: Annotated[str, Form(description="footprint | gait")],
) -> JSONResponse:
    """Each file is stored as `queued` and measured in the background; poll
    `GET /api/v1/visits/{id}/files/{file_id}` for `status` (`queued`, `running`, `done`, `failed`)."""
    uploads = [(kind.strip().lower(), f.filename or "upload", await f.read()) for f in file]
    ids = await run_in_threadpool(_queue, session, user, visit_id, uploads)
    wake_worker(request)
    queued = [{"id": file_id, "status": "queued"} for file_id in ids]
    return JSONResponse({**queued[0], "files": queued}, status_code=202)


@router.get("/visits/{visit_id}/files/{file_id}", summary="A visit file's analysis status and result")
def get_file(visit_id: str, file_id: str, user: ApiUser, session: DbSession) -> dict[str, Any]:
    visit_or_404(session, user, visit_id)
    row = patients.get_visit_file(session, user.clinic_id, visit_id, file_id)
    if row is None:
        raise HttpError(404, NO_FILE)
    audit(session, user, "view", "visit_file", row.id)
    return file_json(row)


# Routes: export


@router.get("/patients/{patient_id}/export.json", summary="The patient's whole record as JSON")
def export_json(patient_id: str, user: ApiUser, session: DbSession) -> JSONResponse:
    from footchain.web.export import patient_record

    patient_or_404(session, user, patient_id)
    record = patient_record(session, user.clinic_id, patient_id)
    audit(session, user, "export", "patient", patient_id)
    return JSONResponse(
        record,
        headers={
            "Content-Disposition": 'attachment; filename="footchain-record.json"',
            "Cache-Control": "no-store",
        },
    )


@router.get("/patients/{patient_id}/export.pdf", summary="The patient's whole record as a PDF")
def export_pdf(patient_id: str, user: ApiUser, session: DbSession) -> Response:
    from footchain.web.export import record_pdf

    patient_or_404(session, user, patient_id)
    pdf = record_pdf(session, user.clinic_id, patient_id)
    audit(session, user, "export", "patient", patient_id)
    return Response(
        pdf,
        media_type="application/pdf",
        headers={
            "Content-Disposition": 'attachment; filename="footchain-record.pdf"',
            "Cache-Control": "no-store",
        },
    )
