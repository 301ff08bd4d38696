"""Security headers on every answer the app gives: every page and API route (taken from the app's own
route table, so a route added later is covered), static files, errors, anonymous and signed in.

CSP without inline script: no page carries an inline ``<script>`` or an ``on...=`` handler attribute
(either would be blocked by the policy and break the page), checked on the pages a signed-in clinician
sees. HSTS only over HTTPS.
"""

from __future__ import annotations

import re

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from footchain.web.security_headers import HSTS
from tests.clinic.conftest import ClinicUser, sign_in_page
from tests.shared import DATA

ID_PATTERN = re.compile(r"\{(\w+)(?::\w+)?\}")
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
INLINE_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.IGNORECASE)
BROWSER_PAGES = ("/", "/assess", "/login", "/clinic/patients", "/clinic/users")


def check_headers(response: object, *, https: bool = False) -> None:
    headers = response.headers  # type: ignore[attr-defined]
    where = f"{response.request.method} {response.request.url.path} → {response.status_code}"  # type: ignore[attr-defined]
    csp = headers.get("content-security-policy", "")
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0], (
        where
    )
    assert "frame-ancestors 'none'" in csp, where
    assert "object-src 'none'" in csp, where
    assert headers.get("x-content-type-options") == "nosniff", where
    assert headers.get("referrer-policy") == "same-origin", where
    assert headers.get("x-frame-options") == "DENY", where
    assert (headers.get("strict-transport-security") == HSTS) is https, where


def every_request(app: FastAPI) -> list[tuple[str, str]]:
    """(method, path) for every route of the app, path ids filled with an id that names nothing."""
    requests = []
    for context in iter_route_contexts(app.routes):
        original = context.original_route
        if isinstance(original, APIRoute) and context.path:
            path = ID_PATTERN.sub("nothing-here-0000000000000000000", context.path)
            requests += [(method, path) for method in sorted(context.methods or original.methods)]
    return requests


@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "clinician"])
def test_every_route_answers_with_the_security_headers(
    clinic_app: FastAPI,
    clinic_client: TestClient,
    sessions: sessionmaker[Session],
    clinic_a: ClinicUser,
    signed_in: bool,
) -> None:
    headers: dict[str, str] = {}
    if signed_in:
        sign_in_page(clinic_client, sessions, clinic_a)
        headers = clinic_a.headers
    requests = every_request(clinic_app)
    assert len(requests) > 50
    for method, path in requests:
        response = clinic_client.request(method, path, headers=headers, follow_redirects=False)
        assert response.status_code < 500, (method, path, response.text[:200])
        check_headers(response)
    for path in ("/static/site.css", "/static/clinic.js", "/no/such/page", "/api/v1/no-such-thing"):
        check_headers(clinic_client.get(path, headers=headers))


def test_too_large_answer_carries_the_headers(clinic_client: TestClient) -> None:
    response = clinic_client.post(
        "/api/v1/footprints", content=b"x" * 10, headers={"content-length": str(10**10)}
    )
    assert response.status_code == 413
    check_headers(response)


def test_hsts_only_over_https(clinic_app: FastAPI) -> None:
    with TestClient(clinic_app, base_url="https://footchain.example") as client:
        check_headers(client.get("/"), https=True)
        check_headers(client.get("/api/v1/assessments/nothing"), https=True)
    with TestClient(clinic_app) as client:
        check_headers(client.get("/"), https=False)


def test_pages_have_no_inline_script(
    clinic_client: TestClient, sessions: sessionmaker[Session], admin_a: ClinicUser
) -> None:
    sign_in_page(clinic_client, sessions, admin_a)
    patient = clinic_client.post(
        "/api/v1/patients", json={"name": "Ann Example", "birth_year": 1970}, headers=admin_a.headers
    )
    pages = [*BROWSER_PAGES]
    if patient.status_code == 201:
        pid = patient.json()["id"]
        pages += [
            f"/clinic/patients/{pid}",
            f"/clinic/patients/{pid}/gear",
            f"/clinic/patients/{pid}/outcomes",
        ]
    seen = 0
    for path in pages:
        response = clinic_client.get(path)
        if response.status_code != 200 or "text/html" not in response.headers.get("content-type", ""):
            continue
        seen += 1
        assert not INLINE_SCRIPT.search(response.text), path
        assert not INLINE_HANDLER.search(response.text), (path, INLINE_HANDLER.search(response.text))
    assert seen >= 5


def test_a_routes_stricter_policy_is_kept_and_framing_still_refused(clinic_client: TestClient) -> None:
    """The gait figures are SVG served with ``default-src 'none'``: the site policy does not loosen it."""
    walk = DATA / "gaitpdb" / "GaCo01_01.txt"
    posted = clinic_client.post("/api/v1/gait", files={"file": (walk.name, walk.read_bytes(), "text/plain")})
    assert posted.status_code == 201, posted.text
    figure = next(iter(posted.json()["figure_urls"].values()))
    response = clinic_client.get(figure)
    assert response.status_code == 200
    policy = response.headers["content-security-policy"]
    assert policy.startswith("default-src 'none'") and "frame-ancestors 'none'" in policy
    assert "script-src" not in policy
    assert response.headers["x-content-type-options"] == "nosniff"
