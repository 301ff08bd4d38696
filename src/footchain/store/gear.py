"""A clinic patient's gear (shoes, insoles, top covers): add, list, change, delete. Callers commit.

Every query filters on ``clinic_id``, so gear of another clinic is not found, exactly like an unknown id.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from footchain.clinic.gear import GEAR_KINDS, GearItem, GearKind
from footchain.store.models import GearRow
from footchain.store.repository import new_id

# The fields a change may set (``update_gear``).
CHANGEABLE = ("name", "started_on", "distance_km", "hours_worn", "wear_checked_on", "retired_on")


def add_gear(
    session: Session,
    *,
    clinic_id: str,
    patient_id: str,
    kind: str,
    name: str,
    started_on: date,
    distance_km: float | None = None,
    hours_worn: float | None = None,
    wear_checked_on: date | None = None,
) -> GearRow:
    """Store a new gear record of a patient (the caller has checked the patient is the clinic's)."""
    moment = datetime.now(UTC)
    row = GearRow(
        id=new_id(),
        clinic_id=clinic_id,
        patient_id=patient_id,
        kind=kind,
        name=name,
        started_on=started_on,
        distance_km=distance_km,
        hours_worn=hours_worn,
        wear_checked_on=wear_checked_on,
        retired_on=None,
        created_at=moment,
        updated_at=moment,
    )
    session.add(row)
    session.flush()
    return row


def gear_of(session: Session, clinic_id: str, patient_id: str) -> list[GearRow]:
    """The patient's gear, in use first, then by start date (newest first)."""
    query = (
        select(GearRow)
        .where(GearRow.clinic_id == clinic_id, GearRow.patient_id == patient_id)
        .order_by(GearRow.retired_on.is_not(None), GearRow.started_on.desc(), GearRow.created_at, GearRow.id)
    )
    return list(session.scalars(query))


def clinic_gear(session: Session, clinic_id: str, gear_id: str) -> GearRow | None:
    """The gear record with this id in this clinic, or None."""
    query = select(GearRow).where(GearRow.id == gear_id, GearRow.clinic_id == clinic_id)
    return session.scalars(query).first()


def update_gear(session: Session, row: GearRow, changes: dict[str, Any]) -> GearRow:
    """Set the given fields (of ``CHANGEABLE``) on ``row``."""
    unknown = set(changes) - set(CHANGEABLE)
    if unknown:
        raise ValueError(f"gear fields that cannot be changed: {sorted(unknown)}")
    for key, value in changes.items():
        setattr(row, key, value)
    row.updated_at = datetime.now(UTC)
    session.flush()
    return row


def delete_gear(session: Session, row: GearRow) -> None:
    session.delete(row)
    session.flush()


def gear_item(row: GearRow) -> GearItem:
    """What the reminders read of a stored gear record."""
    kinds: dict[str, GearKind] = {kind: kind for kind in GEAR_KINDS}
    return GearItem(
        id=row.id,
        kind=kinds[row.kind],
        started_on=row.started_on,
        wear_checked_on=row.wear_checked_on,
        retired_on=row.retired_on,
    )
