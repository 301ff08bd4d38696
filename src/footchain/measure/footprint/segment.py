"""Find the footprints in a grey image (ink or wet print on paper) or a pressure frame.

Steps for an image (dark ink on light paper; grey or colour):

1. brightness is the brightest colour channel, so printed colour (blue title bands, logos) and biro
   read light; work on a copy shrunk to at most ``WORK_MAX_PX`` on its long side (area averaging);
2. the sheet is told from the table it lies on (``ink.page_mask``); uneven light is divided out by a
   quadratic paper surface;
3. dotted or grid-patterned ink (the membrane of an ink-print mat) is found by the peak of the image's
   spectrum inside the print; then the paper level is the local maximum over a few periods (which
   also follows shadows), and the texture is closed and smoothed at its own scale so that grid ink
   reads as one print; where it is pale and its lines break up (the arch) it is closed across a few
   periods, but not next to dark ink (the gaps between toes stay open);
4. what is far more colourful than the paper is not ink;
5. ink is what lies darker than halfway between the paper and the *local* ink (never more than halfway
   to the typical ink, never less than a quarter of it), so pale ink keeps its own edge;
6. holes too small to hold a print (paper showing through broken grid ink) are filled, then strokes
   thinner than a few millimetres (pen marks at the toe tip and heel, printed frames, text) are
   opened away, so that they neither join the print nor lengthen it;
7. remaining marks are judged by shape (thickness, elongation, a filled rectangle) and specks dropped;
8. components are grouped into feet: the large ones (heel, forefoot, or the whole print) are split
   into one or two groups whose outline looks most like a toe-less foot (length about twice the
   width), so a split high-arch print stays one foot and two feet side by side stay two; the small
   ones (toes) join the nearest foot when they are close to it;
9. each foot's mask is brought back to full resolution by interpolating the ink margin, so its edges
   are placed to a fraction of a pixel.

A pressure frame is contact where the value exceeds a threshold, grouped the same way; toes that join
the forefoot through low-pressure cells are cut off along that valley (``toe_valley``), so that the
toe exclusion of Cavanagh & Rodgers (1987) can see them.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import cv2
import numpy as np
from numpy.typing import NDArray

from footchain.errors import FootprintError
from footchain.measure.footprint.ink import (
    closed_background,
    colour_marks,
    ink_value,
    least_squares,
    otsu,
    page_mask,
    paper_surface,
    texture_background,
)
from footchain.measure.footprint.toe_valley import cut_toes_at_valley

Mask = NDArray[np.bool_]
F32 = NDArray[np.float32]
U8 = NDArray[np.uint8]

WORK_MAX_PX = 1200  # long side of the working copy
MIN_CONTRAST = 0.03  # ink must be at least 3 % darker than paper (faint wet prints are about 10 %) …
PAPER_NOISE_TIMES = 6.0  # … and stand out of the paper's own grain by this many standard deviations
MIN_PRINT_SHARE = 0.002  # the largest ink component must cover this share of the image
BODY_SHARE = 0.2  # components at least this share of the largest are heel/forefoot/whole prints
TOE_REACH = 0.15  # a small component joins a foot when within this share of the foot's length
FOOT_ASPECT = 2.1  # length / width of a toe-less print, about
PRINT_ACROSS_MM = 130.0  # wider than any print's heel or ball: the closing that finds shadows
PRINT_ACROSS_SHARE = 0.3  # the same without a scale, as a share of the picture's long side
PALE_SHARE = 0.25  # ink fainter than this share of the typical ink's contrast is not taken as print
BRIDGE_PERIODS = 2.5  # pale grid ink: gaps up to this many texture periods are bridged
CORE_SHARE = 0.35  # the cores of thick parts lie deeper than this share of the thickest half-width
SEE_THROUGH = 0.35  # grid or dotted ink shows paper between its lines: its spread of tones, over paper − ink
SOFT_EDGE_SHARE = 0.02  # an edge wider than this share of the picture is a shadow's penumbra
SHADOW_MIN_SHARE = 0.002  # regions smaller than this share of the picture are not judged as shadows
STROKE_SHARE = 0.06  # marks thinner than this share of the thickest one are strokes, frames or text
THIN_SHARE = 0.07  # thinner than this share of the largest component's thickness: a line or text
ELONGATED = 5.0  # long side / short side above this: a line or a ruler
MAT_LOADED_AT_MOST = 0.9  # pressure: a frame loaded nearly everywhere has no foot outline to measure

NO_PRINT = (
    "no footprint found: the image shows no dark print on light paper. Check that the picture shows "
    "the whole print, with even light, and that the ink or wet print is dark enough to see; take the "
    "photo from straight above with the whole sheet in view and no shadow of the phone on it, and "
    "photograph a wet print at once, before it dries and fades"
)


def segment_prints(image: NDArray[np.generic], *, mm_per_px: float | None) -> list[Mask]:
    """Masks of the footprints in a photo or scan of dark ink on light paper, one per foot (1 or 2).

    ``image`` is grey or BGR (colour lets printed colour and biro be told from ink). The masks are in
    its pixels, ordered left to right in the image; which is the left or right foot is decided later
    from each print's shape (and, when that is unsure, from the layout of two prints). ``mm_per_px`` is
    used only to judge sizes when known. Raises ``FootprintError`` when no print is found.
    """
    full, colour = _as_value(image)
    h, w = full.shape
    k = max(1.0, max(h, w) / WORK_MAX_PX)
    work_size = (max(8, round(w / k)), max(8, round(h / k)))
    work = np.asarray(cv2.resize(full, work_size, interpolation=cv2.INTER_AREA), dtype=np.float32)
    if not np.isfinite(work).all():
        raise FootprintError("the image holds invalid (NaN or infinite) values")
    scale = _WorkScale(kx=w / work_size[0], ky=h / work_size[1], k=k, mm_per_px=mm_per_px)
    page = page_mask(work, _work_colour(colour, work))
    ink, wide = _ink_map(full, work, colour, page, scale)
    threshold, pale = _threshold_map(ink, page, scale)
    if wide is not None:
        ink = _bridge_pale_ink(ink, wide, pale & _print_hull(ink > threshold))
    binary = _drop_strokes(_fill_small_holes(_drop_soft_shadows(ink > threshold, ink)))
    groups = _group_feet(binary, filter_marks=True)
    if not groups:
        raise FootprintError(NO_PRINT)
    if max(int(g.sum()) for g in groups) < MIN_PRINT_SHARE * binary.size:
        raise FootprintError(NO_PRINT + " (only small marks were found)")
    margin = (ink - threshold).astype(np.float32)
    return [_full_resolution(g, margin, binary, scale, (h, w)) for g in groups]


@dataclass(frozen=True)
class _WorkScale:
    """The working copy's size relative to the image: full pixels per work pixel (kx, ky; k overall)."""

    kx: float
    ky: float
    k: float
    mm_per_px: float | None

    def work_px(self, mm: float, otherwise: float) -> float:
        """``mm`` in work pixels when the scale is known, else ``otherwise`` work pixels."""
        return otherwise if self.mm_per_px is None else mm / max(self.mm_per_px * self.k, 1e-6)


