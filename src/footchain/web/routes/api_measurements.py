"""``/api/v1/footprints`` and ``/api/v1/gait``: upload a footprint or a gait recording, get it measured.

An upload is measured like ``footchain footprint`` / ``footchain gait`` (its type judged from its
content), off the event loop and a few at a time (``uploads.run_analysis``), and stored only when the
measurement succeeded. The answer is the measurement contract (shared/contracts/measurements.md) plus
the upload's ``id`` (to put in an intake's ``files``) and the URLs of its pictures.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import JSONResponse, Response
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from footchain.store import repository
from footchain.store.database import write_transaction
from footchain.store.models import UploadRow
from footchain.web.dependencies import DbSession
from footchain.web.errors import HttpError
from footchain.web.uploads import AnalysedUpload, analyze_footprint_upload, analyze_gait_upload, run_analysis

router = APIRouter(tags=["measurements"])

PREFIX = "/api/v1"
ROUTES = {"footprint": "footprints", "gait": "gait"}
KIND_WORDS = {"footprint": "footprint upload", "gait": "gait recording"}
SVG_HEADERS = {"Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'"}
ERRORS: dict[int | str, dict[str, Any]] = {
    413: {"description": "The upload is larger than the server's limit (FOOTCHAIN_MAX_UPLOAD_MB)."},
    415: {"description": "The file's content is not a type this endpoint reads (judged from its bytes)."},
    422: {"description": "The file could not be measured, or a form field is wrong; `detail` says why."},
}
NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"description": "No upload of this kind has this id."}}


def _url(kind: str, upload_id: str, tail: str = "") -> str:
    return f"{PREFIX}/{ROUTES[kind]}/{upload_id}{tail}"


def _answer(
    row_id: str, kind: str, result: dict[str, Any], overlay: bool, figures: list[str]
) -> dict[str, Any]:
    """The measurement contract with the upload's id and the URLs of its pictures."""
    answer: dict[str, Any] = {"id": row_id, **result}
    if kind == "footprint":
        overlay_url = _url(kind, row_id, "/overlay.png") if overlay else None
        answer["overlay"] = overlay_url  # over HTTP, where the overlay is
        answer["overlay_url"] = overlay_url
    else:
        answer["figure_urls"] = {name: _url(kind, row_id, f"/figures/{name}.svg") for name in figures}
    return answer


def _row(session: Session, upload_id: str, kind: str) -> UploadRow:
    row = repository.get_upload(session, upload_id)
    if row is None:
        raise HttpError(
            404,
            f"No {KIND_WORDS[kind]} has this id. Check the id that POST {PREFIX}/{ROUTES[kind]} returned; "
            "ids are long random tokens, copied whole.",
        )
    if row.kind != kind:
        raise HttpError(
            404,
            f"This id belongs to a {KIND_WORDS[row.kind]}, not a {KIND_WORDS[kind]}: "
            f"read it at GET {_url(row.kind, '{id}')}.",
        )
    return row


async def _read(upload: UploadFile) -> tuple[str, bytes]:
    """The uploaded file's name and bytes (the body is already limited in size by ``limits``)."""
    content = await upload.read()
    return upload.filename or "upload", content


def _save(session: Session, kind: str, filename: str, content: bytes, analysed: AnalysedUpload) -> str:
    with write_transaction(session):
        return repository.save_upload(
            session,
            kind=kind,
            filename=filename,
            media_type=analysed.media_type,
            content=content,
            result=analysed.result,
            overlay_png=analysed.overlay_png,
            figures=analysed.figures,
        )


async def _store(session: Session, kind: str, filename: str, content: bytes, analysed: AnalysedUpload) -> str:
    """Store the measured upload and commit, in a worker thread (database calls block)."""
    return await run_in_threadpool(_save, session, kind, filename, content, analysed)


