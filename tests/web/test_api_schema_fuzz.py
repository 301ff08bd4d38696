"""API fuzzing with schemathesis against the app's own ``/openapi.json`` (issue 16).

Every operation, anonymous, as a clinician and as an admin (bearer tokens of real accounts): no answer
is 5xx, every status code, content type and header is documented, every body matches its schema. ``SCHEMA_FUZZ_EXAMPLES`` bounds the examples per operation so the
pass fits CI; ``benchmarks/api_fuzz.py`` runs the same with many more.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance
from sqlalchemy.orm import Session, sessionmaker

from footchain.web.app import create_app
from footchain.web.settings import Settings
from tests.clinic.conftest import create_clinic_user

# Every check of schemathesis (no 5xx; status codes, content types, headers and bodies as documented;
# Allow headers of 405) except positive_data_acceptance ("a schema-valid request is accepted"): the
# 422s it flags are judgments of content a JSON Schema cannot state (an empty or unmeasurable file, a
# shoe size that does not exist in its size system). SCHEMA_FUZZ_ALL_CHECKS=1 (benchmarks/api_fuzz.py
# --all-checks) runs that one too and shows those 422s.
EXCLUDED = [] if os.environ.get("SCHEMA_FUZZ_ALL_CHECKS") == "1" else [positive_data_acceptance]
EXAMPLES = int(os.environ.get("SCHEMA_FUZZ_EXAMPLES", "5"))


def _app(folder: Path) -> tuple[FastAPI, dict[str, dict[str, str]]]:
    app = create_app(Settings(database_url=f"sqlite:///{folder / 'schema-fuzz.db'}"))
    factory: sessionmaker[Session] = app.state.sessions
    clinician = create_clinic_user(factory, "Fuzz clinic", "clinician", "clinician@fuzz.example")
    admin = create_clinic_user(factory, "Fuzz clinic 2", "admin", "admin@fuzz.example")
    return app, {"anonymous": {}, "clinician": clinician.headers, "admin": admin.headers}


APP, AS = _app(Path(tempfile.mkdtemp(prefix="footchain-schema-fuzz-")))
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


REQUESTS = [0]


@pytest.fixture(scope="module", autouse=True)
def count_requests(request: pytest.FixtureRequest) -> Iterator[None]:
    """Prints how many requests the module generated (and writes it to ``SCHEMA_FUZZ_COUNT_FILE``)."""
    yield
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write_line(f"schemathesis generated requests: {REQUESTS[0]}")
    count_file = os.environ.get("SCHEMA_FUZZ_COUNT_FILE")
    if count_file:
        Path(count_file).write_text(str(REQUESTS[0]))


@pytest.fixture(params=list(AS))
def who(request: pytest.FixtureRequest) -> Iterator[str]:
    yield request.param


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_api_answers_as_documented(case: schemathesis.Case, who: str) -> None:
    REQUESTS[0] += 1
    case.call_and_validate(headers=AS[who], excluded_checks=EXCLUDED)
