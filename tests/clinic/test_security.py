"""Clinic mode's security, checked over every route the app has (a route added later is covered too).

- Anonymous: every clinic API route answers 401, every clinic page redirects to ``/login?next=...``.
  Only the self-assessment API (``ANONYMOUS_API``) is open, by design; that list is explicit and tested.
- Clinics are walled off: a user of clinic B gets 404 for every record of clinic A, by real id and by
  guessed id alike, with the same message, and nothing of clinic A changes.
- Only admins manage users: a clinician gets 403 on every user-management route.
- Every form post of a signed-in user needs the session's CSRF token: without one or with a wrong one,
  403 and nothing changes.
- 20 wrong passwords in a row get 429, on the API and on the sign-in form.

Path ids are filled in by what the segment before them names (``patients/{id}`` is a patient id and so
on); a route with an id this suite cannot place fails with a message saying where to teach it.
"""

from __future__ import annotations

import re
import secrets
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from types import UnionType
from typing import Any, Literal, Union, get_args, get_origin
from urllib.parse import parse_qs, quote, urlencode, urlsplit

import httpx
import pytest
from fastapi import FastAPI, UploadFile
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from footchain.store import accounts
from footchain.store.models import Base
from footchain.web.auth import (
    SESSION_COOKIE,
    api_admin,
    api_user,
    csrf_admin,
    csrf_protected,
    page_admin,
    page_user,
)
from tests.clinic.conftest import (
    PRIVATE_ACTIVITY,
    PRIVATE_EMAIL,
    PRIVATE_GEAR,
    PRIVATE_NAME,
    PRIVATE_NOTES,
    ClinicUser,
    page_session,
    sign_in_page,
)
from tests.shared import DATA

# Anonymous by design: the self-assessment API (an assessment is reachable only by its random id) and
# signing in. Everything else under /api/v1/ belongs to a clinic.
ANONYMOUS_API = ("/api/v1/assessments", "/api/v1/footprints", "/api/v1/gait", "/api/v1/auth/login")
USER_MANAGEMENT = ("/api/v1/users", "/clinic/users")
# Which record an id in a path names, by the path segment before it.
ID_KINDS = {"patients": "patient", "visits": "visit", "files": "file", "gear": "gear", "users": "user"}
FOOTPRINT_CSV = DATA / "footprint_templates" / "MUN104L.csv"
ID_PATTERN = re.compile(r"\{(\w+)(?::\w+)?\}")
# Tables whose rows a refused request may still add to (who tried what): everything else must not change.
LOG_TABLES = {"audit_log", "login_attempts"}
FILE_WAIT_S = 120.0


def guessed_id() -> str:
    """A well-formed id (32 random URL-safe characters, like ``new_id()``) that names nothing."""
    return secrets.token_urlsafe(24)[:32]


# --- The routes ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    """A route as the app serves it: the full path (router prefixes included), methods, dependencies."""

    path: str
    methods: frozenset[str]
    dependant: Any


def all_routes(app: FastAPI) -> list[Route]:
    """Every API and page route of the app, included routers flattened."""
    found = []
    for context in iter_route_contexts(app.routes):
        original = context.original_route
        if isinstance(original, APIRoute) and context.path:
            found.append(
                Route(context.path, frozenset(context.methods or original.methods), original.dependant)
            )
    return found


def _calls(dependant: Any) -> set[Any]:
    found = {dependant.call}
    for sub in dependant.dependencies:
        found |= _calls(sub)
    return found


def depends_on(route: Route, *functions: Callable[..., Any]) -> bool:
    """Whether the route (or one of its dependencies) depends on any of ``functions``."""
    return bool(_calls(route.dependant) & set(functions))


def api_routes(app: FastAPI) -> list[Route]:
    return [r for r in all_routes(app) if r.path.startswith("/api/v1/")]


def is_anonymous_api(path: str) -> bool:
    return any(path == prefix or path.startswith(prefix + "/") for prefix in ANONYMOUS_API)


def clinic_api_routes(app: FastAPI) -> list[Route]:
    """Every API route that belongs to a clinic: all of /api/v1/ but the anonymous allow-list."""
    return [route for route in api_routes(app) if not is_anonymous_api(route.path)]


def page_routes(app: FastAPI) -> list[Route]:
    """Pages that need a signed-in user: all under /clinic, /logout, and any page depending on one."""
    return [
        route
        for route in all_routes(app)
        if not route.path.startswith("/api/")
        and (
            route.path.startswith("/clinic")
            or route.path == "/logout"
            or depends_on(route, page_user, page_admin, csrf_protected)
        )
    ]


def methods(route: Route) -> list[str]:
    return sorted(m for m in route.methods if m != "HEAD")


