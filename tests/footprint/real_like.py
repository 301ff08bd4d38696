"""Rendered real-like footprint photos of known geometry: ink-grid forms, wet prints, pen marks, shadows.

The feet are the generative feet of ``synth.py`` (so the Arch Index, length and side are known exactly);
what changes is how they reach the camera, following the failure list of issue 14:

* **ink-grid forms**: a podiatry ink-print form (A4 or A3) with a printed frame per half, a blue title
  band ("Pied gauche / Left foot", "Pied droit / Right foot"), a logo, header text and a
  "Remarques / Remarks" line; the left foot in the left half. The ink is the membrane's fine crossed-line
  grid, darker under the heel, the ball and the big toe, paler at the arch (thinner, broken lines); the
  toes are separate blobs; hand-drawn pen strokes mark the tip of the longest toe and the back of the
  heel (touching the print or just beyond it); sometimes a ruler along the page edge;
* **wet prints** on paper or brown cardboard: a faint, uneven darkening (wetter at the heel and ball),
  soft edges, a paper texture, often a lighting gradient;
* **the photo**: the page on a table, taken from above with a tilt (a pinhole projection, no
  calibration sheet), turned in the plane, uneven light, a soft cast shadow (phone or hand), blur,
  sensor noise, JPEG, or PNG with the table cut away to transparent (alpha).

``render_case(seed)`` draws one case from wide parameter ranges; ``held_out`` cases come from other
seeds and shift several ranges (finer and coarser grids, paler arches, darker shadows, stronger tilt) so
that the numbers on them are not numbers the segmentation was tuned on. Scanned variants (no tilt, dpi
in the file) carry a known scale, so length is known there too.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

import cv2
import numpy as np
from numpy.typing import NDArray
from PIL import Image

from tests.footprint.synth import TOE_REACH, Foot, FootParams, Side, _to_scene, random_foot

Kind = Literal["grid-form", "grid-plain", "wet-paper", "wet-card"]
U8 = NDArray[np.uint8]
F32 = NDArray[np.float32]
F64 = NDArray[np.float64]
KINDS: tuple[Kind, ...] = ("grid-form", "grid-plain", "wet-paper", "wet-card")


@dataclass(frozen=True)
class FootTruth:
    side: Side
    arch_index: float
    foot_length_mm: float
    centre_px: tuple[float, float]  # print centre in the written image (pixels), to match prints


@dataclass(frozen=True)
class Case:
    """One rendered photo and what is true about it."""

    path: Path
    kind: Kind
    feet: tuple[FootTruth, ...]  # ordered as drawn (left half first)
    mm_per_px: float | None  # known only for scanned variants (and then written as the file's dpi)
    conditions: tuple[str, ...]  # what makes it hard: "pen", "shadow", "tilt", "alpha", "ruler", …
    seed: int


@dataclass(frozen=True)
class Ranges:
    """Parameter ranges of the renderer (the held-out set shifts them)."""

    grid_pitch_mm: tuple[float, float] = (0.9, 2.4)
    arch_ink: tuple[float, float] = (0.3, 0.6)  # ink strength at the arch / at the heel
    shadow: tuple[float, float] = (0.15, 0.4)
    tilt_deg: tuple[float, float] = (0.0, 14.0)
    wet_contrast: tuple[float, float] = (0.18, 0.4)
    long_side_px: tuple[int, int] = (2400, 4000)


DEV = Ranges()
HELD_OUT = Ranges(
    grid_pitch_mm=(0.7, 3.0),
    arch_ink=(0.25, 0.7),
    shadow=(0.2, 0.5),
    tilt_deg=(0.0, 18.0),
    wet_contrast=(0.15, 0.45),
    long_side_px=(2000, 4000),
)
HELD_OUT_SEED_BASE = 500_000


# ------------------------------------------------------------------------------------------ geometry


def _scene_points(foot: Foot, pts: F64, centre_mm: F64) -> F64:
    """Foot frame (mm) → page (mm, y down), centred on ``centre_mm``."""
    return _to_scene(foot, pts) + centre_mm


def _foot_frame(foot: Foot, xy_mm: F64, centre_mm: F64) -> tuple[F64, F64]:
    """Page (mm) → foot frame (x along the axis from the heel back, y towards medial): the inverse map."""
    th = math.radians(foot.p.rotation_deg)
    c, sn = math.cos(th), math.sin(th)
    a = xy_mm - centre_mm
    u = c * a[..., 0] - sn * a[..., 1]
    v = sn * a[..., 0] + c * a[..., 1]
    s = 1.0 if foot.p.side == "left" else -1.0
    return -v, s * u


def _outline_extent(foot: Foot) -> tuple[F64, F64]:
    pts = np.concatenate(
        [_to_scene(foot, p) for p in foot.body_polygons() + [t.polygon() for t in foot.toes]]
    )
    return pts.min(0), pts.max(0)


# ------------------------------------------------------------------------------------------- drawing


def _contact(foot: Foot, centre_mm: F64, px_per_mm: float, shape: tuple[int, int]) -> U8:
    """Anti-aliased contact mask (0–255) of one foot, on a pixel grid whose origin is page mm ``-centre_mm``."""
    out = np.zeros(shape, np.uint8)
    for poly in foot.body_polygons() + [t.polygon() for t in foot.toes]:
        p = np.round(_scene_points(foot, poly, centre_mm) * px_per_mm * 16).astype(np.int32)
        cv2.fillPoly(out, [p], 255, lineType=cv2.LINE_AA, shift=4)
    return out


def _pressure(foot: Foot, centre_mm: F64, px_per_mm: float, shape: tuple[int, int], arch: float) -> F32:
    """Ink strength 0–1 over the page: full under the heel, the ball and the big toe, ``arch`` at the arch."""
    h, w = shape
    step = 4  # computed coarse, then resized
    yy, xx = np.mgrid[0 : h // step + 1, 0 : w // step + 1].astype(np.float64)
    xy = np.stack([(xx * step + 0.5) / px_per_mm, (yy * step + 0.5) / px_per_mm], -1)
    x, y = _foot_frame(foot, xy, centre_mm)
    length = foot.p.foot_length_mm
    heel = np.exp(-(((x - 0.14 * length) / (0.13 * length)) ** 2) - (y / (0.09 * length)) ** 2)
    ball = np.exp(
        -(((x - 0.66 * length) / (0.1 * length)) ** 2) - ((y - 0.02 * length) / (0.14 * length)) ** 2
    )
    toes = np.exp(-(((x - 0.85 * length) / (0.07 * length)) ** 2))
    strength = np.maximum.reduce([heel, ball, 0.85 * toes])
    small = (arch + (1 - arch) * np.clip(strength * 1.3, 0, 1)).astype(np.float32)
    return np.asarray(cv2.resize(small, (w, h), interpolation=cv2.INTER_LINEAR)[:h, :w], np.float32)


def _grid_ink(contact: U8, strength: F32, pitch_px: float, angle_deg: float, rng: np.random.Generator) -> F32:
    """The membrane's crossed-line grid: line width grows with the ink strength, pale lines break up."""
    h, w = contact.shape
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    th = math.radians(angle_deg)
    # the membrane is not perfectly flat: a slow warp of the lattice
    warp = _noise(rng, h, w, 0.08 * max(h, w)) * np.float32(0.6 * pitch_px)
    u = (xx * math.cos(th) + yy * math.sin(th) + warp) / pitch_px
    v = (-xx * math.sin(th) + yy * math.cos(th) - warp) / pitch_px
    du = np.abs(u - np.round(u))
    dv = np.abs(v - np.round(v))
    half = np.float32(0.08) + np.float32(0.22) * strength  # half line width, in pitches
    line = np.maximum(
        np.clip((half - du) * pitch_px + 0.5, 0, 1), np.clip((half - dv) * pitch_px + 0.5, 0, 1)
    )
    breaks = _noise(rng, h, w, 0.7 * pitch_px)
    line *= np.clip((strength - 0.15 + 0.35 * breaks) * 4, 0, 1)  # pale ink: broken lines
    ink = line * (np.float32(0.35) + np.float32(0.65) * strength) * (contact.astype(np.float32) / 255)
    return np.asarray(ink, np.float32)


