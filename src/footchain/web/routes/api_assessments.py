"""``/api/v1/assessments``: post an intake, get the assessment; read it again by its id.

The body is intake JSON (shared/contracts/intake.schema.json, v1), read and checked by the same code as
``footchain assess``, so a bad field gets the CLI's message. The answer is the assessment contract
(shared/contracts/assessment.md) with the assessment's ``id`` first. There is deliberately no list
endpoint: an assessment is reachable only through its unguessable id.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from footchain.intake import MAX_INTAKE_BYTES
from footchain.store import repository
from footchain.types import Assessment, Intake
from footchain.web.assessments import assess_and_store
from footchain.web.dependencies import DbSession
from footchain.web.errors import HttpError
from footchain.web.openapi_document import without_null

router = APIRouter(tags=["assessments"])

PREFIX = "/api/v1"
JSON_TYPES = ("application/json",)

EXAMPLE_INTAKE: dict[str, Any] = {
    "schema_version": 1,
    "pain": [
        {
            "region": "heel",
            "side": "left",
            "intensity": 5,
            "duration_weeks": 6,
            "worst_with": ["first_steps_morning"],
        }
    ],
    "feet": {"self_reported_arch": "flat"},
    "files": {"footprint_images": [], "gait_recordings": []},
}
EXAMPLE_ASSESSMENT: dict[str, Any] = {  # abridged: lists cut to their first items
    "id": "q3Zr8Xw0sYl2bN9cD4eF5gH6iJ7kL8mN",
    "schema_version": 1,
    "referral": {
        "urgency": "routine",
        "to": "podiatrist",
        "reasons": [
            {"id": "painful_flat_foot", "text": "A flat foot that hurts deserves a podiatrist's examination."}
        ],
        "call_emergency_services": False,
    },
    "screening": {
        "complete": False,
        "unanswered": [
            {
                "id": "saddle_numbness",
                "question": "new numbness around the genitals, buttocks or inner thighs (where a bike saddle touches)",
                "could_mean": "emergency",
            }
        ],
        "held_back_regions": [],
        "held_back_because": [],
    },
    "feet": {
        "left": {"arch_type": "flat", "posture": "unknown", "basis": ["self-reported flat arch"]},
        "right": {"arch_type": "flat", "posture": "unknown", "basis": ["self-reported flat arch"]},
    },
    "conditions": [
        {
            "id": "plantar_fasciitis",
            "side": "left",
            "confidence": "moderate",
            "because": ["heel pain worst with first steps morning: the typical pattern of plantar heel pain"],
        }
    ],
    "chain": [],
    "unexplained": [],
    "insole": {
        "status": "deferred",
        "arch_height": "low",
        "size": None,
        "why": [
            "An insole whose arch matches your own arch; ... Your flat arch → a low insole arch.",
            "No foot length or shoe size given: stand on paper, mark heel and longest toe, and measure.",
        ],
        "fitting": [],
        "expected_benefit": "Heel: For heel pain, insoles give a small benefit over the medium term ...",
    },
    "care_plan": [
        {
            "id": "plantar_fascia_stretch",
            "text": "Sit, cross the sore foot over the other knee, pull the toes back towards the shin ...",
            "dose": "10 holds of 10 seconds, 3 times a day",
            "for": ["plantar_fasciitis"],
            "cautions": [],
            "evidence": "A small trial found this stretch helped chronic heel pain more than a calf stretch alone.",
        }
    ],
    "limits": [
        "Not answered yet, and a “yes” could mean an emergency: new numbness around the genitals, buttocks or "
        "inner thighs (where a bike saddle touches); ..."
    ],
    "disclaimer": "footchain is not a diagnosis ...",
}


def _inline_refs(schema: dict[str, Any]) -> dict[str, Any]:
    """A JSON Schema with its ``#/$defs/...`` references replaced by the definitions themselves, so it
    can sit inside an OpenAPI operation (where ``#/$defs`` would point at the OpenAPI document)."""
    definitions = schema.get("$defs", {})

    def inline(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/$defs/"):
                return inline(definitions[ref.removeprefix("#/$defs/")])
            return {key: inline(value) for key, value in node.items() if key != "$defs"}
        if isinstance(node, list):
            return [inline(item) for item in node]
        return node

    result: dict[str, Any] = inline(schema)
    return result


def _message(text: str) -> dict[str, Any]:
    return {"description": text, "content": {"application/json": {"example": {"detail": "..."}}}}


INTAKE_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": "Intake JSON (intake schema v1). Only `schema_version` is required; `files` holds "
        "ids returned by POST /api/v1/footprints and POST /api/v1/gait.",
        "content": {
            "application/json": {
                # every intake object refuses an explicit null ("leave the field out")
                "schema": without_null(_inline_refs(Intake.model_json_schema())),
                "example": EXAMPLE_INTAKE,
            }
        },
    }
}
ASSESSMENT_SCHEMA: dict[str, Any] = _inline_refs(
    {
        **Assessment.model_json_schema(by_alias=True, mode="serialization"),
        "title": "Assessment (with its id)",
    }
)
ASSESSMENT_SCHEMA["properties"] = {"id": {"type": "string"}, **ASSESSMENT_SCHEMA["properties"]}
CREATE_RESPONSES: dict[int | str, dict[str, Any]] = {
    201: {
        "description": "The assessment contract (assessment.md) with its `id` first. `screening` says "
        "whether every emergency and urgent question was answered (`complete`), lists the open ones, most "
        "urgent first, and what is held back; `referral.call_emergency_services` is true when the advice is "
        "to call 999, 112 or 911.",
        "headers": {"Location": {"description": "The assessment's URL.", "schema": {"type": "string"}}},
        "content": {"application/json": {"schema": ASSESSMENT_SCHEMA, "example": EXAMPLE_ASSESSMENT}},
    },
    400: _message("The body is empty, not UTF-8, or not valid JSON (the message gives line and column)."),
    413: _message("The intake is larger than 1 MB, or the body is over the server's upload limit."),
    415: _message("The body was not sent as `Content-Type: application/json`."),
    422: _message(
        "The intake does not follow the schema (each bad field named), or names an unknown upload id."
    ),
}


