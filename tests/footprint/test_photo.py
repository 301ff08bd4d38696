"""Photos of the sheet: marker detection, rectification accuracy, covered markers, warnings, speed."""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path

import cv2
import numpy as np
import pytest

from footchain.errors import FootprintError
from footchain.measure.footprint.image_io import read_image
from footchain.measure.footprint.photo import RECTIFIED_MM_PER_PX, SheetDetection, detect_sheet, rectify
from footchain.measure.footprint.sheet import MARKER_IDS, sheet_layout
from tests.footprint.sheet_photo import disc_mask, measure_blob, photograph_sheet, rectangle_mask

MASK_MM_PER_PX = 0.5
RECT_W_MM, RECT_H_MM = 80.0, 200.0  # the 200 × 80 mm rectangle, long side along the area
DISC_MM = 100.0
TOLERANCE_MM = 1.0
CASES = 36


def _photo_case(case: int) -> dict[str, object]:
    """Random but reproducible photo settings: paper, size, tilt, rotation, light, noise, JPEG quality."""
    rng = np.random.default_rng(1000 + case)
    paper = ("a4", "letter")[case % 2]
    area = sheet_layout(paper).area
    shape = "rect" if case % 4 < 2 else "disc"
    w, h = (RECT_W_MM, RECT_H_MM) if shape == "rect" else (DISC_MM, DISC_MM)
    offset = (rng.uniform(2, area.width_mm - w - 2), rng.uniform(2, area.height_mm - h - 2))
    return {
        "paper": paper,
        "shape": shape,
        "offset_mm": offset,
        "rotation_deg": float(rng.uniform(0, 360)),
        "perspective": float(rng.uniform(0, 25)),
        "lighting_gradient": float(rng.uniform(0, 0.4)),
        "noise_sigma": float(rng.uniform(1, 6)),
        "jpeg_quality": None if case % 5 == 4 else int(rng.integers(70, 96)),
        "image_size": (4000, 3000) if case % 3 == 0 else (2000, 1500),
        "blur_px": float(rng.uniform(0.5, 1.5)),
        "fill": float(rng.uniform(0.7, 0.95)),
        "seed": case,
    }


def _gray(photo: np.ndarray | bytes) -> np.ndarray:
    return photo if isinstance(photo, np.ndarray) else read_image(photo).gray


@pytest.mark.parametrize("case", range(CASES))
def test_rectified_shapes_measure_within_a_millimetre(case: int) -> None:
    settings = _photo_case(case)
    shape = settings.pop("shape")
    mask = (
        rectangle_mask(RECT_W_MM, RECT_H_MM, MASK_MM_PER_PX)
        if shape == "rect"
        else disc_mask(DISC_MM, MASK_MM_PER_PX)
    )
    photo = photograph_sheet(print_mask=mask, mask_mm_per_px=MASK_MM_PER_PX, **settings)  # type: ignore[arg-type]
    gray = _gray(photo)
    detection = detect_sheet(gray)
    assert detection is not None and detection.paper == settings["paper"]
    assert not detection.missing
    rectified = rectify(gray, detection)
    assert rectified.mm_per_px == RECTIFIED_MM_PER_PX
    assert rectified.image.shape == (
        round(rectified.area.height_mm / RECTIFIED_MM_PER_PX),
        round(rectified.area.width_mm / RECTIFIED_MM_PER_PX),
    )
    assert not any("not found" in w or "blurred" in w for w in rectified.warnings)
    blob = measure_blob(rectified)
    ox, oy = settings["offset_mm"]  # type: ignore[misc]
    if shape == "rect":
        errors = {"width": blob.width_mm - RECT_W_MM, "height": blob.height_mm - RECT_H_MM}
        centre = (ox + RECT_W_MM / 2, oy + RECT_H_MM / 2)
    else:
        true_diameter = 2 * np.sqrt(mask.sum() * MASK_MM_PER_PX**2 / np.pi)
        errors = {"diameter": blob.diameter_mm - true_diameter}
        centre = (ox + DISC_MM / 2, oy + DISC_MM / 2)
    errors["centre"] = float(np.hypot(blob.centre_mm[0] - centre[0], blob.centre_mm[1] - centre[1]))
    print(
        f"\ncase {case}: {settings['paper']} {shape} {settings['image_size']} rot {settings['rotation_deg']:.0f}° "
        f"tilt {settings['perspective']:.0f}° → " + ", ".join(f"{k} {v:+.2f} mm" for k, v in errors.items())
    )
    assert all(abs(v) <= TOLERANCE_MM for v in errors.values()), errors


def _covered_photo(paper: str, covered: tuple[int, ...], seed: int = 5) -> np.ndarray:
    photo = photograph_sheet(
        paper,
        rectangle_mask(RECT_W_MM, RECT_H_MM, MASK_MM_PER_PX),
        MASK_MM_PER_PX,
        offset_mm=(30.0, 40.0),
        rotation_deg=23.0 + seed * 40,
        perspective=12.0,
        noise_sigma=3.0,
        image_size=(2000, 1500),
        covered_ids=covered,
        seed=seed,
    )
    assert isinstance(photo, np.ndarray)
    return photo


