"""The Jinja2 environment of the web pages (``web/templates``), shared by every page router.

Always HTML-escaped: pages show typed answers and upload names back. (Starlette's default escapes
by file extension, and ``.html.j2`` is not one it recognises.)
"""

from __future__ import annotations

from pathlib import Path

import jinja2
from fastapi.templating import Jinja2Templates

TEMPLATES = Jinja2Templates(
    env=jinja2.Environment(
        loader=jinja2.FileSystemLoader(Path(__file__).with_name("templates")), autoescape=True
    )
)
