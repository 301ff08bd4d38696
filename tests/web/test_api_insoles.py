"""``GET /api/v1/assessments/{id}/insoles``: the server's catalogue matched to a stored assessment."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from footchain.errors import CatalogueError
from footchain.web.app import create_app
from footchain.web.settings import Settings
from tests.shared import REPO

CATALOGUE = REPO / "examples" / "insole_catalogue.csv"
EXAMPLES = REPO / "examples"
FOOTCHAIN = Path(sys.executable).with_name("footchain")


@pytest.fixture
def shop(tmp_path: Path) -> Iterator[TestClient]:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'shop.db'}", catalogue=CATALOGUE)
    with TestClient(create_app(settings)) as client:
        yield client


def _stored(client: TestClient, example: str) -> str:
    answer = client.post("/api/v1/assessments", content=(EXAMPLES / example).read_bytes(),
                         headers={"Content-Type": "application/json"})  # fmt: skip
    assert answer.status_code == 201, answer.text
    return str(answer.json()["id"])


def _cli_offer(example: str) -> dict[str, object]:
    done = subprocess.run(
        [str(FOOTCHAIN), "insoles", str(EXAMPLES / example), "--catalogue",
         str(CATALOGUE), "--format", "json"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    offer: dict[str, object] = json.loads(done.stdout)
    return offer


def test_the_offer_for_a_stored_assessment_is_the_command_lines(shop: TestClient) -> None:
    assessment_id = _stored(shop, "runner_flat_feet_knee.json")
    answer = shop.get(f"/api/v1/assessments/{assessment_id}/insoles")
    assert answer.status_code == 200
    offer = answer.json()
    assert offer["status"] == "offered"
    assert [p["rank"] for p in offer["products"]] == list(range(1, len(offer["products"]) + 1))
    assert all(
        {"id", "name", "rank", "trim_mm", "three_year_cost", "reasons"} <= set(p) for p in offer["products"]
    )
    assert all({"id", "why"} <= set(e) for e in offer["excluded"])
    assert offer == _cli_offer("runner_flat_feet_knee.json")


def test_red_flags_hold_every_product_back_and_say_why(shop: TestClient) -> None:
    assessment_id = _stored(shop, "back_pain_numb_saddle.json")
    offer = shop.get(f"/api/v1/assessments/{assessment_id}/insoles").json()
    assert offer["status"] == "deferred"
    assert offer["products"] == []
    catalogue_ids = [line.split(",")[0] for line in CATALOGUE.read_text().splitlines()[1:] if line]
    assert sorted(e["id"] for e in offer["excluded"]) == sorted(catalogue_ids)
    assert all(e["why"] for e in offer["excluded"])


def test_unknown_assessment_and_missing_catalogue_are_404_with_a_reason(
    shop: TestClient, client: TestClient
) -> None:
    assert shop.get("/api/v1/assessments/not-an-id/insoles").status_code == 404
    assessment_id = _stored(client, "runner_flat_feet_knee.json")
    answer = client.get(f"/api/v1/assessments/{assessment_id}/insoles")
    assert answer.status_code == 404
    assert "FOOTCHAIN_CATALOGUE" in answer.json()["detail"]


def test_a_bad_catalogue_stops_the_server_start_with_its_row_and_column(tmp_path: Path) -> None:
    bad = tmp_path / "shop.csv"
    rows = CATALOGUE.read_text().splitlines()
    rows[2] = rows[2].replace(",low,", ",flatish,", 1)
    bad.write_text("\n".join(rows) + "\n")
    with pytest.raises(CatalogueError, match=r"row 3, column arch_height"):
        create_app(Settings(database_url=f"sqlite:///{tmp_path / 'x.db'}", catalogue=bad))
    env = {**os.environ, "FOOTCHAIN_CATALOGUE": str(bad)}
    done = subprocess.run(
        [str(FOOTCHAIN), "serve", "--port", "1", "--database", f"sqlite:///{tmp_path / 'y.db'}"],
        capture_output=True, text=True, env=env, timeout=60,
    )  # fmt: skip
    assert done.returncode == 2
    assert "row 3, column arch_height" in done.stderr
    assert "Traceback" not in done.stderr


def test_the_results_page_lists_the_shops_insoles_only_when_a_catalogue_is_set(
    shop: TestClient, client: TestClient
) -> None:
    assessment_id = _stored(shop, "runner_flat_feet_knee.json")
    page = shop.get(f"/assessments/{assessment_id}").text
    offer = _cli_offer("runner_flat_feet_knee.json")
    products = offer["products"]
    assert isinstance(products, list) and products
    assert 'id="insole-shop"' in page
    assert all(f'id="product-{p["id"]}"' in page for p in products)
    first = products[0]
    assert page.index(f'id="product-{first["id"]}"') < page.index(f'id="product-{products[-1]["id"]}"')
    assert f"Trim {first['trim_mm']} mm" in page
    # An emergency report ends with the emergency, not a shop (issue 15).
    held_back = shop.get(f"/assessments/{_stored(shop, 'back_pain_numb_saddle.json')}").text
    assert 'id="referral"' in held_back and 'id="insole-shop"' not in held_back
    plain = client.get(f"/assessments/{_stored(client, 'runner_flat_feet_knee.json')}").text
    assert 'id="insole-shop"' not in plain
