"""Find the footprints in a grey image (ink or wet print on paper) or a pressure frame.

Steps for an image (dark ink on light paper):

1. work on a copy shrunk to at most ``WORK_MAX_PX`` on its long side (area averaging);
2. dotted or grid-patterned ink (Harris mat, podoscope sheets) is found by the peak of the image's
   spectrum inside the print and smoothed away with a Gaussian about half its period wide;
3. uneven lighting is divided out: a quadratic surface is fitted to the paper (the pixels above the
   Otsu threshold), twice;
4. ink is what lies darker than halfway between the paper and the ink (Otsu's two class means);
5. thin or elongated marks (ruler, lines, printed text) and specks are removed by shape: thickness
   (twice the largest inscribed radius) and elongation of each component, relative to the largest;
6. components are grouped into feet: the large ones (heel, forefoot, or the whole print) are split
   into one or two groups whose outline looks most like a toe-less foot (length about twice the
   width), so a split high-arch print stays one foot and two feet side by side stay two; the small
   ones (toes) join the nearest foot when they are close to it;
7. each foot's mask is brought back to full resolution by interpolating the ink map, so its edges
   are placed to a fraction of a pixel.

A pressure frame is contact where the value exceeds a threshold, grouped the same way; toes that join
the forefoot through low-pressure cells are cut off along that valley (a watershed of the pressure),
so that the toe exclusion of Cavanagh & Rodgers (1987) can see them.
"""

from __future__ import annotations

import heapq
import itertools
import math

import cv2
import numpy as np
from numpy.typing import NDArray

from footchain.errors import FootprintError

Mask = NDArray[np.bool_]
F32 = NDArray[np.float32]
U8 = NDArray[np.uint8]

WORK_MAX_PX = 1200  # long side of the working copy
MIN_CONTRAST = 0.15  # ink must be at least 15 % darker than paper
MIN_PRINT_SHARE = 0.002  # the largest ink component must cover this share of the image
BODY_SHARE = 0.2  # components at least this share of the largest are heel/forefoot/whole prints
TOE_REACH = 0.25  # a small component joins a foot when within this share of the foot's length
FOOT_ASPECT = 2.1  # length / width of a toe-less print, about
THIN_SHARE = 0.07  # thinner than this share of the largest component's thickness: a line or text
ELONGATED = 5.0  # long side / short side above this: a line or a ruler
TOE_MARKER = 0.2  # pressure: regions above this share of the foot's peak seed the toe/ball watershed

NO_PRINT = (
    "no footprint found: the image shows no dark print on light paper. Check that the picture shows "
    "the whole print, with even light, and that the ink or wet print is dark enough to see"
)


