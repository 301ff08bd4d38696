"""The self-assessment pages: home, the calibration sheet, one step per page, red-flag advice, submit.

Every step is ``GET /assess/{step}`` (the form filled in from the draft) and ``POST /assess/{step}``
(answers merged into the draft, committed, then a 303 to the next step: Post/Redirect/Get), so answers
survive reloads and the back button without JavaScript. After every step the draft is assessed by the
real engine; an emergency or urgent referral not shown before sends the person to ``/assess/referral``
at once. ``POST /assess/submit`` stores the assessment and opens its results page.

``POST /assess/again/{assessment id}`` (the report's "Answer these questions") starts a new draft with
everything a stored assessment gave (``refill.py``) and opens the health questions; submitting it stores a
new assessment, the first one stays as it was.
"""

from __future__ import annotations

import copy
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData, UploadFile

from footchain.errors import FootchainError
from footchain.present.html import CALL_NUMBERS, referral_view
from footchain.present.summary import shown_reasons, tell_clinician
from footchain.store import repository
from footchain.store.database import write_transaction
from footchain.types import Intake
from footchain.web import screening
from footchain.web.assessments import assess_and_store, load_stored
from footchain.web.dependencies import AppSettings, DbSession, get_settings
from footchain.web.errors import HttpError
from footchain.web.limits import megabytes
from footchain.web.routes.wizard import drafts, maps, refill, steps, views
from footchain.web.routes.wizard.drafts import Draft
from footchain.web.routes.wizard.forms import (
    PARSERS,
    Errors,
    Form,
    age_conflicts,
    field_name,
    first,
    merge_sections,
)
from footchain.web.templating import TEMPLATES
from footchain.web.uploads import (
    analyze_footprint_upload,
    analyze_gait_upload,
    refuse_non_photo,
    run_analysis,
)

router = APIRouter(tags=["self-assessment pages"], include_in_schema=False)
PAPERS = ("a4", "letter")
SEXES = ("female", "male", "other")
MAX_AGE = 120  # types.Person.age_years


