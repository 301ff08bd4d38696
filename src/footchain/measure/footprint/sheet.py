"""The printable calibration sheet for footprint photos: layout, vector PDF and raster rendering.

The sheet carries six ArUco markers (Garrido-Jurado et al. 2014) from the ``DICT_4X4_50`` dictionary:
one in each corner and one on each long edge. Each paper size uses its own marker ids, so the paper is
recognised from the ids alone. Between the markers lies the measurement area, a rectangle on which
nothing is printed; the person stands in it with one wet or inked foot. A 100 mm ruler and short
instructions sit outside the area.

The markers give the perspective and the scale of a photo, but only as printed: a sheet printed with
"fit to page" is uniformly smaller than the layout and no photo can tell. The printed ruler is there
for that check (it must measure 100 mm).

All lengths are millimetres, measured from the top-left corner of the page, with y growing downwards.

References
----------
Garrido-Jurado S, Muñoz-Salinas R, Madrid-Cuevas FJ, Marín-Jiménez MJ (2014). Automatic generation and
detection of highly reliable fiducial markers under occlusion. Pattern Recognition 47(6):2280-2292.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Literal, Protocol, cast, get_args

import cv2
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.backends.backend_pdf import FigureCanvasPdf
from matplotlib.figure import Figure
from matplotlib.patches import PathPatch, Rectangle
from matplotlib.path import Path as MplPath
from numpy.typing import NDArray

from footchain.errors import FootprintError
from footchain.measure.footprint.image_io import GrayImage

Paper = Literal["a4", "letter"]
PAPERS: tuple[Paper, ...] = get_args(Paper)
Points = NDArray[np.float64]
BoolGrid = NDArray[np.bool_]
MM_PER_INCH = 25.4
POINTS_PER_INCH = 72.0

ARUCO_DICTIONARY = cv2.aruco.DICT_4X4_50
MARKER_BITS = 4  # data bits per side; with the one-cell black border the marker is 6 cells wide
MARKER_MM = 18.0  # 3 mm cells: about 13 px per cell when the sheet fills a 1600 px detection image
PAGE_MARGIN_MM = 6.0  # most printers cannot print closer to the paper's edge
QUIET_MM = 4.0  # white space kept around every marker (more than one cell)
FRAME_GAP_MM = 1.5  # the area's frame line is drawn this far outside the area
RULER_MM = 100.0

# Marker ids per paper, in the order of POSITIONS.
MARKER_IDS: dict[Paper, tuple[int, ...]] = {"a4": (0, 1, 2, 3, 4, 5), "letter": (10, 11, 12, 13, 14, 15)}
POSITIONS = (
    "top-left corner",
    "top-right corner",
    "right edge (between the corners)",
    "bottom-right corner",
    "bottom-left corner",
    "left edge (between the corners)",
)
PAGE_MM: dict[Paper, tuple[float, float]] = {"a4": (210.0, 297.0), "letter": (215.9, 279.4)}


@dataclass(frozen=True)
class Rect:
    """An axis-aligned rectangle on the page, in millimetres (top-left corner and size)."""

    x_mm: float
    y_mm: float
    width_mm: float
    height_mm: float

    @property
    def right_mm(self) -> float:
        return self.x_mm + self.width_mm

    @property
    def bottom_mm(self) -> float:
        return self.y_mm + self.height_mm


@dataclass(frozen=True)
class SheetMarker:
    """One ArUco marker: its id, where it sits (in words, for messages), top-left corner and side length."""

    id: int
    position: str
    x_mm: float
    y_mm: float
    size_mm: float

    def corners_mm(self) -> Points:
        """The four outer corners, shape (4, 2), in ArUco's order: top-left, top-right, bottom-right, bottom-left."""
        x, y, s = self.x_mm, self.y_mm, self.size_mm
        return np.array([[x, y], [x + s, y], [x + s, y + s], [x, y + s]], dtype=np.float64)


