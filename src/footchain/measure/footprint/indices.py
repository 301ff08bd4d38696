"""Footprint indices from one print's mask: foot axis, toe exclusion, thirds, AI, CSI, Staheli, Clarke.

The method follows Cavanagh & Rodgers (1987): the foot axis runs from the centre of the heel to the tip
of the second toe; a line perpendicular to it touches the back of the heel, another touches the front of
the print *without the toes*; contact in front of that line is toes and is left out; the axis between
the two lines is cut into equal thirds, forefoot A, midfoot B and heel C.

Every measure is taken in the foot's own frame: the mask is resampled (bilinear) onto a grid whose rows
are perpendicular to the axis, so a "width" is the contact length of one row, perpendicular to the axis.

References
----------
Cavanagh PR, Rodgers MM (1987). The arch index: a useful measure from footprints. J Biomech 20(5):547-551.
Chippaux C (1947), Smirak (1960): the Chippaux-Smirak index, narrowest midfoot over widest forefoot width.
Staheli LT, Chew DE, Corbett M (1987). The longitudinal arch. J Bone Joint Surg Am 69(3):426-428.
Clarke HH (1933). An objective method of measuring the height of the longitudinal arch in foot
examinations. Res Q Am Phys Educ Assoc 4:99-107.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import cv2
import numpy as np
from numpy.typing import NDArray

from footchain.errors import FootprintError
from footchain.knowledge import load_knowledge
from footchain.measure.footprint.result import InputKind, Point, PrintGeometry, PrintMeasurement, Segment

Side = Literal["left", "right", "unknown"]
F32 = NDArray[np.float32]
F64 = NDArray[np.float64]
Mask = NDArray[np.bool_]

WORK_LENGTH_PX = 600.0  # the print is resampled so that it is about this long (speed, and tiny inputs)
MIN_AREA_PX = 150  # fewer contact pixels than this: nothing to measure
BODY_SHARE = 0.25  # a component is part of the toe-less print if ≥ this share of the largest one
HEEL_SLAB = 0.12  # heel centre: centroid of the rearmost 12 % of the toe-less print
LOW_RESOLUTION_PX = 150  # warn when the print is shorter than this many pixels
ADULT_LENGTH_MM = (120.0, 380.0)


@dataclass(frozen=True)
class _Frame:
    """The foot frame: image point = origin + s·d + t·n (work pixels); rows are s, columns t."""

    origin: F64
    d: F64  # unit vector, heel → toe
    n: F64  # unit vector, d turned +90° in image coordinates (x right, y down)
    s0: float
    t0: float
    rows: int
    cols: int

    def matrix(self) -> F64:
        """Affine map from (column, row) of the frame image to work-image (x, y)."""
        o = self.origin + self.s0 * self.d + self.t0 * self.n
        return np.array([[self.n[0], self.d[0], o[0]], [self.n[1], self.d[1], o[1]]])

    def warp(self, img: F32) -> F32:
        out = cv2.warpAffine(
            img,
            self.matrix(),
            (self.cols, self.rows),
            flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
            borderMode=cv2.BORDER_CONSTANT,
            borderValue=0.0,
        )
        return np.asarray(out, dtype=np.float32)

    def to_work(self, s: float, t: float) -> F64:
        """(s, t) in frame pixels (row, column coordinates) → work-image point."""
        return np.asarray(self.origin + (self.s0 + s) * self.d + (self.t0 + t) * self.n, dtype=np.float64)


@dataclass(frozen=True)
class _Toes:
    labels: NDArray[np.int32]  # frame image, 0 = no toe
    count: int
    areas: F64
    t_centre: F64  # column of each toe's centroid
    tip_s: F64  # most distal row of each toe
    tip_t: F64  # column at that row


def measure_print(mask: NDArray[np.bool_], *, mm_per_px: float | None, kind: InputKind) -> PrintMeasurement:
    """Measure one footprint: side, Arch Index, Chippaux-Smirak, Staheli, Clarke's angle, length, width.

    ``mask`` is the contact area of one foot (toes included) in image pixels. The foot axis runs from
    the heel centre (centroid of the rearmost slab of the print) to the tip of the second toe, refined
    by iteration from the principal axis; toes are the contact in front of the toe line of Cavanagh &
    Rodgers (1987), found as separate blobs or, when they touch the ball, as narrow peaks of the front
    profile. Then, on equal thirds A (forefoot), B (midfoot), C (heel) between the heel and toe lines:

    * Arch Index = area B / area (A + B + C) (Cavanagh & Rodgers 1987, J Biomech 20:547);
    * Chippaux-Smirak = narrowest width in B / widest width in A × 100 (Chippaux 1947; Smirak 1960);
      0 for a split print;
    * Staheli = narrowest width in B / widest width in C (Staheli et al. 1987, JBJS 69-A:426);
    * Clarke's angle between the medial tangent of the print and the line from its forefoot tangent
      point to the deepest point of the medial arch (Clarke 1933); None for a split print;
    * foot length from the back of the heel to the most distal toe along the axis, foot width = widest
      forefoot width perpendicular to it, in mm when ``mm_per_px`` is known.

    The side comes from the shape (big toe and arch on the medial side, the first metatarsal head
    reaching further forward than the fifth), never from the print's position. The arch type comes from
    the knowledge table of the input kind (``arch_index_footprint`` for photo/scan,
    ``arch_index_pressure`` for pressure).

    Raises ``FootprintError`` when there is too little contact to measure.
    """
    full, warnings = _checked_mask(mask)
    work = _WorkPrint.of(full)
    body, kept = _split_components(work.binary)
    if not body.any():
        raise FootprintError("no footprint found in the mask: the contact area is empty after resampling")
    body_f = np.where(body, work.values, 0).astype(np.float32)
    full_f = np.where(kept, work.values, 0).astype(np.float32)
    contours, _ = cv2.findContours(kept.view(np.uint8), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    kept_pts = np.concatenate([c.reshape(-1, 2) for c in contours]).astype(np.float64)

    frame = _foot_frame(body, kept, kept_pts, body_f, full_f)
    body_c = frame.warp(body_f)
    toeless, toes = _exclude_toes(body_c >= 0.5, frame.warp(full_f) >= 0.5)
    medial, votes = _medial_side(toeless, toes)
    tip = _axis_tip(toeless, toes, medial)
    if tip is None:
        warnings.append(
            "toes not found: the foot axis follows the print's long axis instead of the second toe, and "
            "the foot length may be short; make sure the toes are in the print"
        )
    thirds = _Thirds.of(toeless, body_c)
    if thirds.split:
        warnings.append(
            "the print is split: heel and forefoot do not touch (a high arch), so Chippaux-Smirak is 0 "
            "and Clarke's angle is not defined"
        )
    side, sure = _side_from_shape(medial, votes, warnings)
    clarke = None if thirds.split or medial == 0 else _clarke(toeless, medial)
    any_rows = np.flatnonzero((toeless | (toes.labels > 0)).any(1))
    length_rows = float(any_rows[-1] + 1 - thirds.r_heel)
    mm_per_work = None if mm_per_px is None else mm_per_px / math.sqrt(work.sx * work.sy)
    foot_length_mm = None if mm_per_work is None else length_rows * mm_per_work
    foot_width_mm = None if mm_per_work is None else thirds.fore_w * mm_per_work
    warnings += _size_warnings(foot_length_mm, work.length_px_est)
    table = load_knowledge().thresholds.classification[
        "arch_index_pressure" if kind == "pressure" else "arch_index_footprint"
    ]
    geometry = _geometry(frame, work, kept, toeless, thirds, tip, clarke, sure)
    return PrintMeasurement(
        side=side,
        arch_index=round(thirds.ai, 4),
        chippaux_smirak_index=round(thirds.csi, 2),
        staheli_index=round(thirds.staheli, 3),
        clarke_angle_deg=None if clarke is None else round(clarke[0], 1),
        foot_length_mm=None if foot_length_mm is None else round(foot_length_mm, 1),
        foot_width_mm=None if foot_width_mm is None else round(foot_width_mm, 1),
        arch_type=_ARCH_TYPES.get(table.arch_type[table.label(thirds.ai)], "unknown"),
        warnings=warnings,
        geometry=geometry,
    )


def _checked_mask(mask: NDArray[np.bool_]) -> tuple[Mask, list[str]]:
    """The mask as a contiguous boolean image, refused when too small; a warning when it touches the edge."""
    full = np.ascontiguousarray(mask, dtype=bool)
    if full.ndim != 2:
        raise FootprintError("a footprint mask must be a 2-D image")
    area_px = int(full.sum())
    if area_px < MIN_AREA_PX:
        raise FootprintError(
            f"the print is too small to measure ({area_px} pixels of contact): scan or photograph it "
            "so that the foot fills most of the picture, at 150 dpi or more"
        )
    warnings: list[str] = []
    if full[0, :].any() or full[-1, :].any() or full[:, 0].any() or full[:, -1].any():
        warnings.append(
            "the print touches the edge of the image, so part of it may be missing: "
            "leave a margin around the whole foot"
        )
    return full, warnings


@dataclass(frozen=True)
class _WorkPrint:
    """The print cropped and resampled to about ``WORK_LENGTH_PX`` long (coverage 0–1 per pixel)."""

    values: F32
    sx: float  # work pixels per image pixel, along x
    sy: float
    x0: int  # the crop's origin in the image
    y0: int
    length_px_est: float  # the print's bounding-box diagonal in image pixels

    PAD = 4

    @classmethod
    def of(cls, full: Mask) -> _WorkPrint:
        x0, y0, bw, bh = cv2.boundingRect(full.view(np.uint8))
        y1, x1 = y0 + bh, x0 + bw
        length_px_est = math.hypot(y1 - y0, x1 - x0)
        if length_px_est < 20:
            raise FootprintError(
                f"the print is too small to measure (about {length_px_est:.0f} pixels across): "
                "use a larger picture of the whole foot"
            )
        pad = cls.PAD
        crop = np.zeros((y1 - y0 + 2 * pad, x1 - x0 + 2 * pad), np.float32)
        crop[pad:-pad, pad:-pad] = full[y0:y1, x0:x1]
        scale = WORK_LENGTH_PX / length_px_est
        interp = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
        work_w, work_h = max(8, round(crop.shape[1] * scale)), max(8, round(crop.shape[0] * scale))
        values = np.asarray(cv2.resize(crop, (work_w, work_h), interpolation=interp), dtype=np.float32)
        return cls(values, work_w / crop.shape[1], work_h / crop.shape[0], x0, y0, length_px_est)

    @property
    def binary(self) -> Mask:
        return np.asarray(self.values >= 0.5)

    def to_image(self, p: F64) -> Point:
        """Work-image point → image pixel coordinates."""
        return (
            float((p[0] + 0.5) / self.sx - 0.5 - self.PAD + self.x0),
            float((p[1] + 0.5) / self.sy - 0.5 - self.PAD + self.y0),
        )


def _foot_frame(body: Mask, kept: Mask, kept_pts: F64, body_f: F32, full_f: F32) -> _Frame:
    """The foot axis, heel centre → tip of the second toe, by iteration from the principal axis.

    The first axis is the principal axis of the toe-less print, pointing at the toes (or the wider
    end); then, until it turns by less than 0.1°, the axis is redrawn from the heel centre to the
    second toe found in the previous frame.
    """
    by, bx = np.nonzero(body)
    pts = np.stack([bx, by], 1).astype(np.float64)
    centre = pts.mean(0)
    _, evecs = np.linalg.eigh(np.cov((pts - centre).T))
    d = evecs[:, -1].astype(np.float64)
    d = d * _front_sign(pts - centre, d, kept & ~body, centre)
    origin = centre
    for _ in range(5):
        frame = _make_frame(kept_pts, origin, d)
        toeless, toes = _exclude_toes(frame.warp(body_f) >= 0.5, frame.warp(full_f) >= 0.5)
        heel_s, heel_t = _heel_centre(toeless)
        heel_w = frame.to_work(heel_s, heel_t)
        medial, _ = _medial_side(toeless, toes)
        tip = _axis_tip(toeless, toes, medial)
        new_d = d if tip is None else frame.to_work(*tip) - heel_w
        new_d = new_d / np.linalg.norm(new_d)
        turn = math.degrees(math.acos(max(-1.0, min(1.0, float(new_d @ d)))))
        d, origin = new_d, heel_w
        if turn < 0.1:
            break
    return _make_frame(kept_pts, origin, d)


@dataclass(frozen=True)
class _Thirds:
    """Contact per row of the toe-less print, cut into Cavanagh & Rodgers' thirds, and the indices on them."""

    r_heel: int  # first row of the print (back of the heel)
    r_toe: int  # one past its last row (the toe line)
    b_ab: float  # border forefoot A / midfoot B (row boundary)
    b_bc: float  # border midfoot B / heel C
    i_fore: int  # rows of the widest forefoot, narrowest midfoot and widest heel
    i_mid: int
    i_heel: int
    fore_w: float  # their contact widths (work pixels; mid is 0 for a split print)
    mid_w: float
    ai: float
    csi: float
    staheli: float
    split: bool

    @classmethod
    def of(cls, toeless: Mask, body_c: F32) -> _Thirds:
        """Rows are weighted by bilinear coverage inside the print and its one-pixel rim (sub-pixel area)."""
        rim = _dilate(toeless) & ~toeless
        cov_c = np.where(toeless | rim, np.clip(body_c, 0.0, 1.0), 0.0)
        rows_present = np.flatnonzero(toeless.any(1))
        r_heel, r_toe = int(rows_present[0]), int(rows_present[-1]) + 1
        cov_c[:r_heel] = 0
        cov_c[r_toe:] = 0
        cover = cov_c.sum(1).astype(np.float64)
        cum = np.concatenate([[0.0], np.cumsum(cover)])

        def area_upto(r: float) -> float:
            i = min(max(math.floor(r), 0), len(cover))
            return float(cum[i] + ((r - i) * cover[i] if i < len(cover) else 0.0))

        span = r_toe - r_heel
        b_ab, b_bc = r_toe - span / 3, r_heel + span / 3
        ai = (area_upto(b_ab) - area_upto(b_bc)) / (area_upto(r_toe) - area_upto(r_heel))
        rows_a = np.arange(math.ceil(b_ab), r_toe)
        rows_b = np.arange(math.ceil(b_bc), math.floor(b_ab))
        rows_c = np.arange(r_heel, math.floor(b_bc))
        i_fore = int(rows_a[np.argmax(cover[rows_a])])
        i_heel = int(rows_c[np.argmax(cover[rows_c])])
        i_mid = int(rows_b[np.argmin(cover[rows_b])])
        fore_w, heel_w, mid_w = float(cover[i_fore]), float(cover[i_heel]), float(cover[i_mid])
        split = not toeless[rows_b].any(1).all()
        if split:
            mid_w = 0.0
        return cls(
            r_heel,
            r_toe,
            b_ab,
            b_bc,
            i_fore,
            i_mid,
            i_heel,
            fore_w,
            mid_w,
            ai,
            100.0 * mid_w / fore_w,
            mid_w / heel_w,
            split,
        )