def _as_value(image: NDArray[np.generic]) -> tuple[NDArray[np.uint8] | F32, U8 | None]:
    """The brightness to segment (brightest channel of colour) and the colour image, if any."""
    img = np.asarray(image)
    if img.ndim == 3 and img.shape[2] == 1:
        img = img[..., 0]
    colour = np.asarray(img[..., :3], dtype=np.uint8) if img.ndim == 3 else None
    value = ink_value(img)
    if value.ndim != 2 or min(value.shape) < 8:
        raise FootprintError(
            "the image is too small to hold a footprint: use a scan or photo of the whole foot"
        )
    full = (
        np.asarray(value, dtype=np.uint8) if value.dtype == np.uint8 else np.asarray(value, dtype=np.float32)
    )
    return full, colour


def _work_colour(colour: U8 | None, work: F32) -> U8 | None:
    if colour is None:
        return None
    return np.asarray(
        cv2.resize(colour, (work.shape[1], work.shape[0]), interpolation=cv2.INTER_AREA), np.uint8
    )


def _ink_map(
    full: NDArray[np.uint8] | F32, work: F32, colour: U8 | None, page: Mask, scale: _WorkScale
) -> tuple[F32, F32 | None]:
    """How dark the ink is at each work pixel (paper 0), with colour print, the table and texture handled.

    For textured ink also the same closed ``BRIDGE_PERIODS`` periods wide (else None), which bridges
    the gaps of pale, broken lines (see ``_bridge_pale_ink``).

    Light is divided out by a quadratic paper surface; when the ink is a grid or dots (a peak in the
    spectrum, ``_ink_pitch_px``) the paper level is instead the local maximum over a few periods
    (``texture_background``), which also removes shadows, the table and solid printed bands, and the
    texture is then closed at its own scale (grey closing with a disc 1.5 periods wide) and smoothed,
    so grid ink reads as one print even where its lines are thin.
    """
    surface = paper_surface(work, page)
    ink = 1.0 - work / surface
    ink[~page] = 0.0
    pitch = _ink_pitch_px(full, ink, scale.kx, scale.ky)
    if pitch > 0:
        background = texture_background(full, pitch, (work.shape[1], work.shape[0]))
    else:
        across = scale.work_px(PRINT_ACROSS_MM, PRINT_ACROSS_SHARE * max(work.shape))
        background = np.minimum(surface, closed_background(work, page, across))
    ink = 1.0 - work / np.maximum(background, 1e-3)
    ink[~page] = 0.0
    small = _work_colour(colour, work)
    if small is not None:
        paper = page & (ink < 0.08)
        if paper.any():
            chroma = small.max(2).astype(np.float32) - small.min(2).astype(np.float32)
            marks = colour_marks(small, float(np.median(work[paper])), float(np.median(chroma[paper])))
            ink[np.asarray(cv2.dilate(marks.view(np.uint8), np.ones((3, 3), np.uint8)), bool)] = 0.0
    period = pitch / scale.k
    sigma = max(0.6, 0.45 * period, min(scale.work_px(0.25, 0.0), 1.5))
    if period < 2.5:
        return _smooth(ink, sigma), None
    return _smooth(_grey_close(ink, 1.5 * period), sigma), _smooth(
        _grey_close(ink, BRIDGE_PERIODS * period), sigma
    )


