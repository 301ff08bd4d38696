"""Synthetic footprints of known geometry, for testing segmentation and the footprint indices.

A print is built in the foot's own frame, in millimetres: ``x`` runs along the foot axis of Cavanagh &
Rodgers (1987) from the back of the heel (x = 0) towards the toes, ``y`` across it, positive towards the
medial side. The axis passes through the heel centre and the tip of the second toe, both on y = 0.

The toe-less print ("body") is the union of
  * a heel ellipse centred on the axis,
  * a forefoot (metatarsal) ellipse, tilted so that its medial end lies further forward,
  * a lateral midfoot band whose width narrows to ``midfoot_ratio`` × forefoot width in the middle of
    the arch (a medial concavity); ``midfoot_ratio`` ≤ 0 leaves heel and forefoot disconnected (a
    split, high-arch print), ≈ 0.35 is a normal print, ≥ 0.6 a flat one;
and five toes are separate ellipses in front of it (``toe_gap_mm`` < 0 makes them touch the ball).

The truth (``PrintTruth``) is computed row by row from the exact intervals of those shapes, so it
follows the definitions of the indices without going through any pixels. The scene renderer draws the
same shapes (as dense polygons) into a grey "scan": dark ink on light paper, with optional uneven
lighting, paper texture, salt noise, ragged edges, dotted or grid-patterned ink, a ruler, printed text,
and one or two prints per image.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Literal

import cv2
import numpy as np
from numpy.typing import NDArray

Side = Literal["left", "right"]
Ink = Literal["solid", "dots", "grid"]
FloatArray = NDArray[np.float64]

ROW_STEP_MM = 0.02  # resolution of the truth along the axis
TOE_REACH = 0.88  # realised heel-to-toe length / foot_length_mm parameter (about)


@dataclass(frozen=True)
class FootParams:
    """The shape of one foot (all lengths scale with ``foot_length_mm``)."""

    foot_length_mm: float = 250.0
    side: Side = "right"
    midfoot_ratio: float = 0.35  # narrowest midfoot band / forefoot width; ≤ 0 → split print
    width_ratio: float = 0.38  # forefoot width / foot length
    heel_ratio: float = 0.66  # heel width / forefoot width
    forefoot_tilt_deg: float = 9.0  # medial end of the metatarsal ellipse further forward
    toe_gap_mm: float = 4.0  # gap between ball and toes; negative: overlap (toes touch the ball)
    big_toe_extra_mm: float = 2.0  # big toe reaches this much further than the second toe
    rotation_deg: float = 0.0  # 0: toes point up in the image; counter-clockwise on screen
    centre_mm: tuple[float, float] = (0.0, 0.0)  # print centre in the scene, mm (filled by the scene)


@dataclass(frozen=True)
class SceneParams:
    """How the print(s) are rendered into a grey scan."""

    feet: tuple[FootParams, ...] = (FootParams(),)
    mm_per_px: float = 25.4 / 150
    ink: Ink = "solid"
    ink_pitch_mm: float = 1.5  # dot or grid spacing
    ink_angle_deg: float = 0.0
    ragged_mm: float = 0.0  # amplitude of edge raggedness
    salt: float = 0.0  # fraction of pixels flipped to black or white
    lighting: float = 0.0  # 0 = even; 0.4 = 40 % darker at one corner
    texture: float = 0.0  # std of the paper texture, grey levels
    ruler: bool = False
    text: bool = False
    margin_mm: float = 20.0
    gap_mm: float = 50.0  # between two prints side by side
    seed: int = 0


@dataclass(frozen=True)
class PrintTruth:
    """The indices computed from the generative geometry (see the module docstring)."""

    side: Side
    arch_index: float
    chippaux_smirak_index: float
    staheli_index: float
    clarke_angle_deg: float | None
    foot_length_mm: float
    foot_width_mm: float
    toe_line_mm: float  # length of the toe-less print along the axis
    heel_centre_px: tuple[float, float]
    toe_tip_px: tuple[float, float]  # tip of the second toe
    split: bool


@dataclass(frozen=True)
class SynthPrint:
    gray: NDArray[np.uint8]
    masks: list[NDArray[np.bool_]]  # ideal ink region per print, ordered left to right
    truth: list[PrintTruth]  # same order
    mm_per_px: float
    params: SceneParams = field(repr=False)


# ------------------------------------------------------------------------------------------ the foot


@dataclass(frozen=True)
class _Ellipse:
    cx: float
    cy: float
    a: float  # semi-axis along the ellipse's own first axis
    b: float
    angle: float = 0.0  # radians, rotation of the first axis away from +x towards +y

    def interval(self, x: FloatArray) -> tuple[FloatArray, FloatArray]:
        """The y-interval covered at each x (lo > hi where the row misses the ellipse)."""
        c, s = math.cos(self.angle), math.sin(self.angle)
        # Points: (x, y) = centre + t*(c, s)*a' ... solve the quadratic in y for fixed x.
        dx = x - self.cx
        # In the ellipse frame: u = dx*c + dy*s, v = -dx*s + dy*c; (u/a)^2 + (v/b)^2 = 1
        qa = (s / self.a) ** 2 + (c / self.b) ** 2
        qb = 2 * dx * (c * s / self.a**2 - s * c / self.b**2)
        qc = (dx * c / self.a) ** 2 + (dx * s / self.b) ** 2 - 1
        disc = qb * qb - 4 * qa * qc
        root = np.sqrt(np.clip(disc, 0, None))
        lo = (-qb - root) / (2 * qa) + self.cy
        hi = (-qb + root) / (2 * qa) + self.cy
        miss = disc <= 0
        lo = np.where(miss, np.inf, lo)
        hi = np.where(miss, -np.inf, hi)
        return lo, hi

    def polygon(self, n: int = 720) -> FloatArray:
        t = np.linspace(0, 2 * np.pi, n, endpoint=False)
        u, v = self.a * np.cos(t), self.b * np.sin(t)
        c, s = math.cos(self.angle), math.sin(self.angle)
        return np.stack([self.cx + u * c - v * s, self.cy + u * s + v * c], axis=1)


class Foot:
    """The generative geometry of one foot in its own frame (mm)."""

    def __init__(self, p: FootParams) -> None:
        self.p = p
        length = p.foot_length_mm
        w_f = p.width_ratio * length
        w_h = p.heel_ratio * w_f
        a_h = 0.16 * length
        self.heel = _Ellipse(a_h, 0.0, a_h, w_h / 2)
        tilt = math.radians(p.forefoot_tilt_deg)
        # first axis across the foot (the metatarsal heads), tilted: medial (+y) end further forward
        self.fore = _Ellipse(0.64 * length, -0.02 * length, w_f / 2, 0.13 * length, math.pi / 2 - tilt)
        self.band_x0, self.band_x1 = a_h, self.fore.cx
        self.w_min = p.midfoot_ratio * w_f
        xs = np.array([self.band_x0, self.band_x1])
        lo_h, hi_h = self.heel.interval(xs[:1])
        lo_f, hi_f = self.fore.interval(xs[1:])
        self._lat0, self._lat1 = float(lo_h[0]), float(lo_f[0])
        self._full0, self._full1 = float(hi_h[0] - lo_h[0]), float(hi_f[0] - lo_f[0])
        self.toes = self._place_toes()

    # lateral midfoot band ---------------------------------------------------------------------------
    def band(self, x: FloatArray) -> tuple[FloatArray, FloatArray]:
        t = (x - self.band_x0) / (self.band_x1 - self.band_x0)
        inside = (t >= 0) & (t <= 1)
        tt = np.clip(t, 0, 1)
        lat = self._lat0 + (self._lat1 - self._lat0) * tt
        k = np.where(tt < 0.5, self._full0 - self.w_min, self._full1 - self.w_min)
        width = self.w_min + k * ((tt - 0.5) / 0.5) ** 2
        ok = inside & (width > 0) & (self.w_min > 0)
        return np.where(ok, lat, np.inf), np.where(ok, lat + width, -np.inf)

    def body_intervals(self, x: FloatArray) -> list[tuple[FloatArray, FloatArray]]:
        return [self.heel.interval(x), self.fore.interval(x), self.band(x)]

    def body_polygons(self) -> list[FloatArray]:
        polys = [self.heel.polygon(), self.fore.polygon()]
        x = np.linspace(self.band_x0, self.band_x1, 800)
        lo, hi = self.band(x)
        ok = np.isfinite(lo)
        # one polygon per contiguous run where the band exists
        edges = np.flatnonzero(np.diff(np.r_[0, ok.astype(np.int8), 0]))
        for start, stop in zip(edges[::2], edges[1::2], strict=True):
            xs, los, his = x[start:stop], lo[start:stop], hi[start:stop]
            polys.append(np.concatenate([np.stack([xs, los], 1), np.stack([xs[::-1], his[::-1]], 1)]))
        return polys

    # toes -------------------------------------------------------------------------------------------
    def _front(self, y: FloatArray) -> FloatArray:
        """Most distal x of the toe-less print at each lateral position y (−inf where none)."""
        x = np.arange(0.3 * self.p.foot_length_mm, 0.9 * self.p.foot_length_mm, 0.05)
        lo, hi = _union_bounds(self.body_intervals(x))
        inside = (lo[None, :] <= y[:, None]) & (y[:, None] <= hi[None, :])
        return np.where(inside.any(1), np.where(inside, x[None, :], -np.inf).max(1), -np.inf)

    def _place_toes(self) -> list[_Ellipse]:
        length = self.p.foot_length_mm
        spec = [  # (centre y, semi-length, semi-width) / length; big toe first (medial)
            (0.088, 0.052, 0.048),
            (0.0, 0.032, 0.021),
            (-0.052, 0.029, 0.020),
            (-0.099, 0.026, 0.018),
            (-0.143, 0.023, 0.016),
        ]
        toes: list[_Ellipse] = []
        second_tip = 0.0
        for i, (cy, a, b) in enumerate(spec):
            cy, a, b = cy * length, a * length, b * length
            dy = np.linspace(-b, b, 81)
            back = a * np.sqrt(np.clip(1 - (dy / b) ** 2, 0, None))
            cx = float(np.max(self._front(cy + dy) + back)) + self.p.toe_gap_mm
            if i == 1:
                second_tip = cx + a
            toes.append(_Ellipse(cx, cy, a, b))
        # big toe: as long as the second toe plus big_toe_extra_mm, never closer to the ball than before
        big = toes[0]
        wanted = second_tip + self.p.big_toe_extra_mm - big.a
        toes[0] = replace(big, cx=max(big.cx, wanted))
        # lesser toes 3-5 recede progressively
        return toes

    def truth_in_frame(self) -> dict[str, float | bool | None]:
        x = np.arange(0.0, self.p.foot_length_mm, ROW_STEP_MM) + ROW_STEP_MM / 2
        ivs = self.body_intervals(x)
        cover = _union_length(ivs)
        present = cover > 0
        toe_line = float(x[present].max() + ROW_STEP_MM / 2)
        heel_back = float(x[present].min() - ROW_STEP_MM / 2)
        span = toe_line - heel_back
        b0, b1 = heel_back + span / 3, heel_back + 2 * span / 3
        area = cover * ROW_STEP_MM
        in_a, in_b, in_c = x >= b1, (x >= b0) & (x < b1), x < b0
        ai = float(area[in_b].sum() / area.sum())
        fore = float(cover[in_a].max())
        mid = float(cover[in_b].min())
        heel = float(cover[in_c].max())
        toe_tips = [t.cx + t.a for t in self.toes]
        _, hi = _union_bounds(ivs)
        return {
            "arch_index": ai,
            "csi": 100 * mid / fore,
            "staheli": mid / heel,
            "clarke": _clarke(x, hi, present, heel_back, toe_line),
            "length": max(toe_tips) - heel_back,
            "width": fore,
            "toe_line": span,
            "split": bool(mid == 0),
            "second_tip": toe_tips[1],
        }


def _union_length(ivs: list[tuple[FloatArray, FloatArray]]) -> FloatArray:
    """Length of the union of up to three intervals per row (lo > hi: empty)."""
    los = np.stack([iv[0] for iv in ivs])
    his = np.stack([iv[1] for iv in ivs])
    order = np.argsort(los, axis=0)
    los = np.take_along_axis(los, order, 0)
    his = np.take_along_axis(his, order, 0)
    total = np.zeros(los.shape[1])
    reach = np.full(los.shape[1], -np.inf)
    for lo, hi in zip(los, his, strict=True):
        valid = hi > lo
        start = np.maximum(lo, reach)
        total += np.where(valid & (hi > start), hi - start, 0.0)
        reach = np.where(valid, np.maximum(reach, hi), reach)
    return total


def _union_bounds(ivs: list[tuple[FloatArray, FloatArray]]) -> tuple[FloatArray, FloatArray]:
    lo = np.min(np.stack([np.where(iv[1] > iv[0], iv[0], np.inf) for iv in ivs]), 0)
    hi = np.max(np.stack([np.where(iv[1] > iv[0], iv[1], -np.inf) for iv in ivs]), 0)
    return lo, hi


def _clarke(
    x: FloatArray, medial: FloatArray, present: NDArray[np.bool_], x0: float, x1: float
) -> float | None:
    """Clarke's angle from the medial border: tangent over heel and ball, and forefoot point → arch."""
    pts = np.stack([x[present], medial[present]], 1)
    hull = cv2.convexHull(pts.astype(np.float32)).reshape(-1, 2).astype(np.float64)
    mid = (x0 + x1) / 2
    best: tuple[FloatArray, FloatArray] | None = None
    for i in range(len(hull)):
        p, q = hull[i], hull[(i + 1) % len(hull)]
        lo_x, hi_x = min(p[0], q[0]), max(p[0], q[0])
        if lo_x <= mid <= hi_x and hi_x - lo_x > 0:
            yy = p[1] + (q[1] - p[1]) * (mid - p[0]) / (q[0] - p[0])
            if best is None or yy > best[0][1] + (best[1][1] - best[0][1]) * (mid - best[0][0]) / (
                best[1][0] - best[0][0]
            ):
                best = (p, q)
    if best is None:
        return None
    heel_pt, fore_pt = sorted(best, key=lambda v: v[0])
    sel = (x > heel_pt[0]) & (x < fore_pt[0])
    if not np.all(present[sel]):
        return None
    d = fore_pt - heel_pt
    dist = (d[0] * (medial[sel] - heel_pt[1]) - d[1] * (x[sel] - heel_pt[0])) / np.hypot(*d)
    k = int(np.argmax(-dist))
    deep = np.array([x[sel][k], medial[sel][k]])
    v = deep - fore_pt
    cosang = float(-(d @ v) / (np.hypot(*d) * np.hypot(*v)))
    return math.degrees(math.acos(max(-1.0, min(1.0, cosang))))


