"""Reading an intake (contracts/intake.schema.json v1) with messages that name the field and the fix."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, get_args

from pydantic import BaseModel, ValidationError

from footchain.errors import IntakeError
from footchain.types import Intake

MAX_INTAKE_BYTES = 1_000_000
NULL_FIELD = re.compile(r"'(?P<field>\w+)' (?P<rest>(may not be null|holds text).*)")


def _field_path(loc: tuple[int | str, ...]) -> str:
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path or "(top level)"


def _model_at(loc: tuple[int | str, ...]) -> type[BaseModel] | None:
    """The intake model class that holds the field at ``loc`` (to list its allowed fields)."""
    model: Any = Intake
    for part in loc:
        if isinstance(part, int):
            continue
        field = model.model_fields.get(part)
        if field is None:
            return None
        candidates = [field.annotation, *get_args(field.annotation)]
        candidates += [arg for c in candidates for arg in get_args(c)]
        model = next((c for c in candidates if isinstance(c, type) and issubclass(c, BaseModel)), None)
        if model is None:
            return None
    return model if isinstance(model, type) and issubclass(model, BaseModel) else None


def _describe(error: dict[str, Any]) -> str:
    loc = tuple(error["loc"])
    kind = error["type"]
    if kind == "extra_forbidden":
        parent = _model_at(loc[:-1])
        allowed = ", ".join(parent.model_fields) if parent else ""
        return f"{_field_path(loc)}: unknown field. Allowed here: {allowed}"
    message = error["msg"].removeprefix("Value error, ")
    if null := NULL_FIELD.match(message):
        loc, message = (*loc, null["field"]), null["rest"]
    if kind == "missing":
        message = "required field is missing"
    if kind == "literal_error" and "expected" in error.get("ctx", {}):
        message = f"must be one of {error['ctx']['expected']}"
    got = error.get("input")
    shown = "" if isinstance(got, dict | list) or kind == "missing" else f" (got {json.dumps(got)[:60]})"
    return f"{_field_path(loc)}: {message}{shown}"


def parse_intake(data: object) -> Intake:
    """Validate already-decoded JSON as an intake, or raise IntakeError naming every bad field."""
    if not isinstance(data, dict):
        raise IntakeError('The intake must be a JSON object with at least {"schema_version": 1}.')
    try:
        return Intake.model_validate(data)
    except ValidationError as exc:
        problems = [_describe(e) for e in exc.errors(include_url=False)]  # type: ignore[arg-type]
        raise IntakeError(
            "The intake does not follow the intake schema (v1):\n  " + "\n  ".join(problems)
        ) from None


def load_intake(path: Path) -> Intake:
    """Read and validate an intake file."""
    try:
        size = path.stat().st_size
        if size > MAX_INTAKE_BYTES:
            raise IntakeError(
                f"{path}: {size:,} bytes is too large for an intake (limit {MAX_INTAKE_BYTES:,})."
            )
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise IntakeError(f"{path}: no such file.") from None
    except IsADirectoryError:
        raise IntakeError(f"{path}: is a folder, not an intake JSON file.") from None
    except UnicodeDecodeError:
        raise IntakeError(f"{path}: not a UTF-8 text file; an intake is a JSON text file.") from None
    except OSError as exc:
        raise IntakeError(f"{path}: cannot be read ({exc.strerror}).") from None
    try:
        data = json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        raise IntakeError(
            f"{path}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})."
        ) from None
    except ValueError as exc:
        raise IntakeError(f"{path}: {exc}") from None
    try:
        return parse_intake(data)
    except IntakeError as exc:
        raise IntakeError(f"{path}: {exc}") from None


def _reject_constant(name: str) -> float:
    raise ValueError(f"{name} is not a JSON number; give a real number or leave the field out.")
