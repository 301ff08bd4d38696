"""Photos of the calibration sheet: find its ArUco markers, undo the perspective, know millimetres per pixel.

``detect_sheet`` finds the sheet's markers (Garrido-Jurado et al. 2014) on a reduced copy of the photo,
for speed, and refines their corners at full resolution. ``rectify`` fits the plane-to-image homography
to every found corner (normalised DLT inside RANSAC, then Levenberg-Marquardt on the inliers; Hartley &
Zisserman 2004, ch. 4) and resamples the sheet's measurement area at a fixed scale, so the print appears
as if scanned, whatever the camera's position.

The markers only give the sheet *as printed*. A sheet printed with "fit to page" is uniformly a few
percent too small, and no photo can tell; the sheet's 100 mm ruler is there for the person to check.

References
----------
Garrido-Jurado S, Muñoz-Salinas R, Madrid-Cuevas FJ, Marín-Jiménez MJ (2014). Automatic generation and
detection of highly reliable fiducial markers under occlusion. Pattern Recognition 47(6):2280-2292.

Hartley R, Zisserman A (2004). Multiple View Geometry in Computer Vision, 2nd ed. Cambridge University
Press. Chapter 4: estimation of 2D projective transformations.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np
from numpy.typing import NDArray

from footchain.errors import FootprintError
from footchain.measure.footprint.image_io import GrayImage
from footchain.measure.footprint.sheet import (
    ARUCO_DICTIONARY,
    MARKER_BITS,
    MARKER_IDS,
    PAPERS,
    Paper,
    Rect,
    SheetLayout,
    SheetMarker,
    paper_for_ids,
    sheet_layout,
)

Points = NDArray[np.float64]
Matrix = NDArray[np.float64]

DETECT_MAX_SIDE_PX = 1280
MIN_MARKERS = 3
# Warn when one end of the measurement area appears this many times larger than the other (≈ 20° tilt).
PERSPECTIVE_RATIO_WARN = 1.3
# Warn when a sheet edge is smeared over more than this (10–90 % rise, in sheet millimetres).
BLUR_WARN_MM = 1.2
# Warn when the photo has fewer pixels per millimetre than this somewhere in the measurement area.
MIN_PX_PER_MM = 3.0
# Warn when the fitted corners miss their places by more than this (RMS, mm): the sheet is not flat.
RESIDUAL_WARN_MM = 0.6
# Refuse when they miss by more than this: the sheet is folded or a marker was misread.
RESIDUAL_FAIL_MM = 2.0
RETAKE = "Retake the photo from straight above with all six black squares in view and nothing on them."


RECTIFIED_MM_PER_PX = 0.35
"""Pixel size of the rectified measurement area: fine enough for ±0.01 Arch Index and ±2 mm on 12-MP
photos (benchmarks/footprint_speed.py), coarse enough to measure faster than a full decode."""


@dataclass(frozen=True, eq=False)
class FoundMarker:
    """One sheet marker found in the photo: its id, where it sits on the sheet, and its corners.

    ``corners_px`` has shape (4, 2): image (x, y) of the marker's top-left, top-right, bottom-right and
    bottom-left corners as printed, in the coordinates of the full-resolution image.
    """

    id: int
    position: str
    corners_px: Points


@dataclass(frozen=True, eq=False)
class SheetDetection:
    """The calibration sheet found in a photo.

    Attributes
    ----------
    paper
        Which sheet (recognised from the marker ids).
    layout
        That sheet's layout (marker positions and measurement area in millimetres).
    markers
        The markers found, in the layout's order.
    image_size_px
        (width, height) of the image the corners refer to.
    foreign_ids
        Ids of ``DICT_4X4_50`` markers found that belong to no sheet of this paper (ignored).
    """

    paper: Paper
    layout: SheetLayout
    markers: tuple[FoundMarker, ...]
    image_size_px: tuple[int, int]
    foreign_ids: tuple[int, ...] = ()

    @property
    def ids(self) -> tuple[int, ...]:
        return tuple(m.id for m in self.markers)

    @property
    def missing(self) -> tuple[SheetMarker, ...]:
        """The sheet's markers that were not found."""
        found = set(self.ids)
        return tuple(m for m in self.layout.markers if m.id not in found)