@router.post(
    "/footprints",
    status_code=201,
    summary="Measure a footprint photo, scan or pressure export",
    responses={
        201: {
            "description": "The footprint measurement contract (measurements.md) plus `id` and `overlay_url`.",
            "headers": {"Location": {"description": "Where the measurement can be read again."}},
        },
        **ERRORS,
    },
)
async def post_footprint(
    request: Request,
    session: DbSession,
    file: Annotated[
        UploadFile, File(description="A photo on the calibration sheet, a scan or a pressure file.")
    ],
    dpi: Annotated[float | None, Form(gt=0, description="Resolution of a scan (dots per inch).")] = None,
    mm_per_px: Annotated[
        float | None, Form(gt=0, description="Scale, or the sensor pitch of a pressure matrix.")
    ] = None,
    kind: Annotated[
        Literal["photo", "scan", "pressure"] | None,
        Form(description="Skip detection: photo, scan or pressure."),
    ] = None,
    first_row: Annotated[
        Literal["bottom", "top"],
        Form(
            description="A CSV/NPY pressure matrix's first row: the bottom of the picture (plotted) or the top (an image)."
        ),
    ] = "bottom",
) -> JSONResponse:
    """Measure one footprint image like `footchain footprint --format json`; store it only if it could be
    measured. Put the returned `id` in an intake's `files.footprint_images`."""
    filename, content = await _read(file)
    analysed = await run_analysis(
        request,
        analyze_footprint_upload,
        filename,
        content,
        kind=kind,
        dpi=dpi,
        mm_per_px=mm_per_px,
        first_row=first_row,
    )
    upload_id = await _store(session, "footprint", filename, content, analysed)
    body = _answer(upload_id, "footprint", analysed.result, analysed.overlay_png is not None, [])
    return JSONResponse(body, status_code=201, headers={"Location": _url("footprint", upload_id)})


@router.get("/footprints/{upload_id}", summary="A measured footprint", responses=NOT_FOUND)
def get_footprint(upload_id: str, session: DbSession) -> JSONResponse:
    """The footprint measurement contract as `POST /api/v1/footprints` returned it."""
    row = _row(session, upload_id, "footprint")
    return JSONResponse(_answer(row.id, "footprint", row.result, row.overlay_png is not None, []))


@router.get(
    "/footprints/{upload_id}/overlay.png",
    summary="The footprint overlay: what was measured, drawn on the print",
    response_class=Response,
    responses={200: {"content": {"image/png": {}}}, **NOT_FOUND},
)
def get_footprint_overlay(upload_id: str, session: DbSession) -> Response:
    """A PNG of the print with the lines the indices were measured on."""
    row = _row(session, upload_id, "footprint")
    if row.overlay_png is None:
        raise HttpError(404, "This footprint has no overlay picture.")
    return Response(row.overlay_png, media_type="image/png")


@router.post(
    "/gait",
    status_code=201,
    summary="Measure a gait recording",
    responses={
        201: {
            "description": "The gait measurement contract (measurements.md) plus `id` and `figure_urls`.",
            "headers": {"Location": {"description": "Where the measurement can be read again."}},
        },
        **ERRORS,
    },
)
async def post_gait(
    request: Request,
    session: DbSession,
    file: Annotated[
        UploadFile, File(description="The recording: gaitpdb, Moticon, pedar, C3D, foot-IMU trial or CSV.")
    ],
    files: Annotated[
        list[UploadFile] | None,
        File(description="Files that travel with it, e.g. a foot-IMU trial's other `_lf/_rf/_lb` files."),
    ] = None,
) -> JSONResponse:
    """Measure a gait recording like `footchain gait --format json`; store it only if it could be measured.
    Put the returned `id` in an intake's `files.gait_recordings`."""
    uploads = [await _read(file)] + [await _read(extra) for extra in files or []]
    analysed = await run_analysis(request, analyze_gait_upload, uploads)
    filename, content = uploads[0]
    upload_id = await _store(session, "gait", filename, content, analysed)
    body = _answer(upload_id, "gait", analysed.result, False, list(analysed.figures))
    return JSONResponse(body, status_code=201, headers={"Location": _url("gait", upload_id)})


@router.get("/gait/{upload_id}", summary="A measured gait recording", responses=NOT_FOUND)
def get_gait(upload_id: str, session: DbSession) -> JSONResponse:
    """The gait measurement contract as `POST /api/v1/gait` returned it."""
    row = _row(session, upload_id, "gait")
    return JSONResponse(_answer(row.id, "gait", row.result, False, list(row.figures)))


@router.get(
    "/gait/{upload_id}/figures/{name}.svg",
    summary="A gait figure (force, strides, cop)",
    response_class=Response,
    responses={200: {"content": {"image/svg+xml": {}}}, **NOT_FOUND},
)
def get_gait_figure(upload_id: str, name: str, session: DbSession) -> Response:
    """An SVG figure of the recording; `figure_urls` in the measurement lists the ones it has."""
    row = _row(session, upload_id, "gait")
    svg = row.figures.get(name)
    if not isinstance(svg, str):
        have = ", ".join(sorted(row.figures)) or "none"
        raise HttpError(404, f"This recording has no '{name[:40]}' figure; it has: {have}.")
    return Response(svg, media_type="image/svg+xml", headers=SVG_HEADERS)
