"""The results pages: the report of a stored assessment, its PDF, its footprint pictures, its trim template.

- ``GET /assessments/{id}``: the report as a web page, the same body as ``footchain assess --format
  html`` (``present.html.render_report_body``), with "What we measured" when uploads were used and a
  toolbar (PDF, trim template when the plan gives a size, start again); a box of open warning-sign
  questions ends with "Answer these questions" (``POST /assess/again/{id}``, the wizard's).
- ``GET /assessments/{id}/report.pdf``: the standalone report printed by WeasyPrint, pictures inline.
- ``GET /assessments/{id}/footprints/{upload_id}.png``: a footprint's overlay, only for an upload that
  this assessment used.
- ``GET /assessments/{id}/trim-template.pdf?paper=a4|letter``: the 1:1 insole trim template.

An assessment's uploads are the ones its stored intake names in ``files``: one upload may serve several
assessments of the same person (say, assessed again with one answer changed), and each report keeps
showing it (``UploadRow.assessment_id`` names only the latest).

An unknown id gets the same plain 404 page whatever the reason, so nothing tells whether an id exists.
PDF rendering is slow CPU work: those routes are plain ``def`` so FastAPI runs them in a worker thread.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup
from sqlalchemy.orm import Session

from footchain.plan.referral import SEE_FIRST
from footchain.present.html import (
    Measurements,
    footprint_view,
    gait_view,
    made_on_words,
    png_data_uri,
    render_html,
    render_report_body,
    report_css,
    svg_data_uri,
)
from footchain.shop.matching import InsoleOffer, match_catalogue
from footchain.store import repository
from footchain.store.models import UploadRow
from footchain.types import Assessment
from footchain.web.assessments import StoredAssessment, load_stored
from footchain.web.dependencies import DbSession
from footchain.web.routes.api_insoles import server_catalogue
from footchain.web.templating import TEMPLATES

router = APIRouter(tags=["results"])

NOT_FOUND = (
    "We could not find this report. The link may be incomplete: copy the whole address again, or start a "
    "new assessment."
)
NO_TEMPLATE = {
    "not_recommended": "Your plan does not advise an off-the-shelf insole, so there is no trim template.",
    "deferred": (
        "Insole advice is on hold until a clinician has seen you, so there is no trim template yet. "
        "Please follow the advice at the top of your report first."
    ),
    "answers": (
        "Insole advice is on hold until a few more answers are given (see “Insoles” in your report), so "
        "there is no trim template yet."
    ),
    "no_size": (
        "Your plan has no insole size, because no foot length or shoe size was given. Start again and add "
        "your foot length or shoe size to get a trim template."
    ),
}
PAPERS = ("a4", "letter")


def _message_page(request: Request, status: int, title: str, message: str) -> HTMLResponse:
    return TEMPLATES.TemplateResponse(
        request, "results/message.html.j2", {"title": title, "message": message}, status_code=status
    )


def _not_found(request: Request) -> HTMLResponse:
    return _message_page(request, 404, "Report not found", NOT_FOUND)


def _offer(request: Request, stored: StoredAssessment) -> InsoleOffer | None:
    """The server's insole catalogue (``FOOTCHAIN_CATALOGUE``) matched to the plan, when one is set and
    the plan advises an insole: no shop for a person told that insoles are not for them, and none beside
    an emergency or same-day referral."""
    assessment = stored.assessment
    if assessment.insole.status != "recommended" or assessment.referral.urgency in SEE_FIRST:
        return None
    products = server_catalogue(request)
    return None if products is None else match_catalogue(assessment, products)


def made_on(stored: StoredAssessment) -> str | None:
    """When the assessment was made, in words ("8 December 2026, 04:12 UTC"), to date the page and the PDF."""
    when = stored.created_at
    return None if when is None else made_on_words(when)


def _uploads_used(session: Session, stored: StoredAssessment) -> list[UploadRow]:
    """The uploads the assessment used, as named in its stored intake: footprints, then gait."""
    files = stored.intake.files
    return repository.uploads_named(session, files.footprint_images, "footprint") + repository.uploads_named(
        session, files.gait_recordings, "gait"
    )


def _measurements(
    session: Session, stored: StoredAssessment, *, inline: bool
) -> tuple[Measurements, list[UploadRow]]:
    """The uploads this assessment used, as the report's "What we measured" (pictures inline or linked)."""
    assessment_id = stored.id
    rows = _uploads_used(session, stored)
    footprints = []
    gait = []
    for row in rows:
        if row.kind == "footprint":
            picture = None
            if row.overlay_png is not None:
                picture = (
                    png_data_uri(row.overlay_png)
                    if inline
                    else f"/assessments/{assessment_id}/footprints/{row.id}.png"
                )
            footprints.append(footprint_view(row.filename, row.result, picture))
        elif row.kind == "gait":
            figures = {name: svg_data_uri(svg) for name, svg in row.figures.items() if isinstance(svg, str)}
            gait.append(gait_view(row.filename, row.result, figures))
    return Measurements(footprints=tuple(footprints), gait=tuple(gait)), rows