def _wet_ink(contact: U8, strength: F32, px_per_mm: float, rng: np.random.Generator) -> F32:
    """A wet print: a soft-edged, uneven darkening that follows the load, with blotches."""
    soft = cv2.GaussianBlur(contact.astype(np.float32) / 255, (0, 0), max(0.8, 0.6 * px_per_mm))
    blotch = 0.75 + 0.25 * _noise(rng, *contact.shape, 4 * px_per_mm)
    return np.asarray(soft * (0.45 + 0.55 * strength) * blotch, np.float32)


def _noise(rng: np.random.Generator, h: int, w: int, sigma_px: float) -> F32:
    """Smooth noise in [-1, 1] with features about ``sigma_px`` wide (drawn coarse, then resized)."""
    step = max(1.0, sigma_px / 3)
    sh, sw = max(2, int(h / step) + 2), max(2, int(w / step) + 2)
    small = rng.standard_normal((sh, sw)).astype(np.float32)
    small = cv2.GaussianBlur(small, (0, 0), max(0.5, sigma_px / step))
    small /= np.float32(3 * small.std() + 1e-6)
    big = cv2.resize(small, (w, h), interpolation=cv2.INTER_LINEAR)
    return np.asarray(np.clip(big, -1, 1), np.float32)


def _put_text(
    img: U8,
    text: str,
    org_mm: tuple[float, float],
    height_mm: float,
    px_per_mm: float,
    colour: tuple[int, ...],
) -> None:
    scale = height_mm * px_per_mm / 22
    org = (int(org_mm[0] * px_per_mm), int(org_mm[1] * px_per_mm))
    cv2.putText(
        img, text, org, cv2.FONT_HERSHEY_SIMPLEX, scale, colour, max(1, round(0.35 * px_per_mm)), cv2.LINE_AA
    )