def _side_from_shape(medial: float, votes: dict[str, float], warnings: list[str]) -> tuple[Side, bool]:
    """The side from which way is medial, and whether all shape cues agreed (warnings say when not)."""
    if medial == 0:
        warnings.append(
            "side uncertain: neither the toes nor the arch show which side is medial; give the side yourself"
        )
        return "unknown", False
    # medial towards +n (d turned +90° in image coordinates, y down) is a left foot seen from above
    side: Side = "left" if medial > 0 else "right"
    signs = {v > 0 for v in votes.values() if v != 0}
    if len(signs) > 1:
        cues = ", ".join(f"{k} says {'left' if v > 0 else 'right'}" for k, v in votes.items() if v)
        warnings.append(f"side uncertain: the shape cues disagree ({cues}); taken as {side}")
        return side, False
    return side, True


def _size_warnings(foot_length_mm: float | None, length_px_est: float) -> list[str]:
    warnings = []
    if foot_length_mm is None:
        warnings.append(
            "the scale is unknown, so foot length and width are not given: photograph the print on the "
            "footchain calibration sheet, or give the scan's --dpi or --mm-per-px"
        )
    elif not ADULT_LENGTH_MM[0] <= foot_length_mm <= ADULT_LENGTH_MM[1]:
        warnings.append(
            f"the foot length {foot_length_mm:.0f} mm is outside the adult range: check the scale "
            "(--dpi or --mm-per-px) and that the whole foot is in the picture"
        )
    if length_px_est < LOW_RESOLUTION_PX:
        warnings.append(
            f"low resolution: the print is only about {length_px_est:.0f} pixels long, so the indices are "
            "approximate; scan at 150 dpi or more"
        )
    return warnings