def _grey_close(ink: F32, across: float) -> F32:
    size = round(across) | 1
    disc = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (size, size))
    return np.asarray(cv2.morphologyEx(ink, cv2.MORPH_CLOSE, disc), dtype=np.float32)


def _smooth(ink: F32, sigma: float) -> F32:
    return np.asarray(cv2.GaussianBlur(np.maximum(ink, 0.0), (0, 0), sigma), dtype=np.float32)


def _threshold_map(ink: F32, page: Mask, scale: _WorkScale) -> tuple[F32, Mask]:
    """Where ink begins, per pixel: halfway between the paper and the local ink, never above the global level.

    Halfway to the *local* ink (the darkest ink within a few millimetres) puts the edge of pale ink (a
    wet print's arch, thin grid lines) at its own half contrast; the floor, a quarter of the way from
    paper to the typical ink, keeps paper texture out. Also returns where the local ink is *pale* (lighter
    than the typical ink).
    """
    paper, inked = _ink_classes(ink[page] if page.any() else ink.ravel())
    radius = max(3, round(scale.work_px(3.0, 0.012 * max(ink.shape))))
    disc = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * radius + 1, 2 * radius + 1))
    local = np.asarray(cv2.dilate(ink, disc), dtype=np.float32)
    level = (paper + inked) / 2
    floor = paper + PALE_SHARE * (inked - paper)
    threshold = np.asarray(np.clip((paper + local) / 2, floor, level), dtype=np.float32)
    return threshold, np.asarray(local < inked, dtype=bool)


def _print_hull(binary: Mask) -> Mask:
    """The convex hull of the thick parts of the ink (heels, balls, whole prints), not of lines or text.

    The parts' cores (deeper inside than ``CORE_SHARE`` of the thickest part's half-width) are hulled
    and the hull grown back by that depth, so it follows the outlines of the thick parts.
    """
    dist = np.asarray(cv2.distanceTransform(binary.view(np.uint8), cv2.DIST_L2, 3), dtype=np.float32)
    depth = CORE_SHARE * float(dist.max())
    ys, xs = np.nonzero(dist > depth)
    hull = np.zeros(binary.shape, np.uint8)
    if xs.size < 3:
        return hull.view(bool)
    cv2.fillConvexPoly(hull, cv2.convexHull(np.stack([xs, ys], 1).astype(np.int32)), 1)
    size = 2 * round(depth) + 1
    return np.asarray(cv2.dilate(hull, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (size, size))), bool)


