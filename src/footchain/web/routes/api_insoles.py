"""``GET /api/v1/assessments/{id}/insoles``: the server's insole catalogue matched to an assessment's plan.

A retailer or clinic sets the catalogue with ``FOOTCHAIN_CATALOGUE`` (a CSV, see ``footchain insoles``);
it is read and checked once when the server starts, so a bad file stops the start with its row-and-column
message rather than failing a person's request later.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from footchain.shop.catalogue import Product
from footchain.shop.matching import match_catalogue
from footchain.web.assessments import load_stored
from footchain.web.dependencies import DbSession
from footchain.web.errors import HttpError

router = APIRouter(tags=["insoles"])
NO_CATALOGUE = (
    "This server has no insole catalogue. A retailer or clinic sets one by starting footchain with "
    "FOOTCHAIN_CATALOGUE=path/to/catalogue.csv (columns: see 'footchain insoles --help')."
)


def server_catalogue(request: Request) -> list[Product] | None:
    """The catalogue the server was started with, or None."""
    products: list[Product] | None = request.app.state.catalogue
    return products


@router.get(
    "/assessments/{assessment_id}/insoles",
    summary="Insoles from this server's catalogue that fit the assessment's plan",
    responses={
        404: {"description": "No assessment has this id, or the server has no catalogue."},
    },
)
def get_insoles(assessment_id: str, request: Request, session: DbSession) -> dict[str, Any]:
    """Products whose arch height and size band fit the plan, ranked by fit, guarantee and three-year
    cost, each with reasons and millimetres to trim; every other product with why it was left out.
    Nothing is offered when the plan holds insoles back (red flags, not recommended), and `status`
    says why: `{"status", "products": [{"id", "name", "rank", "trim_mm", "three_year_cost",
    "reasons"}], "excluded": [{"id", "why"}]}`."""
    products = server_catalogue(request)
    if products is None:
        raise HttpError(404, NO_CATALOGUE)
    stored = load_stored(session, assessment_id)
    if stored is None:
        raise HttpError(404, "No assessment has this id. Check that the whole id was copied.")
    return match_catalogue(stored.assessment, products).to_json_dict()
