"""An overlay that shows what was measured on a footprint: outline, axis, toe line, thirds and values.

PNG: drawn with OpenCV on a colour copy of the image. SVG: the image embedded as a base64 PNG with the
construction lines as vector shapes, so it stays sharp when zoomed. Both are written atomically
(temporary file, then ``os.replace``), so a failed write never leaves half a file.
"""

from __future__ import annotations

import base64
import contextlib
import os
import tempfile
from collections.abc import Sequence
from html import escape
from pathlib import Path

import cv2
import numpy as np
from numpy.typing import NDArray

from footchain.errors import FootprintError
from footchain.measure.footprint.result import Point, PrintGeometry, PrintMeasurement, Segment

MAX_SIDE_PX = 2000  # larger images are shrunk for the overlay (lines and text stay readable)
# colours as (B, G, R) for OpenCV; the SVG uses the same, as #RRGGBB
THIRD_COLOURS = {"A": (60, 180, 255), "B": (90, 220, 90), "C": (255, 150, 60)}  # forefoot, midfoot, heel
OUTLINE = (0, 160, 0)
AXIS = (200, 0, 200)
CROSS = (200, 80, 0)  # heel and toe lines
THIRDS = (120, 120, 120)
WIDTH = (0, 0, 230)
CLARKE = (0, 170, 200)
TEXT = (20, 20, 20)


def write_overlay(gray: NDArray[np.generic], prints: list[PrintMeasurement], path: Path) -> None:
    """Write ``path`` (.png or .svg): the image with each print's construction lines and values.

    Per print: its outline, the foot axis (heel centre → second toe, Cavanagh & Rodgers 1987), the heel
    and toe lines, the thirds A (forefoot), B (midfoot), C (heel) shaded, the forefoot, narrowest
    midfoot and heel widths, Clarke's lines, and a label with the side and the values.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".png", ".svg"):
        raise FootprintError(f"the overlay must be a .png or .svg file, not {path.name!r}")
    img = np.asarray(gray)
    colour: NDArray[np.uint8]
    if img.ndim == 2:
        colour = np.asarray(cv2.cvtColor(_to_u8(img), cv2.COLOR_GRAY2BGR), np.uint8)
    elif img.ndim == 3 and img.shape[2] == 3:
        colour = _to_u8(img).copy()
    else:
        raise FootprintError("the overlay needs a grey or colour image")
    h, w = colour.shape[:2]
    scale = min(1.0, MAX_SIDE_PX / max(h, w))
    if scale < 1.0:
        colour = np.asarray(
            cv2.resize(colour, (round(w * scale), round(h * scale)), interpolation=cv2.INTER_AREA), np.uint8
        )
    elif max(h, w) < 500:  # tiny inputs (pressure frames) are enlarged so lines and text fit
        scale = 500 / max(h, w)
        colour = np.asarray(
            cv2.resize(colour, (round(w * scale), round(h * scale)), interpolation=cv2.INTER_NEAREST),
            np.uint8,
        )
    drawn = [(p, _scaled(p.geometry, scale)) for p in prints if p.geometry is not None]
    data = _png(colour, drawn) if suffix == ".png" else _svg(colour, drawn)
    _atomic_write(path, data)


# ---------------------------------------------------------------------------------------- drawing


def _to_u8(img: NDArray[np.generic]) -> NDArray[np.uint8]:
    if img.dtype == np.uint8:
        return np.asarray(img, np.uint8)
    a = np.asarray(img, dtype=np.float64)
    lo, hi = float(np.nanmin(a)), float(np.nanmax(a))
    a = (a - lo) / (hi - lo) * 255 if hi > lo else np.zeros_like(a)
    return np.asarray(np.nan_to_num(a), dtype=np.float64).astype(np.uint8)


def _scaled(g: PrintGeometry, k: float) -> PrintGeometry:
    def p(q: Point) -> Point:
        return ((q[0] + 0.5) * k - 0.5, (q[1] + 0.5) * k - 0.5)

    def s(seg: Segment) -> Segment:
        return p(seg[0]), p(seg[1])

    return PrintGeometry(
        outline=[p(q) for q in g.outline],
        heel_point=p(g.heel_point),
        toe_point=p(g.toe_point),
        heel_line=s(g.heel_line),
        toe_line=s(g.toe_line),
        third_lines=(s(g.third_lines[0]), s(g.third_lines[1])),
        forefoot_width=s(g.forefoot_width),
        midfoot_width=s(g.midfoot_width),
        heel_width=s(g.heel_width),
        clarke_lines=None if g.clarke_lines is None else (s(g.clarke_lines[0]), s(g.clarke_lines[1])),
    )


def _bands(g: PrintGeometry) -> dict[str, list[Point]]:
    """The thirds as quadrilaterals between the cross lines, stretched to cover the whole print."""
    lines = [g.toe_line, g.third_lines[0], g.third_lines[1], g.heel_line]
    out: dict[str, list[Point]] = {}
    for name, a, b in zip("ABC", lines[:-1], lines[1:], strict=True):
        a0, a1 = _stretch(a, 1.3)
        b0, b1 = _stretch(b, 1.3)
        out[name] = [a0, a1, b1, b0]
    return out


def _stretch(seg: Segment, k: float) -> Segment:
    (x0, y0), (x1, y1) = seg
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    return (cx + (x0 - cx) * k, cy + (y0 - cy) * k), (cx + (x1 - cx) * k, cy + (y1 - cy) * k)


def _side_tag(m: PrintMeasurement) -> str:
    """The print's side as drawn on it: "LEFT", "RIGHT", or "SIDE NOT CLEAR" (never "UNKNOWN").
    OpenCV's Hershey fonts draw ASCII only, so the labels use words ("degrees"), not symbols."""
    return m.side.upper() if m.side in ("left", "right") else "SIDE NOT CLEAR"