@dataclass(frozen=True, eq=False)
class Rectified:
    """The sheet's measurement area, seen from straight above at a known scale.

    Attributes
    ----------
    image
        ``uint8`` grey image of the measurement area only (``area``), y downwards as on the sheet.
    mm_per_px
        Millimetres per pixel of ``image`` along both axes.
    warnings
        Doubts worth telling the person: covered markers, slanted or blurred photo, curled sheet.
    paper
        The sheet's paper size.
    area
        The measurement area on the sheet (mm); pixel (u, v) of ``image`` is centred on sheet point
        ``(area.x_mm + (u + 0.5) * mm_per_px, area.y_mm + (v + 0.5) * mm_per_px)``.
    image_from_area
        3 × 3 homography from ``image`` pixels to pixels of the photo given to ``rectify``.
    markers_used
        Ids of the markers whose corners fitted the homography.
    residual_mm
        RMS distance, on the sheet, between the found corners and where the fitted homography puts them.
    perspective_ratio
        Largest over smallest magnification (photo pixels per sheet mm) across the measurement area;
        1.0 when the photo was taken from straight above.
    edge_blur_mm
        Median 10–90 % width of the markers' outer edges, on the sheet (``None`` when not measurable).
    """

    image: GrayImage
    mm_per_px: float
    warnings: tuple[str, ...]
    paper: Paper
    area: Rect
    image_from_area: Matrix
    markers_used: tuple[int, ...]
    residual_mm: float
    perspective_ratio: float
    edge_blur_mm: float | None


def _as_gray(gray: NDArray[Any]) -> GrayImage:
    if gray.ndim == 3 and gray.shape[2] in (3, 4):
        code = cv2.COLOR_BGR2GRAY if gray.shape[2] == 3 else cv2.COLOR_BGRA2GRAY
        gray = np.asarray(cv2.cvtColor(gray, code))
    if gray.ndim != 2 or gray.dtype != np.uint8:
        raise FootprintError(
            f"Expected an 8-bit grey image, got an array of shape {gray.shape} and {gray.dtype}."
        )
    return np.asarray(gray, dtype=np.uint8)


def _detect(gray: GrayImage, max_side_px: int) -> tuple[dict[int, Points], float]:
    """ArUco detection on a copy reduced to ``max_side_px``; corners are returned in full-image pixels."""
    height, width = gray.shape
    scale = min(1.0, max_side_px / max(height, width))
    if scale < 1.0:
        size = (max(1, round(width * scale)), max(1, round(height * scale)))
        small = np.asarray(cv2.resize(gray, size, interpolation=cv2.INTER_AREA))
        sx, sy = size[0] / width, size[1] / height
    else:
        small, sx, sy = gray, 1.0, 1.0
    params = cv2.aruco.DetectorParameters()
    params.cornerRefinementMethod = cv2.aruco.CORNER_REFINE_NONE
    detector = cv2.aruco.ArucoDetector(cv2.aruco.getPredefinedDictionary(ARUCO_DICTIONARY), params)
    corners, ids, _ = detector.detectMarkers(small)
    found: dict[int, Points] = {}
    if ids is None:
        return found, scale
    for marker_id, quad in zip(np.asarray(ids).ravel().tolist(), corners, strict=True):
        pts = np.asarray(quad, dtype=np.float64).reshape(4, 2)
        pts = (pts + 0.5) / np.array([sx, sy]) - 0.5  # pixel centres sit at integers in OpenCV
        if int(marker_id) not in found:  # a duplicate id is a reflection or a second sheet: keep the first
            found[int(marker_id)] = pts
    return found, scale


def _refine(gray: GrayImage, quad: Points, detect_scale: float) -> Points:
    """Refine a marker's corners at full resolution with ``cornerSubPix`` (window: about half a cell)."""
    side_px = float(np.mean(np.linalg.norm(quad - np.roll(quad, -1, axis=0), axis=1)))
    cell_px = side_px / (MARKER_BITS + 2)
    half = int(np.clip(round(0.6 * cell_px), 2, 25))
    pts = quad.astype(np.float32).reshape(-1, 1, 2).copy()
    criteria = (cv2.TERM_CRITERIA_EPS + cv2.TERM_CRITERIA_COUNT, 40, 0.01)
    refined = np.asarray(cv2.cornerSubPix(gray, pts, (half, half), (-1, -1), criteria), dtype=np.float64)
    refined = refined.reshape(4, 2)
    allowed = max(2.0, 1.5 / detect_scale)
    moved = np.linalg.norm(refined - quad, axis=1)
    return np.where((moved <= allowed)[:, None], refined, quad)