def _require_json(request: Request) -> None:
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media not in JSON_TYPES and not media.endswith("+json"):
        shown = f"'{media[:60]}'" if media else "no content type"
        raise HttpError(
            415,
            f"The intake must be sent as JSON with the header 'Content-Type: application/json' (got {shown}); "
            "with curl: -H 'Content-Type: application/json' --data @intake.json",
        )


async def _read_body(request: Request) -> bytes:
    """The body, refused as soon as it passes ``MAX_INTAKE_BYTES`` (an intake is a few kilobytes)."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_INTAKE_BYTES:
            raise HttpError(
                413, f"The intake is too large (limit {MAX_INTAKE_BYTES:,} bytes); an intake is a few kB."
            )
        chunks.append(chunk)
    return b"".join(chunks)


def _reject_constant(name: str) -> float:
    raise ValueError(f"{name} is not a JSON number; give a real number or leave the field out.")


def decode_intake_json(body: bytes) -> object:
    """The decoded JSON of a request body, or ``HttpError(400)`` saying where and how it breaks."""
    if not body.strip():
        raise HttpError(
            400, 'The request body is empty; send the intake JSON, at least {"schema_version": 1}.'
        )
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise HttpError(
            400, f"The request body is not UTF-8 text (byte {exc.start}); send the intake as UTF-8 JSON."
        ) from None
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        raise HttpError(
            400, f"The request body is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})."
        ) from None
    except ValueError as exc:  # NaN / Infinity
        raise HttpError(400, f"The request body is not valid JSON: {exc}") from None


def _assess_and_store(sessions: sessionmaker[Session], data: object) -> dict[str, Any]:
    """Assess, store and commit in one worker thread; returns the answer (contract with its id first).

    ``assess_and_store`` writes in the store's ``write_transaction``, so on SQLite concurrent posts queue
    on the process's write lock instead of sleeping in SQLite's busy handler.
    """
    with sessions() as session:
        stored = assess_and_store(session, data)
    return {"id": stored.id, **stored.assessment.to_json_dict()}


@router.post(
    "/assessments",
    status_code=201,
    summary="Assess an intake",
    openapi_extra=INTAKE_BODY,
    responses=CREATE_RESPONSES,
)
async def create_assessment(request: Request) -> JSONResponse:
    """Assess an intake like `footchain assess --format json`: red flags first, then feet, chain links
    with evidence grades, insole and care plan. The assessment is stored; read it again at the
    `Location` it returns."""
    _require_json(request)
    data = decode_intake_json(await _read_body(request))
    body = await run_in_threadpool(_assess_and_store, request.app.state.sessions, data)
    return JSONResponse(body, status_code=201, headers={"Location": f"{PREFIX}/assessments/{body['id']}"})


@router.get(
    "/assessments/{assessment_id}",
    summary="Read an assessment again",
    responses={
        200: {"description": "The assessment as it was returned when it was made.",
              "content": {"application/json": {"schema": ASSESSMENT_SCHEMA, "example": EXAMPLE_ASSESSMENT}}},
        404: _message("No assessment has this id."),
    },
)  # fmt: skip
def get_assessment(assessment_id: str, session: DbSession) -> JSONResponse:
    """The stored assessment contract, with its `id`."""
    row = repository.get_assessment(session, assessment_id)
    if row is None:
        raise HttpError(
            404,
            "No assessment has this id. Check that the whole id was copied from the answer to "
            f"POST {PREFIX}/assessments (ids are long random tokens).",
        )
    return JSONResponse({"id": row.id, **row.result})
