"""Outcomes and gear of a clinic's patient, as JSON (clinic mode; bearer token needed).

- ``GET /api/v1/patients/{id}/outcomes``: every visit's pain score and PSFS mean (oldest first) and the
  verdict from the baseline to the latest visit (``footchain.clinic.outcomes``, domain.md §7).
- ``GET /api/v1/patients/{id}/gear``, ``POST`` (``kind`` shoes|insoles|top_cover, ``name``,
  ``started_on``; optional ``distance_km``, ``hours_worn``, ``wear_checked_on``) → 201.
- ``PATCH /api/v1/gear/{id}`` (record a wear check, the distance or hours worn, retire it: ``retired_on``,
  ``null`` to put it back in use), ``DELETE /api/v1/gear/{id}`` → 204 (a real deletion).
- ``GET /api/v1/patients/{id}/reminders``: what is due for the gear in use (``footchain.clinic.gear``).

Every query filters on the caller's clinic: another clinic's patient or gear gets the same 404 as an
unknown id. Views and changes are written to the audit log (ids only).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from sqlalchemy.orm import Session

from footchain.clinic.gear import GearKind, Reminder, reminder, reminders
from footchain.clinic.outcomes import OutcomeVerdict, ScoredVisit, outcome_verdict, verdict_json
from footchain.store import accounts
from footchain.store import gear as gear_store
from footchain.store.database import write_transaction
from footchain.store.models import GearRow
from footchain.store.outcomes import visit_scores
from footchain.web.auth import ApiUser, CurrentUser
from footchain.web.dependencies import DbSession
from footchain.web.errors import HttpError
from footchain.web.routes.api_clinic import patient_or_404

router = APIRouter(tags=["outcomes and gear"])

GEAR_NOT_FOUND = "No gear with this id in your clinic."
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Amount = Annotated[float, Field(ge=0, le=1_000_000)]


class GearIn(BaseModel):
    """A new piece of gear."""

    model_config = ConfigDict(extra="forbid")

    kind: GearKind
    name: Name
    started_on: date
    distance_km: Amount | None = None
    hours_worn: Amount | None = None
    wear_checked_on: date | None = None


class GearChange(BaseModel):
    """Changes to a piece of gear; a field left out stays as it is (``null`` clears an optional one)."""

    model_config = ConfigDict(extra="forbid")

    name: Name | None = None
    started_on: date | None = None
    distance_km: Amount | None = None
    hours_worn: Amount | None = None
    wear_checked_on: date | None = None
    retired_on: date | None = None


def today() -> date:
    """The server's date, for reminders and for "checked today" / "retired today"."""
    return date.today()


def gear_or_404(session: Session, user: CurrentUser, gear_id: str) -> GearRow:
    row = gear_store.clinic_gear(session, user.clinic_id, gear_id)
    if row is None:
        raise HttpError(404, GEAR_NOT_FOUND)
    return row


def check_gear_dates(
    started_on: date, wear_checked_on: date | None, retired_on: date | None, on: date | None = None
) -> None:
    """Dates must be in order and not in the future (a 422 naming the field otherwise)."""
    on = on or today()
    for field, value in (
        ("started_on", started_on),
        ("wear_checked_on", wear_checked_on),
        ("retired_on", retired_on),
    ):
        if value is not None and value > on:
            raise HttpError(422, f"{field}: {value.isoformat()} is in the future; give the day it happened.")
    for field, value in (("wear_checked_on", wear_checked_on), ("retired_on", retired_on)):
        if value is not None and value < started_on:
            raise HttpError(
                422,
                f"{field}: {value.isoformat()} is before the gear was first worn ({started_on.isoformat()}).",
            )


def outcomes_of(
    session: Session, user: CurrentUser, patient_id: str
) -> tuple[list[ScoredVisit], OutcomeVerdict]:
    """The patient's scored visits and verdict (404 unless the patient is the user's clinic's)."""
    patient_or_404(session, user, patient_id)
    visits = visit_scores(session, user.clinic_id, patient_id)
    return visits, outcome_verdict(visits)


def reminder_json(found: Reminder) -> dict[str, Any]:
    return {
        "gear_id": found.gear_id,
        "kind": found.kind,
        "action": found.action,
        "due_on": found.due_on.isoformat(),
        "status": found.status,
        "why": found.why,
    }


def gear_json(row: GearRow, on: date) -> dict[str, Any]:
    found = reminder(gear_store.gear_item(row), on)
    return {
        "id": row.id,
        "patient_id": row.patient_id,
        "kind": row.kind,
        "name": row.name,
        "started_on": row.started_on.isoformat(),
        "distance_km": row.distance_km,
        "hours_worn": row.hours_worn,
        "wear_checked_on": row.wear_checked_on.isoformat() if row.wear_checked_on else None,
        "retired_on": row.retired_on.isoformat() if row.retired_on else None,
        "reminder": reminder_json(found) if found else None,
    }