def detect_sheet(
    gray: NDArray[Any], *, max_detect_side_px: int = DETECT_MAX_SIDE_PX
) -> SheetDetection | None:
    """Find the footchain calibration sheet in a photo from its ArUco markers.

    Markers are searched on a copy whose long side is at most ``max_detect_side_px`` (and again on a
    copy twice as large when fewer than three are found), then their corners are refined on the full
    image with ``cv2.cornerSubPix``. The paper (A4 or Letter) is the one whose marker ids were found.

    Parameters
    ----------
    gray
        The photo, 8-bit grey (BGR is converted).
    max_detect_side_px
        Long side of the reduced copy the markers are searched on.

    Returns
    -------
    SheetDetection or None
        ``None`` when no marker of any footchain sheet is in the photo.

    References
    ----------
    Garrido-Jurado S et al. (2014). Pattern Recognition 47(6):2280-2292.
    """
    gray = _as_gray(gray)
    ours = {i for p in PAPERS for i in MARKER_IDS[p]}
    found, scale = _detect(gray, max_detect_side_px)
    paper = paper_for_ids(found)
    wanted = set(MARKER_IDS[paper]) if paper else ours
    if scale < 1.0 and not wanted <= set(found):
        # Small, slanted or partly hidden markers: look again at twice the resolution, keep what is new.
        more, scale2 = _detect(gray, 2 * max_detect_side_px)
        for marker_id, quad in more.items():
            if marker_id not in found:
                found[marker_id] = quad
                scale = min(scale, scale2)
        paper = paper_for_ids(found)
    if paper is None:
        return None
    layout = sheet_layout(paper)
    markers = tuple(
        FoundMarker(id=m.id, position=m.position, corners_px=_refine(gray, found[m.id], scale))
        for m in layout.markers
        if m.id in found
    )
    foreign = tuple(sorted(i for i in found if i not in layout.marker_ids))
    height, width = gray.shape
    return SheetDetection(
        paper=paper, layout=layout, markers=markers, image_size_px=(width, height), foreign_ids=foreign
    )


def _apply(h: Matrix, pts: Points) -> Points:
    """Apply a 3 × 3 homography to (N, 2) points."""
    ones = np.ones((pts.shape[0], 1))
    mapped = np.hstack([pts, ones]) @ h.T
    return np.asarray(mapped[:, :2] / mapped[:, 2:3], dtype=np.float64)


def _magnification(h: Matrix, pts: Points) -> Points:
    """Local scale (image pixels per sheet mm, square root of the Jacobian's determinant) at sheet points."""
    eps = 0.5
    base = _apply(h, pts)
    dx = _apply(h, pts + np.array([eps, 0.0])) - base
    dy = _apply(h, pts + np.array([0.0, eps])) - base
    det = np.abs(dx[:, 0] * dy[:, 1] - dx[:, 1] * dy[:, 0]) / eps**2
    return np.asarray(np.sqrt(det), dtype=np.float64)


def _names(markers: tuple[SheetMarker, ...]) -> str:
    return ", ".join(m.position for m in markers)


def _edge_blur_mm(gray: GrayImage, marker: FoundMarker, size_mm: float) -> list[float]:
    """10–90 % widths (sheet mm) of a marker's four outer edges, sampled across the middle of each side.

    The marker's own corners give a local homography from marker millimetres to pixels; intensity is
    sampled along short lines across each side (black border inside, white quiet zone outside).
    """
    square = np.array([[0, 0], [size_mm, 0], [size_mm, size_mm], [0, size_mm]], dtype=np.float64)
    found_h = cv2.getPerspectiveTransform(square.astype(np.float32), marker.corners_px.astype(np.float32))
    h = np.asarray(found_h, dtype=np.float64)
    cell = size_mm / (MARKER_BITS + 2)
    offsets = np.linspace(-0.8 * cell, 0.8 * cell, 97)
    along = np.linspace(size_mm / 3, 2 * size_mm / 3, 9)
    widths: list[float] = []
    # (edge point for `along`, outward normal) for top, right, bottom, left sides
    sides = (
        (lambda a: (a, 0.0), (0.0, -1.0)),
        (lambda a: (size_mm, a), (1.0, 0.0)),
        (lambda a: (a, size_mm), (0.0, 1.0)),
        (lambda a: (0.0, a), (-1.0, 0.0)),
    )
    for point, normal in sides:
        base = np.array([point(a) for a in along])
        grid = np.asarray(base[:, None, :] + offsets[None, :, None] * np.array(normal), dtype=np.float64)
        px = _apply(h, grid.reshape(-1, 2)).reshape(len(along), len(offsets), 2).astype(np.float32)
        values = np.asarray(
            cv2.remap(gray, px[..., 0], px[..., 1], cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT),
            dtype=np.float64,
        )
        profile = values.mean(axis=0)
        lo, hi = profile[:8].mean(), profile[-8:].mean()
        if hi - lo < 25:
            continue
        level = (profile - lo) / (hi - lo)
        above10 = np.flatnonzero(level >= 0.1)
        above90 = np.flatnonzero(level >= 0.9)
        if not above10.size or not above90.size:
            continue
        i10, i90 = int(above10[0]), int(above90[0])
        x10 = np.interp(0.1, level[max(i10 - 1, 0) : i10 + 1], offsets[max(i10 - 1, 0) : i10 + 1])
        x90 = np.interp(0.9, level[max(i90 - 1, 0) : i90 + 1], offsets[max(i90 - 1, 0) : i90 + 1])
        widths.append(float(x90 - x10))
    return widths


