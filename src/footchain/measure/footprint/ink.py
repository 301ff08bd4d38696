"""How dark the ink is, pixel by pixel, in a photo or scan of a print: paper, light, colour and texture.

A footprint is dark ink (or a wet mark) on light paper, but a photo also holds the table around the
sheet, uneven light and cast shadows, and what the form itself prints in colour. The steps here turn
the picture into an *ink map* (0 on paper, towards 1 for black ink):

* ``ink_value``: the brightness of each pixel as its brightest colour channel (HSV value), so printed
  colour (a blue title band, a coloured logo, blue biro) reads much lighter than black ink, and
  ``colour_marks`` finds what is far more colourful than the paper (saturated print, biro ink);
* ``page_mask``: the sheet itself, without the table around it (dark regions connected to the picture's
  border that are a large part of the picture);
* ``paper_surface``: a smooth quadratic paper surface, fitted to the paper pixels (light gradients);
* ``closed_background``: under a cast shadow the paper is darker over a region wider than the print;
  a grey closing wider than the print follows it (the page's values are first carried out over the
  table, so a shadow reaching the sheet's edge stays as wide as it is);
* ``texture_background``: for textured (grid or dotted) ink, the paper is seen *between* the lines, so
  the local paper level is the local maximum over a few periods of the texture. Dividing by it removes
  shadows, light gradients, the table and large solid print (bands) at once (a "rolling ball"
  background, Sternberg 1983, with a flat square structuring element).

References
----------
Sternberg SR (1983). Biomedical image processing. Computer 16(1):22-34.
Otsu N (1979). A threshold selection method from gray-level histograms. IEEE Trans Syst Man Cybern
9(1):62-66.
"""

from __future__ import annotations

import cv2
import numpy as np
from numpy.typing import NDArray

Mask = NDArray[np.bool_]
F32 = NDArray[np.float32]
U8 = NDArray[np.uint8]

# A pixel whose colour spread (max − min channel) exceeds the paper's, scaled to its brightness, by more
# than this many grey levels is printed colour or biro, not black ink or a wet mark.
EXCESS_CHROMA = 55.0
# A dark region joined to the picture's border and covering more than this share of it is the table.
TABLE_SHARE = 0.04
OFF_PAPER_VALUE = 0.45  # darker than this share of the paper: not paper (shadows and prints are lighter)
OFF_PAPER_HUE = 0.02  # chromaticity (b, g, r over their sum) this far from the paper's: not paper
THUMB_PX = 320  # long side of the thumbnail the page is found on
CLOSING_PX = 31  # the shadow-following closing is computed where its disc is at most this wide


def ink_value(image: NDArray[np.generic]) -> NDArray[np.generic]:
    """Brightness as the brightest channel of a BGR image (grey images are returned unchanged)."""
    img = np.asarray(image)
    if img.ndim == 3 and img.shape[2] >= 3:
        return np.asarray(img[..., :3].max(axis=2))
    return img


def colour_marks(bgr: U8, paper_value: float, paper_chroma: float) -> Mask:
    """Pixels much more colourful than the paper at their brightness: printed colour and biro ink."""
    img = bgr.astype(np.float32)
    value = img.max(axis=2)
    chroma = value - img.min(axis=2)
    expected = paper_chroma * value / max(paper_value, 1.0)
    return np.asarray(chroma - expected > EXCESS_CHROMA, dtype=bool)


