"""End to end: a footprint file → analyze_footprint → the measurement contract, on known geometry."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from footchain.errors import FootprintError
from footchain.measure.footprint.analyze import analyze_footprint
from tests.footprint.photo_cases import sheet_photo_case
from tests.footprint.synth import make_print, random_scene
from tests.shared import DATA

SHEET_SEEDS = range(7000, 7020)
PHONE_PHOTO = (4000, 3000)  # 12 megapixels, as phones take them


@pytest.mark.parametrize("seed", SHEET_SEEDS)
def test_sheet_photo_measures_within_tolerance(seed: int, tmp_path: Path) -> None:
    path, truth = sheet_photo_case(seed, tmp_path, image_size=PHONE_PHOTO)
    result = analyze_footprint(path)
    assert result.source.kind == "photo" and result.source.scale_from == "sheet"
    assert len(result.prints) == 1, result.warnings
    measured = result.prints[0]
    assert measured.side == truth.side
    assert measured.arch_index == pytest.approx(truth.arch_index, abs=0.01)
    assert measured.chippaux_smirak_index == pytest.approx(truth.chippaux_smirak_index, abs=3)
    assert measured.foot_length_mm == pytest.approx(truth.foot_length_mm, abs=2)
    assert measured.foot_width_mm == pytest.approx(truth.foot_width_mm, abs=2)


def test_scan_scale_comes_from_dpi_metadata_or_the_flag(tmp_path: Path) -> None:
    synth = make_print(random_scene(4242))
    dpi = 25.4 / synth.mm_per_px
    plain = tmp_path / "scan.png"
    cv2.imwrite(str(plain), synth.gray)
    without = analyze_footprint(plain)
    assert without.source.scale_from == "none" and without.prints[0].foot_length_mm is None
    assert any("--dpi" in w for w in without.warnings)
    flagged = analyze_footprint(plain, dpi=dpi)
    assert flagged.source.scale_from == "flag" and flagged.source.kind == "scan"
    for measured, truth in zip(flagged.prints, synth.truth, strict=True):
        assert measured.foot_length_mm == pytest.approx(truth.foot_length_mm, abs=2)
        assert measured.arch_index == pytest.approx(truth.arch_index, abs=0.01)
    from PIL import Image

    tagged = tmp_path / "tagged.png"
    Image.fromarray(synth.gray).save(tagged, dpi=(dpi, dpi))
    by_metadata = analyze_footprint(tagged)
    assert by_metadata.source.scale_from == "dpi"
    assert by_metadata.prints[0].foot_length_mm == pytest.approx(synth.truth[0].foot_length_mm, abs=2)


def test_mun104_pressure_template_reads_as_a_normal_arch() -> None:
    for name in ("MUN104L.csv", "MUN104R.csv"):
        matches = list((DATA / "footprint_templates").rglob(name))
        assert matches, f"{name} missing from shared/data/footprint_templates"
        result = analyze_footprint(matches[0], mm_per_px=5.0)
        assert result.source.kind == "pressure"
        assert [p.arch_type for p in result.prints] == ["normal"]


def test_a_generic_matrix_is_read_plotted_by_default_and_as_an_image_on_request(tmp_path: Path) -> None:
    """MUN104 is plotted with its first row at the bottom: L reads left, R right; as an image, swapped."""
    template = DATA / "footprint_templates"
    for name, side, mirrored in (("MUN104L.csv", "left", "right"), ("MUN104R.csv", "right", "left")):
        assert [p.side for p in analyze_footprint(template / name).prints] == [side]
        as_image = analyze_footprint(template / name, first_row="top")
        assert [p.side for p in as_image.prints] == [mirrored]
        assert "--first-row bottom" in as_image.warnings[-1]
    # The same print saved upside down (first row at the top) reads the same side when told so.
    flipped = tmp_path / "left_as_image.csv"
    values = np.loadtxt(template / "MUN104L.csv", delimiter=",")[::-1]
    np.savetxt(flipped, values, delimiter=",")
    assert [p.side for p in analyze_footprint(flipped, first_row="top").prints] == ["left"]


def test_vendor_pressure_exports_give_plausible_prints() -> None:
    for name in ("emed_test.lst", "footscan_test.xls"):
        result = analyze_footprint(DATA / "pressure" / name)
        assert len(result.prints) == 1, name
        measured = result.prints[0]
        # barefoot steps of adults: a normal arch on the plate (Buldt et al. 2018 bands), toes found
        assert measured.arch_index is not None and 0.15 <= measured.arch_index <= 0.25, (name, measured)
        assert measured.arch_type == "normal"
        assert not any("toes not found" in w for w in measured.warnings), name
        assert measured.foot_length_mm is not None and 250 <= measured.foot_length_mm <= 290, name


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("xsensor_data.csv", "XSENSOR in-shoe insoles"),  # sensors named -LF/-RF: a pair of insoles
        ("fscan_testL.asf", "F-Scan in-shoe sensor"),
        ("iscan_test.csv", "36 × 36 mm, smaller than any adult foot"),  # a finger on an I-Scan sensor
        ("pliance_test.asc", "at most 211 N"),  # heel and forefoot pressed in turn for 11 s, no midfoot
    ],
)
def test_pressure_recordings_that_hold_no_footprint_are_refused_with_the_reason(name: str, why: str) -> None:
    with pytest.raises(FootprintError) as info:
        analyze_footprint(DATA / "pressure" / name)
    message = str(info.value)
    assert why in message
    assert "pressure plate" in message  # what to record instead


def test_pedar_insole_export_is_refused_with_the_reason() -> None:
    with pytest.raises(FootprintError, match="gait"):
        analyze_footprint(DATA / "pressure" / "pedar_example.asc")


def test_overlay_is_written_and_named_in_the_result(tmp_path: Path) -> None:
    path, _ = sheet_photo_case(7100, tmp_path, image_size=PHONE_PHOTO)
    overlay = tmp_path / "overlay.png"
    result = analyze_footprint(path, overlay=overlay)
    assert result.overlay == str(overlay)
    picture = cv2.imread(str(overlay))
    assert picture is not None and picture.shape[0] > 100
    assert np.any(picture[..., 2].astype(int) - picture[..., 1].astype(int) > 60), "no coloured lines drawn"


@pytest.mark.parametrize(
    ("content", "expected"),
    [(b"", "empty"), (b"hello, this is text\n", "not"), (b"\xff\xd8\xff\xe0" + b"\x00" * 200, "")],
)
def test_bad_files_raise_clear_errors(tmp_path: Path, content: bytes, expected: str) -> None:
    path = tmp_path / "print.jpg"
    path.write_bytes(content)
    with pytest.raises(FootprintError) as caught:
        analyze_footprint(path)
    assert expected in str(caught.value).lower()
