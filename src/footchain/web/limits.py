"""Request-size limiting: a body larger than ``Settings.max_upload_bytes`` is refused with 413.

The limit is enforced as the body streams in, before any route reads it, so memory stays bounded
whatever a client sends:

- a declared ``Content-Length`` above the limit is answered with 413 at once, without reading the body;
- a body without ``Content-Length`` (chunked) is counted as it arrives and refused the moment it
  passes the limit; whatever the route was doing with it is abandoned and the 413 is sent instead.

The answer to ``/api/...`` is JSON (``{"detail": ...}``) like every API error. Any other path is a page
a person posted from (the self-assessment's upload steps), so it gets a short HTML page instead
(``templates/too_large.html.j2``) naming the limit, saying how to make a file smaller, and linking back
to the page the form was on (its ``Referer`` when that is this site, else ``/assess``).

This is a plain ASGI middleware (not ``BaseHTTPMiddleware``) so that it sees every chunk and never
buffers a body itself.
"""

from __future__ import annotations

import json
from urllib.parse import urlsplit

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from footchain.web.settings import DEFAULT_MAX_UPLOAD_MB
from footchain.web.templating import TEMPLATES

API_PREFIX = "/api/"
FALLBACK_PAGE = "/assess"


class BodyTooLarge(Exception):
    """Raised from ``receive`` inside the app when the streamed body passes the limit."""


def megabytes(size_bytes: int) -> str:
    """``size_bytes`` in megabytes as a person reads it: ``25 MB``, ``0.5 MB``."""
    value = size_bytes / (1024 * 1024)
    return f"{value:.0f} MB" if value >= 10 or value == int(value) else f"{value:.2g} MB"


def too_large_message(limit_bytes: int) -> str:
    """What a person (or whoever runs the server) can do about a body over the limit."""
    return (
        f"The upload is larger than this server's limit of {megabytes(limit_bytes)}. Send a smaller file "
        "(for a photo: share it at a lower resolution or as JPEG rather than the original RAW/PNG). "
        "Whoever runs the server can raise the limit with the FOOTCHAIN_MAX_UPLOAD_MB environment "
        f"variable (default {DEFAULT_MAX_UPLOAD_MB:.0f})."
    )


def _header(scope: Scope, name: bytes) -> str:
    for key, value in scope.get("headers", ()):
        if key == name:
            return bytes(value).decode("latin-1")
    return ""


def back_link(scope: Scope) -> str:
    """Where the page posted from: the ``Referer``'s path and query when it is this site (same scheme
    and host), else ``/assess``. Only a path is returned, so the link can never lead off the site."""
    referer = urlsplit(_header(scope, b"referer").strip())
    host = _header(scope, b"host").strip().lower()
    same_origin = (
        bool(host) and referer.scheme == scope.get("scheme", "http") and referer.netloc.lower() == host
    )
    path = referer.path or "/"
    if not same_origin or not path.startswith("/") or path.startswith("//"):
        return FALLBACK_PAGE
    return f"{path}?{referer.query}" if referer.query else path


def too_large_page(scope: Scope, limit_bytes: int) -> str:
    """The HTML page answering a page's post over the limit."""
    template = TEMPLATES.env.get_template("too_large.html.j2")
    return template.render(limit=megabytes(limit_bytes), back_url=back_link(scope))


def _declared_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None  # the server (h11/httptools) refuses a malformed header before us
    return None


class BodySizeLimit:
    """ASGI middleware refusing request bodies above ``max_bytes`` with 413 and a clear message."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def _refuse(self, scope: Scope, send: Send) -> None:
        if str(scope.get("path", "")).startswith(API_PREFIX):
            body = json.dumps({"detail": too_large_message(self.max_bytes)}).encode()
            media_type = b"application/json"
        else:
            body = too_large_page(scope, self.max_bytes).encode()
            media_type = b"text/html; charset=utf-8"
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", media_type),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _declared_length(scope)
        if declared is not None and declared > self.max_bytes:
            await self._refuse(scope, send)
            return

        received = 0
        overflowed = False
        response_started = False

        async def counting_receive() -> Message:
            nonlocal received, overflowed
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    overflowed = True
                    raise BodyTooLarge
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal response_started
            if overflowed:
                return  # the app's answer to a broken body is replaced by the 413 below
            if message["type"] == "http.response.start":
                response_started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, guarded_send)
        except BodyTooLarge:
            pass
        except Exception:
            if not overflowed:
                raise
        if overflowed and not response_started:
            await self._refuse(scope, send)