def segment_prints(gray: NDArray[np.generic], *, mm_per_px: float | None) -> list[Mask]:
    """Masks of the footprints in a grey image of dark ink on light paper, one per foot (1 or 2).

    The masks are in the pixels of ``gray``, ordered left to right in the image; which is the left or
    right foot is decided later from each print's shape. ``mm_per_px`` is used only to judge sizes
    when known. Raises ``FootprintError`` when no print is found or more than two feet are seen.
    """
    img = np.asarray(gray)
    if img.ndim == 3:
        img = cv2.cvtColor(img.astype(np.uint8), cv2.COLOR_BGR2GRAY)
    if img.ndim != 2 or min(img.shape) < 8:
        raise FootprintError(
            "the image is too small to hold a footprint: use a scan or photo of the whole foot"
        )
    full: NDArray[np.uint8] | NDArray[np.float32] = (
        np.asarray(img, dtype=np.uint8) if img.dtype == np.uint8 else np.asarray(img, dtype=np.float32)
    )
    h, w = full.shape
    k = max(1.0, max(h, w) / WORK_MAX_PX)
    work_size = (max(8, round(w / k)), max(8, round(h / k)))
    work = np.asarray(cv2.resize(full, work_size, interpolation=cv2.INTER_AREA), dtype=np.float32)
    if not np.isfinite(work).all():
        raise FootprintError("the image holds invalid (NaN or infinite) values")
    kx, ky = w / work_size[0], h / work_size[1]

    norm = _flatten_light(work)
    ink = 1.0 - norm  # paper ≈ 0, ink > 0
    # a periodic ink pattern (dots, grid) is smoothed to a uniform tone
    pitch = _ink_pitch_px(full, ink, kx, ky)
    sigma_mm = 0.25 if mm_per_px is None else 0.25 / max(mm_per_px * k, 1e-6)
    sigma = max(0.6, 0.45 * pitch / k, min(sigma_mm, 1.5))
    ink = np.asarray(cv2.GaussianBlur(ink, (0, 0), sigma), dtype=np.float32)
    level = _ink_level(ink)
    binary = ink > level
    groups = _group_feet(binary, filter_marks=True)
    if not groups:
        raise FootprintError(NO_PRINT)
    area = binary.size
    if max(int(g.sum()) for g in groups) < MIN_PRINT_SHARE * area:
        raise FootprintError(NO_PRINT + " (only small marks were found)")

    masks: list[Mask] = []
    for g in groups:
        filled = _fill_holes(g)
        near = np.asarray(cv2.dilate(filled.view(np.uint8), np.ones((5, 5), np.uint8)), dtype=bool)
        local = np.where(near, ink, 0.0).astype(np.float32)
        local[filled & ~binary] = np.maximum(local[filled & ~binary], level * 1.5)
        # back to full resolution inside the print's box only: edges placed by interpolation
        bx, by, bw, bh = cv2.boundingRect(near.view(np.uint8))
        x0, y0 = max(0, bx - 2), max(0, by - 2)
        x1, y1 = min(work_size[0], bx + bw + 2), min(work_size[1], by + bh + 2)
        fx0, fy0 = math.floor(x0 * kx), math.floor(y0 * ky)
        fx1, fy1 = min(w, math.ceil(x1 * kx)), min(h, math.ceil(y1 * ky))
        # full pixel (X, Y) sits at work coordinate (X + 0.5) / k - 0.5
        mx = np.array([[1 / kx, 0, (fx0 + 0.5) / kx - 0.5], [0, 1 / ky, (fy0 + 0.5) / ky - 0.5]])
        up = cv2.warpAffine(local, mx, (fx1 - fx0, fy1 - fy0), flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP)
        mask = np.zeros((h, w), bool)
        mask[fy0:fy1, fx0:fx1] = np.asarray(up, np.float32) > level
        masks.append(mask)
    return masks


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
    groups = _group_feet(contact, filter_marks=False)
    if not groups:
        raise FootprintError("no footprint found in the pressure frame")
    return [_cut_toes_at_valley(g, np.nan_to_num(arr, nan=0.0)) for g in groups]


# ------------------------------------------------------------------------------------------ helpers


