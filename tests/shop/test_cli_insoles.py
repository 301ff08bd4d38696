"""``footchain insoles`` end to end, as a real subprocess of the installed script."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from footchain.shop.catalogue import read_catalogue
from tests.shop.helpers import CATALOGUE, EXAMPLES, row, write_rows

FOOTCHAIN = Path(sys.executable).with_name("footchain")
INTAKES = sorted(EXAMPLES.glob("*.json"))


def run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "100", "TERM": "dumb"}
    return subprocess.run(
        [str(FOOTCHAIN), *map(str, args)], capture_output=True, text=True, timeout=120, env=env, check=False
    )


@pytest.mark.parametrize("intake", INTAKES, ids=[p.stem for p in INTAKES])
def test_json_accounts_for_every_product(intake: Path) -> None:
    result = run("insoles", intake, "--catalogue", CATALOGUE, "--format", "json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    ids = [p["id"] for p in data["products"]] + [e["id"] for e in data["excluded"]]
    assert sorted(ids) == sorted(p.id for p in read_catalogue(CATALOGUE))
    assert data["status"] in {"offered", "none_fit", "not_recommended", "deferred", "needs_measurement"}


def test_runner_text_lists_ranked_low_arch_insoles() -> None:
    result = run("insoles", EXAMPLES / "runner_flat_feet_knee.json", "-c", CATALOGUE)
    assert result.returncode == 0, result.stderr
    assert "4 of 12 products fit your plan: a low arch" in result.stdout
    assert result.stdout.index("Low-arch firm sport insole") < result.stdout.index("Low-arch soft comfort")
    assert "Push test" in result.stdout and "Left out" in result.stdout


def test_red_flags_hold_every_product_back() -> None:
    result = run("insoles", EXAMPLES / "back_pain_numb_saddle.json", "-c", CATALOGUE)
    assert result.returncode == 0, result.stderr
    assert "No products are offered yet" in result.stdout
    assert "All 12 products of the catalogue are held back." in result.stdout


def test_output_file(tmp_path: Path) -> None:
    out = tmp_path / "offer.json"
    result = run("insoles", EXAMPLES / "nurse_heel_pain.json", "-c", CATALOGUE, "-f", "json", "-o", out)
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert json.loads(out.read_text(encoding="utf-8"))["products"][0]["id"] == "high-firm-cushion"


def test_a_bad_catalogue_is_a_clear_error(tmp_path: Path) -> None:
    bad = write_rows(tmp_path / "shop.csv", [row(id="a"), row(id="b", arch_height="flatish")])
    result = run("insoles", EXAMPLES / "runner_flat_feet_knee.json", "-c", bad)
    assert result.returncode == 2
    assert result.stdout == ""
    assert "footchain: shop.csv: 1 problem(s); nothing was loaded." in result.stderr
    assert "shop.csv row 3, column arch_height: 'flatish' is not one of" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_missing_catalogue_option_is_a_usage_error() -> None:
    result = run("insoles", EXAMPLES / "runner_flat_feet_knee.json")
    assert result.returncode == 2
    assert "--catalogue" in result.stderr
