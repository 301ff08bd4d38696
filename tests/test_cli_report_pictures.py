"""The CLI report shows what was measured (footprint overlays, gait figures) and prints to PDF.

Real files from ../shared/data: the MUN104 left footprint template (a pressure-style CSV matrix; without
``mm_per_px`` it has indices but no lengths) and a PhysioNet gaitpdb walk (GaCo01_01, 8 insole sensors
per foot with known positions, so it has a centre of pressure). The command runs as a subprocess, as a
person runs it; ``TMPDIR`` points into the test's folder so that the pictures' temporary folder can be
seen to be removed.
"""

from __future__ import annotations

import base64
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from footchain.measure.intake_files import measure_intake_files
from footchain.types import Intake
from tests.shared import DATA

FOOTCHAIN = Path(sys.executable).with_name("footchain")
FOOTPRINT = DATA / "footprint_templates" / "MUN104L.csv"
WALK = DATA / "gaitpdb" / "GaCo01_01.txt"
HEADLINE = "Your footchain report"
MEASURED = "What we measured"
PDF_NEEDS_OUTPUT = "--format pdf writes a binary file"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def run(*args: str | Path, tmp: Path) -> subprocess.CompletedProcess[bytes]:
    """Run ``footchain`` with its temporary files inside ``tmp`` (which must exist)."""
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "100", "TERM": "dumb", "TMPDIR": str(tmp)}
    return subprocess.run(
        [str(FOOTCHAIN), *map(str, args)], capture_output=True, timeout=300, env=env, check=False
    )


def write_intake(folder: Path, footprints: list[str], recordings: list[str]) -> Path:
    intake = {
        "schema_version": 1,
        "pain": [{"region": "knee", "side": "left", "intensity": 5, "duration_weeks": 6}],
        "files": {"footprint_images": footprints, "gait_recordings": recordings},
    }
    path = folder / "intake.json"
    path.write_text(json.dumps(intake), encoding="utf-8")
    return path


def temp_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "tmp"
    folder.mkdir()
    return folder


def assert_clean_failure(result: subprocess.CompletedProcess[bytes], must_mention: str) -> str:
    err = result.stderr.decode("utf-8", errors="replace")
    assert "Traceback" not in err, err
    assert result.returncode == 2, f"exit code {result.returncode}: {err}"
    assert err.startswith("footchain: "), err
    assert result.stdout == b"", "nothing on stdout when the command fails"
    assert must_mention in err, f"{must_mention!r} not in {err!r}"
    return err


def measurements_section(html: str) -> str:
    match = re.search(r'<section id="measurements".*?</section>', html, flags=re.DOTALL)
    assert match is not None, "the report has no measurements section"
    return match.group(0)


def data_uris(html: str, media: str) -> list[bytes]:
    """The decoded contents of every ``src="data:<media>;base64,..."`` in the document."""
    pattern = rf'src="data:{re.escape(media)};base64,([A-Za-z0-9+/=]+)"'
    return [base64.b64decode(found) for found in re.findall(pattern, html)]


