"""Clinic pages: find a patient, their timeline, record a visit, the visit, compare two visits, export.

Every page needs a signed-in user (``PageUser``: else a redirect to /login) and shows only the records of
the user's clinic; another clinic's id gets the same 404 as an unknown one. Every form posts the
session's CSRF token (``CsrfUser``). The work itself is shared with the API (``routes.api_clinic``),
so both record the same audit rows.

The visit form asks what a clinician needs for an intake (schema v1): pain places and intensity, FPI-6
(six items per foot, each explained in our own words from ``knowledge/text.toml``), self-reported arch,
shoe wear, the screening questions, pain now (NPRS 0–10) and up to five PSFS activities, plus footprint
and gait files that are queued for the background analysis in the same transaction as the visit.
"""

from __future__ import annotations

from datetime import date
from typing import Any, get_args

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile

from footchain.errors import FootchainError
from footchain.knowledge import load_knowledge
from footchain.present.html import (
    Measurements,
    footprint_view,
    gait_view,
    png_data_uri,
    render_html,
    render_report_body,
    report_css,
    svg_data_uri,
)
from footchain.store import patients
from footchain.store.models import PatientRow, VisitFileRow, VisitRow
from footchain.types import MAX_PAIN_WEEKS, Assessment, Health, PainTrigger, Region, Side, WearZone
from footchain.web import screening
from footchain.web.auth import CsrfUser, CurrentUser, PageUser
from footchain.web.dependencies import DbSession
from footchain.web.errors import HttpError
from footchain.web.routes import api_clinic
from footchain.web.routes.api_clinic import PatientIn, VisitIn, audit, patient_or_404, visit_or_404
from footchain.web.templating import TEMPLATES

router = APIRouter(tags=["clinic pages"], include_in_schema=False)

FPI_SCORES = (-2, -1, 0, 1, 2)
FOOT_SIDES = ("left", "right")
PAIN_ROWS = 3
PSFS_ROWS = 5
HEALTH_FIELDS = tuple(Health.model_fields)
KIND_WORDS = {"assessment": "Assessment", "follow_up": "Follow-up"}
FINISHED = ("done", "failed")
PATIENT_FIELDS = ("name", "birth_year", "sex", "email", "phone", "reference", "notes")


def _page(request: Request, template: str, context: dict[str, Any], status_code: int = 200) -> HTMLResponse:
    return TEMPLATES.TemplateResponse(request, template, context, status_code=status_code)


