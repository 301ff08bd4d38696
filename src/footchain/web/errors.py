"""Clear messages for bad input: the CLI's words, as a 4xx JSON answer or a page.

Every error a person can fix is a ``FootchainError``. Under ``/api/`` the answer is always JSON
``{"detail": message}``. A page gets a plain HTML page with the same words (``templates/errors/``):
the clinic pages (``/clinic``, ``/login``, ``/logout``) always, any other page when the browser asks for
HTML (``Accept: text/html``), so scripts fetching e.g. ``/sheet.pdf`` keep their JSON message.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from starlette.exceptions import HTTPException as StarletteHTTPException

from footchain.errors import FootchainError

log = logging.getLogger(__name__)
API_PREFIX = "/api/"
CLINIC_PAGES = ("/clinic", "/login", "/logout")
TITLES = {
    400: "Something in the request was not right",
    401: "Please sign in",
    403: "Not allowed",
    404: "Not found",
    405: "Not possible here",
    409: "Already there",
    413: "Too large",
    503: "Please try again in a moment",
    422: "Please check what you entered",
    429: "Please wait a moment",
}
RETRY_AFTER_S = 5
DATABASE_UNAVAILABLE = (
    "The server cannot reach its database just now (it may be restarting). Nothing was saved; "
    f"try again in {RETRY_AFTER_S} seconds."
)
DISK_FULL = (
    "The server's disk is full, so nothing could be saved (what was stored before is intact). "
    "Whoever runs the server needs to free space; then try again."
)
NOT_FOUND_PAGE = "There is nothing at this address. It may have been deleted, or the link is incomplete."


class HttpError(FootchainError):
    """A FootchainError with the HTTP status it answers with (413 too large, 415 wrong type, 404...)
    and any headers it needs (``Retry-After`` on 429)."""

    def __init__(self, status_code: int, message: str, headers: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.headers = dict(headers or {})


def _describe(error: dict[str, object]) -> str:
    where = ".".join(str(part) for part in error.get("loc", ()) if part not in ("body",)) or "request"  # type: ignore[attr-defined]
    if error.get("type") == "missing":
        return f"{where}: required field is missing (send it as the form field '{where}')"
    return f"{where}: {error.get('msg', 'is not valid')}"


def wants_html(request: Request) -> bool:
    """Whether an error for this request is answered as a page rather than JSON."""
    path = request.url.path
    if path.startswith(API_PREFIX) or path == API_PREFIX.rstrip("/"):
        return False
    if path.startswith(CLINIC_PAGES):
        return True
    return "text/html" in request.headers.get("accept", "")


def error_page(
    request: Request, status: int, message: str, headers: Mapping[str, str] | None = None
) -> Response:
    """A plain page saying what went wrong, with a way back (the clinic's patient list or home)."""
    from footchain.web.templating import TEMPLATES

    in_clinic = request.url.path.startswith(CLINIC_PAGES)
    context = {
        "title": TITLES.get(status, "Something went wrong"),
        "message": message,
        "status": status,
        "back_url": "/clinic/patients" if in_clinic else "/",
        "back_text": "Back to the patient list" if in_clinic else "Back to the start page",
    }
    return TEMPLATES.TemplateResponse(
        request, "errors/error.html.j2", context, status_code=status, headers=dict(headers or {})
    )


def allowed_methods(request: Request) -> list[str]:
    """Every method some route answers at this path (Starlette's 405 names only the first route's,
    and footchain declares e.g. GET and PATCH of one path as two routes)."""
    from fastapi.routing import APIRoute, iter_route_contexts
    from starlette.routing import compile_path

    methods: set[str] = set()
    for context in iter_route_contexts(request.app.routes):
        route = context.original_route
        if (
            isinstance(route, APIRoute)
            and context.path
            and compile_path(context.path)[0].match(request.url.path)
        ):
            methods |= set(context.methods or route.methods or ())
    return sorted(methods)


def install_error_handlers(app: FastAPI) -> None:
    """Footchain errors → their status (422 by default) with the message; FastAPI's own → 422 worded;
    HTTP errors of the framework (unknown address, wrong method) → a page for pages, JSON for the API."""

    @app.exception_handler(FootchainError)
    async def footchain_error(request: Request, exc: FootchainError) -> Response:
        status = exc.status_code if isinstance(exc, HttpError) else 422
        headers = exc.headers if isinstance(exc, HttpError) else {}
        if wants_html(request):
            return error_page(request, status, str(exc), headers)
        return JSONResponse({"detail": str(exc)}, status_code=status, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        message = "; ".join(_describe(e) for e in exc.errors())
        if wants_html(request):
            return error_page(request, 422, message)
        return JSONResponse({"detail": message}, status_code=422)

    async def database_unavailable(request: Request, exc: Exception) -> Response:
        """The database dropped the connection, is restarting or its disk is full: 503 with Retry-After,
        never a 500 (the transaction was rolled back, so nothing half-written is kept). The pool checks
        connections before use (``pool_pre_ping``), so the app recovers by itself once it is back."""
        full = "full" in str(getattr(exc, "orig", exc)).lower()
        message = DISK_FULL if full else DATABASE_UNAVAILABLE
        headers = {"Retry-After": str(RETRY_AFTER_S)}
        log.warning("database unavailable (%s): answered 503", type(getattr(exc, "orig", exc)).__name__)
        if wants_html(request):
            return error_page(request, 503, message, headers)
        return JSONResponse({"detail": message}, status_code=503, headers=headers)

    for error in (OperationalError, InterfaceError, PoolTimeoutError):
        app.add_exception_handler(error, database_unavailable)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 405:
            exc.headers = {**(exc.headers or {}), "Allow": ", ".join(allowed_methods(request))}
        if not wants_html(request):
            return await http_exception_handler(request, exc)
        message = NOT_FOUND_PAGE if exc.status_code == 404 else str(exc.detail)
        return error_page(request, exc.status_code, message, exc.headers)