def _label_lines(m: PrintMeasurement) -> list[str]:
    """The values under the picture, spelled out: a person may see it in their report."""

    def f(v: float | None, fmt: str) -> str:
        return "not measured" if v is None else format(v, fmt)

    foot = f"{m.side.capitalize()} foot" if m.side in ("left", "right") else "Foot (side not clear)"
    arch = f"{m.arch_type} arch" if m.arch_type != "unknown" else "arch not judged"
    lines = [f"{foot}: {arch}", f"Arch Index {f(m.arch_index, '.3f')}"]
    csi = f"{f(m.chippaux_smirak_index, '.1f')}{' %' if m.chippaux_smirak_index is not None else ''}"
    lines.append(f"Chippaux-Smirak {csi}, Staheli {f(m.staheli_index, '.2f')}")
    lines.append(
        f"Clarke angle {f(m.clarke_angle_deg, '.0f')}{' degrees' if m.clarke_angle_deg is not None else ''}"
    )
    if m.foot_length_mm is not None:
        lines.append(f"Length {m.foot_length_mm:.0f} mm, width {f(m.foot_width_mm, '.0f')} mm")
    return lines


def _tag_position(g: PrintGeometry, img_w: int, img_h: int, tw: float, th: float) -> Point:
    """Baseline-left point for the side tag, just beyond the toes on the foot axis, inside the image."""
    (hx, hy), (tx, ty) = g.heel_point, g.toe_point
    length = max(1e-6, ((tx - hx) ** 2 + (ty - hy) ** 2) ** 0.5)
    ux, uy = (tx - hx) / length, (ty - hy) / length
    cx, cy = tx + ux * (th * 1.5 + 6), ty + uy * (th * 1.5 + 6)
    x = min(max(0.0, cx - tw / 2), max(0.0, img_w - tw))
    y = min(max(th, cy + th / 2), float(img_h - 2))
    return x, y


def _band_centre(quad: list[Point]) -> Point:
    return sum(p[0] for p in quad) / 4, sum(p[1] for p in quad) / 4


