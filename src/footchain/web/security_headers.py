"""Security headers on every answer: pages, API routes, static files and errors alike.

- ``Content-Security-Policy`` (unless a route sets a stricter one of its own, as the SVG figures do with
  ``default-src 'none'``; ``frame-ancestors 'none'`` is added to it): scripts only from this site's
  files (no inline script, no ``eval``), no
  plugins, no framing by other sites (``frame-ancestors 'none'``), forms post only here. Styles may be
  inline: the reports carry their own stylesheet and colour their pain scores with ``style`` attributes
  (a style cannot run code). Images may be ``data:`` URLs (the report's inline figures).
- ``X-Content-Type-Options: nosniff``: a browser never guesses a type (an uploaded file is never run).
- ``Referrer-Policy: same-origin``: an assessment's address (its id is the key to it) never leaves in a
  ``Referer`` to another site.
- ``X-Frame-Options: DENY`` for browsers that predate ``frame-ancestors``.
- ``Strict-Transport-Security`` (one year) only when the request came over HTTPS (the scheme uvicorn
  reports; behind a proxy, with ``--proxy-headers`` from a trusted ``X-Forwarded-Proto``): sent over
  plain HTTP it would be meaningless, and on ``localhost`` harmful.

OWASP ASVS 4.0 V14.4 (HTTP security headers); docs/security.md lists each. A plain ASGI middleware so
that it never buffers a body (uploads, streamed PDFs).
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}
HSTS = "max-age=31536000; includeSubDomains"


class SecurityHeaders:
    """Adds :data:`HEADERS` (and HSTS over HTTPS) to every HTTP response of the wrapped app."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        secure = scope.get("scheme") == "https"

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                own_policy = headers.get("content-security-policy")
                for name, value in HEADERS.items():
                    headers[name] = value
                if own_policy:  # a route's stricter policy (the SVG figures: default-src 'none') stays
                    if "frame-ancestors" not in own_policy:
                        own_policy += "; frame-ancestors 'none'"
                    headers["Content-Security-Policy"] = own_policy
                if secure:
                    headers["Strict-Transport-Security"] = HSTS
            await send(message)

        await self.app(scope, receive, send_with_headers)