@dataclass(frozen=True)
class TextBlock:
    """Lines of text printed upright or turned 90° (reading upwards) inside ``box``."""

    box: Rect
    lines: tuple[str, ...]
    fontsize_pt: float
    rotated: bool = True


@dataclass(frozen=True)
class SheetLayout:
    """Where everything sits on one calibration sheet.

    Attributes
    ----------
    paper
        ``"a4"`` or ``"letter"``.
    width_mm, height_mm
        The page size (portrait).
    markers
        The six markers, corners first, then the two on the long edges.
    area
        The measurement area. Nothing is printed inside it.
    holds
        What the area is made for, in words: one foot (two feet side by side do not fit on A4 or Letter).
    max_foot_length_mm
        The longest print that fits along the area (its long side). A 330 mm foot does not fit on either
        paper: such prints touch the area's end and must be flagged by whoever measures them.
    ruler
        The 100 mm ruler: a vertical line from ``ruler.y_mm`` to ``ruler.bottom_mm`` at ``ruler.x_mm``.
    texts
        Instructions and labels, all outside the area.
    """

    paper: Paper
    width_mm: float
    height_mm: float
    markers: tuple[SheetMarker, ...]
    area: Rect
    holds: str
    max_foot_length_mm: float
    ruler: Rect
    texts: tuple[TextBlock, ...]

    @property
    def marker_ids(self) -> tuple[int, ...]:
        return tuple(m.id for m in self.markers)

    def marker(self, marker_id: int) -> SheetMarker:
        """The marker with this id (``KeyError`` if it is not on this sheet)."""
        for m in self.markers:
            if m.id == marker_id:
                return m
        raise KeyError(marker_id)


class _RasterCanvas(Protocol):
    def draw(self) -> None: ...
    def buffer_rgba(self) -> memoryview: ...


def _check_paper(paper: str) -> Paper:
    if paper not in PAPERS:
        raise FootprintError(f"Unknown paper {paper!r}: choose one of {', '.join(PAPERS)}.")
    return paper


@cache
def sheet_layout(paper: str) -> SheetLayout:
    """The layout of the calibration sheet for ``paper`` (``"a4"`` or ``"letter"``).

    The corner markers sit at the page margin; the right-edge marker is centred on the long side, the
    left-edge marker sits just below the 100 mm ruler. The measurement area spans the page between the
    two marker columns, from margin to margin along the long side.
    """
    name = _check_paper(paper)
    width, height = PAGE_MM[name]
    m, s = PAGE_MARGIN_MM, MARKER_MM
    left_x, right_x = m, width - m - s
    top_y, bottom_y = m, height - m - s
    ruler_top = top_y + s + QUIET_MM + 2.0  # 2 mm more so the end tick keeps clear of the marker
    left_edge_y = ruler_top + RULER_MM + 2.0 + QUIET_MM
    right_edge_y = (height - s) / 2
    spots = (
        (left_x, top_y),
        (right_x, top_y),
        (right_x, right_edge_y),
        (right_x, bottom_y),
        (left_x, bottom_y),
        (left_x, left_edge_y),
    )
    markers = tuple(
        SheetMarker(id=i, position=p, x_mm=x, y_mm=y, size_mm=s)
        for i, p, (x, y) in zip(MARKER_IDS[name], POSITIONS, spots, strict=True)
    )
    inner_left = left_x + s + QUIET_MM + FRAME_GAP_MM
    inner_right = right_x - QUIET_MM - FRAME_GAP_MM
    area_top = m + 2.0
    area = Rect(inner_left, area_top, inner_right - inner_left, height - 2 * area_top)
    ruler = Rect(left_x + s - 2.0, ruler_top, 0.0, RULER_MM)
    strip_w = s
    low_left = Rect(
        left_x, left_edge_y + s + QUIET_MM, strip_w, bottom_y - QUIET_MM - (left_edge_y + s + QUIET_MM)
    )
    up_right = Rect(right_x, top_y + s + QUIET_MM, strip_w, right_edge_y - QUIET_MM - (top_y + s + QUIET_MM))
    low_right = Rect(
        right_x, right_edge_y + s + QUIET_MM, strip_w, bottom_y - QUIET_MM - (right_edge_y + s + QUIET_MM)
    )
    holds = f"one foot, heel towards the bottom, up to {area.height_mm:.0f} mm long"
    texts = (
        TextBlock(
            Rect(left_x, ruler_top, 8.0, RULER_MM),
            ("This line must measure 100 mm.", "Print at 100 % / actual size, not 'fit to page'."),
            5.5,
        ),
        TextBlock(
            low_left,
            (
                f"footchain footprint sheet · {name.upper()}",
                f"Frame: {holds}.",
                "Keep all six black squares clean and flat.",
            ),
            6.5,
        ),
        TextBlock(
            up_right,
            (
                "1. Wet the sole of one foot (or ink it).",
                "2. Stand inside the frame with your full",
                "    weight on that foot, then step off.",
            ),
            6.5,
        ),
        TextBlock(
            low_right,
            (
                "3. Photograph from straight above with",
                "    all six black squares in view.",
                "4. Use good, even light without shadows.",
            ),
            6.5,
        ),
    )
    return SheetLayout(
        paper=name,
        width_mm=width,
        height_mm=height,
        markers=markers,
        area=area,
        holds=holds,
        max_foot_length_mm=area.height_mm,
        ruler=ruler,
        texts=texts,
    )