Clarke = tuple[float, tuple[float, float], tuple[float, float], tuple[float, float]]


def _geometry(
    frame: _Frame,
    work: _WorkPrint,
    kept: Mask,
    toeless: Mask,
    thirds: _Thirds,
    tip: tuple[float, float] | None,
    clarke: Clarke | None,
    side_sure: bool,
) -> PrintGeometry:
    """The construction lines, in image pixels, for the overlay."""

    def img(s: float, t: float) -> Point:
        return work.to_image(frame.to_work(s, t))

    def row_segment(r: float) -> Segment:
        cols = np.flatnonzero(toeless.any(0))
        return img(r - 0.5, float(cols[0]) - 0.5), img(r - 0.5, float(cols[-1]) + 0.5)

    _, heel_t = _heel_centre(toeless)

    def width_segment(i: int) -> Segment:
        cols = np.flatnonzero(toeless[i])
        if cols.size == 0:
            return img(i, heel_t), img(i, heel_t)
        return img(i, float(cols[0]) - 0.5), img(i, float(cols[-1]) + 0.5)

    toe_st = tip if tip is not None else (float(thirds.r_toe) - 0.5, heel_t)
    return PrintGeometry(
        outline=_outline(kept, work.to_image),
        heel_point=img(thirds.r_heel - 0.5, heel_t),
        toe_point=img(*toe_st),
        heel_line=row_segment(thirds.r_heel),
        toe_line=row_segment(thirds.r_toe),
        third_lines=(row_segment(thirds.b_ab), row_segment(thirds.b_bc)),
        forefoot_width=width_segment(thirds.i_fore),
        midfoot_width=(img(thirds.i_mid, heel_t), img(thirds.i_mid, heel_t))
        if thirds.split
        else width_segment(thirds.i_mid),
        heel_width=width_segment(thirds.i_heel),
        clarke_lines=None
        if clarke is None
        else ((img(*clarke[1]), img(*clarke[2])), (img(*clarke[2]), img(*clarke[3]))),
        side_sure=side_sure,
    )