def otsu(values: NDArray[np.float64]) -> float:
    """Otsu's (1979) threshold of a sample of values."""
    lo, hi = float(values.min()), float(values.max())
    if hi - lo < 1e-9:
        return hi
    scaled = ((values - lo) / (hi - lo) * 255).astype(np.uint8).reshape(1, -1)
    t, _ = cv2.threshold(scaled, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    return lo + float(t) / 255 * (hi - lo)


def page_mask(work: F32, colour: U8 | None) -> Mask:
    """The sheet without the table it lies on.

    On a thumbnail, a pixel is *off the paper* when it is far darker than the paper (below
    ``OFF_PAPER_VALUE`` of it: deeper than any cast shadow or faint print) or, in colour, of another
    hue (its chromaticity differs from the paper's by more than ``OFF_PAPER_HUE``: a shadow or a wet
    mark darkens the paper but keeps its hue). Thin lines of such pixels are opened away (a pen stroke
    running off the sheet must not join a print to the table), except along the picture's edge. A region of them joined to the
    picture's border, covering at least ``TABLE_SHARE`` of it and spanning most of one side, is the table (a print is
    never all of that). A picture with no such region (a scan, a close crop) is all page.
    """
    h, w = work.shape
    s = THUMB_PX / max(h, w)
    size = (max(4, round(w * s)), max(4, round(h * s)))
    small = np.asarray(cv2.GaussianBlur(cv2.resize(work, size, interpolation=cv2.INTER_AREA), (0, 0), 1.5))
    paper_value = float(np.percentile(small, 90))
    off = small < OFF_PAPER_VALUE * paper_value
    if colour is not None:
        bgr = np.asarray(
            cv2.GaussianBlur(cv2.resize(colour, size, interpolation=cv2.INTER_AREA), (0, 0), 1.5)
        )
        chroma = bgr.astype(np.float32) / (bgr.astype(np.float32).sum(2, keepdims=True) + 1.0)
        bright = small >= np.percentile(small, 80)
        paper_hue = np.median(chroma[bright], axis=0)
        off |= np.abs(chroma - paper_hue).max(2) > OFF_PAPER_HUE
    # opened, so that a pen stroke running off the sheet does not join a print to the table; a thin
    # strip of table along the picture's edge (the sheet nearly filling the photo) is kept
    opened = cv2.morphologyEx(off.view(np.uint8), cv2.MORPH_OPEN, np.ones((3, 3), np.uint8)).view(bool)
    edge = np.ones(off.shape, bool)
    edge[3:-3, 3:-3] = False
    off = opened | (off & edge)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(off.view(np.uint8), connectivity=4)
    sh, sw = small.shape
    table = np.zeros((sh, sw), bool)
    for i in range(1, n):
        x, y, bw, bh, area = (int(v) for v in stats[i])
        at_border = x == 0 or y == 0 or x + bw == sw or y + bh == sh
        if at_border and area >= TABLE_SHARE * sh * sw and (bw >= 0.9 * sw or bh >= 0.9 * sh):
            table |= labels == i
    if not table.any():
        return np.ones((h, w), bool)
    table = cv2.dilate(table.view(np.uint8), np.ones((5, 5), np.uint8)).astype(bool)
    big = cv2.resize(table.view(np.uint8), (w, h), interpolation=cv2.INTER_NEAREST)
    return np.asarray(big == 0, dtype=bool)


def closed_background(work: F32, page: Mask, across_px: float) -> F32:
    """Paper level under large shadows: a grey closing (Sternberg 1983) wider than the print, smoothed.

    Dark things narrower than ``across_px`` (the print, text, lines) are filled with the paper around
    them; darker regions wider than that (a cast shadow) are kept, so dividing by it evens them out.
    Computed on a thumbnail; the table (outside ``page``) is first filled with the nearest page values.
    """
    h, w = work.shape
    s = min(
        THUMB_PX / max(h, w), CLOSING_PX / max(across_px, 1.0)
    )  # shadows are smooth: a coarse copy will do
    size = (max(4, round(w * s)), max(4, round(h * s)))
    small = np.asarray(cv2.resize(work, size, interpolation=cv2.INTER_AREA), dtype=np.float32)
    inside = np.asarray(cv2.resize(page.view(np.uint8), size, interpolation=cv2.INTER_NEAREST), bool)
    if inside.any() and not inside.all():
        small = _extend_page(small, inside)
    k = max(3, round(across_px * s)) | 1
    disc = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k))
    pad = k // 2 + 1
    padded = cv2.copyMakeBorder(small, pad, pad, pad, pad, cv2.BORDER_REPLICATE)
    closed = cv2.morphologyEx(padded, cv2.MORPH_CLOSE, disc)[pad:-pad, pad:-pad]
    smooth = cv2.GaussianBlur(closed, (0, 0), max(1.0, k / 16))
    return np.asarray(cv2.resize(smooth, (w, h), interpolation=cv2.INTER_LINEAR), dtype=np.float32)


