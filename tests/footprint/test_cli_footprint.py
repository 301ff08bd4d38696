"""`footchain sheet`, `footchain footprint` and `footchain assess --footprint`, through real subprocesses."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.footprint.photo_cases import sheet_photo_case

FOOTCHAIN = Path(sys.executable).with_name("footchain")
CONTRACT_KEYS = {"schema_version", "source", "prints", "warnings", "overlay"}
PRINT_KEYS = {
    "side", "arch_index", "chippaux_smirak_index", "staheli_index", "clarke_angle_deg",
    "foot_length_mm", "foot_width_mm", "arch_type", "warnings",
}  # fmt: skip


def _run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(FOOTCHAIN), *args], capture_output=True, text=True, timeout=120, check=False, cwd=cwd
    )


@pytest.fixture(scope="module")
def photo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, object]:
    return sheet_photo_case(7200, tmp_path_factory.mktemp("photo"), image_size=(4000, 3000))


@pytest.mark.parametrize("paper", ["a4", "letter"])
def test_sheet_writes_a_pdf(tmp_path: Path, paper: str) -> None:
    out = tmp_path / f"{paper}.pdf"
    done = _run("sheet", "--paper", paper, "-o", str(out))
    assert done.returncode == 0, done.stderr
    assert out.read_bytes().startswith(b"%PDF") and "100 %" in done.stdout


def test_footprint_json_follows_the_contract(photo: tuple[Path, object], tmp_path: Path) -> None:
    path, truth = photo
    overlay = tmp_path / "overlay.svg"
    done = _run("footprint", str(path), "--format", "json", "--overlay", str(overlay))
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert set(result) == CONTRACT_KEYS
    assert result["source"]["scale_from"] == "sheet" and result["source"]["kind"] == "photo"
    assert [set(p) for p in result["prints"]] == [PRINT_KEYS]
    assert result["prints"][0]["side"] == truth.side  # type: ignore[attr-defined]
    assert result["overlay"] == str(overlay) and overlay.read_text().lstrip().startswith("<")


def test_footprint_text_shows_the_indices(photo: tuple[Path, object]) -> None:
    done = _run("footprint", str(photo[0]))
    assert done.returncode == 0, done.stderr
    assert "Arch Index" in done.stdout and "Foot length" in done.stdout and "mm" in done.stdout


def test_assess_uses_the_measured_footprint(photo: tuple[Path, object], tmp_path: Path) -> None:
    path, truth = photo
    intake = tmp_path / "intake.json"
    intake.write_text(
        json.dumps({"schema_version": 1, "pain": [{"region": "knee", "side": "both", "intensity": 4}]})
    )
    done = _run("assess", str(intake), "--footprint", str(path), "--format", "json")
    assert done.returncode == 0, done.stderr
    side = truth.side  # type: ignore[attr-defined]
    basis = json.loads(done.stdout)["feet"][side]["basis"]
    assert basis[0].startswith("measured footprint: Arch Index"), basis
    relative = {"schema_version": 1, "files": {"footprint_images": [path.name]}}
    (path.parent / "intake.json").write_text(json.dumps(relative))
    done = _run("assess", str(path.parent / "intake.json"), "--format", "json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["feet"][side]["arch_type"] != "unknown"


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("empty.jpg", b"", "empty"),
        ("notes.jpg", b"this is not a picture\n", "not"),
        ("cut.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF" + b"\x00" * 500, ""),
    ],
)
def test_bad_images_exit_2_without_a_traceback(tmp_path: Path, name: str, content: bytes, words: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    overlay = tmp_path / "overlay.png"
    done = _run("footprint", str(path), "--overlay", str(overlay))
    assert done.returncode == 2
    assert done.stderr.startswith("footchain:") and words in done.stderr.lower()
    assert "Traceback" not in done.stderr + done.stdout and not overlay.exists()


def test_an_empty_sheet_says_no_footprint_was_found(tmp_path: Path) -> None:
    from tests.footprint.sheet_photo import photograph_sheet

    photo_bytes = photograph_sheet("a4", None, jpeg_quality=90, image_size=(4000, 3000), seed=3)
    assert isinstance(photo_bytes, bytes)
    path = tmp_path / "empty-sheet.jpg"
    path.write_bytes(photo_bytes)
    done = _run("footprint", str(path))
    assert done.returncode == 2 and "no footprint" in done.stderr.lower()