# ---------------------------------------------------------------------------------------- rendering


def _to_scene(foot: Foot, pts: FloatArray) -> FloatArray:
    """Foot frame (mm) → scene (mm, x right, y down), before the centre offset."""
    s = 1.0 if foot.p.side == "left" else -1.0
    u, v = s * pts[:, 1], -pts[:, 0]
    th = math.radians(foot.p.rotation_deg)
    c, sn = math.cos(th), math.sin(th)
    # counter-clockwise on screen (y down): rotate by -th in maths convention
    return np.stack([c * u + sn * v, -sn * u + c * v], 1)


def _foot_outline(foot: Foot) -> FloatArray:
    return np.concatenate(
        [_to_scene(foot, p) for p in foot.body_polygons() + [t.polygon() for t in foot.toes]]
    )


def make_print(params: SceneParams) -> SynthPrint:
    """Render the scene and compute the truth of every print in it."""
    rng = np.random.default_rng(params.seed)
    mmpp = params.mm_per_px
    feet = [Foot(p) for p in params.feet]
    # lay the feet out side by side (scene mm), in the given order, left to right
    outlines = [_foot_outline(f) for f in feet]
    offsets: list[FloatArray] = []
    cursor = 0.0
    for o in outlines:
        lo, hi = o.min(0), o.max(0)
        offsets.append(np.array([cursor - lo[0], -(lo[1] + hi[1]) / 2]))
        cursor += hi[0] - lo[0] + params.gap_mm
    allpts = np.concatenate([o + off for o, off in zip(outlines, offsets, strict=True)])
    lo, hi = allpts.min(0), allpts.max(0)
    extra = 15.0 if (params.ruler or params.text) else 0.0
    origin = lo - params.margin_mm - np.array([0.0, extra])
    size_mm = hi - lo + 2 * params.margin_mm + np.array([0.0, 2 * extra])
    width, height = (math.ceil(v / mmpp) for v in size_mm)

    def px(foot_i: int, pts: FloatArray) -> FloatArray:
        return (_to_scene(feet[foot_i], pts) + offsets[foot_i] - origin) / mmpp

    cover = np.zeros((height, width), np.uint8)
    masks: list[NDArray[np.bool_]] = []
    truths: list[PrintTruth] = []
    for i, foot in enumerate(feet):
        one = np.zeros((height, width), np.uint8)
        polys = [np.round(px(i, p) * 16).astype(np.int32) for p in foot.body_polygons()]
        polys += [np.round(px(i, t.polygon()) * 16).astype(np.int32) for t in foot.toes]
        for poly in polys:
            cv2.fillPoly(one, [poly], 255, lineType=cv2.LINE_AA, shift=4)
        masks.append(one >= 128)
        cv2.max(cover, one, dst=cover)
        t = foot.truth_in_frame()
        heel_c = px(i, np.array([[foot.heel.cx, 0.0]]))[0]
        tip = px(i, np.array([[float(t["second_tip"]), 0.0]]))[0]  # type: ignore[arg-type]
        clarke = t["clarke"]
        truths.append(
            PrintTruth(
                side=foot.p.side,
                arch_index=float(t["arch_index"]),  # type: ignore[arg-type]
                chippaux_smirak_index=float(t["csi"]),  # type: ignore[arg-type]
                staheli_index=float(t["staheli"]),  # type: ignore[arg-type]
                clarke_angle_deg=None if clarke is None else float(clarke),
                foot_length_mm=float(t["length"]),  # type: ignore[arg-type]
                foot_width_mm=float(t["width"]),  # type: ignore[arg-type]
                toe_line_mm=float(t["toe_line"]),  # type: ignore[arg-type]
                heel_centre_px=(float(heel_c[0]), float(heel_c[1])),
                toe_tip_px=(float(tip[0]), float(tip[1])),
                split=bool(t["split"]),
            )
        )
    # everything below stays in uint8 (saturating OpenCV arithmetic): large scans render quickly
    ink = cover
    if params.ragged_mm > 0:
        soft = cv2.GaussianBlur(ink, (0, 0), max(0.3, params.ragged_mm / mmpp))
        noise = _smooth_noise_u8(rng, height, width, max(0.5, 0.5 / mmpp), 64.0)  # 128 ± 64 per σ
        k = 127.0 * params.ragged_mm / 64.0  # one σ of noise moves the 50 % level by ragged_mm / 2
        shifted = cv2.addWeighted(soft, 1.0, noise, k, -128.0 * k)
        ink = np.where(shifted > 127, np.uint8(255), np.uint8(0))
    if params.ink != "solid":
        ink = cv2.bitwise_and(ink, _pattern(params, height, width))
    paper = float(rng.uniform(215, 245))
    ink_level = float(rng.uniform(25, 80))
    img = cv2.addWeighted(ink, -(paper - ink_level) / 255.0, ink, 0.0, paper)
    if params.texture > 0:
        tex = _smooth_noise_u8(rng, height, width, 1.0, 32.0)
        img = cv2.addWeighted(img, 1.0, tex, params.texture / 32.0, -128.0 * params.texture / 32.0)
    if params.lighting > 0:
        ang = rng.uniform(0, 2 * np.pi)
        gy, gx = np.mgrid[0:64, 0:64].astype(np.float32)
        ramp = gx * math.cos(ang) + gy * math.sin(ang)
        ramp = (ramp - ramp.min()) / (ramp.max() - ramp.min())
        light = np.clip((1 - params.lighting * ramp) * 255, 0, 255).astype(np.uint8)
        img = cv2.multiply(
            img, cv2.resize(light, (width, height), interpolation=cv2.INTER_LINEAR), scale=1 / 255
        )
    if params.ruler or params.text:
        _draw_marks(img, params, width, height, rng)
    if params.salt > 0:
        n = int(params.salt * height * width)
        flat = img.reshape(-1)
        flat[rng.integers(0, flat.size, n)] = rng.choice(np.array([0, 255], np.uint8), n)
    gray = np.asarray(img, np.uint8)
    return SynthPrint(gray=gray, masks=masks, truth=truths, mm_per_px=mmpp, params=params)


