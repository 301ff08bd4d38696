"""The outcomes and gear sections of a clinic patient's page, their own pages, and the gear forms.

Engineer B's patient page (``GET /clinic/patients/{id}``) calls ``outcomes_context`` and
``gear_context`` and includes ``clinic/_outcomes.html.j2`` and ``clinic/_gear.html.j2``; those two
functions read only (the page itself audits the view). Here:

- ``GET /clinic/patients/{id}/outcomes``: the chart and the verdict alone, for direct links.
- ``GET /clinic/patients/{id}/gear``: the gear section alone (also shown again with the errors of a
  rejected form).
- ``POST /clinic/patients/{id}/gear``: add shoes, insoles or a top cover.
- ``POST /clinic/patients/{id}/gear/{gear_id}/wear-check`` (shoes checked today),
  ``.../worn`` (distance or hours worn so far), ``.../retire`` (out of use today), ``.../delete``.
Every post needs the session's CSRF token (``CsrfUser``) and redirects back (303) to the patient's page
or, with ``back=gear``, to the gear page. Another clinic's patient or gear gets the same 404 as an
unknown id.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup
from sqlalchemy.orm import Session

from footchain.clinic.chart import outcome_charts
from footchain.clinic.gear import GEAR_KINDS, KIND_WORDS, Reminder, reminder
from footchain.clinic.outcomes import OutcomeVerdict, ScoredVisit
from footchain.knowledge import load_knowledge
from footchain.store import accounts
from footchain.store import gear as gear_store
from footchain.store.database import write_transaction
from footchain.store.models import GearRow
from footchain.web.auth import CsrfUser, CurrentUser, PageUser
from footchain.web.dependencies import DbSession
from footchain.web.errors import HttpError
from footchain.web.routes.api_clinic import patient_or_404
from footchain.web.routes.api_outcomes import GEAR_NOT_FOUND, check_gear_dates, outcomes_of, today
from footchain.web.templating import TEMPLATES

router = APIRouter(tags=["outcome pages"])

MAX_AMOUNT = 1_000_000
VERDICT_CLASS = {
    "improved": "improved",
    "no meaningful change": "unchanged",
    "worse": "worse",
    "not enough follow-ups yet": "pending",
}


@dataclass(frozen=True)
class OutcomesSection:
    """What ``clinic/_outcomes.html.j2`` shows."""

    patient_id: str
    visits: list[ScoredVisit]
    verdict: OutcomeVerdict
    charts: list[tuple[str, Markup]]
    verdict_class: dict[str, str]
    sources: tuple[str, str]


@dataclass(frozen=True)
class GearLine:
    row: GearRow
    kind_words: str
    reminder: Reminder | None


@dataclass
class GearSection:
    """What ``clinic/_gear.html.j2`` shows, with a rejected form's errors and values."""

    patient_id: str
    lines: list[GearLine]
    attention: list[GearLine]
    today: date
    kinds: list[tuple[str, str]]
    errors: dict[str, str] = field(default_factory=dict)
    values: dict[str, str] = field(default_factory=dict)
    back: str = ""


def outcomes_context(session: Session, user: CurrentUser, patient_id: str) -> dict[str, Any]:
    """``{"outcomes_section": ...}`` for ``clinic/_outcomes.html.j2`` (404 for another clinic's patient)."""
    visits, verdict = outcomes_of(session, user, patient_id)
    rules = load_knowledge().thresholds.outcomes
    charts = outcome_charts(visits, verdict.pain, verdict.psfs, rules, chart_id=f"outcomes-{patient_id[:8]}")
    section = OutcomesSection(
        patient_id=patient_id,
        visits=visits,
        verdict=verdict,
        charts=[(chart.title, Markup(chart.svg)) for chart in charts],  # every text in it is escaped
        verdict_class=VERDICT_CLASS,
        sources=(rules.nprs_source, rules.psfs_source),
    )
    return {"outcomes_section": section}


def gear_context(session: Session, user: CurrentUser, patient_id: str) -> dict[str, Any]:
    """``{"gear_section": ...}`` for ``clinic/_gear.html.j2`` (404 for another clinic's patient)."""
    return {"gear_section": _gear_section(session, user, patient_id)}


