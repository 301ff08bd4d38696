"""How the few registered recordings that are not published byte for byte are made from what is.

A registry entry with ``made_by = "<name>"`` names one of the makers below. :func:`footchain.data.fetch`
downloads the published file at the entry's address, hands it to the maker, and keeps the result only
when its SHA-256 is the registered one, so a made file is as pinned as a downloaded one.
``packaged`` needs no download: the file ships inside footchain.
"""

from __future__ import annotations

import importlib
import io
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

GAITPDB_CSV_HEADER = (
    "PD_In_SePDnds,PD_Left1,PD_Left2,PD_Left3,PD_Left4,PD_Left5,PD_Left6,PD_Left7,PD_Left8,"
    "PD_Right1,PD_Right2,PD_Right3,PD_Right4,PD_Right5,PD_Right6 ,PD_Right7,PD_Right8,"
    "PD_Total_Left,PD_Total_Right"
)
"""The header row of the CSV copy of a gaitpdb Parkinson's trial, as that copy was first circulated
(its oddities, "SePDnds" and the space after "PD_Right6", are kept: the readers must cope with them)."""

PACKAGED = {
    "pressure/pedar_insole_grid.csv": "measure/gait/data/pedar_insole_grid.csv",
    "pressure/pedar_sensor_areas.csv": "measure/gait/data/pedar_sensor_areas.csv",
}
"""Recordings that ship inside footchain (pressuRe's pedar tables, MIT), by registry name."""


def spreadsheet_number(value: float) -> str:
    """``value`` as a spreadsheet's General format writes it: ``1`` not ``1.0``, ``0.01`` not ``0.0100``."""
    return str(int(value)) if value.is_integer() else repr(value)


def gaitpdb_csv(published: Path, made: Path) -> None:
    """A gaitpdb trial (tab-separated, no header) as CSV with a header row and CRLF line ends."""
    lines = [GAITPDB_CSV_HEADER]
    for line in published.read_text(encoding="ascii").splitlines():
        if line.strip():
            lines.append(",".join(spreadsheet_number(float(field)) for field in line.split()))
    made.write_bytes(("\r\n".join(lines) + "\r\n").encode("ascii"))


def gaitpdb_demographics_csv(published: Path, made: Path) -> None:
    """gaitpdb's ``demographics.xls`` as UTF-8 CSV with a byte-order mark; empty cells read ``NaN``."""
    xlrd = importlib.import_module("xlrd")  # untyped; only this maker needs it
    book = xlrd.open_workbook(file_contents=published.read_bytes(), logfile=io.StringIO(), verbosity=0)
    sheet = book.sheet_by_index(0)

    def cell_text(cell: Any) -> str:
        if cell.ctype == xlrd.XL_CELL_NUMBER:
            return spreadsheet_number(float(cell.value))
        text = str(cell.value).strip()
        return text or "NaN"

    rows = [",".join(cell_text(cell) for cell in sheet.row(index)) for index in range(sheet.nrows)]
    made.write_text("\n".join(rows) + "\n", encoding="utf-8-sig", newline="")


def crlf_text(published: Path, made: Path) -> None:
    """A text file with CRLF line ends, however the publisher's copy ends its lines."""
    text = published.read_bytes().decode("utf-8").replace("\r\n", "\n")
    made.write_bytes(text.replace("\n", "\r\n").encode("utf-8"))


def packaged_copy(name: str) -> bytes:
    """The bytes of the registered recording ``name`` that ships inside footchain."""
    return resources.files("footchain").joinpath(PACKAGED[name]).read_bytes()


MAKERS: dict[str, Callable[[Path, Path], None]] = {
    "gaitpdb_csv": gaitpdb_csv,
    "gaitpdb_demographics_csv": gaitpdb_demographics_csv,
    "crlf_text": crlf_text,
}
"""Makers that turn a downloaded published file into the registered one."""