def _bridge_pale_ink(ink: F32, wide: F32, pale: Mask) -> F32:
    """Grid ink closed across its gaps where it is pale (the arch), but not between dark parts (the toes).

    Where the membrane barely touched, its lines are thin and break up over a few periods, and closed
    at 1.5 periods the print's edge there falls below the threshold in bits. Where the darkest ink
    nearby is pale (``pale``), the ink closed ``BRIDGE_PERIODS`` periods wide (``wide``) is taken
    instead; next to dark ink (between toes, between the toes and the ball) the gaps stay open, and
    only inside the hull of the print's thick parts (``_print_hull``), so that a ruler's ticks or text
    beside a heel are not closed into a block joined to it.
    """
    return np.asarray(np.where(pale, np.maximum(ink, wide), ink), dtype=np.float32)


def _drop_soft_shadows(binary: Mask, ink: F32) -> Mask:
    """Remove dark regions with soft edges: cast shadows, whose penumbra is far wider than a print's edge.

    A print's edge rises from paper to ink within a millimetre or two; a shadow's over a centimetre or
    more. Each region's edge width is its contrast over the mean slope of the ink map along its
    border; a region whose edge is wider than ``SOFT_EDGE_SHARE`` of the picture's long side is a shadow.
    """
    n, labels, stats, _ = cv2.connectedComponentsWithStats(binary.view(np.uint8), connectivity=8)
    if n <= 1:
        return binary
    large = [i for i in range(1, n) if stats[i, cv2.CC_STAT_AREA] >= SHADOW_MIN_SHARE * binary.size]
    if not large:
        return binary
    gx = cv2.Sobel(ink, cv2.CV_32F, 1, 0, ksize=3) / 8
    gy = cv2.Sobel(ink, cv2.CV_32F, 0, 1, ksize=3) / 8
    filled = _fill_holes(binary)  # outer edges only: holes inside a print are not its edge
    border = filled & ~np.asarray(cv2.erode(filled.view(np.uint8), np.ones((3, 3), np.uint8)), dtype=bool)
    lab = np.asarray(labels, dtype=np.int32)
    by, bx = np.nonzero(border)
    border_label = lab[by, bx]
    slope = np.hypot(gx[by, bx], gy[by, bx])  # on the borders only
    soft = np.zeros(n, bool)
    for i in large:
        edge = border_label == i
        if not edge.any():  # a mark inside a hole of another region
            continue
        x, y, w, h = (int(v) for v in stats[i, :4])
        contrast = float(ink[y : y + h, x : x + w][lab[y : y + h, x : x + w] == i].mean())
        edge_px = contrast / max(float(np.median(slope[edge])), 1e-6)
        soft[i] = edge_px > SOFT_EDGE_SHARE * max(binary.shape)
    return np.asarray(binary & ~soft[lab], dtype=bool)


def _fill_small_holes(binary: Mask) -> Mask:
    """Fill the holes smaller than a print could be: paper showing through pale, broken grid ink.

    At the arch the membrane's lines are thin and broken, so the print is riddled with small gaps; the
    stroke opening that follows would fray it from inside and cut into it. A hole larger than
    ``MIN_PRINT_SHARE`` of the picture (the inside of a printed frame, the paper between two prints)
    is kept.
    """
    contours, hierarchy = cv2.findContours(binary.view(np.uint8), cv2.RETR_CCOMP, cv2.CHAIN_APPROX_SIMPLE)
    if hierarchy is None:
        return binary
    limit = MIN_PRINT_SHARE * binary.size
    holes = [
        c
        for c, (_, _, _, parent) in zip(contours, hierarchy[0], strict=True)
        if parent >= 0 and cv2.contourArea(c) < limit
    ]
    if not holes:
        return binary
    out = binary.view(np.uint8).copy()
    cv2.drawContours(out, holes, -1, 1, thickness=cv2.FILLED)
    return out.view(bool)