def rectify(
    gray: NDArray[Any], detection: SheetDetection, *, mm_per_px: float = RECTIFIED_MM_PER_PX
) -> Rectified:
    """Resample the sheet's measurement area as if photographed from straight above, at ``mm_per_px``.

    A homography from sheet millimetres to photo pixels is fitted to all corners of all found markers
    (``cv2.findHomography`` with RANSAC; OpenCV normalises the points as Hartley & Zisserman recommend
    and refines the inliers with Levenberg-Marquardt). The measurement area is then warped at the
    requested scale; where the photo has more than 2.5 pixels per output pixel it is first reduced with
    a Gaussian pyramid, so paper texture does not alias.

    Parameters
    ----------
    gray
        The same image that was given to ``detect_sheet`` (8-bit grey).
    detection
        What ``detect_sheet`` found.
    mm_per_px
        Scale of the result.

    Returns
    -------
    Rectified
        The measurement area, its scale, and warnings (covered markers by position, a slanted or blurred
        photo, a sheet that does not lie flat).

    Raises
    ------
    FootprintError
        Fewer than three markers found, or found markers only along one long edge, so the perspective
        cannot be measured reliably. The message names the missing markers by position.

    Notes
    -----
    A sheet printed at the wrong scale cannot be detected here: check the printed 100 mm ruler.

    References
    ----------
    Hartley R, Zisserman A (2004). Multiple View Geometry in Computer Vision, 2nd ed., ch. 4.
    """
    gray = _as_gray(gray)
    if not 0.02 <= mm_per_px <= 5.0:
        raise FootprintError(f"mm_per_px must be between 0.02 and 5, not {mm_per_px}.")
    if (gray.shape[1], gray.shape[0]) != detection.image_size_px:
        raise ValueError(
            f"rectify got a {gray.shape[1]} × {gray.shape[0]} image but the markers were found in a "
            f"{detection.image_size_px[0]} × {detection.image_size_px[1]} one; pass the same image to both."
        )
    layout = detection.layout
    widths = [w for m in detection.markers for w in _edge_blur_mm(gray, m, layout.marker(m.id).size_mm)]
    blur = float(np.median(widths)) if widths else None
    _require_enough_markers(detection, blur)
    fit = _fit_homography(detection, blur)
    warnings = _fit_warnings(detection, fit)
    magnification, ratio, view_warnings = _view_warnings(fit.h, layout.area, gray.shape, blur)
    warnings += view_warnings
    warped, image_from_area = _warp_area(gray, fit.h, layout.area, mm_per_px, magnification)
    return Rectified(
        image=warped,
        mm_per_px=mm_per_px,
        warnings=tuple(warnings),
        paper=layout.paper,
        area=layout.area,
        image_from_area=image_from_area,
        markers_used=tuple(m.id for m in fit.used),
        residual_mm=fit.residual_mm,
        perspective_ratio=ratio,
        edge_blur_mm=blur,
    )


def _left_ids(layout: SheetLayout) -> set[int]:
    return {m.id for m in layout.markers if m.x_mm < layout.area.x_mm}


def _require_enough_markers(detection: SheetDetection, blur: float | None) -> None:
    """Refuse when fewer than three markers, or markers along one long edge only, were found."""
    layout, found = detection.layout, detection.markers
    left_ids = _left_ids(layout)
    if len(found) >= MIN_MARKERS and len({m.id in left_ids for m in found}) == 2:
        return
    why = (
        f"found only {len(found)} of its {len(layout.markers)} black squares"
        if len(found) < MIN_MARKERS
        else "found its black squares along one side only"
    )
    also = (
        f" The photo is also blurred (edges smeared over about {blur:.1f} mm), which hides squares too."
        if blur is not None and blur > BLUR_WARN_MM
        else ""
    )
    raise FootprintError(
        f"Found the {layout.paper.upper()} calibration sheet but {why}, too few to measure the "
        f"perspective. Not found: {_names(detection.missing)}. Something covers them, they are outside the "
        f"photo, or they are lost in shadow or glare.{also} {RETAKE}"
    )