def _to(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def _texts(form: FormData, name: str) -> list[str]:
    return [v.strip() for v in form.getlist(name) if isinstance(v, str) and v.strip()]


def _form_values(form: FormData) -> dict[str, list[str]]:
    """The posted text fields (to show the form again as it was sent)."""
    values: dict[str, list[str]] = {}
    for key, value in form.multi_items():
        if isinstance(value, str) and key != "csrf_token":
            values.setdefault(key, []).append(value)
    return values


def _messages(exc: ValidationError) -> list[str]:
    return [f"{'.'.join(str(p) for p in e['loc']) or 'form'}: {e['msg']}" for e in exc.errors()]


def _whole(text: str, name: str, errors: list[str]) -> int | None:
    if not text:
        return None
    try:
        return int(text)
    except ValueError:
        errors.append(f"{name}: '{text[:20]}' is not a whole number.")
        return None


def _number(text: str, name: str, errors: list[str]) -> float | None:
    if not text:
        return None
    try:
        return float(text.replace(",", "."))
    except ValueError:
        errors.append(f"{name}: '{text[:20]}' is not a number.")
        return None


# Patients


@router.get("/clinic/patients", response_class=HTMLResponse)
def patients_page(request: Request, user: PageUser, session: DbSession, q: str = "") -> HTMLResponse:
    """Search the clinic's patients by name, and register a new one."""
    rows = patients.search_patients(session, user.clinic_id, q[:200])
    audit(session, user, "view", "patient", None)
    return _page(request, "clinic/patients.html.j2", {"user": user, "q": q, "patients": rows, "errors": [],
                                                      "values": {}})  # fmt: skip


@router.post("/clinic/patients", response_model=None)
async def create_patient(request: Request, user: CsrfUser, session: DbSession) -> Response:
    form = await request.form()
    data = {name: _text(form, name) for name in PATIENT_FIELDS if _text(form, name)}
    try:
        patient = PatientIn.model_validate(data)
    except ValidationError as exc:
        rows = await run_in_threadpool(patients.search_patients, session, user.clinic_id, "")
        context = {"user": user, "q": "", "patients": rows, "errors": _messages(exc), "values": data}
        return _page(request, "clinic/patients.html.j2", context, status_code=422)
    row = await run_in_threadpool(api_clinic.register_patient, session, user, patient)
    return _to(f"/clinic/patients/{row.id}")


def _extra_context(name: str, session: Session, user: CurrentUser, patient_id: str) -> dict[str, Any]:
    """Engineer C's outcome or gear section context (``routes.outcome_pages``), when it is there."""
    from footchain.web.routes import outcome_pages

    build = getattr(outcome_pages, name, None)
    if build is None:
        return {}
    context: dict[str, Any] = build(session, user, patient_id)
    return context


def _visit_row_view(session: Session, user: CurrentUser, visit: VisitRow) -> dict[str, Any]:
    files = patients.files_of(session, user.clinic_id, visit.id)
    referral = (visit.assessment or {}).get("referral") or {}
    return {
        "visit": visit,
        "kind": KIND_WORDS.get(visit.kind, visit.kind),
        "psfs_mean": _psfs_mean(visit.psfs),
        "urgency": referral.get("urgency"),
        "files": files,
    }


def _psfs_mean(items: list[Any]) -> float | None:
    scores = [
        item["score"] for item in items if isinstance(item, dict) and isinstance(item.get("score"), int)
    ]
    return sum(scores) / len(scores) if scores else None


@router.get("/clinic/patients/{patient_id}", response_class=HTMLResponse)
def patient_page(request: Request, patient_id: str, user: PageUser, session: DbSession) -> HTMLResponse:
    """The patient's details, timeline of visits, outcomes, gear, export links and deletion."""
    patient = patient_or_404(session, user, patient_id)
    visits = patients.visits_of(session, user.clinic_id, patient_id)
    context: dict[str, Any] = {
        "user": user,
        "patient": patient,
        "timeline": [_visit_row_view(session, user, v) for v in visits],
        "delete_error": None,
    }
    context |= _extra_context("outcomes_context", session, user, patient_id)
    context |= _extra_context("gear_context", session, user, patient_id)
    audit(session, user, "view", "patient", patient.id)
    return _page(request, "clinic/patient.html.j2", context)


@router.post("/clinic/patients/{patient_id}/delete", response_model=None)
async def delete_patient(request: Request, patient_id: str, user: CsrfUser, session: DbSession) -> Response:
    """Delete the whole record, after the confirmation box was ticked."""
    form = await request.form()
    if _text(form, "confirm") != "yes":
        await run_in_threadpool(patient_or_404, session, user, patient_id)
        raise HttpError(
            422, "Tick 'Yes, delete this patient's whole record' to confirm; nothing was deleted."
        )
    await run_in_threadpool(api_clinic.remove_patient, session, user, patient_id)
    return _to("/clinic/patients?deleted=1")


# Visit form


def _fpi_text() -> list[Any]:
    return list(load_knowledge().text.fpi6.item)


def _person_today(patient: PatientRow) -> dict[str, Any]:
    """The patient's age this year and sex, as far as the record knows them (they decide which
    screening questions apply: a child's, or pregnancy)."""
    person: dict[str, Any] = {}
    age = date.today().year - patient.birth_year
    if 0 <= age <= 120:
        person["age_years"] = age
    if patient.details.get("sex") in ("female", "male", "other"):
        person["sex"] = patient.details["sex"]
    return person


def _form_context(user: CurrentUser, patient: PatientRow, values: dict[str, list[str]], errors: list[str]
                  ) -> dict[str, Any]:  # fmt: skip
    words = load_knowledge().text
    return {
        "user": user,
        "patient": patient,
        "values": values,
        "errors": errors,
        "today": date.today().isoformat(),
        "fpi_items": _fpi_text(),
        "fpi_source": words.fpi6.source,
        "fpi_scores": FPI_SCORES,
        "sides": FOOT_SIDES,
        "regions": [(r, words.region[r]) for r in get_args(Region)],
        "pain_sides": get_args(Side),
        "triggers": get_args(PainTrigger),
        "wear_zones": get_args(WearZone),
        "pain_rows": range(1, PAIN_ROWS + 1),
        "psfs_rows": range(1, PSFS_ROWS + 1),
        "health_groups": screening.clinic_groups(_person_today(patient)),
        "max_weeks": f"{MAX_PAIN_WEEKS:.0f}",
    }


@router.get("/clinic/patients/{patient_id}/visits/new", response_class=HTMLResponse)
def new_visit_page(request: Request, patient_id: str, user: PageUser, session: DbSession) -> HTMLResponse:
    patient = patient_or_404(session, user, patient_id)
    return _page(request, "clinic/visit_form.html.j2", _form_context(user, patient, {}, []))


def _pains(form: FormData, errors: list[str]) -> list[dict[str, Any]]:
    pains = []
    for row in range(1, PAIN_ROWS + 1):
        region = _text(form, f"pain_region_{row}")
        if not region:
            continue
        pain: dict[str, Any] = {"region": region}
        side = _text(form, f"pain_side_{row}")
        if side:
            pain["side"] = side
        intensity = _whole(_text(form, f"pain_intensity_{row}"), f"pain {row} intensity", errors)
        if intensity is None:
            errors.append(f"pain {row}: give the intensity (0–10) for the pain in this place.")
            continue
        pain["intensity"] = intensity
        weeks = _number(_text(form, f"pain_weeks_{row}"), f"pain {row} weeks", errors)
        if weeks is not None:
            pain["duration_weeks"] = weeks
        worst = _texts(form, f"pain_worst_{row}")
        if worst:
            pain["worst_with"] = worst
        pains.append(pain)
    return pains


def _fpi6(form: FormData, errors: list[str]) -> dict[str, list[int]]:
    scores: dict[str, list[int]] = {}
    for side in FOOT_SIDES:
        items = [_text(form, f"fpi_{side}_{n}") for n in range(1, 7)]
        given = [i for i in items if i]
        if not given:
            continue
        if len(given) < 6:
            errors.append(f"FPI-6 {side} foot: score all six items, or none (leave the foot unscored).")
            continue
        numbers = [_whole(i, f"FPI-6 {side} item", errors) for i in items]
        if all(n is not None for n in numbers):
            scores[side] = [n for n in numbers if n is not None]
    return scores


def _yes_no(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value)


def intake_from_form(form: FormData, patient: PatientRow, visited_on: date | None, errors: list[str]
                     ) -> dict[str, Any]:  # fmt: skip
    """The intake (schema v1) the visit form describes; empty when nothing of an intake was filled in."""
    feet: dict[str, Any] = {}
    fpi6 = _fpi6(form, errors)
    if fpi6:
        feet["fpi6"] = fpi6
    arch = _text(form, "self_reported_arch")
    if arch:
        feet["self_reported_arch"] = arch
    flattens = _yes_no(_text(form, "arch_flattens_when_standing"))
    if flattens is not None:
        feet["arch_flattens_when_standing"] = flattens
    wear: dict[str, Any] = {}
    for side in FOOT_SIDES:
        zones = _texts(form, f"wear_{side}")
        if zones:
            wear[side] = zones
    tilt = _text(form, "heel_counter_tilt")
    if tilt:
        wear["heel_counter_tilt"] = tilt
    health = {
        name: answer
        for name in HEALTH_FIELDS
        if (answer := _yes_no(_text(form, f"health_{name}"))) is not None
    }
    pains = _pains(form, errors)
    if not (feet or wear or health or pains):
        return {}
    person: dict[str, Any] = {}
    if visited_on is not None and patient.birth_year <= visited_on.year:
        person["age_years"] = min(visited_on.year - patient.birth_year, 120)
    if patient.details.get("sex") in ("female", "male", "other"):
        person["sex"] = patient.details["sex"]
    intake: dict[str, Any] = {"schema_version": 1, "person": person, "pain": pains, "feet": feet,
                              "shoe_wear": wear, "health": health}  # fmt: skip
    return {key: value for key, value in intake.items() if value or key == "schema_version"}


def _psfs(form: FormData, errors: list[str]) -> list[dict[str, Any]]:
    items = []
    for row in range(1, PSFS_ROWS + 1):
        activity = _text(form, f"psfs_activity_{row}")
        score = _whole(_text(form, f"psfs_score_{row}"), f"PSFS activity {row} score", errors)
        if activity and score is None:
            errors.append(f"PSFS activity {row}: rate '{activity[:40]}' from 0 to 10.")
        elif score is not None and not activity:
            errors.append(f"PSFS activity {row}: name the activity that the score {score} is for.")
        elif activity and score is not None:
            items.append({"activity": activity, "score": score})
    return items


def _save_visit(
    session: Session, user: CurrentUser, patient_id: str, form: FormData, uploads: list[api_clinic.Upload]
) -> tuple[VisitRow | None, PatientRow, list[str], int]:
    """Validate the visit form and record the visit; returns the visit or the errors and their status."""
    patient = patient_or_404(session, user, patient_id)
    errors: list[str] = []
    day_text = _text(form, "visited_on")
    try:
        visited_on: date | None = date.fromisoformat(day_text) if day_text else None
    except ValueError:
        visited_on = None
    if visited_on is None:
        errors.append("visit date: give the date of the visit (YYYY-MM-DD).")
    intake = intake_from_form(form, patient, visited_on, errors)
    data = {
        "visited_on": day_text,
        "kind": _text(form, "kind") or "assessment",
        "intake": intake or None,
        "pain_score": _whole(_text(form, "pain_score"), "pain now", errors),
        "psfs": _psfs(form, errors),
    }
    if errors:
        return None, patient, errors, 422
    try:
        visit = api_clinic.record_visit(session, user, patient_id, VisitIn.model_validate(data), uploads)
    except ValidationError as exc:
        return None, patient, _messages(exc), 422
    except HttpError as exc:
        return None, patient, [str(exc)], exc.status_code
    except FootchainError as exc:
        return None, patient, [str(exc)], 422
    return visit, patient, [], 201


async def _read_files(form: FormData) -> list[api_clinic.Upload]:
    uploads: list[api_clinic.Upload] = []
    for kind in ("footprint", "gait"):
        for item in form.getlist(f"{kind}_files"):
            if isinstance(item, UploadFile) and item.filename:
                uploads.append((kind, item.filename, await item.read()))
    return uploads


@router.post("/clinic/patients/{patient_id}/visits/new", response_model=None)
async def create_visit(request: Request, patient_id: str, user: CsrfUser, session: DbSession) -> Response:
    form = await request.form()
    uploads = await _read_files(form)
    visit, patient, errors, status = await run_in_threadpool(
        _save_visit, session, user, patient_id, form, uploads
    )
    if visit is None:
        context = _form_context(user, patient, _form_values(form), errors)
        return _page(request, "clinic/visit_form.html.j2", context, status_code=status)
    if uploads:
        api_clinic.wake_worker(request)
    return _to(f"/clinic/visits/{visit.id}")


# The visit


def fpi_totals(intake: dict[str, Any]) -> dict[str, int]:
    """The FPI-6 total per foot (sum of the six items, −12 … +12), for the feet that were scored."""
    scores = (intake.get("feet") or {}).get("fpi6") or {}
    return {side: sum(scores[side]) for side in FOOT_SIDES if isinstance(scores.get(side), list)}


def _measurements(visit: VisitRow, files: list[VisitFileRow], *, inline: bool = False) -> Measurements:
    """The visit's measured files as the report's "What we measured"; ``inline`` puts the pictures
    inside (``data:`` URIs) for the PDF, which reads no URL."""
    footprints, gait = [], []
    for row in files:
        if row.status != "done" or row.result is None:
            continue
        if row.kind == "footprint":
            picture = None
            if row.overlay_png:
                picture = (
                    png_data_uri(row.overlay_png)
                    if inline
                    else f"/clinic/visits/{visit.id}/files/{row.id}/overlay.png"
                )
            footprints.append(footprint_view(row.filename, row.result, picture))
        else:
            figures = {name: svg_data_uri(svg) for name, svg in row.figures.items() if isinstance(svg, str)}
            gait.append(gait_view(row.filename, row.result, figures))
    return Measurements(footprints=tuple(footprints), gait=tuple(gait))


def _report(visit: VisitRow, files: list[VisitFileRow], patient: str) -> str | None:
    """The visit's report written for the clinician: about the patient by name, research numbers shown."""
    from markupsafe import Markup

    from footchain.intake import parse_intake

    if visit.assessment is None:
        return None
    assessment = Assessment.model_validate(visit.assessment)
    intake = parse_intake(visit.intake or {"schema_version": 1})
    return Markup(render_report_body(assessment, intake, _measurements(visit, files), patient=patient))


@router.get("/clinic/visits/{visit_id}/report.pdf", response_model=None)
def visit_report_pdf(visit_id: str, user: PageUser, session: DbSession) -> Response:
    """The visit's report as a PDF for the clinician: about the patient by name, research numbers shown,
    dated with the visit's day."""
    from footchain.intake import parse_intake
    from footchain.present.pdf import render_pdf

    visit = visit_or_404(session, user, visit_id)
    patient = patient_or_404(session, user, visit.patient_id)
    if visit.assessment is None:
        raise HttpError(404, "This visit records outcome scores only; it has no report.")
    files = patients.files_of(session, user.clinic_id, visit.id)
    html = render_html(
        Assessment.model_validate(visit.assessment),
        parse_intake(visit.intake or {"schema_version": 1}),
        _measurements(visit, files, inline=True),
        made_on=f"{visit.visited_on.day} {visit.visited_on:%B %Y}",
        patient=patient.name,
    )
    audit(session, user, "view", "visit", visit.id)
    return Response(
        render_pdf(html),
        media_type="application/pdf",
        headers={
            "Content-Disposition": 'attachment; filename="footchain-visit-report.pdf"',
            "Cache-Control": "no-store",
        },
    )


@router.get("/clinic/visits/{visit_id}", response_class=HTMLResponse)
def visit_page(request: Request, visit_id: str, user: PageUser, session: DbSession) -> HTMLResponse:
    """The visit: outcome scores, FPI-6 totals, files with their live status, and the report."""
    from markupsafe import Markup

    visit = visit_or_404(session, user, visit_id)
    patient = patient_or_404(session, user, visit.patient_id)
    files = patients.files_of(session, user.clinic_id, visit.id)
    feet = (visit.assessment or {}).get("feet") or {}
    context = {
        "user": user,
        "visit": visit,
        "patient": patient,
        "kind": KIND_WORDS.get(visit.kind, visit.kind),
        "files": files,
        "pending": any(f.status not in FINISHED for f in files),
        "fpi_totals": fpi_totals(visit.intake),
        "feet": feet,
        "psfs_mean": _psfs_mean(visit.psfs),
        "report": _report(visit, files, patient.name),
        "report_css": Markup(report_css()),
    }
    audit(session, user, "view", "visit", visit.id)
    return _page(request, "clinic/visit.html.j2", context)


@router.get("/clinic/visits/{visit_id}/status")
def visit_status(visit_id: str, user: PageUser, session: DbSession) -> JSONResponse:
    """The analysis status of the visit's files (polled by ``static/clinic.js``)."""
    visit = visit_or_404(session, user, visit_id)
    files = patients.files_of(session, user.clinic_id, visit.id)
    return JSONResponse(
        {
            "files": [{"id": f.id, "status": f.status, "error": f.error} for f in files],
            "pending": any(f.status not in FINISHED for f in files),
        },
        headers={"Cache-Control": "no-store"},
    )


@router.get("/clinic/visits/{visit_id}/files/{file_id}/overlay.png", response_model=None)
def overlay_png(visit_id: str, file_id: str, user: PageUser, session: DbSession) -> Response:
    visit_or_404(session, user, visit_id)
    row = patients.get_visit_file(session, user.clinic_id, visit_id, file_id)
    if row is None or row.overlay_png is None:
        raise HttpError(404, api_clinic.NO_FILE)
    return Response(row.overlay_png, media_type="image/png", headers={"Cache-Control": "private, no-store"})


# Compare


FOOTPRINT_INDICES = (
    ("arch_index", "Arch index"),
    ("chippaux_smirak_index", "Chippaux-Smirak index (%)"),
    ("staheli_index", "Staheli index"),
    ("clarke_angle_deg", "Clarke angle (°)"),
    ("foot_length_mm", "Foot length (mm)"),
)


def footprint_indices(intake: dict[str, Any], files: list[VisitFileRow]) -> dict[str, dict[str, float]]:
    """Footprint indices per foot: measured prints first (the first print per side), else typed values."""
    found: dict[str, dict[str, float]] = {}
    for row in files:
        if row.kind != "footprint" or row.status != "done" or row.result is None:
            continue
        for measured in row.result.get("prints", []):
            side = measured.get("side")
            if side in FOOT_SIDES and side not in found:
                found[side] = {k: measured[k] for k, _ in FOOTPRINT_INDICES if measured.get(k) is not None}
    typed = (intake.get("feet") or {}).get("footprint") or {}
    for side in FOOT_SIDES:
        if side not in found and isinstance(typed.get(side), dict):
            found[side] = {k: typed[side][k] for k, _ in FOOTPRINT_INDICES if k in typed[side]}
    return found


def compare_column(session: Session, user: CurrentUser, visit: VisitRow) -> dict[str, Any]:
    """What the comparison shows of one visit."""
    files = patients.files_of(session, user.clinic_id, visit.id)
    assessment = visit.assessment or {}
    return {
        "visit": visit,
        "kind": KIND_WORDS.get(visit.kind, visit.kind),
        "fpi": fpi_totals(visit.intake),
        "feet": assessment.get("feet") or {},
        "indices": footprint_indices(visit.intake, files),
        "psfs_mean": _psfs_mean(visit.psfs),
        "referral": assessment.get("referral"),
        "insole": assessment.get("insole"),
    }


@router.get("/clinic/patients/{patient_id}/compare", response_class=HTMLResponse)
def compare_page(
    request: Request, patient_id: str, user: PageUser, session: DbSession, a: str = "", b: str = ""
) -> HTMLResponse:
    """Two visits of the patient side by side (by default the first and the latest)."""
    patient = patient_or_404(session, user, patient_id)
    visits = patients.visits_of(session, user.clinic_id, patient_id)
    by_id = {v.id: v for v in visits}
    if (a and a not in by_id) or (b and b not in by_id):
        raise HttpError(404, api_clinic.NO_VISIT)
    if len(visits) < 1:
        raise HttpError(404, "This patient has no visits to compare yet.")
    first = by_id[a] if a else visits[0]
    second = by_id[b] if b else visits[-1]
    context = {
        "user": user,
        "patient": patient,
        "visits": visits,
        "columns": [compare_column(session, user, first), compare_column(session, user, second)],
        "indices": FOOTPRINT_INDICES,
        "sides": FOOT_SIDES,
    }
    audit(session, user, "view", "visit", first.id)
    audit(session, user, "view", "visit", second.id)
    return _page(request, "clinic/compare.html.j2", context)


# Export (signed-in pages; the API has the same under /api/v1)


@router.get("/clinic/patients/{patient_id}/export.json", response_model=None)
def export_json(patient_id: str, user: PageUser, session: DbSession) -> Response:
    return api_clinic.export_json(patient_id, user, session)


@router.get("/clinic/patients/{patient_id}/export.pdf", response_model=None)
def export_pdf(patient_id: str, user: PageUser, session: DbSession) -> Response:
    return api_clinic.export_pdf(patient_id, user, session)