def _to(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def _step_url(name: str | None) -> str:
    return f"/assess/{name}" if name else "/assess/review"


def _form(data: FormData) -> Form:
    """A posted form as ``{name: [text values]}`` (files left out)."""
    return {key: [v for v in data.getlist(key) if isinstance(v, str)] for key in data}


def _saved_form(draft: Draft, step_name: str) -> Form:
    """A step's form as last saved; the age and sex fall back on the person's saved facts (a draft
    started before they moved to the health step keeps them)."""
    form = dict(draft.forms().get(step_name, {}))
    person = draft.answers.get("sections", {}).get("person", {})
    if step_name == "health":
        form.setdefault("age_years", [str(person["age_years"])] if "age_years" in person else [])
        form.setdefault("sex", [person["sex"]] if "sex" in person else [])
    return form


def _render(
    request: Request,
    session: Session,
    draft: Draft,
    step_name: str,
    *,
    form: Form | None = None,
    errors: Errors | None = None,
    status: int = 200,
    **extra: Any,
) -> HTMLResponse:
    """A step's page, filled in from ``form`` (what was posted) or else from the draft."""
    step = steps.step_named(step_name)
    assert step is not None
    previous = steps.previous_step(step_name)
    referral = drafts.urgent_referral(draft.answers) if draft.answers.get("sections") else None
    context: dict[str, Any] = {
        "step": step,
        "steps": steps.STEPS,
        "number": steps.number_of(step_name),
        "total": len(steps.STEPS),
        "back_url": _step_url(previous) if previous else "/",
        "skip_url": _step_url(steps.next_step(step_name)),
        "form": form if form is not None else _saved_form(draft, step_name),
        "errors": errors or {},
        "banner": referral_view(referral, has_limits=False) if referral else None,
        "lost": draft.lost,
        "max_upload_bytes": get_settings(request).max_upload_bytes,
        "max_upload_words": megabytes(get_settings(request).max_upload_bytes),
        **views.step_context(step_name, draft, session),
        **extra,
    }
    response = TEMPLATES.TemplateResponse(request, f"wizard/{step_name}.html.j2", context, status_code=status)
    if draft.started:
        drafts.remember(response, request, draft)
    return response


def _save_and_go_on(request: Request, session: Session, draft: Draft, step_name: str) -> RedirectResponse:
    """Save a finished step; go to the referral page if it is new and urgent, else to the next step."""
    following = steps.next_step(step_name) or "review"
    draft.mark_done(step_name)
    unseen = drafts.unseen_referral(draft.answers)  # records the reasons as shown
    drafts.save(session, draft)
    target = f"/assess/referral?next={following}" if unseen is not None else _step_url(following)
    response = _to(target)
    drafts.remember(response, request, draft)
    return response


@router.get("/", response_class=HTMLResponse)
def home(request: Request, session: DbSession) -> HTMLResponse:
    """What footchain does and does not do, the start button and the calibration sheet."""
    draft = drafts.open_draft(session, request, create=False)
    return TEMPLATES.TemplateResponse(
        request,
        "home.html.j2",
        {
            "resume": bool(draft and draft.answers.get("done")),
            "papers": PAPERS,
            "draft_days": get_settings(request).draft_days,
        },
    )


@router.get("/sheet.pdf")
def sheet_pdf(paper: str = "a4") -> Response:
    """The printable calibration sheet for footprint photos (``footchain sheet``)."""
    from footchain.measure.footprint.sheet import render_sheet_pdf

    if paper not in PAPERS:
        raise HttpError(422, f"paper must be 'a4' or 'letter', not '{paper[:20]}'.")
    return Response(
        render_sheet_pdf(paper),
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="footchain-sheet-{paper}.pdf"'},
    )


@router.get("/assess")
def start(request: Request, session: DbSession, fresh: bool = False) -> RedirectResponse:
    """Open the browser's draft (or a new one, always with ``?fresh=1``) and go to the first step."""
    draft = None if fresh else drafts.open_draft(session, request, create=False)
    if draft is None:
        draft = drafts.new_draft(session, request)
    response = _to(_step_url(steps.FIRST))
    drafts.remember(response, request, draft)
    return response


@router.get("/assess/referral", response_class=HTMLResponse)
def referral_page(
    request: Request, session: DbSession, after: Annotated[str, Query(alias="next")] = "activity"
) -> Response:
    """The referral advice, first and alone: go now, or see a doctor today, with the reasons."""
    draft = drafts.open_draft(session, request, create=False)
    if draft is None:
        return _to("/assess")
    referral = drafts.urgent_referral(draft.answers)
    following = after if steps.step_named(after) else "review"
    context = {
        "referral": referral,
        "reasons": shown_reasons(referral) if referral else (),
        "tell": tell_clinician(drafts.screening_intake(draft.answers)) if referral else (),
        "view": referral_view(referral, has_limits=False) if referral else None,
        "call_numbers": CALL_NUMBERS,
        "next_url": _step_url(following),
    }
    return TEMPLATES.TemplateResponse(request, "wizard/referral.html.j2", context)


SIDE_ERROR = "Which foot is this print: choose Left or Right, then press “Use this side”."


@router.post("/assess/submit")
def submit(request: Request, session: DbSession) -> Response:
    """Assess the draft with its uploads, store it, forget the draft and open the results page."""
    draft = drafts.open_draft(session, request, create=False)
    if draft is None:
        return _to("/assess")
    try:
        with write_transaction(session):
            stored = assess_and_store(session, drafts.draft_to_intake(draft.answers))
            drafts.discard(session, draft.id)
    except FootchainError as exc:
        return _render(request, session, draft, "review", errors={"form": str(exc)}, status=422)
    response = _to(f"/assessments/{stored.id}")
    drafts.forget(response)
    return response


REPORT_GONE = (
    "We could not find this report. The link may be incomplete: copy the whole address again, or start a "
    "new assessment."
)


@router.post("/assess/again/{assessment_id}")
def answer_again(assessment_id: str, request: Request, session: DbSession) -> Response:
    """A new draft of this browser holding everything a stored assessment gave, opened at the health
    questions so the person can answer the ones left open; the stored assessment is not changed."""
    stored = load_stored(session, assessment_id) if len(assessment_id) <= 64 else None
    if stored is None:
        raise HttpError(404, REPORT_GONE)
    draft = drafts.new_draft(session, request)
    draft.answers = refill.draft_answers(stored.intake.model_dump(mode="json", exclude_none=True))
    drafts.save(session, draft)
    response = _to("/assess/health")
    drafts.remember(response, request, draft)
    return response


@router.get("/assess/footprint/{upload_id}.png")
def footprint_overlay(upload_id: str, request: Request, session: DbSession) -> Response:
    """The measured footprint drawn over the photo, only for uploads of the browser's own draft."""
    draft = drafts.open_draft(session, request, create=False)
    row = repository.get_upload(session, upload_id, "footprint") if draft else None
    if draft is None or row is None or upload_id not in draft.files("footprint") or not row.overlay_png:
        raise HttpError(404, "No such picture in your answers.")
    return Response(row.overlay_png, media_type="image/png", headers={"Cache-Control": "private, no-store"})


async def _upload(request: Request, session: DbSession, max_bytes: int, kind: str) -> Response:
    """Measure and store the files of the footprint or gait step, or move on when none was chosen."""
    data = await request.form()
    draft = drafts.open_draft(session, request)
    assert draft is not None
    files = [f for f in data.getlist("files") if isinstance(f, UploadFile) and f.filename]
    if data.get("action") != "upload" and not files:
        return _save_and_go_on(request, session, draft, kind)
    # A file chosen and then "Continue" pressed is measured and shown, never dropped silently.
    try:
        if not files:
            raise HttpError(422, "Choose a file first, then press “Upload and measure”.")
        named = []
        for upload in files:
            content = await upload.read(max_bytes + 1)
            if len(content) > max_bytes:
                raise HttpError(413, f"{upload.filename} is larger than {megabytes(max_bytes)}.")
            named.append((upload.filename or kind, content))
        if kind == "footprint":
            refuse_non_photo(*named[0])
            analysed = await run_analysis(request, analyze_footprint_upload, *named[0])
        else:
            analysed = await run_analysis(request, analyze_gait_upload, named, plain=True)
    except HttpError as exc:
        return _render(request, session, draft, kind, errors={"files": str(exc)}, status=exc.status_code)
    with write_transaction(session):  # the upload and the draft naming it, committed together
        upload_id = repository.save_upload(
            session,
            kind=kind,
            filename=named[0][0],
            media_type=analysed.media_type,
            content=named[0][1],
            result=analysed.result,
            overlay_png=analysed.overlay_png,
            figures=analysed.figures,
        )
        draft.files(kind).append(upload_id)
        drafts.save(session, draft)
    response = _to(f"/assess/{kind}#measured")
    drafts.remember(response, request, draft)
    return response


@router.post("/assess/footprint")
async def footprint_step(request: Request, session: DbSession, settings: AppSettings) -> Response:
    """Step 6: a photo of a footprint on the calibration sheet, measured at once (optional)."""
    return await _upload(request, session, settings.max_upload_bytes, "footprint")


@router.post("/assess/gait")
async def gait_step(request: Request, session: DbSession, settings: AppSettings) -> Response:
    """Step 7: a walking recording from a pressure insole, force plate or foot sensors (optional)."""
    return await _upload(request, session, settings.max_upload_bytes, "gait")


@router.post("/assess/{kind}/remove")
async def remove_upload(kind: str, request: Request, session: DbSession) -> Response:
    """Take an uploaded file out of the answers (and delete it)."""
    if kind not in drafts.FILE_LISTS:
        raise HttpError(404, "There is no such step.")
    data = await request.form()
    draft = drafts.open_draft(session, request, create=False)
    upload_id = str(data.get("upload_id", ""))
    if draft is not None and upload_id in draft.files(kind):
        draft.files(kind).remove(upload_id)
        row = repository.get_upload(session, upload_id, kind)
        with write_transaction(session):
            if row is not None and row.assessment_id is None:  # kept while an assessment uses it
                repository.delete_upload(session, upload_id)
            drafts.save(session, draft)
    return _to(f"/assess/{kind}")


@router.post("/assess/footprint/side")
async def footprint_side(request: Request, session: DbSession) -> Response:
    """The person gives the side of a print the analyser could not tell (left or right)."""
    data = await request.form()
    draft = drafts.open_draft(session, request, create=False)
    upload_id, side = str(data.get("upload_id", "")), str(data.get("side", ""))
    index = str(data.get("print", ""))
    if draft is None or upload_id not in draft.files("footprint"):
        raise HttpError(404, "No such photo in your answers.")
    row = repository.get_upload(session, upload_id, "footprint")
    prints = row.result.get("prints", []) if row is not None else []
    if row is None or not index.isdigit() or int(index) >= len(prints):
        raise HttpError(404, "No such print in this photo.")
    if side not in ("left", "right"):
        return _render(
            request, session, draft, "footprint", errors={f"side-{upload_id}-{index}": SIDE_ERROR}, status=422
        )
    result = views.with_side(row.result, int(index), side)
    with write_transaction(session):
        if row.assessment_id is None:
            row.result = result
        else:  # a stored report uses this photo too and keeps showing it as it was: change a copy
            copy_id = repository.save_upload(
                session,
                kind="footprint",
                filename=row.filename,
                media_type=row.media_type,
                content=row.content,
                result=result,
                overlay_png=row.overlay_png,
                figures=row.figures,
            )
            files = draft.files("footprint")
            files[files.index(upload_id)] = copy_id
            drafts.save(session, draft)
    return _to("/assess/footprint#measured")


@router.get("/assess/{step_name}", response_class=HTMLResponse)
def show_step(step_name: str, request: Request, session: DbSession) -> Response:
    """One step, filled in from the draft; an unknown or expired draft starts afresh."""
    if steps.step_named(step_name) is None:
        raise HttpError(404, f"There is no step called '{step_name[:40]}'.")
    draft = drafts.open_draft(session, request)
    assert draft is not None
    return _render(request, session, draft, step_name)


@router.post("/assess/{step_name}")
async def save_step(step_name: str, request: Request, session: DbSession) -> Response:
    """Merge a step's answers into the draft and go on; bad answers come back with a message (422)."""
    if steps.step_named(step_name) is None:
        raise HttpError(404, f"There is no step called '{step_name[:40]}'.")
    form = _form(await request.form())
    draft = drafts.open_draft(session, request)
    assert draft is not None
    parse = PARSERS.get(step_name)
    if parse is not None:
        sections, errors = parse(form)
        if step_name == "health":
            sections["health"] = {**_off_page_answers(draft), **sections["health"]}
        merged = copy.deepcopy(draft.answers.get("sections", {}))
        merge_sections(merged, step_name, sections)
        if not errors:
            errors = _age_errors(step_name, merged)
        if errors:
            return _render(request, session, draft, step_name, form=form, errors=errors, status=422)
        draft.answers["sections"] = merged
        draft.forms()[step_name] = form
        if step_name == "health" and (added := _newly_asked(form, draft)):
            drafts.save(session, draft)  # nothing typed is lost; the page asks the new questions
            return _render(request, session, draft, step_name, added=added)
    return _save_and_go_on(request, session, draft, step_name)


def _off_page_answers(draft: Draft) -> dict[str, bool]:
    """Saved health answers to questions the health page does not show (given through the API, or asked
    when the pains were others): the page cannot post them back, so posting it must not erase them."""
    shown = {q.name for group in drafts.health_groups(draft.answers) for q in group.questions}
    saved: dict[str, bool] = draft.answers.get("sections", {}).get("health", {})
    return {question: answer for question, answer in saved.items() if question not in shown}


def _age_errors(step_name: str, sections: dict[str, Any]) -> Errors:
    """A pain cannot have lasted longer than the person has lived: say so beside the field just typed."""
    errors: Errors = {}
    pains = sections.get("pain", [])
    for index, weeks, age in age_conflicts(sections):
        if step_name == "pain":
            name = f"{maps.part_key_of(pains[index])}-weeks"
            errors[name] = (
                f"{field_name(name)}: {weeks:g} weeks is longer than your age ({age} years). "
                "Give the time in weeks, or check your age on the health step."
            )
        elif step_name == "health":
            errors["age_years"] = (
                f"Age: a pain you marked has lasted {weeks:g} weeks, longer than {age} years. "
                "Check your age here, or the weeks on “Where it hurts”."
            )
    return errors


def _with_person(intake: Intake, age: str, sex: str) -> Intake:
    """The intake with the age and sex as typed on the page (unknown when blank or impossible)."""
    known: dict[str, Any] = {"age_years": None, "sex": None}
    if age.isdigit() and int(age) <= MAX_AGE:
        known["age_years"] = int(age)
    if sex in SEXES:
        known["sex"] = sex
    return intake.model_copy(update={"person": intake.person.model_copy(update=known)})


def _newly_asked(form: Form, draft: Draft) -> list[str]:
    """Questions that apply to the age or sex just typed, were hidden on the page the person saw (drawn
    for another age or sex, and no script re-showed them) and are not answered: they must be asked."""
    age, _, sex = first(form, "shown_for").partition("|")
    intake = drafts.screening_intake(draft.answers)
    seen = set(screening.applying_questions(_with_person(intake, age, sex)))
    return [
        q for q in screening.applying_questions(intake) if q not in seen and not first(form, f"health-{q}")
    ]


@router.get("/assess/health/questions")
def health_questions(request: Request, session: DbSession, age: str = "", sex: str = "") -> JSONResponse:
    """For the health page's script: the questions that apply to the age and sex typed on the page."""
    draft = drafts.open_draft(session, request, create=False)
    answers = draft.answers if draft else {}
    intake = _with_person(drafts.screening_intake(answers), age, sex)
    person = intake.person.model_dump(exclude_none=True)
    return JSONResponse(
        {"show": screening.applying_questions(intake), "shown_for": views.shown_for(person)},
        headers={"Cache-Control": "no-store"},
    )