def is_user_management(route: Route) -> bool:
    return route.path.startswith(USER_MANAGEMENT) or depends_on(route, api_admin, page_admin, csrf_admin)


def id_kinds(path: str) -> list[tuple[str, str]]:
    """(parameter, record kind) for each id in ``path``, in order."""
    kinds = []
    for match in ID_PATTERN.finditer(path):
        before = path[: match.start()].rstrip("/").rsplit("/", 1)[-1]
        kind = ID_KINDS.get(before)
        if kind is None:
            pytest.fail(
                f"{path}: the security suite cannot tell what record '{{{match.group(1)}}}' names "
                f"(after '{before}/'); add that segment to ID_KINDS in tests/clinic/test_security.py"
            )
        kinds.append((match.group(1), kind))
    return kinds


def fill(path: str, ids: dict[str, str]) -> str:
    """``path`` with each id parameter replaced by ``ids[kind]``."""
    kinds = dict(id_kinds(path))
    return ID_PATTERN.sub(lambda m: ids[kinds[m.group(1)]], path)


def guessed_ids() -> dict[str, str]:
    return {kind: guessed_id() for kind in set(ID_KINDS.values())}


def template(path: str) -> str:
    """The path with every parameter written ``{}``: how the sample bodies are keyed."""
    return ID_PATTERN.sub("{}", path)


# --- Requests with plausible bodies, so that a refusal is never a mere 422 ------------------------------

VISIT = {
    "visited_on": "2025-03-01",
    "kind": "assessment",
    "intake": {
        "schema_version": 1,
        "person": {"age_years": 40, "sex": "female"},
        "pain": [{"region": "knee", "side": "left", "intensity": 6, "duration_weeks": 10}],
        "feet": {
            "self_reported_arch": "flat",
            "fpi6": {"left": [2, 1, 1, 2, 1, 1], "right": [1, 1, 1, 1, 1, 1]},
        },
    },
    "pain_score": 6,
    "psfs": [{"activity": PRIVATE_ACTIVITY, "score": 3}],
}
FOLLOW_UP = {
    "visited_on": "2025-05-01",
    "kind": "follow_up",
    "pain_score": 2,
    "psfs": [{"activity": PRIVATE_ACTIVITY, "score": 7}],
}
GEAR = {"kind": "top_cover", "name": PRIVATE_GEAR, "started_on": "2024-01-10"}
# JSON bodies of the API routes that take one, by method and path template.
API_BODIES: dict[tuple[str, str], dict[str, Any]] = {
    ("POST", "/api/v1/patients"): {"name": "Guessing Gary", "birth_year": 1970},
    ("PATCH", "/api/v1/patients/{}"): {"notes": "changed by another clinic"},
    ("POST", "/api/v1/patients/{}/visits"): VISIT,
    ("PATCH", "/api/v1/visits/{}"): {"pain_score": 9},
    ("POST", "/api/v1/patients/{}/gear"): GEAR,
    ("PATCH", "/api/v1/gear/{}"): {"wear_checked_on": "2025-04-01", "distance_km": 5000},
    ("POST", "/api/v1/users"): {
        "email": "new.user@elsewhere.example",
        "password": "long enough password",
        "role": "admin",
    },
    ("PATCH", "/api/v1/users/{}"): {"active": False},
}
# Form fields a page post may need; each route's declared form fields are added (sample_form).
FORM_FIELDS = {
    "name": "Guessing Gary",
    "birth_year": "1970",
    "visited_on": "2025-03-01",
    "started_on": "2025-03-01",
    "pain_score": "4",
    "email": "new.user@elsewhere.example",
    "password": "long enough password",
    "role": "admin",
    "confirm": "yes",
    "q": "",
}


def _upload_fields(route: Route) -> list[str]:
    """Names of the route's file upload fields."""
    names = []
    for param in route.dependant.body_params:
        annotation = param.field_info.annotation
        options = get_args(annotation) if get_origin(annotation) in (list, Union, UnionType) else ()
        if (
            annotation is UploadFile
            or UploadFile in options
            or any(get_origin(o) is list and UploadFile in get_args(o) for o in options)
        ):
            names.append(param.name)
    return names


def _form_value(name: str, annotation: Any) -> str:
    origin = get_origin(annotation)
    if origin is Literal:
        return str(get_args(annotation)[0])
    if origin in (Union, UnionType):
        return _form_value(name, next(a for a in get_args(annotation) if a is not type(None)))
    if annotation is int or annotation is float:
        return "3"
    if annotation is bool:
        return "true"
    if annotation is date:
        return "2025-03-01"
    return FORM_FIELDS.get(name, "x")