def _pen_stroke(
    img: U8,
    a_mm: F64,
    b_mm: F64,
    px_per_mm: float,
    colour: tuple[int, ...],
    width_mm: float,
    rng: np.random.Generator,
) -> None:
    """A hand-drawn stroke from a to b: slightly bowed and wobbly."""
    t = np.linspace(0, 1, 40)[:, None]
    d = b_mm - a_mm
    normal = np.array([-d[1], d[0]]) / (np.linalg.norm(d) + 1e-9)
    bow = rng.uniform(-0.06, 0.06) * np.linalg.norm(d) * np.sin(np.pi * t)
    wobble = 0.3 * np.cumsum(rng.normal(0, 0.15, (40, 1)), 0)
    pts = a_mm + t * d + (bow + wobble) * normal
    cv2.polylines(
        img,
        [np.round(pts * px_per_mm * 16).astype(np.int32)],
        False,
        colour,
        max(1, round(width_mm * px_per_mm)),
        cv2.LINE_AA,
        shift=4,
    )


def _pen_marks(img: U8, foot: Foot, centre_mm: F64, px_per_mm: float, rng: np.random.Generator) -> None:
    """Strokes across the foot axis at the tip of the longest toe and at the back of the heel."""
    colour = (
        (int(rng.uniform(120, 170)), int(rng.uniform(40, 70)), int(rng.uniform(10, 40)))  # blue biro (BGR)
        if rng.random() < 0.6
        else (int(rng.uniform(20, 50)),) * 3
    )
    width = float(rng.uniform(0.4, 1.3))
    tip = max(t.cx + t.a for t in foot.toes)
    half_w = 0.5 * foot.p.width_ratio * foot.p.foot_length_mm
    for x in (tip + rng.uniform(-0.5, 2.5), -rng.uniform(-0.5, 2.5)):
        lo, hi = -half_w * rng.uniform(0.4, 1.3), half_w * rng.uniform(0.4, 1.3)
        ends = np.array([[x, lo], [x, hi]])
        a, b = _scene_points(foot, ends, centre_mm)
        _pen_stroke(img, a, b, px_per_mm, colour, width, rng)


