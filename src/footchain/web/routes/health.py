"""``GET /healthz``: the server answers and its database is reachable."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import text

from footchain.web.dependencies import DbSession

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz(session: DbSession) -> dict[str, str]:
    """200 with ``{"status": "ok"}`` when the database answers."""
    session.execute(text("SELECT 1"))
    return {"status": "ok"}