ArchType = Literal["flat", "normal", "high", "unknown"]
_ARCH_TYPES: dict[str, ArchType] = {"flat": "flat", "normal": "normal", "high": "high"}


def _dilate(mask: Mask) -> Mask:
    return np.asarray(cv2.dilate(mask.astype(np.uint8), np.ones((3, 3), np.uint8)), dtype=bool)


def _split_components(binary: Mask) -> tuple[Mask, Mask]:
    """The toe-less print (components ≥ BODY_SHARE of the largest) and everything worth keeping."""
    n, labels, stats, _ = cv2.connectedComponentsWithStats(binary.astype(np.uint8), connectivity=8)
    areas = np.asarray(stats[1:, cv2.CC_STAT_AREA], dtype=np.int64)
    if n <= 1:
        return np.zeros_like(binary), np.zeros_like(binary)
    lab = np.asarray(labels, dtype=np.int32)
    big = areas >= BODY_SHARE * areas.max()
    body_ids = np.flatnonzero(big) + 1
    keep_ids = np.flatnonzero(areas >= 0.002 * areas[big].sum()) + 1
    return np.isin(lab, body_ids), np.isin(lab, keep_ids)


def _front_sign(pts: F64, d: F64, toes: Mask, centre: F64) -> float:
    """+1 when ``d`` points from the heel to the toes, else -1 (toe blobs, else the wider end).

    The toes count only when there are two or more blobs: a single blob beyond one end may as well be
    a stray mark (a remnant of a pen stroke or of the form's text) behind the heel.
    """
    ty, tx = np.nonzero(toes)
    blobs, _ = cv2.connectedComponents(toes.astype(np.uint8), connectivity=8)
    if blobs - 1 >= 2:
        s_toes = (np.stack([tx, ty], 1) - centre) @ d
        s_body = pts @ d
        # toes lie beyond one end of the print
        far_front = float(np.mean(s_toes > 0.5 * s_body.max()))
        far_back = float(np.mean(s_toes < 0.5 * s_body.min()))
        if abs(far_front - far_back) > 0.3:
            return 1.0 if far_front > far_back else -1.0
    n = np.array([-d[1], d[0]])
    s, t = pts @ d, pts @ n
    lo, hi = float(s.min()), float(s.max())
    edges = np.linspace(lo, hi, 11)
    widths = []
    for a, b in itertools.pairwise(edges):
        sel = t[(s >= a) & (s <= b)]
        widths.append(float(np.ptp(sel)) if sel.size else 0.0)
    return 1.0 if max(widths[-4:]) >= max(widths[:4]) else -1.0