def _drop_strokes(binary: Mask) -> Mask:
    """Remove lines thinner than a few millimetres (pen strokes, printed frames, text, ruler ticks).

    A morphological opening with a disc ``STROKE_SHARE`` of the thickest mark's thickness (about 3 mm on
    an adult heel): strokes that touch the print are cut away from it, while toes and the print stay.
    """
    dist = np.asarray(cv2.distanceTransform(binary.view(np.uint8), cv2.DIST_L2, 3), dtype=np.float32)
    size = round(2.0 * float(dist.max()) * STROKE_SHARE) | 1
    if size < 3:
        return binary
    disc = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (size, size))
    return np.asarray(cv2.morphologyEx(binary.view(np.uint8), cv2.MORPH_OPEN, disc), dtype=bool)


def _full_resolution(
    group: Mask, margin: F32, binary: Mask, scale: _WorkScale, shape: tuple[int, int]
) -> Mask:
    """One foot's mask at full resolution: the ink margin interpolated inside the foot's box (sub-pixel edges)."""
    h, w = shape
    filled = _fill_holes(group)
    near = np.asarray(cv2.dilate(filled.view(np.uint8), np.ones((5, 5), np.uint8)), dtype=bool)
    local = np.where(near, margin, -1.0).astype(np.float32)
    holes = filled & ~binary
    local[holes] = np.maximum(local[holes], 0.5)
    bx, by, bw, bh = cv2.boundingRect(near.view(np.uint8))
    x0, y0 = max(0, bx - 2), max(0, by - 2)
    x1, y1 = min(group.shape[1], bx + bw + 2), min(group.shape[0], by + bh + 2)
    kx, ky = scale.kx, scale.ky
    fx0, fy0 = math.floor(x0 * kx), math.floor(y0 * ky)
    fx1, fy1 = min(w, math.ceil(x1 * kx)), min(h, math.ceil(y1 * ky))
    # full pixel (X, Y) sits at work coordinate (X + 0.5) / k - 0.5
    mx = np.array([[1 / kx, 0, (fx0 + 0.5) / kx - 0.5], [0, 1 / ky, (fy0 + 0.5) / ky - 0.5]])
    up = cv2.warpAffine(local, mx, (fx1 - fx0, fy1 - fy0), flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP)
    mask = np.zeros((h, w), bool)
    mask[fy0:fy1, fx0:fx1] = np.asarray(up, np.float32) > 0
    return mask


def segment_pressure(values: NDArray[np.generic], threshold: float) -> list[Mask]:
    """Masks of the feet in a pressure frame (contact where ``values`` > ``threshold``), 1 or 2.

    Grouped like ``segment_prints`` (toes and a split print belong to their foot), ordered left to
    right in the array's columns. Raises ``FootprintError`` when there is no contact.
    """
    arr = np.asarray(values, dtype=np.float64)
    if arr.ndim != 2:
        raise FootprintError("a pressure frame must be a 2-D matrix of sensor values")
    contact = np.nan_to_num(arr, nan=0.0) > threshold
    if not contact.any():
        raise FootprintError(
            "no footprint found: no sensor is above the contact threshold; check the file holds a "
            "standing (static) or peak-pressure frame and the threshold"
        )
    if contact.mean() > MAT_LOADED_AT_MOST:
        raise FootprintError(
            f"{100 * contact.mean():.0f} % of the frame's cells are above the contact threshold, so no "
            "outline of a foot can be told from the mat around it: a pressure-mat export has unloaded "
            "sensors around the foot. Check that the file is a pressure frame, not a table of other "
            "values (e.g. sensor positions or areas), and export the frame again"
        )
    groups = _group_feet(contact, filter_marks=False)
    if not groups:
        raise FootprintError("no footprint found in the pressure frame")
    return [cut_toes_at_valley(g, np.nan_to_num(arr, nan=0.0)) for g in groups]


# ------------------------------------------------------------------------------------------ helpers


