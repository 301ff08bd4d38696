"""The Jinja2 environment of the web pages (``web/templates``), shared by every page router.

Always HTML-escaped: pages show typed answers and upload names back. (Starlette's default escapes
by file extension, and ``.html.j2`` is not one it recognises.)
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import jinja2
from fastapi.templating import Jinja2Templates

TEMPLATES = Jinja2Templates(
    env=jinja2.Environment(
        loader=jinja2.FileSystemLoader(Path(__file__).with_name("templates")), autoescape=True
    )
)


def visit_when(visited_on: date, recorded_at: datetime | None = None) -> str:
    """A visit's day with the time it was entered ("2026-03-10, 14:05 UTC"), so that two visits on one
    day can be told apart in the timeline, the comparison and the outcome table."""
    if recorded_at is None:
        return visited_on.isoformat()
    return f"{visited_on.isoformat()}, {recorded_at:%H:%M} UTC"


TEMPLATES.env.globals["visit_when"] = visit_when
