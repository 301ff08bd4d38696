"""Build assessments and catalogue files for the shop tests from real engine output."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from footchain.engine import assess
from footchain.intake import load_intake
from footchain.shop.catalogue import COLUMNS, Product
from footchain.types import Assessment
from tests.shared import REPO

EXAMPLES = REPO / "examples"
CATALOGUE = EXAMPLES / "insole_catalogue.csv"


def example(name: str) -> Assessment:
    return assess(load_intake(EXAMPLES / f"{name}.json"))


def product(**changes: Any) -> Product:
    values: dict[str, Any] = {
        "id": "p1",
        "name": "Test insole",
        "arch_height": "low",
        "support": "firm",
        "cushioning": "medium",
        "size_system": "us_men",
        "size_min": 7.0,
        "size_max": 9.0,
        "length_mm": 280.0,
        "replaceable_top_cover": True,
        "price": 40.0,
        "top_cover_price": 10.0,
        "warranty_months": 12,
        "money_back_days": 30,
    }
    values.update(changes)
    return Product(**values)


def row(**changes: Any) -> dict[str, str]:
    values = {
        "id": "p1",
        "name": "Test insole",
        "arch_height": "low",
        "support": "firm",
        "cushioning": "medium",
        "size_system": "us_men",
        "size_min": "7",
        "size_max": "9",
        "length_mm": "280",
        "replaceable_top_cover": "true",
        "price": "40.00",
        "top_cover_price": "10.00",
        "warranty_months": "12",
        "money_back_days": "30",
    }
    values.update(changes)
    return values


def write_rows(path: Path, rows: list[dict[str, str]], columns: tuple[str, ...] = COLUMNS) -> Path:
    with path.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.DictWriter(stream, fieldnames=list(columns), extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path
