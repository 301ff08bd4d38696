"""Clear messages for bad input: the CLI's words, as a 4xx JSON answer or a page.

Every error a person can fix is a ``FootchainError``; the API answers ``{"detail": message}``.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from footchain.errors import FootchainError


class HttpError(FootchainError):
    """A FootchainError with the HTTP status it answers with (413 too large, 415 wrong type, 404...)."""

    def __init__(self, status_code: int, message: str) -> None:
        super().__init__(message)
        self.status_code = status_code


def _describe(error: dict[str, object]) -> str:
    where = ".".join(str(part) for part in error.get("loc", ()) if part not in ("body",)) or "request"  # type: ignore[attr-defined]
    if error.get("type") == "missing":
        return f"{where}: required field is missing (send it as the form field '{where}')"
    return f"{where}: {error.get('msg', 'is not valid')}"


def install_error_handlers(app: FastAPI) -> None:
    """Footchain errors → their status (422 by default) with the message; FastAPI's own → 422 worded."""

    @app.exception_handler(FootchainError)
    async def footchain_error(_request: Request, exc: FootchainError) -> JSONResponse:
        status = exc.status_code if isinstance(exc, HttpError) else 422
        return JSONResponse({"detail": str(exc)}, status_code=status)

    @app.exception_handler(RequestValidationError)
    async def validation_error(_request: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse({"detail": "; ".join(_describe(e) for e in exc.errors())}, status_code=422)
