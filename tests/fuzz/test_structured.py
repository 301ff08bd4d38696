"""Structure-aware fuzzing with hypothesis: files that have the right shape and wrong contents.

Byte-level mutation (``harness.py``) mostly breaks a file's frame; these generators keep the frame and
vary what is inside, where parsers make their judgments: catalogue rows with every kind of cell value,
gaitpdb-like tables of 19 columns with odd numbers, times that run backwards or stand still, rows of the
wrong width, pressure matrices with holes, and intakes built from the intake schema with fields taken
out, set to null or to extreme values. Each parser either reads the file or raises footchain's own
error, and prints nothing.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema

from footchain.errors import FootchainError
from footchain.intake import load_intake
from footchain.measure.footprint.pressure import read_pressure_frame
from footchain.measure.gait import load_recording
from footchain.shop.catalogue import COLUMNS, read_catalogue
from tests.shared import CONTRACTS, REPO

EXAMPLES = int(os.environ.get("STRUCTURED_FUZZ_EXAMPLES", "150"))  # benchmarks may raise it
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.function_scoped_fixture,
        HealthCheck.data_too_large,
    ],
)
ODD_NUMBERS = st.sampled_from(["nan", "inf", "-inf", "1e308", "-0", "", " ", "1,5", "0x10", "--1", "1e-320"])
NUMBER_TEXT = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(min_value=-(10**20), max_value=10**20).map(str),
    ODD_NUMBERS,
)
CELL = st.one_of(
    NUMBER_TEXT, st.text(max_size=12), st.sampled_from(["true", "false", "low", "firm", "eu", "us_men"])
)


def _parses_or_refuses(parse: Any, path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    try:
        parse(path)
    except FootchainError as exc:
        assert str(exc).strip()
    out, err = capfd.readouterr()
    assert (out, err) == ("", "")


CATALOGUE_ROWS = [
    line.split(",")
    for line in (REPO / "examples" / "insole_catalogue.csv").read_text(encoding="utf-8").splitlines()[1:]
    if line.strip()
]


@FUZZ
@given(
    picks=st.lists(st.integers(0, len(CATALOGUE_ROWS) - 1), max_size=8),
    changes=st.lists(st.tuples(st.integers(0, 7), st.integers(0, len(COLUMNS)), CELL), max_size=4),
)
def test_catalogue_rows_of_any_content(
    picks: list[int], changes: list[tuple[int, int, str]], tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    rows = [list(CATALOGUE_ROWS[i]) for i in picks]
    for r, c, value in changes:  # a changed cell, or a cell too many when c is past the last column
        if r < len(rows):
            rows[r][c : c + 1] = [value]
    lines = [",".join(COLUMNS)] + [
        ",".join(json.dumps(c) if "," in c or '"' in c else c for c in r) for r in rows
    ]
    path = tmp_path / "catalogue.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8", errors="surrogatepass")
    _parses_or_refuses(read_catalogue, path, capfd)


TIMES = st.sampled_from(["forward", "backward", "still", "jumping"])


@FUZZ
@given(
    n_rows=st.integers(min_value=0, max_value=400),
    width=st.sampled_from([18, 19, 19, 19, 20]),
    times=TIMES,
    odd=st.lists(st.tuples(st.integers(0, 399), st.integers(0, 19), ODD_NUMBERS), max_size=6),
    separator=st.sampled_from(["\t", " ", ","]),
)
def test_gaitpdb_tables_of_any_content(
    n_rows: int,
    width: int,
    times: str,
    odd: list[tuple[int, int, str]],
    separator: str,
    tmp_path: Path,
    capfd: pytest.CaptureFixture[str],
) -> None:
    step = {"forward": 0.01, "backward": -0.01, "still": 0.0, "jumping": 0.37}[times]
    rows = []
    for i in range(n_rows):
        load = 400 + 300 * math.sin(i / 20.0)
        row = [f"{i * step:.4f}"] + [f"{max(load, 0) / 8:.2f}"] * (width - 3) + [f"{load:.2f}", f"{load:.2f}"]
        rows.append(row)
    for r, c, value in odd:
        if r < len(rows) and c < len(rows[r]):
            rows[r][c] = value
    path = tmp_path / "walk.txt"
    path.write_text("\n".join(separator.join(r) for r in rows) + "\n", encoding="utf-8")
    _parses_or_refuses(load_recording, path, capfd)


@FUZZ
@given(
    shape=st.tuples(st.integers(0, 40), st.integers(0, 30)),
    holes=st.lists(st.tuples(st.integers(0, 39), st.integers(0, 29), ODD_NUMBERS), max_size=6),
    scale=st.sampled_from([0.0, 1e-9, 1.0, 250.0, 1e12]),
)
def test_pressure_matrices_of_any_content(
    shape: tuple[int, int],
    holes: list[tuple[int, int, str]],
    scale: float,
    tmp_path: Path,
    capfd: pytest.CaptureFixture[str],
) -> None:
    rows_n, cols_n = shape
    rows = [
        [
            f"{scale * max(0.0, 1 - ((r - rows_n / 2) / 12) ** 2 - ((c - cols_n / 2) / 6) ** 2):.3f}"
            for c in range(cols_n)
        ]
        for r in range(rows_n)
    ]
    for r, c, value in holes:
        if r < rows_n and c < cols_n:
            rows[r][c] = value
    path = tmp_path / "print.csv"
    path.write_text("\n".join(",".join(r) for r in rows) + "\n", encoding="utf-8")
    _parses_or_refuses(read_pressure_frame, path, capfd)


INTAKE_SCHEMA = json.loads((CONTRACTS / "intake.schema.json").read_text(encoding="utf-8"))


def _damage(document: Any, how: str) -> Any:
    """Null, an extreme number or a wrong type put in place of the first field found of its kind."""
    if isinstance(document, dict):
        for key, value in document.items():
            if (
                isinstance(value, (int, float))
                and not isinstance(value, bool)
                and how in ("null", "huge", "type")
            ):
                document[key] = {"null": None, "huge": 1e308, "type": str(value)}[how]
                return document
            if isinstance(value, (dict, list)):
                _damage(value, how)
                return document
    if isinstance(document, list) and document:
        _damage(document[0], how)
    return document


@FUZZ
@given(
    document=from_schema(INTAKE_SCHEMA),
    how=st.sampled_from(["none", "null", "huge", "type"]),
    drop_version=st.booleans(),
)
def test_intakes_built_from_the_schema_and_damaged(
    document: dict[str, Any], how: str, drop_version: bool, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    document = _damage(document, how)
    if drop_version:
        document.pop("schema_version", None)
    path = tmp_path / "intake.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    _parses_or_refuses(load_intake, path, capfd)