def _png(colour: NDArray[np.uint8], drawn: list[tuple[PrintMeasurement, PrintGeometry]]) -> bytes:
    h, w = colour.shape[:2]
    t = max(1, round(max(h, w) / 700))
    shade = colour.copy()
    for _, g in drawn:
        inside = np.zeros((h, w), np.uint8)
        if g.outline:
            cv2.fillPoly(inside, [_pts(g.outline)], 255)
        for name, quad in _bands(g).items():
            band = np.zeros((h, w), np.uint8)
            cv2.fillPoly(band, [_pts(quad)], 255)
            sel = (band > 0) & (inside > 0)
            shade[sel] = THIRD_COLOURS[name]
    colour = np.asarray(cv2.addWeighted(shade, 0.35, colour, 0.65, 0), np.uint8)
    font = cv2.FONT_HERSHEY_SIMPLEX
    fs = max(0.45, max(h, w) / 1600)
    ft = max(1, round(fs * 2))
    for m, g in drawn:
        if g.outline:
            cv2.polylines(colour, [_pts(g.outline)], True, OUTLINE, t, cv2.LINE_AA)
        for seg in (g.third_lines[0], g.third_lines[1]):
            _line(colour, _stretch(seg, 1.3), THIRDS, t)
        for seg in (g.heel_line, g.toe_line):
            _line(colour, _stretch(seg, 1.3), CROSS, t + 1)
        _line(colour, (g.heel_point, g.toe_point), AXIS, t + 1)
        for seg in (g.forefoot_width, g.midfoot_width, g.heel_width):
            _line(colour, seg, WIDTH, t + 1)
            for end in seg:
                cv2.circle(colour, _ip(end), t + 2, WIDTH, -1, cv2.LINE_AA)
        if g.clarke_lines is not None:
            for seg in g.clarke_lines:
                _line(colour, seg, CLARKE, t + 1)
        for name, quad in _bands(g).items():
            (tw, th), _ = cv2.getTextSize(name, font, fs * 1.4, ft + 1)
            cx, cy = _band_centre(quad)
            ex, ey = _ip((cx - tw / 2, cy + th / 2))
            cv2.putText(colour, name, (ex, ey), font, fs * 1.4, (255, 255, 255), ft + 3, cv2.LINE_AA)
            cv2.putText(colour, name, (ex, ey), font, fs * 1.4, THIRD_COLOURS[name], ft + 1, cv2.LINE_AA)
        tag = _side_tag(m)
        (tw, th), _ = cv2.getTextSize(tag, font, fs * 1.2, ft + 1)
        tx, ty = _tag_position(g, w, h, tw, th)
        cv2.putText(colour, tag, _ip((tx, ty)), font, fs * 1.2, (255, 255, 255), ft + 4, cv2.LINE_AA)
        cv2.putText(colour, tag, _ip((tx, ty)), font, fs * 1.2, AXIS, ft + 1, cv2.LINE_AA)
    # the values, one column per print in image order, on a white strip under the image
    columns = [_label_lines(m) for m, _ in drawn]
    if columns:
        line_h = int(cv2.getTextSize("Ag", font, fs, ft)[0][1] * 1.9)
        strip = np.full((line_h * max(len(c) for c in columns) + line_h // 2, w, 3), 255, np.uint8)
        col_w = w / len(columns)
        for k, lines in enumerate(columns):
            for i, s in enumerate(lines):
                org = _ip((k * col_w + 10, line_h * (i + 0.9)))
                cv2.putText(strip, s, org, font, fs, AXIS if i == 0 else TEXT, ft, cv2.LINE_AA)
        colour = np.vstack([colour, strip])
    ok, buf = cv2.imencode(".png", colour)
    if not ok:
        raise FootprintError("the overlay image could not be encoded as PNG")
    return bytes(np.asarray(buf, np.uint8).tobytes())


def _pts(points: Sequence[Point]) -> NDArray[np.int32]:
    return np.round(np.array(points, dtype=np.float64)).astype(np.int32).reshape(-1, 1, 2)


def _ip(p: Point) -> tuple[int, int]:
    return round(p[0]), round(p[1])


def _line(img: NDArray[np.uint8], seg: Segment, colour: tuple[int, int, int], t: int) -> None:
    cv2.line(img, _ip(seg[0]), _ip(seg[1]), colour, t, cv2.LINE_AA)


def _hex(c: tuple[int, int, int]) -> str:
    b, g, r = c
    return f"#{r:02x}{g:02x}{b:02x}"


def _svg(colour: NDArray[np.uint8], drawn: list[tuple[PrintMeasurement, PrintGeometry]]) -> bytes:
    h, w = colour.shape[:2]
    ok, buf = cv2.imencode(".png", colour)
    if not ok:
        raise FootprintError("the overlay image could not be encoded as PNG")
    b64 = base64.b64encode(np.asarray(buf, np.uint8).tobytes()).decode("ascii")
    sw = max(1.0, max(h, w) / 700)
    fs = max(11.0, max(h, w) / 70)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}">',
        f'<image width="{w}" height="{h}" href="data:image/png;base64,{b64}"/>',
    ]

    def line(seg: Segment, c: tuple[int, int, int], width: float, extra: str = "") -> str:
        (x0, y0), (x1, y1) = seg
        return (
            f'<line x1="{x0:.1f}" y1="{y0:.1f}" x2="{x1:.1f}" y2="{y1:.1f}" stroke="{_hex(c)}" '
            f'stroke-width="{width:.1f}" stroke-linecap="round"{extra}/>'
        )

    def poly(points: Sequence[Point]) -> str:
        return " ".join(f"{x:.1f},{y:.1f}" for x, y in points)

    for k, (m, g) in enumerate(drawn):
        out.append(f'<g id="print{k}" class="print {escape(m.side)}">')
        if g.outline:
            out.append(f'<clipPath id="clip{k}"><polygon points="{poly(g.outline)}"/></clipPath>')
            for name, quad in _bands(g).items():
                out.append(
                    f'<polygon points="{poly(quad)}" fill="{_hex(THIRD_COLOURS[name])}" fill-opacity="0.35" '
                    f'clip-path="url(#clip{k})"><title>third {name}</title></polygon>'
                )
            out.append(
                f'<polygon points="{poly(g.outline)}" fill="none" stroke="{_hex(OUTLINE)}" stroke-width="{sw:.1f}"/>'
            )
        for seg in g.third_lines:
            out.append(line(_stretch(seg, 1.3), THIRDS, sw, ' stroke-dasharray="6 4"'))
        for seg in (g.heel_line, g.toe_line):
            out.append(line(_stretch(seg, 1.3), CROSS, sw * 1.5))
        out.append(line((g.heel_point, g.toe_point), AXIS, sw * 1.5))
        for seg in (g.forefoot_width, g.midfoot_width, g.heel_width):
            out.append(line(seg, WIDTH, sw * 1.5))
        if g.clarke_lines is not None:
            for seg in g.clarke_lines:
                out.append(line(seg, CLARKE, sw * 1.5))
        for name, quad in _bands(g).items():
            x, y = _band_centre(quad)
            out.append(
                f'<text x="{x:.1f}" y="{y:.1f}" font-family="sans-serif" font-size="{fs * 1.3:.0f}" '
                f'font-weight="bold" fill="{_hex(THIRD_COLOURS[name])}" stroke="white" stroke-width="{sw:.1f}" '
                f'paint-order="stroke" text-anchor="middle" dominant-baseline="middle">{name}</text>'
            )
        tag = _side_tag(m)
        tx, ty = _tag_position(g, w, h, len(tag) * fs * 0.75, fs * 1.2)
        out.append(
            f'<text x="{tx:.1f}" y="{ty:.1f}" font-family="sans-serif" font-size="{fs * 1.2:.0f}" '
            f'font-weight="bold" fill="{_hex(AXIS)}" stroke="white" stroke-width="{sw * 2:.1f}" '
            f'paint-order="stroke">{escape(tag)}</text>'
        )
        out.append("</g>")
    columns = [_label_lines(m) for m, _ in drawn]
    if columns:
        line_h = fs * 1.5
        col_w = w / len(columns)
        for k, lines in enumerate(columns):
            for i, text in enumerate(lines):
                colour_i = _hex(AXIS) if i == 0 else _hex(TEXT)
                out.append(
                    f'<text x="{k * col_w + 10:.1f}" y="{h + line_h * (i + 0.9):.1f}" font-family="sans-serif" '
                    f'font-size="{fs:.0f}" fill="{colour_i}">{escape(text)}</text>'
                )
        total_h = h + line_h * (max(len(c) for c in columns) + 0.5)
        out[0] = (
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{total_h:.0f}" '
            f'viewBox="0 0 {w} {total_h:.0f}">'
        )
        out.insert(1, f'<rect x="0" y="{h}" width="{w}" height="{total_h - h:.0f}" fill="white"/>')
    out.append("</svg>")
    return ("\n".join(out) + "\n").encode("utf-8")


def _atomic_write(path: Path, data: bytes) -> None:
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise FootprintError(f"cannot write the overlay: the folder {str(folder)!r} does not exist")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