def _audit(session: Session, user: CurrentUser, action: str, record_type: str, record_id: str) -> None:
    with write_transaction(session):
        accounts.audit(
            session,
            clinic_id=user.clinic_id,
            user_id=user.id,
            action=action,
            record_type=record_type,
            record_id=record_id,
        )


@router.get("/patients/{patient_id}/outcomes")
def get_outcomes(patient_id: str, user: ApiUser, session: DbSession) -> dict[str, Any]:
    """Pain and PSFS mean per visit and the verdict by meaningful change (domain.md §7)."""
    visits, verdict = outcomes_of(session, user, patient_id)
    _audit(session, user, "view", "patient", patient_id)
    return {
        "visits": [
            {
                "visit_id": v.visit_id,
                "visited_on": v.visited_on.isoformat(),
                "pain_score": v.pain_score,
                "psfs_mean": v.psfs_mean,
            }
            for v in visits
        ],
        "verdict": verdict_json(verdict),
    }


@router.get("/patients/{patient_id}/gear")
def list_gear(patient_id: str, user: ApiUser, session: DbSession) -> dict[str, Any]:
    """The patient's gear, in use first, each with its reminder (none once retired)."""
    patient_or_404(session, user, patient_id)
    rows = gear_store.gear_of(session, user.clinic_id, patient_id)
    on = today()
    _audit(session, user, "view", "patient", patient_id)
    return {"gear": [gear_json(row, on) for row in rows]}


@router.post("/patients/{patient_id}/gear", status_code=201)
def add_gear(patient_id: str, body: GearIn, user: ApiUser, session: DbSession) -> dict[str, Any]:
    """Record shoes, insoles or a top cover the patient uses."""
    patient_or_404(session, user, patient_id)
    check_gear_dates(body.started_on, body.wear_checked_on, None)
    with write_transaction(session):
        row = gear_store.add_gear(
            session,
            clinic_id=user.clinic_id,
            patient_id=patient_id,
            kind=body.kind,
            name=body.name,
            started_on=body.started_on,
            distance_km=body.distance_km,
            hours_worn=body.hours_worn,
            wear_checked_on=body.wear_checked_on,
        )
        accounts.audit(
            session,
            clinic_id=user.clinic_id,
            user_id=user.id,
            action="create",
            record_type="gear",
            record_id=row.id,
        )
    return gear_json(row, today())


@router.patch("/gear/{gear_id}")
def change_gear(gear_id: str, body: GearChange, user: ApiUser, session: DbSession) -> dict[str, Any]:
    """Record a wear check, the distance or hours worn, retire the gear (or put it back in use)."""
    row = gear_or_404(session, user, gear_id)
    changes = body.model_dump(include=body.model_fields_set)
    for required in ("name", "started_on"):
        if required in changes and changes[required] is None:
            raise HttpError(422, f"{required}: cannot be empty.")
    merged = {
        key: changes.get(key, getattr(row, key)) for key in ("started_on", "wear_checked_on", "retired_on")
    }
    check_gear_dates(merged["started_on"], merged["wear_checked_on"], merged["retired_on"])
    with write_transaction(session):
        gear_store.update_gear(session, row, changes)
        accounts.audit(
            session,
            clinic_id=user.clinic_id,
            user_id=user.id,
            action="update",
            record_type="gear",
            record_id=row.id,
        )
    return gear_json(row, today())


@router.delete("/gear/{gear_id}", status_code=204)
def delete_gear(gear_id: str, user: ApiUser, session: DbSession) -> Response:
    """Delete a gear record for good."""
    row = gear_or_404(session, user, gear_id)
    with write_transaction(session):
        gear_store.delete_gear(session, row)
        accounts.audit(
            session,
            clinic_id=user.clinic_id,
            user_id=user.id,
            action="delete",
            record_type="gear",
            record_id=gear_id,
        )
    return Response(status_code=204)


@router.get("/patients/{patient_id}/reminders")
def get_reminders(patient_id: str, user: ApiUser, session: DbSession) -> dict[str, Any]:
    """What is due for the gear in use: most urgent first (``due``, ``due soon``, ``ok``)."""
    patient_or_404(session, user, patient_id)
    items = [gear_store.gear_item(row) for row in gear_store.gear_of(session, user.clinic_id, patient_id)]
    _audit(session, user, "view", "patient", patient_id)
    return {"reminders": [reminder_json(r) for r in reminders(items, today())]}
