"""Overlays: PNG and SVG show what was measured, and are written atomically."""

from __future__ import annotations

import base64
import xml.etree.ElementTree as ET
from pathlib import Path

import cv2
import numpy as np
import pytest

from footchain.errors import FootprintError
from footchain.measure.footprint.indices import measure_print
from footchain.measure.footprint.overlay import AXIS, OUTLINE, write_overlay
from footchain.measure.footprint.result import PrintMeasurement
from footchain.measure.footprint.segment import segment_prints
from tests.footprint.synth import FootParams, SceneParams, make_print

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def two_prints() -> tuple[np.ndarray, list[PrintMeasurement]]:
    feet = (
        FootParams(side="left", midfoot_ratio=-0.2, rotation_deg=8),
        FootParams(side="right", rotation_deg=8),
    )
    sp = make_print(SceneParams(feet=feet, mm_per_px=25.4 / 120, ink="grid"))
    masks = segment_prints(sp.gray, mm_per_px=sp.mm_per_px)
    return sp.gray, [measure_print(m, mm_per_px=sp.mm_per_px, kind="scan") for m in masks]


def test_png_overlay_draws_lines_and_a_legend(
    tmp_path: Path, two_prints: tuple[np.ndarray, list[PrintMeasurement]]
) -> None:
    gray, prints = two_prints
    out = tmp_path / "overlay.png"
    write_overlay(gray, prints, out)
    img = cv2.imread(str(out), cv2.IMREAD_COLOR)
    assert img is not None
    assert img.shape[1] == gray.shape[1] and img.shape[0] > gray.shape[0]  # values strip underneath
    for colour in (AXIS, OUTLINE):
        assert (np.abs(img.astype(int) - np.array(colour)).sum(2) < 30).sum() > 50
    strip = img[gray.shape[0] :]
    assert (strip < 100).any()  # text in the strip
    assert [p.name for p in tmp_path.iterdir()] == ["overlay.png"]  # no temporary file left


def test_svg_overlay_is_vector_with_the_image_embedded(
    tmp_path: Path, two_prints: tuple[np.ndarray, list[PrintMeasurement]]
) -> None:
    gray, prints = two_prints
    out = tmp_path / "overlay.svg"
    write_overlay(gray, prints, out)
    root = ET.parse(out).getroot()
    image = root.find(f"{SVG}image")
    assert image is not None
    href = image.get("href", "")
    assert href.startswith("data:image/png;base64,")
    png = np.frombuffer(base64.b64decode(href.split(",", 1)[1]), np.uint8)
    assert cv2.imdecode(png, cv2.IMREAD_COLOR).shape[:2] == gray.shape
    groups = root.findall(f"{SVG}g")
    assert [g.get("class") for g in groups] == ["print left", "print right"]
    assert len(root.findall(f".//{SVG}line")) >= 2 * 8
    text = " ".join(t.text or "" for t in root.iter(f"{SVG}text"))
    assert "Left foot" in text and "Right foot" in text and "Arch Index " in text and "UNKNOWN" not in text


def test_big_images_are_shrunk_and_tiny_ones_enlarged(tmp_path: Path) -> None:
    sp = make_print(SceneParams(mm_per_px=25.4 / 400))
    m = measure_print(sp.masks[0], mm_per_px=sp.mm_per_px, kind="scan")
    write_overlay(sp.gray, [m], tmp_path / "big.png")
    big = cv2.imread(str(tmp_path / "big.png"))
    assert max(big.shape[:2]) <= 2000 + 400
    small = np.full((63, 27), 255, np.uint8)
    write_overlay(small, [], tmp_path / "small.png")
    assert max(cv2.imread(str(tmp_path / "small.png")).shape[:2]) >= 500


def test_wrong_suffix_or_missing_folder_is_a_clear_error(tmp_path: Path) -> None:
    gray = np.full((50, 50), 255, np.uint8)
    with pytest.raises(FootprintError, match=r"\.png or \.svg"):
        write_overlay(gray, [], tmp_path / "overlay.jpg")
    with pytest.raises(FootprintError, match="does not exist"):
        write_overlay(gray, [], tmp_path / "nope" / "overlay.png")
    assert list(tmp_path.iterdir()) == []