def _form(
    img: U8, page_mm: tuple[float, float], halves: int, px_per_mm: float, rng: np.random.Generator
) -> list[tuple[float, float, float, float]]:
    """Print the form: frames, blue title bands, a logo, header and remarks lines. Returns the frames (mm)."""
    w_mm, h_mm = page_mm
    blue = (int(rng.uniform(140, 200)), int(rng.uniform(70, 120)), int(rng.uniform(10, 50)))
    frame_colour = (int(rng.uniform(0, 60)),) * 3 if rng.random() < 0.6 else blue
    line = max(1, round(rng.uniform(0.3, 0.8) * px_per_mm))
    top, bottom, side = 30.0, h_mm - 22.0, 6.0
    frames = []
    titles = ("Pied gauche / Left foot", "Pied droit / Right foot")
    for k in range(halves):
        x0 = side + k * (w_mm - 2 * side) / halves
        x1 = side + (k + 1) * (w_mm - 2 * side) / halves - (2.0 if halves == 2 and k == 0 else 0.0)
        frames.append((x0, top, x1, bottom))
        p0 = (int(x0 * px_per_mm), int(top * px_per_mm))
        p1 = (int(x1 * px_per_mm), int(bottom * px_per_mm))
        cv2.rectangle(img, p0, p1, frame_colour, line)
        band = rng.uniform(8, 13)
        cv2.rectangle(img, p0, (p1[0], int((top + band) * px_per_mm)), blue, -1)
        title = titles[k] if halves == 2 else "Empreinte / Footprint"
        _put_text(img, title, (x0 + 3, top + band * 0.7), band * 0.45, px_per_mm, (255, 255, 255))
        _put_text(
            img, "Remarques / Remarks: ____________", (x0 + 3, bottom - 4), 3.2, px_per_mm, (40, 40, 40)
        )
    # logo: a coloured disc with initials, and the clinic's name and a date line in the header
    logo_c = (int(rng.uniform(8, 30) * px_per_mm), int(14 * px_per_mm))
    logo_colour = tuple(int(v) for v in rng.integers(0, 200, 3))
    cv2.circle(img, logo_c, int(9 * px_per_mm), logo_colour, -1, cv2.LINE_AA)
    _put_text(img, "PC", (logo_c[0] / px_per_mm - 5, 17), 6, px_per_mm, (255, 255, 255))
    _put_text(
        img,
        "Cabinet de podologie - Podiatry clinic",
        (logo_c[0] / px_per_mm + 14, 12),
        4,
        px_per_mm,
        (30, 30, 30),
    )
    _put_text(
        img,
        "Nom / Name: ________  Date: __/__/____",
        (logo_c[0] / px_per_mm + 14, 22),
        3.2,
        px_per_mm,
        (30, 30, 30),
    )
    return frames


def _ruler(img: U8, page_mm: tuple[float, float], px_per_mm: float) -> None:
    w_mm, h_mm = page_mm
    y = h_mm - 8.0
    thick = max(1, round(0.25 * px_per_mm))
    x0, x1 = 15.0, min(w_mm - 15.0, 215.0)
    cv2.line(
        img,
        (int(x0 * px_per_mm), int(y * px_per_mm)),
        (int(x1 * px_per_mm), int(y * px_per_mm)),
        (20, 20, 20),
        thick,
    )
    for k in range(int(x1 - x0) + 1):
        tick = 4.0 if k % 10 == 0 else (2.5 if k % 5 == 0 else 1.5)
        x = int((x0 + k) * px_per_mm)
        cv2.line(img, (x, int(y * px_per_mm)), (x, int((y - tick) * px_per_mm)), (20, 20, 20), thick)


# -------------------------------------------------------------------------------------------- photo


