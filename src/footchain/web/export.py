"""A patient's whole record, for the person who asks for it: JSON (everything) and a readable PDF.

The JSON holds the patient, every visit (intake, assessment, pain, PSFS), the measured results of the
visits' files (not the raw uploads), the gear with its reminders and the outcome verdict
(``footchain.clinic.outcomes``, domain.md §7). The PDF is ``templates/clinic/export.html.j2`` printed by
WeasyPrint: patient, timeline, outcomes chart and verdict, gear, and the latest assessment's report.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from markupsafe import Markup
from sqlalchemy.orm import Session

from footchain import __version__
from footchain.clinic.chart import outcome_charts
from footchain.clinic.gear import GearItem, reminders
from footchain.clinic.outcomes import ScoredVisit, outcome_verdict, psfs_activities, psfs_mean, verdict_json
from footchain.intake import parse_intake
from footchain.present.html import (
    Measurements,
    footprint_view,
    gait_view,
    png_data_uri,
    render_report_body,
    report_css,
    svg_data_uri,
)
from footchain.store import patients
from footchain.store.accounts import now
from footchain.store.models import GearRow, VisitFileRow, VisitRow
from footchain.types import Assessment
from footchain.web.templating import TEMPLATES


def scored_visits(visits: list[VisitRow]) -> list[ScoredVisit]:
    """The visits' outcome scores, oldest first, for the verdict and the chart."""
    return [
        ScoredVisit(
            visit_id=v.id,
            visited_on=v.visited_on,
            pain_score=v.pain_score,
            psfs_mean=psfs_mean(v.psfs),
            psfs_activities=psfs_activities(v.psfs),
            recorded_at=v.created_at,
        )
        for v in visits
    ]


def _gear_json(row: GearRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "kind": row.kind,
        "name": row.name,
        "started_on": row.started_on.isoformat(),
        "distance_km": row.distance_km,
        "hours_worn": row.hours_worn,
        "wear_checked_on": row.wear_checked_on.isoformat() if row.wear_checked_on else None,
        "retired_on": row.retired_on.isoformat() if row.retired_on else None,
    }


def _reminders(gear: list[GearRow], today: date) -> list[dict[str, Any]]:
    items = []
    for g in gear:
        kind: Any = g.kind
        items.append(
            GearItem(
                id=g.id,
                kind=kind,
                started_on=g.started_on,
                wear_checked_on=g.wear_checked_on,
                retired_on=g.retired_on,
            )
        )
    return [
        {
            "gear_id": r.gear_id,
            "kind": r.kind,
            "action": r.action,
            "due_on": r.due_on.isoformat(),
            "status": r.status,
            "why": r.why,
        }
        for r in reminders(items, today)
    ]


def _file_json(row: VisitFileRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "kind": row.kind,
        "filename": row.filename,
        "media_type": row.media_type,
        "size_bytes": row.size_bytes,
        "status": row.status,
        "error": row.error,
        "result": row.result,
    }


def patient_record(session: Session, clinic_id: str, patient_id: str) -> dict[str, Any]:
    """The patient's whole record as JSON-ready data (the caller checked that the patient is theirs)."""
    patient = patients.get_patient(session, clinic_id, patient_id)
    if patient is None:
        raise LookupError("no such patient in this clinic")
    visits = patients.visits_of(session, clinic_id, patient_id)
    gear = patients.gear_of(session, clinic_id, patient_id)
    verdict = outcome_verdict(scored_visits(visits))
    return {
        "footchain_version": __version__,
        "exported_at": now().isoformat(),
        "patient": {
            "id": patient.id,
            "name": patient.name,
            "birth_year": patient.birth_year,
            **patient.details,
            "created_at": patient.created_at.isoformat(),
        },
        "visits": [
            {
                "id": v.id,
                "visited_on": v.visited_on.isoformat(),
                "kind": v.kind,
                "intake": v.intake,
                "assessment": v.assessment,
                "pain_score": v.pain_score,
                "psfs": v.psfs,
                "psfs_mean": psfs_mean(v.psfs),
                "files": [_file_json(f) for f in patients.files_of(session, clinic_id, v.id)],
            }
            for v in visits
        ],
        "gear": [_gear_json(g) for g in gear],
        "reminders": _reminders(gear, date.today()),
        "outcomes": verdict_json(verdict),
    }


def visit_measurements(files: list[VisitFileRow]) -> Measurements:
    """The finished files of a visit as the report's "What we measured", pictures inline."""
    footprints = []
    gait = []
    for row in files:
        if row.status != "done" or row.result is None:
            continue
        if row.kind == "footprint":
            picture = png_data_uri(row.overlay_png) if row.overlay_png is not None else None
            footprints.append(footprint_view(row.filename, row.result, picture))
        else:
            figures = {name: svg_data_uri(svg) for name, svg in row.figures.items() if isinstance(svg, str)}
            gait.append(gait_view(row.filename, row.result, figures))
    return Measurements(footprints=tuple(footprints), gait=tuple(gait))


def report_of(visit: VisitRow, files: list[VisitFileRow]) -> Markup | None:
    """The visit's assessment as the report body (the same template as the self-assessment report)."""
    if visit.assessment is None:
        return None
    assessment = Assessment.model_validate(visit.assessment)
    intake = parse_intake(visit.intake or {"schema_version": 1})
    return Markup(render_report_body(assessment, intake, visit_measurements(files)))


def record_html(session: Session, clinic_id: str, patient_id: str) -> str:
    """The record as one self-contained HTML document (the PDF's source)."""
    record = patient_record(session, clinic_id, patient_id)
    visits = patients.visits_of(session, clinic_id, patient_id)
    scored = scored_visits(visits)
    verdict = outcome_verdict(scored)
    charts = outcome_charts(scored, verdict.pain, verdict.psfs, chart_id="export")
    latest = next((v for v in reversed(visits) if v.assessment is not None), None)
    report = report_of(latest, patients.files_of(session, clinic_id, latest.id)) if latest else None
    template = TEMPLATES.env.get_template("clinic/export.html.j2")
    return template.render(
        record=record,
        verdict=verdict,
        charts=[Markup(c.svg) for c in charts],
        chart_titles=[c.title for c in charts],
        latest=latest,
        report=report,
        report_css=Markup(report_css()),
    )


def record_pdf(session: Session, clinic_id: str, patient_id: str) -> bytes:
    """The record printed to PDF with WeasyPrint."""
    from footchain.present.pdf import render_pdf

    return render_pdf(record_html(session, clinic_id, patient_id))