def sample_form(route: Route) -> tuple[dict[str, str], dict[str, tuple[str, bytes, str]]]:
    """Plausible form fields and files for a page post: common fields plus those the route declares."""
    uploads = _upload_fields(route)
    data = dict(FORM_FIELDS)
    for param in route.dependant.body_params:
        if param.name not in uploads:
            data.setdefault(param.name, _form_value(param.name, param.field_info.annotation))
    files = {name: ("MUN104L.csv", FOOTPRINT_CSV.read_bytes(), "text/csv") for name in uploads}
    return data, files


def api_request(
    client: TestClient, route: Route, method: str, path: str, headers: dict[str, str]
) -> httpx.Response:
    """``method path`` with the body that route takes (JSON, or a footprint file for an upload)."""
    uploads = _upload_fields(route)
    if uploads and method == "POST":
        files = [(name, ("MUN104L.csv", FOOTPRINT_CSV.read_bytes(), "text/csv")) for name in uploads]
        return client.request(method, path, headers=headers, data={"kind": "footprint"}, files=files)
    body = API_BODIES.get((method, template(route.path)))
    if body is None and method in ("POST", "PATCH", "PUT"):
        body = {}
    return client.request(method, path, headers=headers, json=body)


def page_request(
    client: TestClient, route: Route, method: str, path: str, csrf: str | None, **params: str
) -> httpx.Response:
    """A page request as a browser sends it: a form post carries ``csrf`` (if any) and sample fields."""
    if method == "GET":
        return client.get(path, params=params or None, follow_redirects=False)
    data, files = sample_form(route)
    if csrf is not None:
        data["csrf_token"] = csrf
    return client.request(
        method, path, params=params or None, data=data, files=files or None, follow_redirects=False
    )


# Query parameters that are not record ids.
TEXT_QUERY = {"q", "back", "next", "out"}


def query_ids(route: Route, visit_ids: tuple[str, str]) -> dict[str, str]:
    """Query parameters that name records (the visits of a comparison), filled with ``visit_ids``."""
    names = [p.name for p in route.dependant.query_params if p.name not in TEXT_QUERY]
    return {name: visit_ids[i % 2] for i, name in enumerate(names)}


# --- Records of two clinics -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Records:
    """One clinic's records, made through the API: patient, two visits, a footprint file, gear."""

    user: ClinicUser
    ids: dict[str, str]  # kind → id
    visits: tuple[str, str]


def _created(response: httpx.Response, what: str) -> str:
    assert response.status_code in (200, 201, 202), f"creating {what}: {response.status_code} {response.text}"
    value: str = response.json()["id"]
    return value


def make_records(client: TestClient, user: ClinicUser, admin: ClinicUser | None = None) -> Records:
    headers = user.headers
    patient = _created(
        client.post(
            "/api/v1/patients",
            headers=headers,
            json={"name": PRIVATE_NAME, "birth_year": 1985, "email": PRIVATE_EMAIL, "notes": PRIVATE_NOTES},
        ),
        "a patient",
    )
    visit = _created(
        client.post(f"/api/v1/patients/{patient}/visits", headers=headers, json=VISIT), "a visit"
    )
    follow_up = _created(
        client.post(f"/api/v1/patients/{patient}/visits", headers=headers, json=FOLLOW_UP), "a follow-up"
    )
    upload = client.post(
        f"/api/v1/visits/{visit}/files",
        headers=headers,
        data={"kind": "footprint"},
        files={"file": ("MUN104L.csv", FOOTPRINT_CSV.read_bytes(), "text/csv")},
    )
    assert upload.status_code == 202, upload.text
    answer = upload.json()
    file_id: str = answer["id"] if "id" in answer else answer["files"][0]["id"]
    gear = _created(client.post(f"/api/v1/patients/{patient}/gear", headers=headers, json=GEAR), "gear")
    deadline = time.monotonic() + FILE_WAIT_S
    while True:  # let the background analysis finish, so that nothing changes under the tests
        status = client.get(f"/api/v1/visits/{visit}/files/{file_id}", headers=headers).json()["status"]
        if status in ("done", "failed"):
            break
        assert time.monotonic() < deadline, f"the footprint file was still {status} after {FILE_WAIT_S} s"
        time.sleep(0.2)
    ids = {"patient": patient, "visit": visit, "file": file_id, "gear": gear, "user": (admin or user).id}
    return Records(user, ids, (visit, follow_up))


@pytest.fixture
def two_clinics(
    clinic_client: TestClient, make_user: Callable[..., ClinicUser]
) -> tuple[Records, Records, ClinicUser, ClinicUser]:
    """Records of clinic A and clinic B, and an admin of each (A's admin id is A's user record)."""
    admin_a, admin_b = make_user("Clinic A", "admin"), make_user("Clinic B", "admin")
    clinician_a, clinician_b = make_user("Clinic A"), make_user("Clinic B")
    records_a = make_records(clinic_client, clinician_a, admin_a)
    records_b = make_records(clinic_client, clinician_b, admin_b)
    return records_a, records_b, admin_a, admin_b