def _camera(
    page_px: tuple[int, int],
    out_size: tuple[int, int],
    tilt_deg: float,
    spin_deg: float,
    fill: float,
    rng: np.random.Generator,
) -> F64:
    """Homography page pixels → photo pixels: a pinhole camera tilted about a random axis, turned in plane."""
    w, h = page_px
    corners = np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float64) - [w / 2, h / 2]
    th = math.radians(spin_deg)
    rot = np.array([[math.cos(th), -math.sin(th)], [math.sin(th), math.cos(th)]])
    pts = corners @ rot.T
    # tilt: points on the far side shrink (1 / depth)
    axis_ang = rng.uniform(0, 2 * math.pi)
    direction = np.array([math.cos(axis_ang), math.sin(axis_ang)])
    diag = math.hypot(w, h)
    depth = 1.0 + math.tan(math.radians(tilt_deg)) * (pts @ direction) / (1.3 * diag)
    pts = pts / depth[:, None]
    span = pts.max(0) - pts.min(0)
    k = fill * min(out_size[0] / span[0], out_size[1] / span[1])
    pts = (pts - (pts.max(0) + pts.min(0)) / 2) * k + np.array(out_size) / 2
    pts += rng.uniform(-0.03, 0.03, 2) * np.array(out_size)
    src = (corners + np.array([w / 2, h / 2])).astype(np.float32)
    return np.asarray(cv2.getPerspectiveTransform(src, pts.astype(np.float32)), np.float64)