@dataclass(frozen=True, eq=False)
class _Fit:
    """The sheet-to-photo homography and how well the markers agree with it."""

    h: Matrix
    used: tuple[FoundMarker, ...]
    bad: tuple[FoundMarker, ...]
    residual_mm: float
    noise_mm: float  # the residual that corner noise alone would give


def _fit_homography(detection: SheetDetection, blur: float | None) -> _Fit:
    """RANSAC homography from all marker corners; markers with < 3 inlier corners are left out.

    When the markers that agree are too few (or along one side), all are fitted and judged by the
    residual instead. Raises when the fit fails or the residual shows a folded sheet or a misread marker.
    """
    layout, found = detection.layout, detection.markers
    left_ids = _left_ids(layout)
    sheet_pts = np.vstack([layout.marker(m.id).corners_mm() for m in found])
    image_pts = np.vstack([m.corners_px for m in found])
    px_per_mm_guess = float(np.median(_marker_sides(found))) / layout.markers[0].size_mm
    # a millimetre in photo pixels (more in a blurred photo, where corners are less certain)
    threshold = max(2.0, max(1.0, 0.5 * (blur or 0.0)) * px_per_mm_guess)
    h_found, inliers = cv2.findHomography(sheet_pts, image_pts, cv2.RANSAC, threshold, maxIters=2000)
    inlier = (
        np.asarray(inliers, dtype=bool).ravel()
        if h_found is not None
        else np.zeros(len(sheet_pts), dtype=bool)
    )
    per_marker = inlier.reshape(len(found), 4)
    bad = tuple(m for m, ok in zip(found, per_marker, strict=True) if ok.sum() < 3)
    used = tuple(m for m in found if m not in bad)
    if h_found is None or len(used) < MIN_MARKERS or len({m.id in left_ids for m in used}) < 2:
        # The markers that agree are too few to trust alone: fit all of them and judge by the residual.
        h_found, _ = cv2.findHomography(sheet_pts, image_pts, 0)
        if h_found is None:
            raise FootprintError(f"The black squares do not fit a flat sheet. {RETAKE}")
        inlier = np.ones(len(sheet_pts), dtype=bool)
        bad, used = (), found
    h = np.asarray(h_found, dtype=np.float64)
    back = _apply(np.linalg.inv(h), image_pts[inlier])
    residual_mm = float(np.sqrt(np.mean(np.sum((back - sheet_pts[inlier]) ** 2, axis=1))))
    noise_mm = 1.5 / px_per_mm_guess  # corners found to about a pixel are no sign of a bent sheet
    if residual_mm > max(RESIDUAL_FAIL_MM, 3 * noise_mm):
        raise FootprintError(
            f"The black squares do not line up as on a flat sheet (off by {residual_mm:.1f} mm on average), so "
            f"nothing can be measured reliably. Flatten the sheet on a hard floor. {RETAKE}"
        )
    return _Fit(h=h, used=used, bad=bad, residual_mm=residual_mm, noise_mm=noise_mm)


def _fit_warnings(detection: SheetDetection, fit: _Fit) -> list[str]:
    """Missing markers, markers left out of the fit, and a sheet that does not lie flat."""
    warnings: list[str] = []
    missing, total = detection.missing, len(detection.layout.markers)
    if missing:
        warnings.append(
            f"{len(missing)} of the {total} black squares were not found ({_names(missing)}); the scale "
            f"comes from the other {len(detection.markers)} and is less certain. Next time keep all six "
            "squares in view and uncovered."
        )
    if fit.bad:
        warnings.append(
            f"The black square(s) at the {', '.join(m.position for m in fit.bad)} do not line up with the "
            "others (folded or moved paper?) and were left out."
        )
    if fit.residual_mm > max(RESIDUAL_WARN_MM, fit.noise_mm):
        warnings.append(
            f"The black squares do not lie on one flat plane (off by {fit.residual_mm:.1f} mm on average): "
            "flatten the sheet on a hard floor before photographing it."
        )
    return warnings