def snapshot(factory: sessionmaker[Session]) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table but the logs (audit log, login attempts), in a stable order."""
    with factory() as session:
        return {
            table.name: sorted((tuple(row) for row in session.execute(select(table))), key=repr)
            for table in Base.metadata.sorted_tables
            if table.name not in LOG_TABLES
        }


def assert_unchanged(
    before: dict[str, list[tuple[Any, ...]]], after: dict[str, list[tuple[Any, ...]]], what: str
) -> None:
    changed = [name for name in before if before[name] != after[name]]
    assert not changed, f"{what} changed the tables {changed}"


def _ids_in(answer: httpx.Response) -> list[str]:
    """The ids in the path ``answer`` was requested with."""
    return [segment for segment in answer.url.path.split("/") if len(segment) == 32]


def without(text: str, *ids: str) -> str:
    for value in ids:
        text = text.replace(value, "<id>").replace(quote(value), "<id>")
    return text


# --- The agreed surface exists, and the allow-list is current -------------------------------------------

AGREED_API = [
    ("POST", "/api/v1/auth/login"),
    ("GET", "/api/v1/users"),
    ("POST", "/api/v1/users"),
    ("POST", "/api/v1/patients"),
    ("GET", "/api/v1/patients"),
    ("GET", "/api/v1/patients/{}"),
    ("PATCH", "/api/v1/patients/{}"),
    ("DELETE", "/api/v1/patients/{}"),
    ("POST", "/api/v1/patients/{}/visits"),
    ("GET", "/api/v1/patients/{}/visits"),
    ("GET", "/api/v1/visits/{}"),
    ("PATCH", "/api/v1/visits/{}"),
    ("POST", "/api/v1/visits/{}/files"),
    ("GET", "/api/v1/visits/{}/files/{}"),
    ("GET", "/api/v1/patients/{}/export.json"),
    ("GET", "/api/v1/patients/{}/export.pdf"),
    ("GET", "/api/v1/patients/{}/outcomes"),
    ("GET", "/api/v1/patients/{}/gear"),
    ("POST", "/api/v1/patients/{}/gear"),
    ("PATCH", "/api/v1/gear/{}"),
    ("DELETE", "/api/v1/gear/{}"),
    ("GET", "/api/v1/patients/{}/reminders"),
]
AGREED_PAGES = [
    ("GET", "/login"),
    ("POST", "/login"),
    ("POST", "/logout"),
    ("GET", "/clinic/users"),
    ("GET", "/clinic/patients"),
    ("POST", "/clinic/patients"),
    ("GET", "/clinic/patients/{}"),
    ("GET", "/clinic/patients/{}/visits/new"),
    ("POST", "/clinic/patients/{}/visits/new"),
    ("GET", "/clinic/visits/{}"),
    ("GET", "/clinic/patients/{}/compare"),
    ("GET", "/clinic/patients/{}/outcomes"),
]


def test_the_agreed_routes_exist(clinic_app: FastAPI) -> None:
    present = {(method, template(route.path)) for route in all_routes(clinic_app) for method in route.methods}
    missing = [f"{m} {p}" for m, p in AGREED_API + AGREED_PAGES if (m, p) not in present]
    assert not missing, f"routes of the clinic-mode surface are missing: {missing}"


def test_the_anonymous_allow_list_is_explicit_and_current(clinic_app: FastAPI) -> None:
    routes = api_routes(clinic_app)
    for prefix in ANONYMOUS_API:
        assert any(r.path == prefix or r.path.startswith(prefix + "/") for r in routes), (
            f"{prefix} is allow-listed as anonymous but no route has it: remove it from ANONYMOUS_API"
        )
    for route in routes:
        if is_anonymous_api(route.path):
            assert not depends_on(route, api_user, page_user), (
                f"{route.path} is allow-listed but asks for a user"
            )
        else:
            assert depends_on(route, api_user), (
                f"{sorted(route.methods)} {route.path} is a clinic API route without the ApiUser dependency"
            )
    assert len(clinic_api_routes(clinic_app)) >= len(AGREED_API) - 1


# --- Anonymous callers -------------------------------------------------------------------------------


def test_the_anonymous_api_really_is_open(clinic_client: TestClient) -> None:
    """An anonymous caller of the self-assessment API is told "not found", not "sign in"."""
    for path in (f"/api/v1/assessments/{guessed_id()}", f"/api/v1/footprints/{guessed_id()}"):
        assert clinic_client.get(path).status_code == 404
    wrong = clinic_client.post(
        "/api/v1/auth/login", json={"email": "no@one.example", "password": "wrong password"}
    )
    assert wrong.status_code == 401


def test_every_clinic_api_route_answers_401_without_a_valid_token(
    clinic_app: FastAPI, clinic_client: TestClient
) -> None:
    checked, wrong = 0, []
    for route in clinic_api_routes(clinic_app):
        path = fill(route.path, guessed_ids())
        for method in methods(route):
            for headers in ({}, {"Authorization": f"Bearer {guessed_id()}"}, {"Authorization": "Basic eDp5"}):
                answer = api_request(clinic_client, route, method, path, headers)
                checked += 1
                if answer.status_code != 401 or "Sign in" not in answer.json().get("detail", ""):
                    wrong.append(f"{method} {route.path} {headers or 'anonymous'}: {answer.status_code}")
    assert checked >= 3 * len(AGREED_API)
    assert not wrong, "clinic API routes that did not answer 401:\n" + "\n".join(wrong)


def test_every_clinic_page_redirects_to_sign_in(clinic_app: FastAPI, clinic_client: TestClient) -> None:
    checked, wrong = 0, []
    for route in page_routes(clinic_app):
        path = fill(route.path, guessed_ids())
        params = query_ids(route, (guessed_id(), guessed_id()))
        for method in methods(route):
            answer = page_request(clinic_client, route, method, path, None, **params)
            checked += 1
            location = answer.headers.get("location", "")
            target = urlsplit(location)
            went_to = parse_qs(target.query).get("next", [""])[0]
            expected = path + (f"?{urlencode(params)}" if params and method == "GET" else "")
            if answer.status_code != 303 or target.path != "/login" or went_to != expected:
                wrong.append(f"{method} {route.path}: {answer.status_code} → {location!r}")
    assert checked >= 8
    assert not wrong, "pages that did not redirect an anonymous visitor to /login:\n" + "\n".join(wrong)


def test_the_sign_in_redirect_keeps_where_the_person_was_going(clinic_client: TestClient) -> None:
    answer = clinic_client.get("/clinic/patients?q=smi", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/login?next={quote('/clinic/patients?q=smi', safe='/')}"


# --- Clinic B cannot reach clinic A's records ------------------------------------------------------------


def _id_routes(routes: list[Route]) -> list[Route]:
    return [route for route in routes if ID_PATTERN.search(route.path)]


@pytest.mark.parametrize("clinic_app", ["sqlite", "postgresql"], indirect=True)
def test_clinic_b_gets_404_for_every_record_of_clinic_a_in_the_api(
    clinic_app: FastAPI,
    clinic_client: TestClient,
    sessions: sessionmaker[Session],
    two_clinics: tuple[Records, Records, ClinicUser, ClinicUser],
) -> None:
    records_a, records_b, _admin_a, admin_b = two_clinics
    before = snapshot(sessions)
    routes = _id_routes(clinic_api_routes(clinic_app))
    assert len(routes) >= 10
    wrong, checked = [], 0
    for caller in (records_b.user, admin_b):
        for route in routes:
            if is_user_management(route) and caller.role != "admin":
                continue  # a clinician gets 403 there (test_a_clinician_cannot_manage_users)
            kinds = [kind for _name, kind in id_kinds(route.path)]
            variants = {
                "clinic A's ids": fill(route.path, records_a.ids),
                "guessed ids": fill(route.path, guessed_ids()),
            }
            if len(kinds) > 1:  # B's own parent record with A's child record
                mixed = dict(records_a.ids, **{kinds[0]: records_b.ids[kinds[0]]})
                variants["B's parent, A's child"] = fill(route.path, mixed)
            for method in methods(route):
                answers = {
                    name: api_request(clinic_client, route, method, path, caller.headers)
                    for name, path in variants.items()
                }
                checked += len(answers)
                for name, answer in answers.items():
                    if answer.status_code != 404:
                        wrong.append(
                            f"{caller.role} {method} {route.path} with {name}: {answer.status_code} {answer.text[:120]}"
                        )
                real, guessed = answers["clinic A's ids"], answers["guessed ids"]
                if without(real.text, *records_a.ids.values()) != without(guessed.text, *_ids_in(guessed)):
                    wrong.append(f"{method} {route.path}: the 404 tells A's ids from guessed ones")
    assert checked > 20
    assert not wrong, "clinic B reached clinic A's records:\n" + "\n".join(wrong)
    assert_unchanged(before, snapshot(sessions), "clinic B's requests for clinic A's records")
    # ... and clinic A still sees all of it.
    headers = records_a.user.headers
    assert (
        clinic_client.get(f"/api/v1/patients/{records_a.ids['patient']}", headers=headers).status_code == 200
    )
    gear = clinic_client.get(f"/api/v1/patients/{records_a.ids['patient']}/gear", headers=headers)
    assert gear.status_code == 200 and records_a.ids["gear"] in gear.text
    listed = clinic_client.get("/api/v1/patients", headers=records_b.user.headers).json()
    listed_ids = {p["id"] for p in (listed["patients"] if isinstance(listed, dict) else listed)}
    assert records_a.ids["patient"] not in listed_ids and records_b.ids["patient"] in listed_ids
    found = clinic_client.get(
        "/api/v1/patients", params={"q": "Quillfeather"}, headers=records_b.user.headers
    ).json()
    found_ids = {p["id"] for p in (found["patients"] if isinstance(found, dict) else found)}
    assert found_ids == {records_b.ids["patient"]}, "a name search shows another clinic's patients"


@pytest.mark.parametrize("clinic_app", ["sqlite", "postgresql"], indirect=True)
def test_clinic_b_gets_404_for_every_page_of_clinic_a(
    clinic_app: FastAPI,
    clinic_client: TestClient,
    sessions: sessionmaker[Session],
    two_clinics: tuple[Records, Records, ClinicUser, ClinicUser],
) -> None:
    records_a, records_b, _admin_a, admin_b = two_clinics
    routes = _id_routes(page_routes(clinic_app))
    assert len(routes) >= 4
    wrong, checked = [], 0
    signed_in = {caller.id: page_session(sessions, caller) for caller in (records_b.user, admin_b)}
    before = snapshot(sessions)
    for caller in (records_b.user, admin_b):
        cookie, csrf = signed_in[caller.id]
        clinic_client.cookies.set(SESSION_COOKIE, cookie)
        for route in routes:
            if is_user_management(route) and caller.role != "admin":
                continue
            own_visits = records_b.visits
            variants = {
                "clinic A's ids": (fill(route.path, records_a.ids), query_ids(route, records_a.visits)),
                "guessed ids": (
                    fill(route.path, guessed_ids()),
                    query_ids(route, (guessed_id(), guessed_id())),
                ),
            }
            if route.dependant.query_params and any(k == "patient" for _n, k in id_kinds(route.path)):
                # B's own patient, compared with A's visits
                variants["B's patient, A's visits"] = (
                    fill(route.path, records_b.ids),
                    query_ids(route, records_a.visits),
                )
                variants["B's patient, a B and an A visit"] = (
                    fill(route.path, records_b.ids),
                    query_ids(route, (own_visits[0], records_a.visits[1])),
                )
            for method in methods(route):
                texts = {}
                for name, (path, params) in variants.items():
                    if not params and name.startswith("B's"):
                        continue
                    answer = page_request(clinic_client, route, method, path, csrf, **params)
                    texts[name] = without(
                        answer.text,
                        *records_a.ids.values(),
                        *(part for part in path.split("/") if len(part) == 32),
                        *params.values(),
                    )
                    checked += 1
                    if answer.status_code != 404:
                        wrong.append(f"{caller.role} {method} {route.path} with {name}: {answer.status_code}")
                    elif answer.headers.get("content-type", "").startswith("application/json"):
                        wrong.append(f"{method} {route.path}: a page's 404 is JSON, not a page")
                    elif PRIVATE_NAME in answer.text:
                        wrong.append(f"{method} {route.path} with {name}: the 404 page names the patient")
                if texts["clinic A's ids"] != texts["guessed ids"]:
                    wrong.append(f"{method} {route.path}: the 404 page tells A's ids from guessed ones")
    assert checked > 8
    assert not wrong, "clinic B reached clinic A's pages:\n" + "\n".join(wrong)
    assert_unchanged(before, snapshot(sessions), "clinic B's page requests for clinic A's records")


def test_exports_hold_only_the_own_clinics_record(
    clinic_client: TestClient, two_clinics: tuple[Records, Records, ClinicUser, ClinicUser]
) -> None:
    records_a, records_b, _admin_a, _admin_b = two_clinics
    exported = clinic_client.get(
        f"/api/v1/patients/{records_b.ids['patient']}/export.json", headers=records_b.user.headers
    )
    assert exported.status_code == 200
    for value in records_a.ids.values():
        if value != records_a.ids["user"]:
            assert value not in exported.text, "clinic B's export holds an id of clinic A"


# --- Only admins manage users ---------------------------------------------------------------------------


def test_a_clinician_cannot_manage_users(
    clinic_app: FastAPI,
    clinic_client: TestClient,
    sessions: sessionmaker[Session],
    clinic_a: ClinicUser,
    admin_a: ClinicUser,
) -> None:
    routes = [route for route in all_routes(clinic_app) if is_user_management(route)]
    assert {template(r.path) for r in routes} >= {"/api/v1/users", "/clinic/users"}
    csrf = sign_in_page(clinic_client, sessions, clinic_a)
    before = snapshot(sessions)
    ids = dict(guessed_ids(), user=admin_a.id)
    wrong = []
    for route in routes:
        path = fill(route.path, ids)
        for method in methods(route):
            if route.path.startswith("/api/"):
                answer = api_request(clinic_client, route, method, path, clinic_a.headers)
            else:
                answer = page_request(clinic_client, route, method, path, csrf)
            if answer.status_code != 403:
                wrong.append(f"{method} {route.path}: {answer.status_code}")
            elif not route.path.startswith("/api/") and answer.headers.get("content-type", "").startswith(
                "application/json"
            ):
                wrong.append(f"{method} {route.path}: the 403 page is JSON")
    assert not wrong, "user-management routes a clinician was not refused:\n" + "\n".join(wrong)
    assert_unchanged(before, snapshot(sessions), "a clinician's user-management requests")
    # The admin may (so the 403 above was about the role, not a broken route).
    listed = clinic_client.get("/api/v1/users", headers=admin_a.headers)
    assert listed.status_code == 200 and admin_a.email in listed.text and clinic_a.email in listed.text


# --- CSRF ------------------------------------------------------------------------------------------------


def form_posts(app: FastAPI) -> list[Route]:
    """Every state-changing page route: the posts under /clinic, /logout, and any other signed-in post."""
    return [r for r in page_routes(app) if set(methods(r)) & {"POST", "PUT", "PATCH", "DELETE"}]


def test_every_form_post_of_a_signed_in_user_checks_the_csrf_token(clinic_app: FastAPI) -> None:
    unprotected = [r.path for r in form_posts(clinic_app) if not depends_on(r, csrf_protected)]
    assert not unprotected, f"form posts without the CsrfUser dependency: {unprotected}"
    assert len(form_posts(clinic_app)) >= 4


@pytest.mark.parametrize("clinic_app", ["sqlite", "postgresql"], indirect=True)
def test_form_posts_without_or_with_a_wrong_csrf_token_are_refused_and_change_nothing(
    clinic_app: FastAPI,
    clinic_client: TestClient,
    sessions: sessionmaker[Session],
    two_clinics: tuple[Records, Records, ClinicUser, ClinicUser],
) -> None:
    records_a, _records_b, admin_a, _admin_b = two_clinics
    wrong = []
    signed_in = {caller.id: page_session(sessions, caller) for caller in (records_a.user, admin_a)}
    for caller in (records_a.user, admin_a):
        cookie, _real = signed_in[caller.id]
        clinic_client.cookies.set(SESSION_COOKIE, cookie)
        before = snapshot(sessions)
        for route in form_posts(clinic_app):
            if is_user_management(route) and caller.role != "admin":
                continue
            path = fill(route.path, records_a.ids)
            params = query_ids(route, records_a.visits)
            for method in set(methods(route)) - {"GET"}:
                for name, token in (
                    ("no token", None),
                    ("a wrong token", guessed_id()),
                    ("an empty token", ""),
                ):
                    answer = page_request(clinic_client, route, method, path, token, **params)
                    if answer.status_code != 403:
                        wrong.append(f"{caller.role} {method} {route.path} with {name}: {answer.status_code}")
                headers = {"X-CSRF-Token": guessed_id()}
                data, files = sample_form(route)
                answer = clinic_client.request(
                    method, path, data=data, files=files or None, headers=headers, follow_redirects=False
                )
                if answer.status_code != 403:
                    wrong.append(
                        f"{caller.role} {method} {route.path} with a wrong header token: {answer.status_code}"
                    )
        assert_unchanged(before, snapshot(sessions), f"form posts of a {caller.role} without the CSRF token")
        # The session survived the refused /logout, and the real token still works.
        assert clinic_client.get("/clinic/patients", follow_redirects=False).status_code == 200
    assert not wrong, "form posts accepted without the right CSRF token:\n" + "\n".join(wrong)


def test_the_real_csrf_token_is_accepted(
    clinic_client: TestClient, sessions: sessionmaker[Session], clinic_a: ClinicUser
) -> None:
    """The refusals above are about the token: the same post with the session's token goes through."""
    csrf = sign_in_page(clinic_client, sessions, clinic_a)
    answer = clinic_client.post(
        "/clinic/patients",
        data={"name": "Token Tess", "birth_year": "1990", "csrf_token": csrf},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text[:300]
    listed = clinic_client.get("/api/v1/patients", params={"q": "Token Tess"}, headers=clinic_a.headers)
    assert "Token Tess" in listed.text
    out = clinic_client.post("/logout", data={"csrf_token": csrf}, follow_redirects=False)
    assert out.status_code == 303 and out.headers["location"].startswith("/login")
    assert clinic_client.get("/clinic/patients", follow_redirects=False).status_code == 303


# --- Rate limits -----------------------------------------------------------------------------------------


def login_form_token(page: httpx.Response) -> str:
    """The sign-in form's hidden token (login CSRF), from the page that showed the form."""
    match = re.search(r'name="form_token"\s+value="([^"]+)"', page.text) or re.search(
        r'value="([^"]+)"\s+name="form_token"', page.text
    )
    assert match, "the sign-in page has no form_token field"
    return match.group(1)


def _attempts(send: Callable[[int], httpx.Response], count: int) -> Iterator[tuple[int, httpx.Response]]:
    for attempt in range(1, count + 1):
        yield attempt, send(attempt)


def _first_429(answers: list[httpx.Response]) -> int:
    statuses = [a.status_code for a in answers]
    assert 429 in statuses, f"no 429 in {len(statuses)} wrong passwords: {statuses}"
    first = statuses.index(429)
    assert all(s == 429 for s in statuses[first:]), f"the limit let attempts through again: {statuses}"
    return first + 1


def test_twenty_wrong_passwords_on_the_api_get_429(clinic_client: TestClient, clinic_a: ClinicUser) -> None:
    answers = [
        clinic_client.post(
            "/api/v1/auth/login", json={"email": clinic_a.email, "password": f"wrong password {n}"}
        )
        for n in range(20)
    ]
    first = _first_429(answers)
    assert all(a.status_code == 401 for a in answers[: first - 1])
    assert int(answers[-1].headers["retry-after"]) > 0
    assert "detail" in answers[-1].json()
    # Locked: even the right password waits now.
    right = clinic_client.post(
        "/api/v1/auth/login", json={"email": clinic_a.email, "password": clinic_a.password}
    )
    assert right.status_code == 429


def test_twenty_wrong_passwords_on_the_sign_in_form_get_429(
    clinic_client: TestClient, clinic_a: ClinicUser
) -> None:
    form = clinic_client.get("/login")
    assert form.status_code == 200
    answers = []
    for n in range(20):
        answers.append(
            clinic_client.post(
                "/login",
                data={
                    "email": clinic_a.email,
                    "password": f"wrong password {n}",
                    "next": "/clinic/patients",
                    "form_token": login_form_token(answers[-1] if answers else form),
                },
                follow_redirects=False,
            )
        )
    first = _first_429(answers)
    assert all(a.status_code != 303 for a in answers), "a wrong password signed in"
    assert all(a.status_code in (200, 401) for a in answers[: first - 1])
    assert not answers[-1].headers.get("content-type", "").startswith("application/json")
    right = clinic_client.post(
        "/login",
        data={
            "email": clinic_a.email,
            "password": clinic_a.password,
            "form_token": login_form_token(answers[-1]),
        },
        follow_redirects=False,
    )
    assert right.status_code == 429
    assert "footchain_session" not in right.cookies


def test_wrong_passwords_for_many_accounts_from_one_address_get_429(clinic_client: TestClient) -> None:
    answers = [
        clinic_client.post(
            "/api/v1/auth/login", json={"email": f"nobody{n}@nowhere.example", "password": "wrong"}
        )
        for n in range(21)
    ]
    _first_429(answers)


def test_a_right_password_signs_in_before_any_limit(
    clinic_client: TestClient, sessions: sessionmaker[Session], clinic_a: ClinicUser
) -> None:
    """The limit counts failures: a person who types the password right gets a token and a session."""
    token = clinic_client.post(
        "/api/v1/auth/login", json={"email": clinic_a.email.upper(), "password": clinic_a.password}
    )
    assert token.status_code == 200 and token.json()["token_type"] == "bearer"
    me = clinic_client.get(
        "/api/v1/patients", headers={"Authorization": f"Bearer {token.json()['access_token']}"}
    )
    assert me.status_code == 200
    form = clinic_client.get("/login")
    fields = {"email": clinic_a.email, "password": clinic_a.password, "next": "/clinic/patients/?q=a"}
    without_token = clinic_client.post("/login", data=fields, follow_redirects=False)
    assert without_token.status_code == 403, "the sign-in form worked without its login-CSRF token"
    page = clinic_client.post(
        "/login", data=dict(fields, form_token=login_form_token(form)), follow_redirects=False
    )
    assert page.status_code == 303 and page.headers["location"] == "/clinic/patients/?q=a"
    cookie = page.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "secure" not in cookie  # plain http here
    assert clinic_client.get("/clinic/patients", follow_redirects=False).status_code == 200
    with sessions() as session:
        assert accounts.user_by_email(session, clinic_a.email) is not None