def _smooth_noise_u8(
    rng: np.random.Generator, height: int, width: int, sigma_px: float, spread: float
) -> NDArray[np.uint8]:
    """Smoothed noise as uint8: 128 + ``spread`` × unit-variance noise (drawn coarse, then resized)."""
    step = max(2.0, sigma_px / 2)
    h, w = max(2, int(height / step) + 1), max(2, int(width / step) + 1)
    small = np.empty((h, w), np.float32)
    cv2.setRNGSeed(int(rng.integers(0, 2**31 - 1)))
    cv2.randn(small, 0.0, 1.0)
    small = cv2.GaussianBlur(small, (0, 0), max(0.5, sigma_px / step))
    small = np.clip(128 + small * np.float32(spread / (small.std() + 1e-9)), 0, 255).astype(np.uint8)
    return np.asarray(cv2.resize(small, (width, height), interpolation=cv2.INTER_LINEAR), np.uint8)


def _pattern(params: SceneParams, height: int, width: int) -> NDArray[np.uint8]:
    """Dotted or grid ink (Harris mat, podoscope sheets): a tiled cell, rotated over the page."""
    pitch = params.ink_pitch_mm / params.mm_per_px
    cell = max(3, round(pitch))
    yy, xx = np.mgrid[0:cell, 0:cell].astype(np.float32) + np.float32(0.5)
    d = (np.abs(xx - cell / 2) / cell, np.abs(yy - cell / 2) / cell)  # 0 at the centre, 0.5 at edges
    if params.ink == "dots":
        tile = np.where((d[0] ** 2 + d[1] ** 2) < 0.42**2, 255, 0).astype(np.uint8)
    else:
        tile = np.where((d[0] > 0.36) | (d[1] > 0.36), 255, 0).astype(np.uint8)
    side = int(math.hypot(height, width)) + 2 * cell
    big = np.tile(tile, (side // cell + 1, side // cell + 1))
    rot = cv2.getRotationMatrix2D((side / 2, side / 2), params.ink_angle_deg, 1.0)
    rot[:, 2] -= [(side - width) / 2, (side - height) / 2]
    return cv2.warpAffine(big, rot, (width, height), flags=cv2.INTER_NEAREST)


def _draw_marks(
    img: NDArray[np.uint8], params: SceneParams, width: int, height: int, rng: np.random.Generator
) -> None:
    mmpp = params.mm_per_px
    color = np.float32(rng.uniform(20, 90))
    thick = max(1, round(0.25 / mmpp))
    canvas = np.zeros((height, width), np.uint8)
    if params.ruler:  # along the top edge: a base line and ticks every millimetre
        y0 = int(5 / mmpp)
        x0, x1 = int(params.margin_mm / mmpp), int(width - params.margin_mm / mmpp)
        cv2.line(canvas, (x0, y0), (x1, y0), 255, thick)
        n_mm = int((x1 - x0) * mmpp)
        for k in range(n_mm + 1):
            x = int(x0 + k / mmpp)
            tick = 4.0 if k % 10 == 0 else (2.5 if k % 5 == 0 else 1.5)
            cv2.line(canvas, (x, y0), (x, y0 + int(tick / mmpp)), 255, thick)
    if params.text:  # a line of text along the bottom edge
        scale = 3.5 / mmpp / 22  # cv2's simplex glyphs are ≈ 22 px tall at scale 1
        cv2.putText(
            canvas,
            "Left  Right  name: A. Person  date 2026-11-26",
            (int(params.margin_mm / mmpp), int(height - 8 / mmpp)),
            cv2.FONT_HERSHEY_SIMPLEX,
            scale,
            255,
            max(1, round(0.4 / mmpp)),
            cv2.LINE_AA,
        )
    rows = np.flatnonzero(canvas.any(1))
    if rows.size:
        r0, r1 = int(rows[0]), int(rows[-1]) + 1
        alpha = canvas[r0:r1].astype(np.float32) / np.float32(255)
        roi = img[r0:r1].astype(np.float32)
        img[r0:r1] = np.clip(roi - (roi - color) * alpha, 0, 255).astype(np.uint8)


# ------------------------------------------------------------------------------------- random scenes


def random_foot(rng: np.random.Generator, side: Side | None = None) -> FootParams:
    """A random adult foot, from split high-arch to flat."""
    kind = rng.random()
    if kind < 0.15:
        ratio = rng.uniform(-0.25, -0.03)  # split print
    elif kind < 0.7:
        ratio = rng.uniform(0.2, 0.48)
    else:
        ratio = rng.uniform(0.48, 0.85)
    return FootParams(
        foot_length_mm=float(rng.uniform(180, 320)) / TOE_REACH,
        side=side if side is not None else ("left" if rng.random() < 0.5 else "right"),
        midfoot_ratio=float(ratio),
        width_ratio=float(rng.uniform(0.35, 0.41)),
        heel_ratio=float(rng.uniform(0.6, 0.72)),
        forefoot_tilt_deg=float(rng.uniform(4, 14)),
        toe_gap_mm=float(rng.uniform(-1.2, -0.4) if rng.random() < 0.2 else rng.uniform(2.5, 7)),
        big_toe_extra_mm=float(rng.uniform(-4, 6)),
        rotation_deg=float(rng.uniform(0, 360)),
    )


def random_scene(seed: int) -> SceneParams:
    """A random scan: dpi 100–600, noise, lighting, patterned ink, marks, one or two prints."""
    rng = np.random.default_rng(seed)
    dpi = float(np.exp(rng.uniform(np.log(100), np.log(600))))
    two = rng.random() < 0.35
    if two:  # a scan of both feet is A3-sized: 600 dpi would be a 100-megapixel file
        dpi = float(np.exp(rng.uniform(np.log(100), np.log(300))))
    if two:
        base = random_foot(rng, "left")
        rot = float(rng.uniform(-20, 20))
        feet: tuple[FootParams, ...] = (
            replace(base, rotation_deg=rot),
            replace(random_foot(rng, "right"), foot_length_mm=base.foot_length_mm, rotation_deg=rot),
        )
    else:
        feet = (random_foot(rng),)
    r = rng.random()
    ink: Ink = "solid" if r < 0.6 else ("dots" if r < 0.8 else "grid")
    return SceneParams(
        feet=feet,
        mm_per_px=25.4 / dpi,
        ink=ink,
        ink_pitch_mm=float(rng.uniform(0.8, 1.6)),
        ink_angle_deg=float(rng.uniform(0, 90)),
        ragged_mm=float(rng.uniform(0, 0.4)) if rng.random() < 0.4 else 0.0,
        salt=float(rng.uniform(0, 0.01)) if rng.random() < 0.4 else 0.0,
        lighting=float(rng.uniform(0, 0.45)) if rng.random() < 0.5 else 0.0,
        texture=float(rng.uniform(0, 6)) if rng.random() < 0.5 else 0.0,
        ruler=bool(rng.random() < 0.3),
        text=bool(rng.random() < 0.3),
        margin_mm=float(rng.uniform(8, 22)),
        gap_mm=float(rng.uniform(30, 70)),
        seed=seed,
    )