def paper_for_ids(ids: Iterable[int]) -> Paper | None:
    """The paper whose marker ids are the most frequent among ``ids`` (``None`` when none is ours)."""
    found = set(ids)
    counts = {p: len(found & set(MARKER_IDS[p])) for p in PAPERS}
    best = max(PAPERS, key=lambda p: counts[p])
    return best if counts[best] else None


def marker_cells(marker_id: int) -> BoolGrid:
    """The marker as a 6 × 6 boolean grid (True = black), border included, from ``generateImageMarker``."""
    dictionary = cv2.aruco.getPredefinedDictionary(ARUCO_DICTIONARY)
    cells = MARKER_BITS + 2
    image = cv2.aruco.generateImageMarker(dictionary, marker_id, cells, borderBits=1)
    return np.asarray(image) < 128


def _marker_path(marker: SheetMarker) -> MplPath:
    """One compound path of black rectangles (runs of black cells per row), so no seams appear between cells."""
    cells = marker_cells(marker.id)
    n = cells.shape[0]
    cell = marker.size_mm / n
    vertices: list[tuple[float, float]] = []
    codes: list[np.uint8] = []
    for row in range(n):
        col = 0
        while col < n:
            if not cells[row, col]:
                col += 1
                continue
            start = col
            while col < n and cells[row, col]:
                col += 1
            x0, x1 = marker.x_mm + start * cell, marker.x_mm + col * cell
            y0, y1 = marker.y_mm + row * cell, marker.y_mm + (row + 1) * cell
            vertices += [(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)]
            codes += [MplPath.MOVETO, MplPath.LINETO, MplPath.LINETO, MplPath.LINETO, MplPath.CLOSEPOLY]
    return MplPath(vertices, codes)