def _gear_section(session: Session, user: CurrentUser, patient_id: str) -> GearSection:
    patient_or_404(session, user, patient_id)
    on = today()
    lines = []
    for row in gear_store.gear_of(session, user.clinic_id, patient_id):
        item = gear_store.gear_item(row)
        lines.append(GearLine(row, KIND_WORDS[item.kind], reminder(item, on)))
    pending = [(line.reminder, line) for line in lines if line.reminder and line.reminder.status != "ok"]
    attention = [line for found, line in sorted(pending, key=lambda p: (p[0].status != "due", p[0].due_on))]
    return GearSection(
        patient_id=patient_id,
        lines=lines,
        attention=attention,
        today=on,
        kinds=[(kind, KIND_WORDS[kind]) for kind in GEAR_KINDS],
    )


def _audit(session: Session, user: CurrentUser, action: str, record_type: str, record_id: str) -> None:
    accounts.audit(
        session,
        clinic_id=user.clinic_id,
        user_id=user.id,
        action=action,
        record_type=record_type,
        record_id=record_id,
    )


def _back(patient_id: str, back: str) -> RedirectResponse:
    target = (
        f"/clinic/patients/{patient_id}/gear" if back == "gear" else f"/clinic/patients/{patient_id}#gear"
    )
    return RedirectResponse(target, status_code=303)


@router.get("/clinic/patients/{patient_id}/outcomes", response_class=HTMLResponse)
def outcomes_page(request: Request, patient_id: str, user: PageUser, session: DbSession) -> Response:
    """The outcomes chart and verdict of one patient."""
    context = outcomes_context(session, user, patient_id)
    with write_transaction(session):
        _audit(session, user, "view", "patient", patient_id)
    return TEMPLATES.TemplateResponse(
        request,
        "clinic/outcomes.html.j2",
        {"user": user, "patient_id": patient_id, "page": "outcomes", **context},
    )


@router.get("/clinic/patients/{patient_id}/gear", response_class=HTMLResponse)
def gear_page(request: Request, patient_id: str, user: PageUser, session: DbSession) -> Response:
    """The gear of one patient, with reminders and the forms."""
    section = _gear_section(session, user, patient_id)
    section.back = "gear"
    with write_transaction(session):
        _audit(session, user, "view", "patient", patient_id)
    return _gear_page(request, user, section)


def _gear_page(request: Request, user: CurrentUser, section: GearSection, status: int = 200) -> Response:
    context = {"user": user, "patient_id": section.patient_id, "page": "gear", "gear_section": section}
    return TEMPLATES.TemplateResponse(request, "clinic/outcomes.html.j2", context, status_code=status)


def _date(value: str, name: str, label: str, errors: dict[str, str], required: bool) -> date | None:
    if not value.strip():
        if required:
            errors[name] = f"Enter {label}."
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        errors[name] = f"Enter {label} as a date, for example 2026-03-01."
        return None


def _amount(value: str, name: str, label: str, errors: dict[str, str]) -> float | None:
    text = value.strip().replace(",", ".")
    if not text:
        return None
    try:
        number = float(text)
    except ValueError:
        errors[name] = f"Enter {label} as a number, for example 120."
        return None
    if not 0 <= number <= MAX_AMOUNT:
        errors[name] = f"Enter {label} between 0 and {MAX_AMOUNT:,}."
        return None
    return number


def _dates_in_order(
    started_on: date, checked: date | None, retired: date | None, errors: dict[str, str]
) -> None:
    try:
        check_gear_dates(started_on, checked, retired)
    except HttpError as exc:
        name = str(exc).split(":", 1)[0]
        errors[name] = str(exc).split(": ", 1)[1]