def _make_frame(pts: F64, origin: F64, d: F64) -> _Frame:
    n = np.array([-d[1], d[0]])
    s, t = (pts - origin) @ d, (pts - origin) @ n
    s0, t0 = float(s.min()) - 4, float(t.min()) - 4
    rows, cols = math.ceil(float(s.max()) - s0) + 5, math.ceil(float(t.max()) - t0) + 5
    return _Frame(origin=origin, d=d, n=n, s0=s0, t0=t0, rows=rows, cols=cols)


def _exclude_toes(body: Mask, full: Mask) -> tuple[Mask, _Toes]:
    """Cavanagh & Rodgers' toe exclusion in the foot frame (rows run heel → toes).

    Toes that touch the ball show as narrow peaks of the print's front profile; a grey-level opening
    of the profile wider than a toe removes them and gives the front of the toe-less print. Contact in
    front of it, and separate blobs in front of the print, are toes.
    """
    rows, cols = body.shape
    present = body.any(0)
    row_idx = np.arange(rows)
    front = np.where(body, row_idx[:, None], -1).max(0).astype(np.float32)
    prow = np.flatnonzero(body.any(1))
    length = float(prow[-1] - prow[0] + 1)
    toeless = body.copy()
    valid = np.flatnonzero(present)
    if valid.size >= 5:
        f = front.copy()
        # replicate the edge values outwards so the opening does not bite into the print's sides
        f[: valid[0]] = f[valid[0]]
        f[valid[-1] + 1 :] = f[valid[-1]]
        gaps = ~present
        if gaps.any():
            f[gaps] = np.interp(np.flatnonzero(gaps), valid, f[valid])
        win = max(3, int(0.13 * length) | 1)
        k = np.ones((1, win), np.uint8)
        row = f.reshape(1, -1)
        opened = cv2.dilate(
            cv2.erode(row, k, borderType=cv2.BORDER_REPLICATE), k, borderType=cv2.BORDER_REPLICATE
        )
        spike = (row - opened).ravel() > 0.02 * length
        spike &= front > prow[0] + 0.5 * length
        if spike.any():
            # cut at the opened profile (the ball front seen between the toes) around every peak
            margin = max(1, int(0.012 * length))
            near = cv2.dilate(spike.astype(np.uint8).reshape(1, -1), np.ones((1, 2 * margin + 1), np.uint8))
            near_idx = np.flatnonzero(np.asarray(near).ravel() > 0)
            cleaned = np.full(cols, np.inf, np.float32)
            cleaned[near_idx] = opened.ravel()[near_idx]
            toeless &= row_idx[:, None] <= cleaned[None, :]
            toeless = _largest_parts(toeless)
    toe_px = full & ~toeless
    toe_px = np.asarray(
        cv2.morphologyEx(toe_px.astype(np.uint8), cv2.MORPH_OPEN, np.ones((3, 3), np.uint8)), bool
    )
    n, labels, stats, cents = cv2.connectedComponentsWithStats(toe_px.astype(np.uint8), connectivity=8)
    lab = np.asarray(labels, dtype=np.int32)
    trows = np.flatnonzero(toeless.any(1))
    r_toe = float(trows[-1])
    t_span = float(trows[-1] - trows[0] + 1)
    toeless_area = float(toeless.sum())
    keep: list[int] = []
    for i in range(1, n):
        area = float(stats[i, cv2.CC_STAT_AREA])
        cy = float(cents[i, 1])
        bottom = float(stats[i, cv2.CC_STAT_TOP] + stats[i, cv2.CC_STAT_HEIGHT] - 1)
        if (
            area >= max(6.0, 0.0008 * toeless_area)
            and cy > r_toe - 0.25 * t_span
            and bottom > r_toe - 0.05 * t_span
        ):
            keep.append(i)
    out = np.zeros_like(lab)
    areas, t_c, tip_s, tip_t = [], [], [], []
    for j, i in enumerate(keep, start=1):
        left, top0, w, h = (int(v) for v in stats[i, :4])
        sel = lab[top0 : top0 + h, left : left + w] == i
        out[top0 : top0 + h, left : left + w][sel] = j
        ys, xs = np.nonzero(sel)
        top = int(ys.max()) + top0
        xs = xs + left
        ys = ys + top0
        areas.append(float(stats[i, cv2.CC_STAT_AREA]))
        t_c.append(float(cents[i, 0]))
        tip_s.append(top + 0.5)
        tip_t.append(float(xs[ys == top].mean()))
    return toeless, _Toes(
        labels=out,
        count=len(keep),
        areas=np.array(areas),
        t_centre=np.array(t_c),
        tip_s=np.array(tip_s),
        tip_t=np.array(tip_t),
    )


