"""Reading a catalogue CSV: good files load completely, bad ones name every bad row and column."""

from __future__ import annotations

from pathlib import Path

import pytest

from footchain.errors import CatalogueError, FootchainError
from footchain.shop.catalogue import COLUMNS, read_catalogue
from tests.shop.helpers import CATALOGUE, row, write_rows


def problems(path: Path) -> str:
    with pytest.raises(CatalogueError) as caught:
        read_catalogue(path)
    assert isinstance(caught.value, FootchainError)
    return str(caught.value)


def test_the_example_catalogue_loads_every_row() -> None:
    products = read_catalogue(CATALOGUE)
    lines = [line for line in CATALOGUE.read_text(encoding="utf-8").splitlines()[1:] if line]
    assert [p.id for p in products] == [line.split(",", 1)[0] for line in lines]
    assert {p.arch_height for p in products} == {"low", "medium", "high", "extra_high"}
    assert {p.support for p in products} == {"firm", "medium", "soft"}
    assert {p.size_system for p in products} == {"us_men", "us_women", "uk", "eu", "mondopoint"}
    assert {p.replaceable_top_cover for p in products} == {True, False}
    without_cover = [p for p in products if not p.replaceable_top_cover]
    assert without_cover and all(p.top_cover_price is None for p in without_cover)


def test_values_are_typed(tmp_path: Path) -> None:
    (product,) = read_catalogue(write_rows(tmp_path / "c.csv", [row(size_max="9.5", price="39.90")]))
    assert product.size_max == 9.5 and product.price == 39.9
    assert product.replaceable_top_cover is True and product.warranty_months == 12


def test_unknown_arch_height_names_row_column_and_allowed_values(tmp_path: Path) -> None:
    rows = [row(id=f"p{n}") for n in range(1, 8)]
    rows[5] = row(id="p6", arch_height="flatish")
    message = problems(write_rows(tmp_path / "catalogue.csv", rows))
    assert (
        "catalogue.csv row 7, column arch_height: 'flatish' is not one of low, medium, high, extra_high."
        in message
    )


def test_every_bad_row_is_reported_at_once(tmp_path: Path) -> None:
    rows = [
        row(id="a", size_min="10", size_max="8"),
        row(id="b"),
        row(id="c", price="-5"),
        row(id="d", support="rigid", warranty_months="1.5"),
    ]
    message = problems(write_rows(tmp_path / "c.csv", rows))
    assert "c.csv: 4 problem(s); nothing was loaded." in message
    assert "c.csv row 2, column size_max: 8 is below size_min 10" in message
    assert "c.csv row 4, column price: '-5' is not a price of 0 or more." in message
    assert "c.csv row 5, column support: 'rigid' is not one of firm, medium, soft." in message
    assert "c.csv row 5, column warranty_months: '1.5' is not a whole number of months" in message
    assert "row 3" not in message


def test_missing_column_is_named(tmp_path: Path) -> None:
    columns = tuple(c for c in COLUMNS if c != "warranty_months")
    message = problems(write_rows(tmp_path / "c.csv", [row()], columns))
    assert "c.csv row 1: missing column warranty_months." in message


def test_semicolon_files_get_a_hint(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text(";".join(COLUMNS) + "\n", encoding="utf-8")
    assert "separated by semicolons" in problems(path)


def test_repeated_ids_name_both_rows(tmp_path: Path) -> None:
    message = problems(write_rows(tmp_path / "c.csv", [row(id="x"), row(id="y"), row(id="x")]))
    assert "c.csv row 4, column id: 'x' is already the id of row 2; ids must be unique." in message


def test_empty_file_and_header_only(tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    assert "empty.csv: the file is empty" in problems(empty)
    header_only = write_rows(tmp_path / "h.csv", [])
    assert "no products follow" in problems(header_only)


def test_binary_and_non_utf8_files_are_refused(tmp_path: Path) -> None:
    binary = tmp_path / "photo.csv"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    assert "not a CSV text file" in problems(binary)
    latin = tmp_path / "latin.csv"
    latin.write_bytes((",".join(COLUMNS) + "\n").encode() + "p1,Semelle é".encode("latin-1"))
    assert "not UTF-8" in problems(latin)
    assert "no such file" in problems(tmp_path / "missing.csv")


def test_top_cover_price_follows_replaceable_flag(tmp_path: Path) -> None:
    rows = [
        row(id="a", replaceable_top_cover="false", top_cover_price=""),
        row(id="b", replaceable_top_cover="true", top_cover_price=""),
        row(id="c", replaceable_top_cover="false", top_cover_price="5"),
        row(id="d", replaceable_top_cover="maybe"),
    ]
    message = problems(write_rows(tmp_path / "c.csv", rows))
    assert "row 2" not in message
    assert "c.csv row 3, column top_cover_price: is empty; a product with a replaceable top cover" in message
    assert "c.csv row 4, column top_cover_price: 5 is given, but replaceable_top_cover is false" in message
    assert "c.csv row 5, column replaceable_top_cover: 'maybe' is not true or false." in message


def test_zero_cover_price_without_replaceable_cover_is_read(tmp_path: Path) -> None:
    """A spreadsheet writes 0 for "no cover to buy"; the catalogue is read, and the three-year cost
    counts no covers for it."""
    rows = [
        row(id="a", replaceable_top_cover="false", top_cover_price="0"),
        row(id="b", replaceable_top_cover="false", top_cover_price="0.00"),
    ]
    products = read_catalogue(write_rows(tmp_path / "c.csv", rows))
    assert [p.id for p in products] == ["a", "b"]
    assert all(not p.replaceable_top_cover and not p.top_cover_price for p in products)


def test_empty_required_cell_and_wrong_width(tmp_path: Path) -> None:
    path = write_rows(tmp_path / "c.csv", [row(id="a", length_mm=""), row(id="b")])
    with path.open("a", encoding="utf-8") as stream:
        stream.write("c,short row\n\n")
    message = problems(path)
    assert "c.csv row 2, column length_mm: is empty; it must be a length in millimetres above 0." in message
    assert "c.csv row 4: 2 cells, but the header has 14 columns." in message


def test_blank_rows_and_extra_columns_are_fine(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    header = ",".join((*COLUMNS, "url"))
    good = ",".join((*row().values(), "https://example.org"))
    path.write_text(f"{header}\n{good}\n\n,,,,,,,,,,,,,,\n", encoding="utf-8")
    assert [p.id for p in read_catalogue(path)] == ["p1"]