@router.post("/clinic/patients/{patient_id}/gear")
def add_gear_form(
    request: Request,
    patient_id: str,
    user: CsrfUser,
    session: DbSession,
    kind: Annotated[str, Form()] = "",
    name: Annotated[str, Form()] = "",
    started_on: Annotated[str, Form()] = "",
    distance_km: Annotated[str, Form()] = "",
    hours_worn: Annotated[str, Form()] = "",
    back: Annotated[str, Form()] = "",
) -> Response:
    """Add a piece of gear; a rejected form comes back on the gear page with what to fix."""
    patient_or_404(session, user, patient_id)
    errors: dict[str, str] = {}
    if kind not in GEAR_KINDS:
        errors["kind"] = "Choose shoes, insoles or top cover."
    clean_name = name.strip()
    if not clean_name:
        errors["name"] = "Enter a name, for example the brand and model."
    elif len(clean_name) > 200:
        errors["name"] = "Keep the name under 200 characters."
    started = _date(started_on, "started_on", "the day it was first worn", errors, required=True)
    distance = _amount(distance_km, "distance_km", "the distance worn in km", errors)
    hours = _amount(hours_worn, "hours_worn", "the hours worn", errors)
    if started is not None:
        _dates_in_order(started, None, None, errors)
    if errors or started is None:
        section = _gear_section(session, user, patient_id)
        section.errors = errors
        section.values = {
            "kind": kind,
            "name": name,
            "started_on": started_on,
            "distance_km": distance_km,
            "hours_worn": hours_worn,
        }
        section.back = back
        return _gear_page(request, user, section, status=422)
    with write_transaction(session):
        row = gear_store.add_gear(
            session,
            clinic_id=user.clinic_id,
            patient_id=patient_id,
            kind=kind,
            name=clean_name,
            started_on=started,
            distance_km=distance,
            hours_worn=hours,
        )
        _audit(session, user, "create", "gear", row.id)
    return _back(patient_id, back)


def _patient_gear(session: Session, user: CurrentUser, patient_id: str, gear_id: str) -> GearRow:
    """The gear of this patient of the user's clinic, or 404."""
    row = gear_store.clinic_gear(session, user.clinic_id, gear_id)
    if row is None or row.patient_id != patient_id:
        raise HttpError(404, GEAR_NOT_FOUND)
    return row


def _change(session: Session, user: CurrentUser, row: GearRow, changes: dict[str, Any]) -> None:
    with write_transaction(session):
        gear_store.update_gear(session, row, changes)
        _audit(session, user, "update", "gear", row.id)


@router.post("/clinic/patients/{patient_id}/gear/{gear_id}/wear-check")
def wear_check_form(
    patient_id: str, gear_id: str, user: CsrfUser, session: DbSession, back: Annotated[str, Form()] = ""
) -> Response:
    """Record that the shoes' wear was checked today."""
    row = _patient_gear(session, user, patient_id, gear_id)
    _change(session, user, row, {"wear_checked_on": max(today(), row.started_on)})
    return _back(patient_id, back)


@router.post("/clinic/patients/{patient_id}/gear/{gear_id}/retire")
def retire_form(
    patient_id: str, gear_id: str, user: CsrfUser, session: DbSession, back: Annotated[str, Form()] = ""
) -> Response:
    """Take the gear out of use today (it stays on record, without reminders)."""
    row = _patient_gear(session, user, patient_id, gear_id)
    _change(session, user, row, {"retired_on": max(today(), row.started_on)})
    return _back(patient_id, back)


@router.post("/clinic/patients/{patient_id}/gear/{gear_id}/worn")
def worn_form(
    request: Request,
    patient_id: str,
    gear_id: str,
    user: CsrfUser,
    session: DbSession,
    distance_km: Annotated[str, Form()] = "",
    hours_worn: Annotated[str, Form()] = "",
    back: Annotated[str, Form()] = "",
) -> Response:
    """Record the distance or hours worn so far (blank fields stay as they are)."""
    row = _patient_gear(session, user, patient_id, gear_id)
    errors: dict[str, str] = {}
    distance = _amount(distance_km, "distance_km", "the distance worn in km", errors)
    hours = _amount(hours_worn, "hours_worn", "the hours worn", errors)
    if errors:
        section = _gear_section(session, user, patient_id)
        section.errors = {f"{gear_id}-{key}": message for key, message in errors.items()} | {"worn": gear_id}
        section.back = back
        return _gear_page(request, user, section, status=422)
    changes = {
        key: value for key, value in (("distance_km", distance), ("hours_worn", hours)) if value is not None
    }
    if changes:
        _change(session, user, row, changes)
    return _back(patient_id, back)


@router.post("/clinic/patients/{patient_id}/gear/{gear_id}/delete")
def delete_form(
    patient_id: str, gear_id: str, user: CsrfUser, session: DbSession, back: Annotated[str, Form()] = ""
) -> Response:
    """Delete the gear record for good."""
    row = _patient_gear(session, user, patient_id, gear_id)
    with write_transaction(session):
        gear_store.delete_gear(session, row)
        _audit(session, user, "delete", "gear", gear_id)
    return _back(patient_id, back)