def _shadow(h: int, w: int, strength: float, rng: np.random.Generator) -> F32:
    """A soft cast shadow (phone or hand): a dark polygon from one edge with a wide penumbra."""
    mask = np.zeros((h, w), np.uint8)
    edge = rng.integers(0, 4)
    depth = rng.uniform(0.2, 0.55)
    pts = {
        0: [
            (0, 0),
            (w, 0),
            (w * rng.uniform(0.4, 1), h * depth),
            (w * rng.uniform(0, 0.6), h * depth * rng.uniform(0.6, 1.4)),
        ],
        1: [
            (0, h),
            (w, h),
            (w * rng.uniform(0.4, 1), h * (1 - depth)),
            (0, h * (1 - depth * rng.uniform(0.6, 1.4))),
        ],
        2: [(0, 0), (0, h), (w * depth, h * rng.uniform(0.4, 1)), (w * depth * rng.uniform(0.6, 1.4), 0)],
        3: [(w, 0), (w, h), (w * (1 - depth), h * rng.uniform(0.4, 1)), (w * (1 - depth), 0)],
    }[int(edge)]
    cv2.fillPoly(mask, [np.array(pts, np.int32)], 255)
    small = cv2.resize(mask, (w // 8, h // 8), interpolation=cv2.INTER_AREA).astype(np.float32) / 255
    soft = cv2.GaussianBlur(small, (0, 0), max(h, w) / 8 * rng.uniform(0.01, 0.04))
    soft = cv2.resize(soft, (w, h), interpolation=cv2.INTER_LINEAR)
    return np.asarray(1.0 - strength * soft, np.float32)


def render_case(seed: int, folder: Path, *, held_out: bool = False) -> Case:
    """Render one real-like case into ``folder`` and return its truth (see the module docstring)."""
    rng = np.random.default_rng(seed + (HELD_OUT_SEED_BASE if held_out else 0))
    ranges = HELD_OUT if held_out else DEV
    kind: Kind = KINDS[int(rng.choice(4, p=[0.5, 0.15, 0.2, 0.15]))]
    two = kind == "grid-form" or rng.random() < 0.5
    page_mm = (297.0, 420.0) if (not two and rng.random() < 0.2) or rng.random() < 0.35 else (210.0, 297.0)
    if two and page_mm[0] < 250:
        page_mm = (260.0, 340.0) if rng.random() < 0.5 else page_mm
    scanned = rng.random() < 0.2
    long_px = int(rng.uniform(*ranges.long_side_px))
    px_per_mm = long_px / page_mm[1] / (1.0 if scanned else 1.15)
    page_px = (int(page_mm[0] * px_per_mm), int(page_mm[1] * px_per_mm))
    conditions: list[str] = [kind, "two feet" if two else "one foot"]

    # the paper
    if kind == "wet-card":
        paper = np.array([rng.uniform(90, 140), rng.uniform(140, 180), rng.uniform(175, 215)])  # BGR brown
    else:
        paper = np.full(3, rng.uniform(215, 250)) - np.array([rng.uniform(0, 12), 0, 0])
    img = np.empty((page_px[1], page_px[0], 3), np.uint8)
    img[:] = paper.astype(np.uint8)
    frames: list[tuple[float, float, float, float]] = []
    if kind == "grid-form":
        frames = _form(img, page_mm, 2 if two else 1, px_per_mm, rng)
    if kind.startswith("grid") and rng.random() < 0.3:
        _ruler(img, page_mm, px_per_mm)
        conditions.append("ruler")

    # the feet: one per half (left foot in the left half), or one in the middle
    sides: tuple[Side, ...] = ("left", "right") if two else (("left",) if rng.random() < 0.5 else ("right",))
    halves = frames or (
        [(5.0, 5.0, page_mm[0] / 2, page_mm[1] - 5), (page_mm[0] / 2, 5.0, page_mm[0] - 5, page_mm[1] - 5)]
        if two
        else [(5.0, 5.0, page_mm[0] - 5, page_mm[1] - 5)]
    )
    base = random_foot(rng)
    truths: list[tuple[Foot, F64]] = []
    for side, (x0, y0, x1, y1) in zip(sides, halves, strict=True):
        params = replace(
            random_foot(rng, side),
            foot_length_mm=base.foot_length_mm,
            rotation_deg=float(rng.uniform(-12, 12)),
            toe_gap_mm=float(rng.uniform(1.5, 8)) if rng.random() < 0.85 else float(rng.uniform(-1, -0.4)),
        )
        room = min((x1 - x0) / (0.44 * params.foot_length_mm), (y1 - y0 - 20) / params.foot_length_mm)
        if room < 1.05:  # scale the foot to the half (a child, or a small form): keeps the shape
            params = replace(params, foot_length_mm=params.foot_length_mm * room / 1.05)
        foot = Foot(params)
        lo, hi = _outline_extent(foot)
        cx = (x0 + x1) / 2 - (lo[0] + hi[0]) / 2 + rng.uniform(-3, 3)
        cy = (y0 + 12 + y1) / 2 - (lo[1] + hi[1]) / 2 + rng.uniform(-6, 6)
        truths.append((foot, np.array([cx, cy])))

    shape = (page_px[1], page_px[0])
    ink = np.zeros(shape, np.float32)
    pitch_mm = float(rng.uniform(*ranges.grid_pitch_mm))
    angle = float(rng.uniform(0, 90))
    arch = float(rng.uniform(*ranges.arch_ink))
    for foot, centre in truths:  # drawn inside the foot's box only (speed)
        lo, hi = _outline_extent(foot)
        x0, y0 = (np.maximum((centre + lo - 6) * px_per_mm, 0)).astype(int)
        x1, y1 = (np.minimum((centre + hi + 6) * px_per_mm, [shape[1], shape[0]])).astype(int)
        local = centre - np.array([x0, y0]) / px_per_mm
        box = (int(y1 - y0), int(x1 - x0))
        contact = _contact(foot, local, px_per_mm, box)
        strength = _pressure(foot, local, px_per_mm, box, arch)
        if kind.startswith("grid"):
            one = _grid_ink(contact, strength, pitch_mm * px_per_mm, angle, rng)
        else:
            one = _wet_ink(contact, strength, px_per_mm, rng)
        np.maximum(ink[y0:y1, x0:x1], one, out=ink[y0:y1, x0:x1])
    if kind.startswith("grid"):
        conditions.append(f"grid {pitch_mm:.1f} mm")
        ink_colour = np.array([rng.uniform(10, 70), rng.uniform(10, 50), rng.uniform(10, 50)])
        darkness = float(rng.uniform(0.75, 0.95))
    else:
        contrast = float(rng.uniform(*ranges.wet_contrast))
        ink_colour = paper * (1 - contrast / 0.9)
        darkness = 0.9
        texture = _noise(rng, *shape, 0.3 * px_per_mm) * np.float32(rng.uniform(2, 7))
        img = np.clip(img.astype(np.float32) + texture[..., None], 0, 255).astype(np.uint8)
    alpha = (ink * np.float32(darkness))[..., None]
    img = np.clip(img * (1 - alpha) + ink_colour.astype(np.float32) * alpha, 0, 255).astype(np.uint8)
    if kind.startswith("grid") and rng.random() < 0.85:
        for foot, centre in truths:
            _pen_marks(img, foot, centre, px_per_mm, rng)
        conditions.append("pen")

    # the photo (or a flat scan)
    feet_px = []
    for foot, centre in truths:
        lo, hi = _outline_extent(foot)
        feet_px.append((centre + (lo + hi) / 2) * px_per_mm)
    if scanned:
        photo, h_img = img, np.eye(3)
        conditions.append("scan")
    else:
        out = (int(long_px * page_mm[0] / page_mm[1] * 1.12), long_px)
        if rng.random() < 0.3:
            out = (out[1], out[0])
        tilt = float(rng.uniform(*ranges.tilt_deg))
        spin = float(rng.choice([0, 90, 180, 270]) if rng.random() < 0.15 else 0) + float(rng.uniform(-6, 6))
        h_img = _camera(page_px, out, tilt, spin, float(rng.uniform(0.8, 0.95)), rng)
        table = tuple(float(v) for v in rng.uniform(40, 160, 3))
        photo = cv2.warpPerspective(img, h_img, out, flags=cv2.INTER_AREA, borderValue=table)
        if tilt > 8:
            conditions.append("tilt")
        if abs(spin) > 45:
            conditions.append("turned")
        gy, gx = np.mgrid[0:8, 0:8].astype(np.float32)
        ang = rng.uniform(0, 2 * math.pi)
        ramp = gx * math.cos(ang) + gy * math.sin(ang)
        light = 1 - rng.uniform(0, 0.35) * (ramp - ramp.min()) / (np.ptp(ramp) + 1e-6)
        light = cv2.resize(light, out, interpolation=cv2.INTER_LINEAR)
        if rng.random() < 0.45:
            light = light * _shadow(out[1], out[0], float(rng.uniform(*ranges.shadow)), rng)
            conditions.append("shadow")
        photo = photo.astype(np.float32) * light[..., None].astype(np.float32)
        photo = cv2.GaussianBlur(photo, (0, 0), float(rng.uniform(0.3, 1.2)))
        noise = np.empty(photo.shape, np.float32)
        cv2.setRNGSeed(int(rng.integers(0, 2**31 - 1)))
        cv2.randn(noise, 0.0, float(rng.uniform(1, 4)))
        photo = np.clip(photo + noise, 0, 255).astype(np.uint8)
    centres = []
    for c in feet_px:
        q = h_img @ np.array([c[0], c[1], 1.0])
        centres.append((float(q[0] / q[2]), float(q[1] / q[2])))

    mm_per_px = 1 / px_per_mm if scanned else None
    if not scanned and rng.random() < 0.2:  # PNG with the table cut away to transparent
        page = np.full(shape, 255, np.uint8)
        cut = cv2.warpPerspective(page, h_img, (photo.shape[1], photo.shape[0]), flags=cv2.INTER_NEAREST)
        rgba = np.dstack([photo[..., ::-1], cut])
        rgba[cut == 0, :3] = 0  # what editors leave under transparent pixels
        path = folder / f"case-{seed}.png"
        Image.fromarray(rgba, "RGBA").save(path, compress_level=1)
        conditions.append("alpha")
    elif scanned:
        path = folder / f"case-{seed}.png"
        Image.fromarray(photo[..., ::-1]).save(path, dpi=(25.4 / mm_per_px,) * 2, compress_level=1)  # type: ignore[operator]
    else:
        path = folder / f"case-{seed}.jpg"
        cv2.imwrite(str(path), photo, [cv2.IMWRITE_JPEG_QUALITY, int(rng.integers(75, 95))])
    feet = tuple(
        FootTruth(
            side=foot.p.side,
            arch_index=float(foot.truth_in_frame()["arch_index"]),  # type: ignore[arg-type]
            foot_length_mm=float(foot.truth_in_frame()["length"]),  # type: ignore[arg-type]
            centre_px=c,
        )
        for (foot, _), c in zip(truths, centres, strict=True)
    )
    return Case(path=path, kind=kind, feet=feet, mm_per_px=mm_per_px, conditions=tuple(conditions), seed=seed)


__all__ = ["HELD_OUT", "KINDS", "TOE_REACH", "Case", "FootParams", "FootTruth", "render_case"]