@pytest.mark.parametrize(
    ("paper", "covered"),
    [("a4", (0,)), ("letter", (13,)), ("a4", (4, 5)), ("letter", (11, 12)), ("a4", (1, 3))],
)
def test_one_or_two_covered_markers_give_a_warning_naming_them(paper: str, covered: tuple[int, ...]) -> None:
    layout = sheet_layout(paper)
    gray = _covered_photo(paper, covered)
    detection = detect_sheet(gray)
    assert detection is not None
    assert {m.id for m in detection.missing} == set(covered)
    rectified = rectify(gray, detection)
    warning = next(w for w in rectified.warnings if "not found" in w)
    for marker_id in covered:
        assert layout.marker(marker_id).position in warning
    for other in set(layout.marker_ids) - set(covered):
        assert layout.marker(other).position not in warning
    blob = measure_blob(rectified)
    assert abs(blob.width_mm - RECT_W_MM) <= TOLERANCE_MM and abs(blob.height_mm - RECT_H_MM) <= TOLERANCE_MM
    assert abs(blob.centre_mm[0] - 70.0) <= TOLERANCE_MM and abs(blob.centre_mm[1] - 140.0) <= TOLERANCE_MM


@pytest.mark.parametrize(
    ("paper", "covered"), [("a4", (0, 1, 2, 3)), ("letter", (10, 12, 14, 15)), ("a4", (1, 2, 3))]
)
def test_too_many_covered_markers_are_an_error_naming_them(paper: str, covered: tuple[int, ...]) -> None:
    layout = sheet_layout(paper)
    gray = _covered_photo(paper, covered, seed=7)
    detection = detect_sheet(gray)
    assert detection is not None and detection.paper == paper
    with pytest.raises(FootprintError) as error:
        rectify(gray, detection)
    message = str(error.value)
    for marker_id in covered:
        assert layout.marker(marker_id).position in message
    assert "Retake the photo" in message and "nothing on them" in message
    assert paper.upper() in message


def _shifted(detection: SheetDetection, shifts_mm: dict[int, tuple[float, float]]) -> SheetDetection:
    """The detection with some markers' corners moved by ``shifts_mm`` (a marker stuck on elsewhere)."""
    px_per_mm = (
        float(np.median([np.linalg.norm(m.corners_px[1] - m.corners_px[0]) for m in detection.markers]))
        / detection.layout.markers[0].size_mm
    )
    markers = tuple(
        dataclasses.replace(m, corners_px=m.corners_px + np.array(shifts_mm[m.id]) * px_per_mm)
        if m.id in shifts_mm
        else m
        for m in detection.markers
    )
    return dataclasses.replace(detection, markers=markers)


def test_a_marker_that_does_not_line_up_is_left_out_with_a_warning() -> None:
    gray = _covered_photo("a4", (), seed=2)
    detection = detect_sheet(gray)
    assert detection is not None
    moved = _shifted(detection, {2: (6.0, -4.0)})
    rectified = rectify(gray, moved)
    assert rectified.markers_used == (0, 1, 3, 4, 5)
    warning = next(w for w in rectified.warnings if "do not line up" in w)
    assert "right edge" in warning
    blob = measure_blob(rectified)
    assert abs(blob.width_mm - RECT_W_MM) <= TOLERANCE_MM and abs(blob.height_mm - RECT_H_MM) <= TOLERANCE_MM


def test_markers_that_agree_with_nothing_are_an_error() -> None:
    gray = _covered_photo("letter", (), seed=3)
    detection = detect_sheet(gray)
    assert detection is not None
    rng = np.random.default_rng(0)
    scrambled = _shifted(detection, {i: tuple(rng.uniform(-12, 12, size=2)) for i in detection.ids})
    with pytest.raises(FootprintError, match=r"do not line up as on a flat sheet.*Retake the photo"):
        rectify(gray, scrambled)


def test_slanted_photo_is_flagged_and_straight_one_is_not() -> None:
    mask = rectangle_mask(RECT_W_MM, RECT_H_MM, MASK_MM_PER_PX)
    for tilt, flagged in ((0.0, False), (38.0, True)):
        gray = photograph_sheet("a4", mask, MASK_MM_PER_PX, perspective=tilt, image_size=(2000, 1500), seed=3)
        assert isinstance(gray, np.ndarray)
        detection = detect_sheet(gray)
        assert detection is not None
        rectified = rectify(gray, detection)
        assert any("slant" in w for w in rectified.warnings) is flagged, rectified.warnings
        if not flagged:
            assert rectified.perspective_ratio < 1.02
            assert rectified.warnings == ()