def _ink_classes(values: F32) -> tuple[float, float]:
    """Paper and ink tones (medians of Otsu's two classes); raises when there is no contrast."""
    sample = values[:: max(1, values.size // 160_000)].astype(np.float64).ravel()
    t = otsu(sample)
    dark, light = sample[sample > t], sample[sample <= t]
    if dark.size == 0 or light.size == 0:
        raise FootprintError(NO_PRINT)
    paper, inked = float(np.median(light)), float(np.median(dark))
    noise = 1.4826 * float(np.median(np.abs(light - paper)))
    if inked - paper < max(MIN_CONTRAST, PAPER_NOISE_TIMES * noise):
        raise FootprintError(NO_PRINT)
    return paper, inked


def _ink_pitch_px(full: NDArray[np.uint8] | F32, ink: F32, kx: float, ky: float) -> float:
    """Period in full-resolution pixels of dotted or grid ink inside the print, 0 when solid.

    Looks for a sharp peak in the amplitude spectrum of a 256-pixel window centred in the thickest part
    of each of the three largest dark regions (a shadow or a dark band may be the largest; the print
    is then among the others); the first pattern found wins.
    """
    smooth = np.asarray(cv2.GaussianBlur(ink, (0, 0), 5), dtype=np.float32)
    rough = (smooth > otsu(smooth[::4, ::4].astype(np.float64).ravel())).view(np.uint8)
    dist = np.asarray(cv2.distanceTransform(rough, cv2.DIST_L2, 3), dtype=np.float32)
    paper = float(np.percentile(full[:: max(1, full.shape[0] // 300), :: max(1, full.shape[1] // 300)], 90))
    _, labels, stats, _ = cv2.connectedComponentsWithStats(rough, connectivity=8)
    areas = stats[1:, cv2.CC_STAT_AREA]
    for i in np.argsort(-areas)[:3] + 1:
        if stats[i, cv2.CC_STAT_AREA] < BODY_SHARE * areas.max():
            break
        x, y, bw, bh = (int(v) for v in stats[i, :4])
        inside = np.where(labels[y : y + bh, x : x + bw] == i, dist[y : y + bh, x : x + bw], 0)
        _, depth, _, loc = cv2.minMaxLoc(inside)
        centre = (int((loc[0] + x) * kx), int((loc[1] + y) * ky))
        pitch = _window_pitch(full, centre, 1.6 * depth * min(kx, ky), paper)
        if pitch > 0:
            return pitch
    return 0.0


def _window_pitch(
    full: NDArray[np.uint8] | F32, centre: tuple[int, int], across: float, paper: float
) -> float:
    """Period of a lattice (dots or crossed lines) in a square window centred at ``centre``, 0 when none.

    The paper must show between the lines (the window's tones spread over at least ``SEE_THROUGH`` of
    the way from its ink to the paper): solid ink with a grainy or periodic-looking surface is not a
    pattern to close.
    """
    cx, cy = centre
    h, w = full.shape
    size = int(min(256, h, w, across))
    if size < 64:
        return 0.0
    x0 = min(max(cx - size // 2, 0), w - size)
    y0 = min(max(cy - size // 2, 0), h - size)
    crop = full[y0 : y0 + size, x0 : x0 + size].astype(np.float64)
    low, high = np.percentile(crop, [5, 95])
    if high - low < SEE_THROUGH * max(paper - low, 1e-6):
        return 0.0
    gy, gx = np.mgrid[0:size, 0:size] / size - 0.5
    plane = np.stack([np.ones(size * size), gx.ravel(), gy.ravel()], 1)
    coef = least_squares(plane, crop.ravel())
    crop -= (plane @ coef).reshape(size, size)  # lighting gradients are not a pattern
    win = np.hanning(size)
    amp = np.abs(np.fft.fftshift(np.fft.fft2(crop * np.outer(win, win))))
    c = size // 2
    fy, fx = np.mgrid[0:size, 0:size] - c
    r = np.hypot(fx, fy)
    band = (r >= max(4.0, size / 50)) & (r <= size / 2.2)
    vals = amp[band]
    peak = int(np.argmax(vals))
    py, px = fy[band][peak], fx[band][peak]
    inner = amp[c + round(0.6 * py), c + round(0.6 * px)]  # same direction, lower frequency
    # a lattice of dots or lines has a second peak at right angles to the first (±2 bins)
    turned = amp[c + px - 2 : c + px + 3, c - py - 2 : c - py + 3]
    if (
        vals[peak] < 20 * float(np.median(vals))
        or inner > 0.5 * vals[peak]
        or turned.size == 0
        or float(turned.max()) < 0.25 * vals[peak]
    ):
        return 0.0
    return float(size / r[band][peak])


def _components(binary: Mask) -> tuple[int, NDArray[np.int32], NDArray[np.int32]]:
    n, labels, stats, _ = cv2.connectedComponentsWithStats(binary.view(np.uint8), connectivity=8)
    return n, np.asarray(labels, dtype=np.int32), np.asarray(stats, dtype=np.int32)


def _group_feet(binary: Mask, *, filter_marks: bool) -> list[Mask]:
    """Split the contact into feet: large parts grouped by foot shape, small parts to the nearest."""
    n, labels, stats = _components(binary)
    if n <= 1:
        return []
    areas = stats[1:, cv2.CC_STAT_AREA].astype(np.float64)
    ids = list(range(1, n))
    biggest = float(areas.max())
    ids = [i for i in ids if areas[i - 1] >= max(4.0, 0.0015 * biggest)]
    contours: dict[int, NDArray[np.int32]] = {}
    for i in ids:
        x, y, w, h = (int(v) for v in stats[i, :4])
        sub = (labels[y : y + h, x : x + w] == i).view(np.uint8)
        cs, _ = cv2.findContours(sub, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
        contours[i] = np.asarray(max(cs, key=len), dtype=np.int32).reshape(-1, 2) + np.array([x, y], np.int32)
    if filter_marks:
        dist = np.asarray(cv2.distanceTransform(binary.view(np.uint8), cv2.DIST_L2, 3), dtype=np.float32)
        thick: dict[int, float] = {}
        for i in ids:
            x, y, w, h = (int(v) for v in stats[i, :4])
            thick[i] = 2.0 * float(
                np.max(np.where(labels[y : y + h, x : x + w] == i, dist[y : y + h, x : x + w], 0))
            )
        ref = max(thick.values())
        kept = []
        for i in ids:
            (_, _), (rw, rh), _ = cv2.minAreaRect(contours[i].astype(np.float32))
            elong = max(rw, rh) / max(min(rw, rh), 1.0)
            if thick[i] < THIN_SHARE * ref or (elong > ELONGATED and areas[i - 1] < biggest):
                continue
            kept.append(i)
        ids = kept
    if not ids:
        return []
    biggest = max(float(areas[i - 1]) for i in ids)
    bodies = [i for i in ids if areas[i - 1] >= BODY_SHARE * biggest]
    smalls = [i for i in ids if i not in bodies]
    bodies = sorted(bodies, key=lambda i: -areas[i - 1])[:4]
    groups = _best_partition(bodies, contours)
    hulls = [cv2.convexHull(np.concatenate([contours[i] for i in g]).astype(np.float32)) for g in groups]
    lengths = [max(cv2.minAreaRect(hh)[1]) for hh in hulls]
    members: list[list[int]] = [list(g) for g in groups]
    for i in smalls:
        x, y, w, h = (int(v) for v in stats[i, :4])
        c = (x + w / 2.0, y + h / 2.0)
        dists = [-cv2.pointPolygonTest(hh, c, True) for hh in hulls]
        j = int(np.argmin(dists))
        if dists[j] <= TOE_REACH * lengths[j]:
            members[j].append(i)
    masks = []
    for g in members:
        masks.append(np.isin(labels, g))
    order = np.argsort([float(np.mean(hh.reshape(-1, 2)[:, 0])) for hh in hulls])
    return [masks[int(o)] for o in order]


def _best_partition(bodies: list[int], contours: dict[int, NDArray[np.int32]]) -> list[tuple[int, ...]]:
    """One or two groups of large parts whose outlines look most like toe-less feet."""

    def cost(group: tuple[int, ...]) -> float:
        pts = np.concatenate([contours[i] for i in group]).astype(np.float32)
        (_, _), (rw, rh), _ = cv2.minAreaRect(pts)
        aspect = max(rw, rh) / max(min(rw, rh), 1.0)
        return abs(math.log(aspect / FOOT_ASPECT))

    best: list[tuple[int, ...]] = [tuple(bodies)]
    best_cost = cost(tuple(bodies))
    n = len(bodies)
    for r in range(1, n // 2 + 1):
        for first in itertools.combinations(bodies, r):
            if r * 2 == n and bodies[0] not in first:
                continue
            second = tuple(i for i in bodies if i not in first)
            c = cost(first) + cost(second)
            if c < best_cost - 0.05:
                best, best_cost = [first, second], c
    return best


def _fill_holes(mask: Mask) -> Mask:
    """The mask with holes inside each component filled (components are not joined)."""
    m = mask.view(np.uint8).copy()
    contours, _ = cv2.findContours(m, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    out = np.zeros_like(m)
    cv2.drawContours(out, contours, -1, 1, thickness=cv2.FILLED)
    return out.astype(bool)
