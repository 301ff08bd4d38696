"""Read-only queries for the outcomes of a clinic's patient: the patient and their visits' scores.

Every query filters on ``clinic_id``: a patient of another clinic is not found, exactly like an unknown id.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from footchain.clinic.outcomes import ScoredVisit, psfs_activities, psfs_mean
from footchain.store.models import VisitRow


def visit_scores(session: Session, clinic_id: str, patient_id: str) -> list[ScoredVisit]:
    """Every visit of the patient with its pain score and PSFS mean, oldest first (ties: order of entry)."""
    query = (
        select(VisitRow.id, VisitRow.visited_on, VisitRow.pain_score, VisitRow.psfs, VisitRow.created_at)
        .where(VisitRow.clinic_id == clinic_id, VisitRow.patient_id == patient_id)
        .order_by(VisitRow.visited_on, VisitRow.created_at, VisitRow.id)
    )
    return [
        ScoredVisit(
            visit_id=row.id,
            visited_on=row.visited_on,
            pain_score=row.pain_score,
            psfs_mean=psfs_mean(row.psfs or []),
            psfs_activities=psfs_activities(row.psfs or []),
            recorded_at=row.created_at,
        )
        for row in session.execute(query)
    ]
