"""What ``/openapi.json`` states beyond FastAPI's defaults: every API operation's error answers, and
form fields without the ``null`` a form cannot send.

FastAPI documents what a route declares; the errors that come from shared machinery would be missing.
This adds them to every operation under ``/api/``, judged from the route itself, so a route added later
is documented the same way:

- 401 when the route needs a signed-in caller (it depends on ``api_user``), 403 when only an admin may
  call it (``api_admin``);
- 404 when the path names a record by id;
- 422 when it takes parameters or a body (with footchain's ``{"detail": "..."}``, not FastAPI's list of
  validation errors, which footchain words into one message), and 400 and 413 when it takes a body
  (unreadable body; the upload limit, ``web.limits``);
- 503 with ``Retry-After`` on every operation that touches the database (``web.errors``).

Every error's body is the ``Error`` schema: ``{"detail": "what went wrong and what to do"}``.

A multipart or URL-encoded form has no ``null``: an optional field is left out. FastAPI documents an
optional form field as "value or null"; the null is taken out of form bodies, so a client generating
requests from the document does not send the text ``null`` where a number or a choice is wanted.
Checked by schemathesis (``tests/web/test_api_schema_fuzz.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts

from footchain.web.auth import api_admin, api_user

ERROR_SCHEMA = {
    "title": "Error",
    "type": "object",
    "properties": {"detail": {"type": "string", "description": "What went wrong and what to do."}},
    "required": ["detail"],
}
ERROR_REF = {"$ref": "#/components/schemas/Error"}
DESCRIPTIONS = {
    400: "The body cannot be read (not JSON, or a broken multipart form).",
    401: "Sign in first: a valid bearer token is needed (POST /api/v1/auth/login).",
    403: "Only a clinic admin may do this.",
    404: "Nothing of yours has this id.",
    413: "The body is larger than the server's limit (FOOTCHAIN_MAX_UPLOAD_MB).",
    422: "A parameter or a field of the body is not valid; `detail` names it.",
    503: "The database cannot be reached just now or its disk is full; nothing was saved. Try again.",
}
RETRY_AFTER = {
    "Retry-After": {"description": "Seconds to wait before trying again.", "schema": {"type": "integer"}}
}


def _calls(dependant: Any) -> set[Callable[..., Any]]:
    found = {dependant.call}
    for sub in dependant.dependencies:
        found |= _calls(sub)
    return found


def _errors_of(route: APIRoute, operation: dict[str, Any]) -> set[int]:
    calls = _calls(route.dependant)
    errors = {503}
    if api_user in calls or api_admin in calls:
        errors.add(401)
    if api_admin in calls:
        errors.add(403)
    if any(p.get("in") == "path" for p in operation.get("parameters", [])):
        errors.add(404)
    if operation.get("parameters") or "requestBody" in operation:
        errors.add(422)
    if "requestBody" in operation:
        errors |= {400, 413}
    return errors


def _as_error(response: dict[str, Any]) -> None:
    """Give a documented error answer the Error body (keeping a documented example)."""
    content = response.setdefault("content", {})
    json_body = content.get("application/json", {})
    json_body["schema"] = ERROR_REF
    content["application/json"] = json_body


FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")


def without_null(node: Any) -> Any:
    """A JSON Schema with every ``{"type": "null"}`` alternative (and ``"default": null``) taken out."""
    if isinstance(node, list):
        return [without_null(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {
        key: without_null(value) for key, value in node.items() if not (key == "default" and value is None)
    }
    for key in ("anyOf", "oneOf"):
        if key in out:
            kept = [branch for branch in out[key] if branch != {"type": "null"}]
            if len(kept) == 1:
                del out[key]
                out.update(kept[0])
            else:
                out[key] = kept
    return out


def _forms_without_null(schema: dict[str, Any], operation: dict[str, Any]) -> None:
    for media, body in operation.get("requestBody", {}).get("content", {}).items():
        if media not in FORM_TYPES:
            continue
        ref = body.get("schema", {}).get("$ref", "")
        components = schema.get("components", {}).get("schemas", {})
        name = ref.removeprefix("#/components/schemas/")
        if name in components:
            components[name] = without_null(components[name])
        else:
            body["schema"] = without_null(body.get("schema", {}))


def document_errors(schema: dict[str, Any], app: FastAPI) -> None:
    """Add the error answers (see the module docstring) to ``schema``, the app's OpenAPI document."""
    routes = {}
    for context in iter_route_contexts(app.routes):
        if isinstance(context.original_route, APIRoute) and context.path:
            for method in context.methods or context.original_route.methods or ():
                routes[(context.path, method.lower())] = context.original_route
    for path, operations in schema.get("paths", {}).items():
        if not path.startswith("/api/"):
            continue
        for method, operation in operations.items():
            route = routes.get((path, method))
            if route is None:
                continue
            _forms_without_null(schema, operation)
            responses = operation.setdefault("responses", {})
            for status in _errors_of(route, operation):
                responses.setdefault(str(status), {"description": DESCRIPTIONS[status]})
            for status, response in responses.items():
                if status.isdigit() and int(status) >= 400:
                    _as_error(response)
            responses["503"].setdefault("headers", RETRY_AFTER)
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components["Error"] = ERROR_SCHEMA
    for unused in ("HTTPValidationError", "ValidationError"):
        components.pop(unused, None)


def install_openapi_document(app: FastAPI) -> None:
    """Make ``app.openapi()`` state every operation's error answers and null-free forms (built once)."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document_errors(generate(), app)
        return app.openapi_schema or {}

    app.openapi = openapi  # type: ignore[method-assign]