@pytest.fixture(scope="module")
def html_report(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    """The HTML report of an intake naming the footprint and the walk, and the temporary folder used."""
    folder = tmp_path_factory.mktemp("html")
    tmp = temp_folder(folder)
    target = folder / "report.html"
    intake = write_intake(folder, [str(FOOTPRINT)], [str(WALK)])
    result = run("assess", intake, "--format", "html", "-o", target, tmp=tmp)
    assert result.returncode == 0, result.stderr.decode()
    return target.read_text(encoding="utf-8"), tmp


def test_html_report_shows_the_measured_files(html_report: tuple[str, Path]) -> None:
    html, _tmp = html_report
    section = measurements_section(html)
    assert MEASURED in section
    assert f"Footprint: {FOOTPRINT.name}" in section
    assert f"Walking recording: {WALK.name}" in section
    assert "Arch index" in section and "Stride time" in section


def test_html_report_carries_the_overlay_and_the_gait_figures_inline(html_report: tuple[str, Path]) -> None:
    section = measurements_section(html_report[0])
    pngs = data_uris(section, "image/png")
    assert len(pngs) == 1, "one footprint overlay"
    assert pngs[0].startswith(PNG_MAGIC)
    svgs = [svg.decode("utf-8") for svg in data_uris(section, "image/svg+xml")]
    assert len(svgs) == 3, "force, stride and COP figures (gaitpdb has sensor positions)"
    assert all("<svg" in svg for svg in svgs)
    assert len(set(svgs)) == 3, "three different figures"


def test_html_report_is_self_contained(html_report: tuple[str, Path]) -> None:
    html = html_report[0]
    for reference in ("http://", "https://", "file:", "<script", "<link"):
        assert reference not in html.lower(), f"{reference} in the report"
    for attribute in re.findall(r'(?:src|href)\s*=\s*"([^"]*)"', html):
        assert attribute.startswith(("data:", "#")), attribute
    for url in re.findall(r"url\(([^)]*)\)", html):
        assert url.strip("'\"").startswith(("data:", "#")), url


def test_the_pictures_temporary_folder_is_removed(html_report: tuple[str, Path]) -> None:
    assert list(html_report[1].iterdir()) == []


def test_pdf_report_has_the_headline_the_measurements_and_the_overlay(tmp_path: Path) -> None:
    intake = write_intake(tmp_path, [str(FOOTPRINT)], [str(WALK)])
    target = tmp_path / "out" / "x.pdf"
    tmp = temp_folder(tmp_path)
    result = run("assess", intake, "-f", "pdf", "-o", target, tmp=tmp)
    assert result.returncode == 0, result.stderr.decode()
    assert "Wrote pdf report to" in result.stderr.decode()
    assert result.stdout == b""
    assert target.read_bytes().startswith(b"%PDF-")
    reader = PdfReader(target)
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert HEADLINE in text
    assert MEASURED in text
    assert f"Walking recording: {WALK.name}" in text
    assert any(page.images for page in reader.pages), "the footprint overlay is printed in the PDF"
    assert list(tmp.iterdir()) == []
    assert sorted(p.name for p in target.parent.iterdir()) == ["x.pdf"], "no temporary file left"


def test_footprint_option_adds_its_overlay(tmp_path: Path) -> None:
    intake = write_intake(tmp_path, [], [])
    target = tmp_path / "report.html"
    result = run(
        "assess", intake, "-f", "html", "-o", target, "--footprint", FOOTPRINT, tmp=temp_folder(tmp_path)
    )
    assert result.returncode == 0, result.stderr.decode()
    section = measurements_section(target.read_text(encoding="utf-8"))
    assert f"Footprint: {FOOTPRINT.name}" in section
    assert [png[:8] for png in data_uris(section, "image/png")] == [PNG_MAGIC]
    assert "Walking recording" not in section


def test_report_without_measured_files_has_no_measurements_section(tmp_path: Path) -> None:
    intake = write_intake(tmp_path, [], [])
    target = tmp_path / "report.html"
    assert run("assess", intake, "-f", "html", "-o", target, tmp=temp_folder(tmp_path)).returncode == 0
    html = target.read_text(encoding="utf-8")
    assert 'id="measurements"' not in html and "data:image/png" not in html


def test_pdf_without_output_is_refused(tmp_path: Path) -> None:
    intake = write_intake(tmp_path, [str(FOOTPRINT)], [])
    err = assert_clean_failure(run("assess", intake, "--format", "pdf", tmp=temp_folder(tmp_path)), "-o")
    assert PDF_NEEDS_OUTPUT in err
    assert len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("fmt", ["pdf", "html"])
def test_a_failing_measurement_writes_no_report(tmp_path: Path, fmt: str) -> None:
    """The footprint is measured (and its overlay drawn) before the empty recording fails."""
    (tmp_path / "empty.txt").write_bytes(b"")
    intake = write_intake(tmp_path, [str(FOOTPRINT)], ["empty.txt"])
    target = tmp_path / "out" / f"x.{fmt}"
    tmp = temp_folder(tmp_path)
    assert_clean_failure(run("assess", intake, "-f", fmt, "-o", target, tmp=tmp), "empty.txt")
    assert not target.exists()
    assert not target.parent.exists() or list(target.parent.iterdir()) == []
    assert list(tmp.iterdir()) == [], "the pictures' temporary folder is removed after a failure too"


def test_a_failing_measurement_keeps_the_previous_pdf(tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_bytes(b"")
    intake = write_intake(tmp_path, [], ["empty.txt"])
    target = tmp_path / "x.pdf"
    target.write_bytes(b"%PDF- previous report")
    assert_clean_failure(run("assess", intake, "-f", "pdf", "-o", target, tmp=temp_folder(tmp_path)), "empty")
    assert target.read_bytes() == b"%PDF- previous report"


def _intake(footprints: list[str], recordings: list[str]) -> Intake:
    files: dict[str, Any] = {"footprint_images": footprints, "gait_recordings": recordings}
    return Intake.model_validate({"schema_version": 1, "files": files})


def test_measure_intake_files_keeps_each_file_without_pictures_by_default() -> None:
    measured = measure_intake_files(_intake([str(FOOTPRINT)], [str(WALK)]), DATA)
    assert [f.name for f in measured.footprints] == [FOOTPRINT.name]
    assert [r.name for r in measured.recordings] == [WALK.name] == [g.name for g in measured.gait]
    assert measured.footprints[0].result.prints, "the print was measured"
    assert measured.footprints[0].overlay_png is None
    assert measured.recordings[0].figures == {}
    assert measured.recordings[0].result is measured.gait[0].result


def test_measure_intake_files_with_pictures_keeps_overlay_and_figures() -> None:
    measured = measure_intake_files(_intake([str(FOOTPRINT)], [str(WALK)]), DATA, pictures=True)
    footprint = measured.footprints[0]
    assert footprint.overlay_png is not None and footprint.overlay_png.startswith(PNG_MAGIC)
    assert footprint.result.overlay is None, "the temporary overlay path is not kept"
    figures = measured.recordings[0].figures
    assert list(figures) == ["force", "strides", "cop"]
    assert all(svg.lstrip().startswith("<?xml") and "<svg" in svg for svg in figures.values())
    assert len(set(figures.values())) == 3
    left = measured.intake.feet.footprint.left if measured.intake.feet.footprint else None
    assert left is not None and left.arch_index == footprint.result.prints[0].arch_index


def test_draw_figures_writes_what_the_recording_can_show(tmp_path: Path) -> None:
    from footchain.measure.gait import analyze_gait, load_recording
    from footchain.measure.gait.figures import draw_figures

    recording = load_recording(WALK)
    result = analyze_gait(recording)
    written = draw_figures(recording, result, tmp_path, prefix="walk-", suffix=".png")
    assert list(written) == ["force", "strides", "cop"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "walk-cop.png",
        "walk-force.png",
        "walk-strides.png",
    ]
    assert all(path.read_bytes().startswith(PNG_MAGIC) for path in written.values())
    with pytest.raises(ValueError, match=r"\.png or \.svg"):
        draw_figures(recording, result, tmp_path / "other", suffix=".jpg")
