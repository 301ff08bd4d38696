"""Paths of the real recordings the gait tests read. Real recordings are read in place from ../shared/data.

Data credits: PhysioNet "Gait in Parkinson's Disease" (Hausdorff et al., ODC-By 1.0); Moticon OpenGo
test data (moticon-rego, Apache-2.0); pedar example of the R package pressuRe (Telfer et al., MIT);
C3D test files of pyomeca/ezc3d-testFiles (GPL-3.0, test fixtures only).
"""

from __future__ import annotations

from pathlib import Path

from tests.shared import DATA

GAITPDB = DATA / "gaitpdb"
MOTICON = DATA / "moticon"
PEDAR = DATA / "pressure" / "pedar_example.asc"
C3D = DATA / "c3d"


def _files(folder: Path, pattern: str) -> list[Path]:
    return sorted(folder.glob(pattern)) if folder.is_dir() else []


GAITPDB_CONTROLS = _files(GAITPDB, "GaCo*.txt")
GAITPDB_ALL = _files(GAITPDB, "Ga*_*.*")
MOTICON_FILES = _files(MOTICON, "*.txt")
C3D_FILES = _files(C3D, "*.c3d")