def _cut_toes_at_valley(foot: Mask, values: NDArray[np.float64]) -> Mask:
    """Separate toes that touch the ball in a pressure frame, along the low-pressure valley between them.

    On a pressure frame the toes often join the forefoot through cells of low pressure. A watershed of
    the pressure (markers: regions above ``TOE_MARKER`` of the foot's peak) puts its lines along those
    valleys; the lines between a small basin at the front end of the foot (a toe) and the rest are
    removed from the contact, so that the toe exclusion of Cavanagh & Rodgers sees separate toes.
    Lines elsewhere (e.g. across a low-pressure midfoot) are kept as contact.
    """
    vals = np.where(foot, values, 0.0)
    peak = float(vals.max())
    if peak <= 0:
        return foot
    markers_bin = (vals > TOE_MARKER * peak).view(np.uint8)
    n, labels, _, cents = cv2.connectedComponentsWithStats(markers_bin, connectivity=8)
    if n <= 2:
        return foot
    ys, xs = np.nonzero(foot)
    pts = np.stack([xs, ys], 1).astype(np.float64)
    centre = pts.mean(0)
    evals, evecs = np.linalg.eigh(np.cov((pts - centre).T))
    axis = evecs[:, int(np.argmax(evals))]
    s = (pts - centre) @ axis
    lo, hi = float(s.min()), float(s.max())
    area = float(foot.sum())
    marks = np.asarray(labels, dtype=np.int32) + 1  # ≥ 2: markers
    marks[marks == 1] = 0  # contact to flood
    marks[~foot] = 1  # no contact
    basins = _flood(marks, vals)
    sizes = {i + 1: float((basins == i + 1).sum()) for i in range(1, n)}
    ends = []
    for i in range(1, n):
        ms = (np.asarray(cents[i], dtype=np.float64) - centre) @ axis
        ends.append(-1 if ms < lo + 0.3 * (hi - lo) else (1 if ms > hi - 0.3 * (hi - lo) else 0))
    small = [sizes[i + 1] < 0.12 * area for i in range(1, n)]
    front = 0
    for end in (-1, 1):  # the toe end is the one with small basins; the heel is one large basin
        if any(sm and e == end for sm, e in zip(small, ends, strict=True)):
            front = end if front == 0 else 0  # small basins at both ends: leave the print alone
    if front == 0:
        return foot
    toe_ids = {i + 1 for i in range(1, n) if small[i - 1] and ends[i - 1] == front}
    is_toe = np.isin(basins, list(toe_ids))
    rest = (basins > 1) & ~is_toe
    kernel = np.ones((3, 3), np.uint8)
    near_toe = np.asarray(cv2.dilate(is_toe.view(np.uint8), kernel), dtype=bool)
    near_rest = np.asarray(cv2.dilate(rest.view(np.uint8), kernel), dtype=bool)
    cut = (basins == -1) & near_toe & near_rest & foot
    return np.asarray(foot & ~cut, dtype=bool)


def _flood(marks: NDArray[np.int32], values: NDArray[np.float64]) -> NDArray[np.int32]:
    """Watershed by priority flood from the pressure peaks downwards (0: to flood, 1: outside).

    A cell reached from two different basins becomes a line (-1). Pressure frames are small, so a
    heap over their cells is quick.
    """
    out = marks.copy()
    h, w = out.shape
    heap: list[tuple[float, int, int]] = []
    queued = np.zeros((h, w), bool)
    steps = ((-1, 0), (1, 0), (0, -1), (0, 1), (-1, -1), (-1, 1), (1, -1), (1, 1))
    for r, c in zip(*np.nonzero(out >= 2), strict=True):
        for dr, dc in steps:
            rr, cc = r + dr, c + dc
            if 0 <= rr < h and 0 <= cc < w and out[rr, cc] == 0 and not queued[rr, cc]:
                queued[rr, cc] = True
                heapq.heappush(heap, (-float(values[rr, cc]), int(rr), int(cc)))
    while heap:
        _, r, c = heapq.heappop(heap)
        seen = set()
        for dr, dc in steps:
            rr, cc = r + dr, c + dc
            if 0 <= rr < h and 0 <= cc < w and out[rr, cc] >= 2:
                seen.add(int(out[rr, cc]))
        out[r, c] = seen.pop() if len(seen) == 1 else -1
        if out[r, c] == -1:
            continue
        for dr, dc in steps:
            rr, cc = r + dr, c + dc
            if 0 <= rr < h and 0 <= cc < w and out[rr, cc] == 0 and not queued[rr, cc]:
                queued[rr, cc] = True
                heapq.heappush(heap, (-float(values[rr, cc]), rr, cc))
    return out