def test_blurred_photo_is_flagged() -> None:
    mask = rectangle_mask(RECT_W_MM, RECT_H_MM, MASK_MM_PER_PX)
    sharp = photograph_sheet("letter", mask, MASK_MM_PER_PX, blur_px=0.7, image_size=(2000, 1500), seed=4)
    blurred = photograph_sheet("letter", mask, MASK_MM_PER_PX, blur_px=4.0, image_size=(2000, 1500), seed=4)
    results = []
    for photo in (sharp, blurred):
        assert isinstance(photo, np.ndarray)
        detection = detect_sheet(photo)
        assert detection is not None
        results.append(rectify(photo, detection))
    assert results[0].edge_blur_mm is not None and results[0].edge_blur_mm < 0.7
    assert not any("blurred" in w for w in results[0].warnings)
    assert results[1].edge_blur_mm is not None and results[1].edge_blur_mm > 1.5
    assert any("blurred" in w for w in results[1].warnings)
    assert results[1].markers_used == sheet_layout("letter").marker_ids  # blur is no reason to drop a marker
    blob = measure_blob(results[1])
    assert abs(blob.width_mm - RECT_W_MM) <= TOLERANCE_MM and abs(blob.height_mm - RECT_H_MM) <= TOLERANCE_MM


def test_photo_without_the_sheet_finds_nothing() -> None:
    rng = np.random.default_rng(0)
    gray = cv2.GaussianBlur((rng.random((1500, 2000)) * 255).astype(np.uint8), (0, 0), 4)
    cv2.ellipse(gray, (1000, 750), (300, 600), 10, 0, 360, 40, -1)  # a footprint-like blob, no markers
    assert detect_sheet(gray) is None


def test_markers_of_both_papers_use_the_majority_and_report_the_stranger() -> None:
    gray = photograph_sheet("a4", None, image_size=(2000, 1500), seed=2)
    assert isinstance(gray, np.ndarray)
    dictionary = cv2.aruco.getPredefinedDictionary(cv2.aruco.DICT_4X4_50)
    stray = cv2.aruco.generateImageMarker(dictionary, MARKER_IDS["letter"][0], 90)
    gray = gray.copy()
    gray[40:200, 40:200] = 255
    gray[75:165, 75:165] = stray  # a Letter sheet's marker lying on the table beside an A4 sheet
    detection = detect_sheet(gray)
    assert detection is not None and detection.paper == "a4"
    assert detection.foreign_ids == (MARKER_IDS["letter"][0],)


def test_input_must_be_an_8_bit_image() -> None:
    gray = photograph_sheet("a4", None, image_size=(2000, 1500), seed=2)
    assert isinstance(gray, np.ndarray)
    detection = detect_sheet(gray)
    assert detection is not None
    with pytest.raises(FootprintError, match="8-bit grey"):
        rectify(gray.astype(np.float32), detection)
    colour = cv2.cvtColor(gray, cv2.COLOR_GRAY2BGR)
    assert rectify(colour, detection).image.shape == rectify(gray, detection).image.shape


def test_timing_of_a_12_megapixel_photo(tmp_path: Path) -> None:
    """Not asserted: prints how long reading, finding and rectifying take next to OpenCV's plain decode."""
    photo = photograph_sheet(
        "a4",
        rectangle_mask(RECT_W_MM, RECT_H_MM, MASK_MM_PER_PX),
        MASK_MM_PER_PX,
        rotation_deg=75,
        perspective=15,
        lighting_gradient=0.3,
        noise_sigma=4,
        jpeg_quality=90,
        seed=11,
    )
    assert isinstance(photo, bytes)
    path = tmp_path / "phone.jpg"
    path.write_bytes(photo)

    def best(run: object, repeat: int = 5) -> float:
        times = []
        for _ in range(repeat):
            start = time.perf_counter()
            run()  # type: ignore[operator]
            times.append(time.perf_counter() - start)
        return min(times)

    imread = best(lambda: cv2.imread(str(path)))
    imread_gray = best(lambda: cv2.imread(str(path), cv2.IMREAD_GRAYSCALE))
    loaded = read_image(path)
    read = best(lambda: read_image(path))
    detect = best(lambda: detect_sheet(loaded.gray))
    detection = detect_sheet(loaded.gray)
    assert detection is not None
    rect = best(lambda: rectify(loaded.gray, detection))
    print(
        f"\n12 MP JPEG ({len(photo) / 1e6:.1f} MB): cv2.imread colour {imread * 1e3:.0f} ms, grey "
        f"{imread_gray * 1e3:.0f} ms | read_image (½-size DCT decode) {read * 1e3:.0f} ms + detect_sheet "
        f"{detect * 1e3:.0f} ms + rectify {rect * 1e3:.0f} ms = {(read + detect + rect) * 1e3:.0f} ms "
        f"({(read + detect + rect) / imread:.2f} × cv2.imread)"
    )