def _extend_page(small: F32, inside: Mask) -> F32:
    """The page's values carried out over the table, each table pixel taking its nearest page pixel's.

    A cast shadow that reaches the sheet's edge then goes on beyond it, as it does on the table, so
    the closing sees it as wide as it is instead of as a band narrower than the print.
    """
    _, nearest = cv2.distanceTransformWithLabels(
        (~inside).view(np.uint8), cv2.DIST_L2, 5, labelType=cv2.DIST_LABEL_PIXEL
    )
    return np.asarray(small[inside][np.asarray(nearest) - 1], dtype=np.float32)


def least_squares(design: NDArray[np.float64], values: NDArray[np.float64]) -> NDArray[np.float64]:
    """Least-squares coefficients by the normal equations: a few unknowns, so this is far faster than SVD."""
    return np.asarray(np.linalg.solve(design.T @ design, design.T @ values), dtype=np.float64)


def paper_surface(work: F32, page: Mask | None = None) -> F32:
    """A smooth paper surface: a quadratic fitted to the paper pixels of the page (Otsu's light class), thrice."""
    h, w = work.shape
    s = 160.0 / max(h, w)
    size = (max(4, round(w * s)), max(4, round(h * s)))
    small = np.asarray(cv2.resize(work, size, interpolation=cv2.INTER_AREA), dtype=np.float64)
    inside = (
        np.ones(small.shape, bool)
        if page is None
        else np.asarray(cv2.resize(page.view(np.uint8), size, interpolation=cv2.INTER_NEAREST), bool)
    )
    sh, sw = small.shape
    yy, xx = np.mgrid[0:sh, 0:sw]
    u, v = xx.ravel() / max(sw - 1, 1) - 0.5, yy.ravel() / max(sh - 1, 1) - 0.5
    design = np.stack([np.ones_like(u), u, v, u * u, u * v, v * v], 1)
    vals = small.ravel()
    ok = inside.ravel()
    surface = np.full_like(vals, np.median(vals[ok]) if ok.any() else np.median(vals))
    for _ in range(3):
        ratio = vals / np.maximum(surface, 1e-6)
        paper = ok & (ratio > otsu(ratio[ok] if ok.any() else ratio))
        if paper.sum() < 12:
            break
        coef = least_squares(design[paper], vals[paper])
        surface = design @ coef
    surf = np.maximum(surface.reshape(sh, sw), 1e-3).astype(np.float32)
    return np.asarray(cv2.resize(surf, (w, h), interpolation=cv2.INTER_LINEAR), dtype=np.float32)


def texture_background(full: NDArray[np.generic], pitch_px: float, work_size: tuple[int, int]) -> F32:
    """Local paper level for textured ink, at the work size: the maximum over ~3 texture periods, smoothed.

    Between the lines of a grid (or the dots of a dotted print) the paper shows, so the brightest pixel
    within a few periods is paper even inside the print; light, shadows and the table are followed.
    """
    size = max(3, round(3.0 * pitch_px)) | 1
    top = cv2.dilate(np.asarray(full), np.ones((size, size), np.uint8))
    small = np.asarray(cv2.resize(top, work_size, interpolation=cv2.INTER_AREA), dtype=np.float32)
    sigma = max(1.0, 0.5 * size * work_size[0] / full.shape[1])
    return np.asarray(cv2.GaussianBlur(small, (0, 0), sigma), dtype=np.float32)