def _flatten_light(work: F32) -> F32:
    """The image divided by a smooth paper surface (quadratic fit to paper pixels): paper ≈ 1."""
    h, w = work.shape
    s = 160.0 / max(h, w)
    small = np.asarray(
        cv2.resize(work, (max(4, round(w * s)), max(4, round(h * s))), interpolation=cv2.INTER_AREA),
        dtype=np.float64,
    )
    sh, sw = small.shape
    yy, xx = np.mgrid[0:sh, 0:sw]
    u, v = xx.ravel() / max(sw - 1, 1) - 0.5, yy.ravel() / max(sh - 1, 1) - 0.5
    design = np.stack([np.ones_like(u), u, v, u * u, u * v, v * v], 1)
    vals = small.ravel()
    surface = np.full_like(vals, np.median(vals))
    for _ in range(3):
        ratio = vals / np.maximum(surface, 1e-6)
        paper = ratio > _otsu(ratio)
        if paper.sum() < 12:
            break
        coef = _least_squares(design[paper], vals[paper])
        surface = design @ coef
    surf = np.maximum(surface.reshape(sh, sw), 1e-3).astype(np.float32)
    big = np.asarray(cv2.resize(surf, (w, h), interpolation=cv2.INTER_LINEAR), dtype=np.float32)
    return np.asarray(work / big, dtype=np.float32)


def _least_squares(design: NDArray[np.float64], values: NDArray[np.float64]) -> NDArray[np.float64]:
    """Least-squares coefficients by the normal equations: a few unknowns, so this is far faster than SVD."""
    return np.asarray(np.linalg.solve(design.T @ design, design.T @ values), dtype=np.float64)


def _otsu(values: NDArray[np.float64]) -> float:
    lo, hi = float(values.min()), float(values.max())
    if hi - lo < 1e-9:
        return hi
    scaled = ((values - lo) / (hi - lo) * 255).astype(np.uint8).reshape(1, -1)
    t, _ = cv2.threshold(scaled, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    return lo + float(t) / 255 * (hi - lo)


def _ink_level(ink: F32) -> float:
    """Halfway between paper and ink (Otsu's class means); raises when there is no contrast."""
    sample = ink[:: max(1, ink.shape[0] // 400), :: max(1, ink.shape[1] // 400)].astype(np.float64).ravel()
    t = _otsu(sample)
    dark, light = sample[sample > t], sample[sample <= t]
    if dark.size == 0 or light.size == 0 or float(dark.mean() - light.mean()) < MIN_CONTRAST:
        raise FootprintError(NO_PRINT)
    # the paper is the mode of the light class; the print's tone is its dark class
    paper = float(np.median(light))
    inked = float(np.median(dark))
    return (paper + inked) / 2


def _ink_pitch_px(full: NDArray[np.uint8] | F32, ink: F32, kx: float, ky: float) -> float:
    """Period in full-resolution pixels of dotted or grid ink inside the print, 0 when solid.

    Looks for a sharp peak in the amplitude spectrum of a 256-pixel window centred in the darkest,
    thickest part of the print.
    """
    smooth = np.asarray(cv2.GaussianBlur(ink, (0, 0), 5), dtype=np.float32)
    rough = (smooth > _otsu(smooth[::4, ::4].astype(np.float64).ravel())).view(np.uint8)
    dist = np.asarray(cv2.distanceTransform(rough, cv2.DIST_L2, 3), dtype=np.float32)
    _, depth, _, loc = cv2.minMaxLoc(dist)
    cx, cy = int(loc[0] * kx), int(loc[1] * ky)
    h, w = full.shape
    size = int(min(256, h, w, 1.6 * depth * min(kx, ky)))
    if size < 40:
        return 0.0
    x0 = min(max(cx - size // 2, 0), w - size)
    y0 = min(max(cy - size // 2, 0), h - size)
    crop = full[y0 : y0 + size, x0 : x0 + size].astype(np.float64)
    gy, gx = np.mgrid[0:size, 0:size] / size - 0.5
    plane = np.stack([np.ones(size * size), gx.ravel(), gy.ravel()], 1)
    coef = _least_squares(plane, crop.ravel())
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