def _largest_parts(mask: Mask) -> Mask:
    n, labels, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
    if n <= 2:
        return mask
    areas = np.asarray(stats[1:, cv2.CC_STAT_AREA])
    ids = np.flatnonzero(areas >= BODY_SHARE * areas.max()) + 1
    return np.isin(np.asarray(labels), ids)


def _heel_centre(toeless: Mask) -> tuple[float, float]:
    """Centre of the heel: centroid (row, column) of the rearmost HEEL_SLAB of the toe-less print."""
    rows = np.flatnonzero(toeless.any(1))
    r0 = int(rows[0])
    r1 = r0 + max(2, int(HEEL_SLAB * (rows[-1] - r0 + 1)))
    ys, xs = np.nonzero(toeless[r0:r1])
    return float(ys.mean() + r0), float(xs.mean())


def _medial_side(toeless: Mask, toes: _Toes) -> tuple[float, dict[str, float]]:
    """Which frame direction (+1: +columns, -1: -columns) is medial, with each cue's vote.

    Cues: the big toe is the largest toe and lies medially; the midfoot contact lies laterally (the
    medial arch is off the ground); the front of the ball is most distal medially (first metatarsal).
    """
    votes = {"big toe": 0.0, "arch": 0.0, "ball": 0.0}
    rows = np.flatnonzero(toeless.any(1))
    r0, r1 = int(rows[0]), int(rows[-1]) + 1
    span = r1 - r0
    cols = np.flatnonzero(toeless.any(0))
    width = float(cols[-1] - cols[0] + 1)
    if toes.count >= 2:
        order = np.argsort(toes.areas)[::-1]
        big = int(order[0])
        others = np.delete(toes.t_centre, big)
        diff = float(toes.t_centre[big] - others.mean())
        strong = toes.count >= 3 and toes.areas[big] >= 1.5 * toes.areas[order[1]]
        if abs(diff) > 0.02 * width:
            votes["big toe"] = math.copysign(2.0 if strong else 1.0, diff)
    fore = toeless[r1 - span // 3 : r1]
    heel = toeless[r0 : r0 + span // 3]
    mid = toeless[r0 + span // 3 : r1 - span // 3]
    fcols = np.flatnonzero(fore.any(0))
    hcols = np.flatnonzero(heel.any(0))
    ref = (fcols[0] + fcols[-1] + hcols[0] + hcols[-1]) / 4.0
    if mid.any(1).all():
        _, mx = np.nonzero(mid)
        off = float(mx.mean() - ref)
        if abs(off) > 0.03 * width:
            votes["arch"] = -math.copysign(1.0, off)
    front_rows = toeless[max(r0, r1 - max(2, span // 50)) : r1]
    _, fx = np.nonzero(front_rows)
    off = float(fx.mean() - (fcols[0] + fcols[-1]) / 2.0)
    if abs(off) > 0.05 * width:
        votes["ball"] = math.copysign(1.0, off)
    total = sum(votes.values())
    return (0.0 if total == 0 else math.copysign(1.0, total)), votes


def _axis_tip(toeless: Mask, toes: _Toes, medial: float) -> tuple[float, float] | None:
    """Tip (row, column) of the second toe: the toe next to the big toe, on its lateral side."""
    if toes.count < 2 or medial == 0:
        return None
    big = int(np.argmax(toes.areas))
    lateral_of_big = (toes.t_centre - toes.t_centre[big]) * medial < 0
    cands = np.flatnonzero(lateral_of_big)
    if cands.size == 0:
        return None
    second = int(cands[np.argmin(np.abs(toes.t_centre[cands] - toes.t_centre[big]))])
    return float(toes.tip_s[second]), float(toes.tip_t[second])


def _clarke(toeless: Mask, medial: float) -> Clarke | None:
    """Clarke's angle (Clarke 1933) and its points (row, column): heel and forefoot tangent points, arch.

    The medial tangent touches the medial border at the heel and the forefoot (the convex-hull edge of
    the medial border that spans the middle of the print); the second line runs from the forefoot
    tangent point to the border point deepest inside that tangent.
    """
    rows = np.flatnonzero(toeless.any(1))
    cols = np.arange(toeless.shape[1])
    if medial > 0:
        edge = np.where(toeless, cols[None, :] + 0.5, -np.inf).max(1)
    else:
        edge = -np.where(toeless, cols[None, :] - 0.5, np.inf).min(1)
    e = edge[rows]
    pts = np.stack([rows.astype(np.float64), e], 1)
    hull = np.asarray(cv2.convexHull(pts.astype(np.float32)), dtype=np.float64).reshape(-1, 2)
    mid = (rows[0] + rows[-1]) / 2.0
    best: tuple[F64, F64] | None = None
    best_y = -np.inf
    for i in range(len(hull)):
        p, q = hull[i], hull[(i + 1) % len(hull)]
        if min(p[0], q[0]) <= mid <= max(p[0], q[0]) and p[0] != q[0]:
            y = p[1] + (q[1] - p[1]) * (mid - p[0]) / (q[0] - p[0])
            if y > best_y:
                best, best_y = (p, q), y
    if best is None:
        return None
    heel_pt, fore_pt = sorted(best, key=lambda v: float(v[0]))
    sel = (rows > heel_pt[0]) & (rows < fore_pt[0])
    if not sel.any():
        return None
    dv = fore_pt - heel_pt
    dist = (dv[0] * (e[sel] - heel_pt[1]) - dv[1] * (rows[sel] - heel_pt[0])) / math.hypot(*dv)
    k = int(np.argmin(dist))
    deep = np.array([float(rows[sel][k]), float(e[sel][k])])
    v = deep - fore_pt
    norm = math.hypot(*dv) * math.hypot(*v)
    angle = 0.0 if norm == 0 else math.degrees(math.acos(max(-1.0, min(1.0, float(-(dv @ v)) / norm))))

    def back(p: F64) -> tuple[float, float]:
        return float(p[0]), float(p[1] - 0.5 if medial > 0 else -p[1] + 0.5)

    return angle, back(heel_pt), back(fore_pt), back(deep)


def _outline(kept: Mask, to_image: Callable[[F64], Point]) -> list[Point]:
    """Outer contour of the print with its toes (toes joined by a closing), in image pixels."""
    small = np.asarray(cv2.resize(kept.view(np.uint8), None, fx=0.5, fy=0.5, interpolation=cv2.INTER_NEAREST))
    size = max(3, int(0.02 * max(small.shape)) | 1)
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (size, size))
    padded = cv2.copyMakeBorder(small, size, size, size, size, cv2.BORDER_CONSTANT, value=0)
    closed = cv2.morphologyEx(padded, cv2.MORPH_CLOSE, kernel)
    contours, _ = cv2.findContours(closed, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    if not contours:
        return []
    contours = sorted(contours, key=cv2.contourArea, reverse=True)
    parts = [
        cv2.approxPolyDP(c, 0.7, True).reshape(-1, 2).astype(np.float64)
        for c in contours
        if cv2.contourArea(c) >= 0.05 * cv2.contourArea(contours[0])
    ]
    c = parts[0]
    for part in parts[1:]:  # a split print: join the parts by a zero-width bridge at their closest points
        gaps = np.hypot(*(c[:, None, :] - part[None, :, :]).transpose(2, 0, 1))
        i, j = np.unravel_index(int(np.argmin(gaps)), gaps.shape)
        c = np.concatenate([c[: i + 1], part[j:], part[: j + 1], c[i:]])
    c = (c - size) * 2.0 + 0.5
    return [to_image(p) for p in c]
