"""The calibration sheet: layout rules, the vector PDF, and the raster rendering the detector reads."""

from __future__ import annotations

import re
import zlib

import numpy as np
import pytest

from footchain.errors import FootprintError
from footchain.measure.footprint.photo import detect_sheet
from footchain.measure.footprint.sheet import (
    MARKER_IDS,
    PAPERS,
    QUIET_MM,
    Rect,
    marker_cells,
    paper_for_ids,
    render_sheet_image,
    render_sheet_pdf,
    sheet_layout,
)

POINTS_PER_MM = 72 / 25.4


def _overlap(a: Rect, b: Rect, gap: float = 0.0) -> bool:
    return not (
        a.right_mm + gap <= b.x_mm
        or b.right_mm + gap <= a.x_mm
        or a.bottom_mm + gap <= b.y_mm
        or b.bottom_mm + gap <= a.y_mm
    )


@pytest.mark.parametrize("paper", PAPERS)
def test_layout_keeps_markers_clear_and_area_empty(paper: str) -> None:
    layout = sheet_layout(paper)
    assert len(layout.markers) >= 6
    boxes = [Rect(m.x_mm, m.y_mm, m.size_mm, m.size_mm) for m in layout.markers]
    for box in boxes:  # on the page, inside a printable margin
        assert box.x_mm >= 5 and box.y_mm >= 5
        assert box.right_mm <= layout.width_mm - 5 and box.bottom_mm <= layout.height_mm - 5
        # quiet zone: nothing else printed within QUIET_MM of a marker (the area's frame is 1.5 mm outside it)
        assert not _overlap(box, layout.area, gap=QUIET_MM + 1.5)
        assert not _overlap(box, layout.ruler, gap=QUIET_MM)
        for block in layout.texts:
            assert not _overlap(box, block.box, gap=QUIET_MM - 0.01)
        assert sum(_overlap(box, other, gap=QUIET_MM) for other in boxes) == 1
    ruler = layout.ruler
    assert ruler.height_mm == 100.0 and not _overlap(ruler, layout.area)
    for block in layout.texts:
        assert not _overlap(block.box, layout.area)
    # corners and both long edges carry markers, so any photo of the sheet sees its whole extent
    positions = {m.position for m in layout.markers}
    assert {"top-left corner", "top-right corner", "bottom-left corner", "bottom-right corner"} <= positions
    assert any("left edge" in p for p in positions) and any("right edge" in p for p in positions)
    # one adult foot along the long side; two feet side by side do not fit on either paper
    assert "one foot" in layout.holds
    assert layout.area.width_mm >= 145 and layout.max_foot_length_mm >= 260
    assert layout.max_foot_length_mm == layout.area.height_mm


def test_papers_are_told_apart_by_their_ids() -> None:
    assert not set(MARKER_IDS["a4"]) & set(MARKER_IDS["letter"])
    assert paper_for_ids([0, 1, 2]) == "a4"
    assert paper_for_ids([10, 14, 3]) == "letter"
    assert paper_for_ids([42, 49]) is None
    with pytest.raises(FootprintError, match="a4, letter"):
        sheet_layout("a3")


@pytest.mark.parametrize("paper", PAPERS)
def test_pdf_is_one_vector_page_of_exactly_the_paper_size(paper: str) -> None:
    pdf = render_sheet_pdf(paper)
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
    assert pdf == render_sheet_pdf(paper), "the PDF must be byte-for-byte deterministic"
    assert b"/CreationDate" not in pdf
    boxes = re.findall(rb"/MediaBox\s*\[\s*([-\d.\s]+)\]", pdf)
    assert len(boxes) == 1
    x0, y0, x1, y1 = (float(v) for v in boxes[0].split())
    layout = sheet_layout(paper)
    assert (x0, y0) == (0.0, 0.0)
    assert x1 == pytest.approx(layout.width_mm * POINTS_PER_MM, abs=0.01)
    assert y1 == pytest.approx(layout.height_mm * POINTS_PER_MM, abs=0.01)
    assert len(re.findall(rb"/Type\s*/Page\b", pdf)) == 1
    # no raster: no image XObjects, and no inline images in any content stream
    assert not re.search(rb"/Subtype\s*/Image", pdf)
    streams = re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, flags=re.S)
    assert streams
    contents = []
    for raw in streams:
        try:
            contents.append(zlib.decompress(raw))
        except zlib.error:
            contents.append(raw)
    assert not any(re.search(rb"(^|\s)BI\s", c) for c in contents)
    # every marker is drawn as filled vector squares: the inked area inside it is its black cells exactly
    polygons = _subpaths(b"\n".join(contents))
    for marker in layout.markers:
        x0_pt, x1_pt = marker.x_mm * POINTS_PER_MM, (marker.x_mm + marker.size_mm) * POINTS_PER_MM
        top_pt = (layout.height_mm - marker.y_mm) * POINTS_PER_MM
        bottom_pt = (layout.height_mm - marker.y_mm - marker.size_mm) * POINTS_PER_MM
        inked = 0.0
        for poly in polygons:
            xs, ys = poly[:, 0], poly[:, 1]
            if (
                xs.min() >= x0_pt - 1e-3
                and xs.max() <= x1_pt + 1e-3
                and ys.min() >= bottom_pt - 1e-3
                and ys.max() <= top_pt + 1e-3
            ):
                inked += abs(float(np.dot(xs, np.roll(ys, -1)) - np.dot(ys, np.roll(xs, -1)))) / 2
        cell_mm = marker.size_mm / 6
        expected = marker_cells(marker.id).sum() * (cell_mm * POINTS_PER_MM) ** 2
        assert inked == pytest.approx(expected, rel=1e-4)


def _subpaths(content: bytes) -> list[np.ndarray]:
    """Closed polygons (points) from the ``x y m`` / ``x y l`` / ``h`` operators of PDF content streams."""
    polygons: list[np.ndarray] = []
    current: list[tuple[float, float]] = []
    for match in re.finditer(rb"(-?[\d.]+)\s+(-?[\d.]+)\s+([ml])\b|\bh\b", content):
        if match.group(0) == b"h":
            if len(current) >= 3:
                polygons.append(np.array(current))
            current = []
            continue
        if match.group(3) == b"m":
            current = []
        current.append((float(match.group(1)), float(match.group(2))))
    return polygons


@pytest.mark.parametrize("paper", PAPERS)
@pytest.mark.parametrize("px_per_mm", [3.0, 8.0])
def test_raster_sheet_is_found_with_every_marker_where_the_layout_puts_it(
    paper: str, px_per_mm: float
) -> None:
    image = render_sheet_image(paper, px_per_mm)
    layout = sheet_layout(paper)
    assert image.dtype == np.uint8
    assert image.shape == (int(layout.height_mm * px_per_mm), int(layout.width_mm * px_per_mm))
    area = layout.area
    inside = image[
        int(area.y_mm * px_per_mm) + 2 : int(area.bottom_mm * px_per_mm) - 2,
        int(area.x_mm * px_per_mm) + 2 : int(area.right_mm * px_per_mm) - 2,
    ]
    assert inside.min() == 255, "nothing may be printed inside the measurement area"
    detection = detect_sheet(image)
    assert detection is not None
    assert detection.paper == paper
    assert detection.ids == layout.marker_ids and not detection.missing
    for found in detection.markers:
        expected = layout.marker(found.id).corners_mm() * px_per_mm - 0.5
        assert np.abs(found.corners_px - expected).max() < 0.35