def _figure(layout: SheetLayout) -> Figure:
    """The sheet as a matplotlib figure whose data coordinates are page millimetres (y down)."""
    fig = Figure(figsize=(layout.width_mm / MM_PER_INCH, layout.height_mm / MM_PER_INCH), facecolor="white")
    ax = fig.add_axes((0.0, 0.0, 1.0, 1.0))
    ax.set_xlim(0.0, layout.width_mm)
    ax.set_ylim(layout.height_mm, 0.0)
    ax.set_axis_off()
    for marker in layout.markers:
        ax.add_patch(
            PathPatch(_marker_path(marker), facecolor="black", edgecolor="none", linewidth=0, snap=False)
        )
    a = layout.area
    g = FRAME_GAP_MM
    ax.add_patch(
        Rectangle(
            (a.x_mm - g, a.y_mm - g),
            a.width_mm + 2 * g,
            a.height_mm + 2 * g,
            facecolor="none",
            edgecolor="0.35",
            linewidth=0.8,
        )
    )
    r = layout.ruler
    ax.plot([r.x_mm, r.x_mm], [r.y_mm, r.bottom_mm], color="black", linewidth=0.5, solid_capstyle="butt")
    for mm in range(int(RULER_MM) + 1):
        tick = 4.0 if mm % 10 == 0 else 2.8 if mm % 5 == 0 else 1.6
        y = r.y_mm + mm
        ax.plot([r.x_mm - tick, r.x_mm], [y, y], color="black", linewidth=0.3, solid_capstyle="butt")
        if mm % 10 == 0:
            ax.text(
                r.x_mm - 5.0,
                y,
                f"{(int(RULER_MM) - mm) // 10}",
                fontsize=4.5,
                ha="right",
                va="center",
                rotation=90,
            )
    for block in layout.texts:
        b = block.box
        text = "\n".join(block.lines)
        if block.rotated:
            ax.text(
                b.x_mm + 1.0,
                b.bottom_mm,
                text,
                fontsize=block.fontsize_pt,
                rotation=90,
                ha="left",
                va="top",
                rotation_mode="anchor",
                linespacing=1.3,
            )
        else:
            ax.text(b.x_mm, b.y_mm, text, fontsize=block.fontsize_pt, ha="left", va="top", linespacing=1.3)
    return fig


def render_sheet_pdf(paper: str) -> bytes:
    """The calibration sheet as a one-page vector PDF of exactly the paper's size.

    The markers are exact black squares (one filled path per marker, cell by cell from OpenCV's
    ``generateImageMarker`` bits), so they print sharp at any printer resolution. The bytes are the same
    on every call (no creation date is written).

    Parameters
    ----------
    paper
        ``"a4"`` or ``"letter"``.

    Returns
    -------
    bytes
        The PDF file.
    """
    fig = _figure(sheet_layout(paper))
    FigureCanvasPdf(fig)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="pdf", metadata={"CreationDate": None, "Creator": "footchain"})
    return buffer.getvalue()


def render_sheet_image(paper: str, px_per_mm: float) -> GrayImage:
    """The calibration sheet rendered as an 8-bit grey image (white paper, black print).

    Pixel column ``i`` covers page millimetres ``[i / px_per_mm, (i + 1) / px_per_mm)``, so a point at
    ``x_mm`` lies at OpenCV pixel coordinate ``x_mm * px_per_mm - 0.5``. Edges are anti-aliased with
    exact area coverage.

    Parameters
    ----------
    paper
        ``"a4"`` or ``"letter"``.
    px_per_mm
        Resolution of the result.

    Returns
    -------
    numpy.ndarray
        ``uint8`` array of about (height_mm * px_per_mm, width_mm * px_per_mm) pixels (rounded down).
    """
    if not 0.5 <= px_per_mm <= 50:
        raise FootprintError(f"px_per_mm must be between 0.5 and 50, not {px_per_mm}.")
    fig = _figure(sheet_layout(paper))
    canvas = cast(_RasterCanvas, FigureCanvasAgg(fig))  # matplotlib leaves these two methods untyped
    fig.set_dpi(px_per_mm * MM_PER_INCH)
    canvas.draw()
    rgba = np.asarray(canvas.buffer_rgba())
    gray = cv2.cvtColor(np.ascontiguousarray(rgba[:, :, :3]), cv2.COLOR_RGB2GRAY)
    return np.asarray(gray, dtype=np.uint8)