def _area_corners_mm(area: Rect) -> Points:
    """The measurement area's corners (clockwise from top-left) and its centre, in sheet mm."""
    return np.array(
        [
            [area.x_mm, area.y_mm],
            [area.right_mm, area.y_mm],
            [area.right_mm, area.bottom_mm],
            [area.x_mm, area.bottom_mm],
            [area.x_mm + area.width_mm / 2, area.y_mm + area.height_mm / 2],
        ]
    )


def _view_warnings(
    h: Matrix, area: Rect, shape: tuple[int, ...], blur: float | None
) -> tuple[Points, float, list[str]]:
    """Magnification over the area, its max/min ratio, and warnings: slant, small sheet, cut off, blur."""
    corners_mm = _area_corners_mm(area)
    magnification = _magnification(h, corners_mm)
    ratio = float(magnification.max() / magnification.min())
    warnings: list[str] = []
    if ratio > PERSPECTIVE_RATIO_WARN:
        warnings.append(
            f"The photo was taken at a slant (one end of the sheet appears {ratio:.1f} times larger than the "
            "other). The perspective is corrected, but hold the phone straight above the sheet for the most "
            "accurate result."
        )
    if magnification.min() < MIN_PX_PER_MM:
        warnings.append(
            f"The sheet is small in the photo (about {magnification.min():.1f} pixels per mm): fine details of "
            "the print are lost. Move closer so the sheet fills the picture."
        )
    height, width = shape[:2]
    corner_px = _apply(h, corners_mm[:4])
    outside = (corner_px[:, 0] < -0.5) | (corner_px[:, 0] > width - 0.5)
    outside |= (corner_px[:, 1] < -0.5) | (corner_px[:, 1] > height - 0.5)
    if outside.any():
        warnings.append(
            "Part of the measurement frame is outside the photo; that part is left blank. Keep the whole "
            "sheet in view."
        )
    if blur is not None and blur > BLUR_WARN_MM:
        warnings.append(
            f"The photo looks blurred (edges smeared over about {blur:.1f} mm): hold the phone still, let it "
            "focus, and use more light."
        )
    return magnification, ratio, warnings


def _warp_area(
    gray: GrayImage, h: Matrix, area: Rect, mm_per_px: float, magnification: Points
) -> tuple[GrayImage, Matrix]:
    """The measurement area resampled at ``mm_per_px``, and the homography area pixels → photo pixels.

    The photo is cropped to the area (plus a margin) and reduced with a Gaussian pyramid while it is
    much finer than the output, so paper texture does not alias.
    """
    height, width = gray.shape
    out_w, out_h = round(area.width_mm / mm_per_px), round(area.height_mm / mm_per_px)
    to_sheet = np.array(
        [
            [mm_per_px, 0.0, area.x_mm + 0.5 * mm_per_px],
            [0.0, mm_per_px, area.y_mm + 0.5 * mm_per_px],
            [0, 0, 1],
        ]
    )
    image_from_area = h @ to_sheet
    corner_px = _apply(h, _area_corners_mm(area)[:4])
    x0, y0 = np.floor(corner_px.min(axis=0)) - 8
    x1, y1 = np.ceil(corner_px.max(axis=0)) + 8
    x0, y0 = int(max(x0, 0)), int(max(y0, 0))
    x1, y1 = int(min(x1, width)), int(min(y1, height))
    source = gray[y0:y1, x0:x1] if x1 > x0 + 1 and y1 > y0 + 1 else gray
    if source is gray:
        x0 = y0 = 0
    shift = np.array([[1.0, 0.0, -x0], [0.0, 1.0, -y0], [0.0, 0.0, 1.0]])
    m = shift @ image_from_area
    ratio_px = float(np.median(magnification)) * mm_per_px
    while ratio_px >= 2.5 and min(source.shape) >= 32:
        source = np.asarray(cv2.pyrDown(source))
        m = np.diag([0.5, 0.5, 1.0]) @ m
        ratio_px /= 2
    paper_level = float(np.percentile(source[::4, ::4], 95))  # a sample will do for the border's fill
    warped = cv2.warpPerspective(
        source,
        m,
        (out_w, out_h),
        flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=paper_level,
    )
    return np.asarray(warped, dtype=np.uint8), image_from_area


def _marker_sides(found: tuple[FoundMarker, ...]) -> Points:
    """Mean side length in pixels of each found marker."""
    return np.array(
        [np.mean(np.linalg.norm(m.corners_px - np.roll(m.corners_px, -1, axis=0), axis=1)) for m in found]
    )