def _template_refusal(assessment: Assessment) -> str | None:
    """Why the plan gives no trim template, in words; None when it does."""
    insole = assessment.insole
    if insole.status == "deferred" and assessment.referral.urgency not in ("emergency", "urgent"):
        return NO_TEMPLATE["no_size"] if insole.size is None else NO_TEMPLATE["answers"]
    if insole.status != "recommended":
        return NO_TEMPLATE[insole.status]
    if insole.size is None:
        return NO_TEMPLATE["no_size"]
    return None


def _stored(session: Session, assessment_id: str) -> StoredAssessment | None:
    if len(assessment_id) > 64:
        return None
    return load_stored(session, assessment_id)


@router.get("/assessments/{assessment_id}", response_class=HTMLResponse)
def results_page(request: Request, assessment_id: str, session: DbSession) -> HTMLResponse:
    """The report of a stored assessment as a web page."""
    stored = _stored(session, assessment_id)
    if stored is None:
        return _not_found(request)
    measurements, _rows = _measurements(session, stored, inline=False)
    tools = TEMPLATES.get_template("results/_tools.html.j2").render(
        id=stored.id, has_template=_template_refusal(stored.assessment) is None
    )
    answer = TEMPLATES.get_template("results/_answer.html.j2").render(id=stored.id)
    body = render_report_body(
        stored.assessment,
        stored.intake,
        measurements,
        made_on=made_on(stored),
        tools=tools,
        answer_action=answer,
    )
    context = {
        "report": Markup(body),  # rendered by the report's autoescaping template
        "report_css": Markup(report_css()),  # our own style sheet
        "offer": _offer(request, stored),
    }
    return TEMPLATES.TemplateResponse(request, "results/report.html.j2", context)


@router.get("/assessments/{assessment_id}/report.pdf", response_model=None)
def report_pdf(request: Request, assessment_id: str, session: DbSession) -> Response:
    """The report as a PDF (the standalone HTML report printed with WeasyPrint)."""
    from footchain.present.pdf import render_pdf

    stored = _stored(session, assessment_id)
    if stored is None:
        return _not_found(request)
    measurements, _rows = _measurements(session, stored, inline=True)
    pdf = render_pdf(render_html(stored.assessment, stored.intake, measurements, made_on=made_on(stored)))
    return Response(
        pdf,
        media_type="application/pdf",
        headers={
            "Content-Disposition": 'attachment; filename="footchain-report.pdf"',
            "Cache-Control": "no-store",
        },
    )


@router.get("/assessments/{assessment_id}/footprints/{upload_id}.png", response_model=None)
def footprint_overlay(request: Request, assessment_id: str, upload_id: str, session: DbSession) -> Response:
    """A footprint's overlay picture, only when this assessment used that upload."""
    stored = _stored(session, assessment_id)
    if stored is None or upload_id not in stored.intake.files.footprint_images:
        return _not_found(request)
    row = repository.get_upload(session, upload_id, "footprint")
    if row is None or row.overlay_png is None:
        return _not_found(request)
    return Response(
        row.overlay_png, media_type="image/png", headers={"Cache-Control": "private, max-age=3600"}
    )


@router.get("/assessments/{assessment_id}/trim-template.pdf", response_model=None)
def trim_template_pdf(
    request: Request, assessment_id: str, session: DbSession, paper: str = "a4"
) -> Response:
    """The printable 1:1 insole trim template of the plan's insole size, on A4 or Letter paper."""
    from footchain.present.trim_template import render_trim_template

    stored = _stored(session, assessment_id)
    if stored is None:
        return _not_found(request)
    paper = paper.strip().lower()
    if paper not in PAPERS:
        return _message_page(
            request, 422, "Unknown paper size", "Choose the paper size A4 or Letter for the trim template."
        )
    refusal = _template_refusal(stored.assessment)
    size = stored.assessment.insole.size
    if refusal is not None or size is None:
        return _message_page(request, 409, "No trim template", refusal or NO_TEMPLATE["no_size"])
    pdf = render_trim_template(size, paper)
    return Response(
        pdf,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="footchain-trim-template-{paper}.pdf"',
            "Cache-Control": "no-store",
        },
    )
