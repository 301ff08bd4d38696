"""Synthetic phone photos of the calibration sheet with a print of known geometry, and a blob ruler.

``photograph_sheet`` renders the sheet, inks a mask into its measurement area at true size, and then
imitates a phone photo: camera tilt (a real pinhole projection of the tilted sheet plane), any in-plane
rotation, a table around the sheet, uneven light, paper texture, blur, sensor noise and JPEG encoding.
``measure_blob`` measures the inked shape in a rectified image, sub-pixel, for accuracy tests.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import cv2
import numpy as np

from footchain.measure.footprint.photo import Rectified
from footchain.measure.footprint.sheet import render_sheet_image, sheet_layout

INK_LEVEL = 55.0
TABLE_LEVEL = 95.0


@cache
def _sheet(paper: str, px_per_mm: float) -> np.ndarray:
    image = render_sheet_image(paper, px_per_mm)
    image.setflags(write=False)
    return image


def rectangle_mask(width_mm: float, height_mm: float, mm_per_px: float) -> np.ndarray:
    """A filled rectangle, ``width_mm`` across and ``height_mm`` down (True = ink)."""
    return np.ones((round(height_mm / mm_per_px), round(width_mm / mm_per_px)), dtype=bool)


def disc_mask(diameter_mm: float, mm_per_px: float, *, supersample: int = 8) -> np.ndarray:
    """A filled disc; edge pixels are inked when their centre lies inside the circle."""
    n = round(diameter_mm / mm_per_px)
    centres = (np.arange(n) + 0.5) * mm_per_px - diameter_mm / 2
    return np.asarray(centres[None, :] ** 2 + centres[:, None] ** 2 <= (diameter_mm / 2) ** 2)


def ellipse_mask(width_mm: float, height_mm: float, mm_per_px: float) -> np.ndarray:
    """A filled axis-aligned ellipse."""
    h, w = round(height_mm / mm_per_px), round(width_mm / mm_per_px)
    y = ((np.arange(h) + 0.5) * mm_per_px - height_mm / 2) / (height_mm / 2)
    x = ((np.arange(w) + 0.5) * mm_per_px - width_mm / 2) / (width_mm / 2)
    return np.asarray(x[None, :] ** 2 + y[:, None] ** 2 <= 1.0)


def _rotation(axis: np.ndarray, angle_rad: float) -> np.ndarray:
    rvec = (axis / np.linalg.norm(axis) * angle_rad).reshape(3, 1)
    matrix, _ = cv2.Rodrigues(rvec)
    return np.asarray(matrix, dtype=np.float64)


def sheet_to_photo(
    paper: str,
    image_size: tuple[int, int],
    *,
    rotation_deg: float,
    perspective: float,
    fill: float,
    rng: np.random.Generator,
) -> np.ndarray:
    """Homography from sheet millimetres (y down) to photo pixels of a pinhole camera.

    The camera looks down at the sheet from 1.3 sheet diagonals away, tilted by ``perspective`` degrees
    about a random horizontal axis; the sheet is turned by ``rotation_deg`` in its plane and scaled and
    shifted so its outline fills about ``fill`` of the photo's shorter side.
    """
    layout = sheet_layout(paper)
    w_mm, h_mm = layout.width_mm, layout.height_mm
    distance = 1.3 * float(np.hypot(w_mm, h_mm))
    theta = np.deg2rad(rotation_deg)
    centre = np.array([[1.0, 0.0, -w_mm / 2], [0.0, 1.0, -h_mm / 2], [0.0, 0.0, 1.0]])
    spin = np.array(
        [[np.cos(theta), -np.sin(theta), 0.0], [np.sin(theta), np.cos(theta), 0.0], [0.0, 0.0, 1.0]]
    )
    phi = rng.uniform(0, 2 * np.pi)
    tilt = _rotation(np.array([np.cos(phi), np.sin(phi), 0.0]), np.deg2rad(perspective))
    camera = np.column_stack([tilt[:, 0], tilt[:, 1], np.array([0.0, 0.0, distance])])
    h = camera @ spin @ centre
    outline = np.array([[0, 0], [w_mm, 0], [w_mm, h_mm], [0, h_mm]], dtype=np.float64)
    pts = np.hstack([outline, np.ones((4, 1))]) @ h.T
    pts = pts[:, :2] / pts[:, 2:3]
    lo, hi = pts.min(axis=0), pts.max(axis=0)
    width_px, height_px = image_size
    scale = fill * min(width_px / (hi[0] - lo[0]), height_px / (hi[1] - lo[1]))
    span = (hi - lo) * scale
    spare = np.array([width_px, height_px]) - span
    corner = spare * rng.uniform(0.2, 0.8, size=2)
    fit = np.array(
        [[scale, 0.0, corner[0] - lo[0] * scale], [0.0, scale, corner[1] - lo[1] * scale], [0, 0, 1]]
    )
    return np.asarray(fit @ h, dtype=np.float64)


def photograph_sheet(
    paper: str,
    print_mask: np.ndarray | None,
    mask_mm_per_px: float = 0.5,
    *,
    offset_mm: tuple[float, float] | None = None,
    rotation_deg: float = 0.0,
    perspective: float = 0.0,
    lighting_gradient: float = 0.0,
    noise_sigma: float = 0.0,
    jpeg_quality: int | None = None,
    image_size: tuple[int, int] = (4000, 3000),
    seed: int = 0,
    blur_px: float = 0.8,
    covered_ids: Sequence[int] = (),
    fill: float = 0.9,
    sheet_px_per_mm: float | None = None,
) -> np.ndarray | bytes:
    """A synthetic phone photo of the calibration sheet with ``print_mask`` inked in its measurement area.

    Parameters
    ----------
    paper
        ``"a4"`` or ``"letter"``.
    print_mask
        Boolean image, True = ink, at ``mask_mm_per_px``; ``None`` for an empty sheet.
    offset_mm
        Where the mask's top-left corner sits in the measurement area (mm from the area's top-left
        corner); centred when ``None``.
    rotation_deg
        In-plane rotation of the sheet in the photo.
    perspective
        Camera tilt away from straight above, degrees (its direction is random).
    lighting_gradient
        Fraction of brightness lost from the brightest to the darkest side of the photo.
    noise_sigma
        Standard deviation of pixel noise, grey levels; paper texture of the same size is added.
    jpeg_quality
        Return a colour JPEG's bytes at this quality; ``None`` returns the grey ``uint8`` array.
    image_size
        (width, height) of the photo.
    seed
        Seed for every random choice (tilt direction, placement, noise).
    blur_px
        Gaussian blur (sigma, photo pixels): lens and focus.
    covered_ids
        Marker ids hidden under a skin-coloured object.
    fill
        Share of the photo's shorter side the sheet's outline spans.
    sheet_px_per_mm
        Resolution at which the sheet is rendered before the camera sees it (default: finer than the photo).
    """
    rng = np.random.default_rng(seed)
    layout = sheet_layout(paper)
    ppm = sheet_px_per_mm or float(np.clip(np.ceil(1.25 * max(image_size) / layout.height_mm), 4, 16))
    sheet = _sheet(paper, ppm).astype(np.float32)
    if print_mask is not None and print_mask.any():
        mask_h, mask_w = print_mask.shape
        area = layout.area
        if offset_mm is None:
            offset_mm = (
                (area.width_mm - mask_w * mask_mm_per_px) / 2,
                (area.height_mm - mask_h * mask_mm_per_px) / 2,
            )
        ox, oy = area.x_mm + offset_mm[0], area.y_mm + offset_mm[1]
        k = mask_mm_per_px * ppm
        # mask pixel centre j sits at sheet mm ox + (j + 0.5) * s, i.e. sheet pixel (ox + (j + 0.5) s) ppm - 0.5
        affine = np.array(
            [
                [k, 0.0, (ox + 0.5 * mask_mm_per_px) * ppm - 0.5],
                [0.0, k, (oy + 0.5 * mask_mm_per_px) * ppm - 0.5],
            ]
        )
        coverage = cv2.warpAffine(
            print_mask.astype(np.float32),
            affine,
            (sheet.shape[1], sheet.shape[0]),
            flags=cv2.INTER_LINEAR,
            borderMode=cv2.BORDER_CONSTANT,
            borderValue=0.0,
        )
        sheet = sheet * (1 - coverage) + INK_LEVEL * coverage
    for marker_id in covered_ids:
        marker = layout.marker(marker_id)
        x0 = int((marker.x_mm - 2.0) * ppm)
        y0 = int((marker.y_mm - 2.0) * ppm)
        x1 = int((marker.x_mm + marker.size_mm + 2.0) * ppm)
        y1 = int((marker.y_mm + marker.size_mm + 2.0) * ppm)
        patch = sheet[max(y0, 0) : y1, max(x0, 0) : x1]
        patch[...] = 150.0 + 6 * rng.standard_normal(patch.shape, dtype=np.float32)

    h_mm = sheet_to_photo(
        paper, image_size, rotation_deg=rotation_deg, perspective=perspective, fill=fill, rng=rng
    )
    # sheet pixel (OpenCV centres) → sheet mm → photo pixel
    px_to_mm = np.array([[1 / ppm, 0.0, 0.5 / ppm], [0.0, 1 / ppm, 0.5 / ppm], [0.0, 0.0, 1.0]])
    h_px = h_mm @ px_to_mm
    size = (int(image_size[0]), int(image_size[1]))
    photo = cv2.warpPerspective(sheet, h_px, size, flags=cv2.INTER_LINEAR, borderValue=0.0)
    alpha = cv2.warpPerspective(np.ones(sheet.shape, np.float32), h_px, size, flags=cv2.INTER_LINEAR)
    coarse = cv2.GaussianBlur(
        25 * rng.standard_normal((size[1] // 4, size[0] // 4), dtype=np.float32), (0, 0), 1.5
    )
    table = TABLE_LEVEL + cv2.resize(coarse, size, interpolation=cv2.INTER_LINEAR)
    photo = alpha * photo + (1 - alpha) * table

    if lighting_gradient:
        direction = rng.uniform(0, 2 * np.pi)
        xs = np.arange(size[0], dtype=np.float32) * np.float32(np.cos(direction))
        ys = np.arange(size[1], dtype=np.float32) * np.float32(np.sin(direction))
        low = float(min(xs.min(), xs.max()) + min(ys.min(), ys.max()))
        high = float(max(xs.min(), xs.max()) + max(ys.min(), ys.max()))
        ramp = (ys[:, None] + xs[None, :] - np.float32(low)) / np.float32(max(high - low, 1.0))
        photo *= 1 - np.float32(lighting_gradient) * ramp
    if blur_px > 0:
        photo = cv2.GaussianBlur(photo, (0, 0), blur_px)
    if noise_sigma > 0:
        texture = cv2.GaussianBlur(rng.standard_normal(photo.shape, dtype=np.float32), (0, 0), 2.0)
        texture *= noise_sigma / max(float(texture.std()), 1e-6)
        photo += texture + noise_sigma * rng.standard_normal(photo.shape, dtype=np.float32)
    gray = np.asarray(cv2.convertScaleAbs(photo), dtype=np.uint8)  # rounds and saturates to 0..255
    if jpeg_quality is None:
        return gray
    tint = cv2.merge(
        [cv2.convertScaleAbs(gray, alpha=0.88), cv2.convertScaleAbs(gray, alpha=0.96), gray]
    )  # warm light
    ok, encoded = cv2.imencode(".jpg", tint, [cv2.IMWRITE_JPEG_QUALITY, jpeg_quality])
    assert ok
    return bytes(encoded.tobytes())


@dataclass(frozen=True)
class Blob:
    """An inked shape measured in a rectified image (millimetres, measurement-area coordinates)."""

    area_mm2: float
    width_mm: float  # mean inked length of the rows through the middle half of the shape
    height_mm: float  # mean inked length of the columns through the middle half of the shape
    centre_mm: tuple[float, float]

    @property
    def diameter_mm(self) -> float:
        """Diameter of the disc with this area."""
        return float(2 * np.sqrt(self.area_mm2 / np.pi))


def measure_blob(rectified: Rectified) -> Blob:
    """Measure the one dark shape of a rectified sheet by ink fraction (sub-pixel, blur-proof).

    The paper's brightness is fitted as a quadratic surface outside the shape (uneven light), each pixel
    gets an ink fraction between paper and the shape's own darkness, and lengths are sums of fractions.
    """
    image = rectified.image.astype(np.float64)
    s = rectified.mm_per_px
    _, rough = cv2.threshold(rectified.image, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    _, labels, stats, _ = cv2.connectedComponentsWithStats(rough)
    biggest = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
    ink = (labels == biggest).astype(np.uint8)
    k = max(3, round(4.0 / s)) | 1
    near = cv2.dilate(ink, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k))).astype(bool)
    core = cv2.erode(ink, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k))).astype(bool)
    vv, uu = np.mgrid[0 : image.shape[0], 0 : image.shape[1]]
    u, v = uu / image.shape[1], vv / image.shape[0]
    design = np.stack([np.ones_like(u), u, v, u * u, u * v, v * v], axis=-1)
    paper = ~near
    coef, *_ = np.linalg.lstsq(design[paper][::7], image[paper][::7], rcond=None)
    background = design @ coef
    ratio = image / background
    ink_ratio = float(np.median(ratio[core]))
    frac = (1 - ratio) / (1 - ink_ratio) * near  # not clipped: noise averages out instead of biasing
    area = float(frac.sum()) * s * s
    rows = np.flatnonzero(ink.any(axis=1))
    cols = np.flatnonzero(ink.any(axis=0))
    r0, r1 = rows[0] + (rows[-1] - rows[0]) // 4, rows[-1] - (rows[-1] - rows[0]) // 4
    c0, c1 = cols[0] + (cols[-1] - cols[0]) // 4, cols[-1] - (cols[-1] - cols[0]) // 4
    width = float(frac[r0:r1].sum(axis=1).mean()) * s
    height = float(frac[:, c0:c1].sum(axis=0).mean()) * s
    total = float(frac.sum())
    cx = float((frac * (uu + 0.5)).sum() / total) * s
    cy = float((frac * (vv + 0.5)).sum() / total) * s
    return Blob(area_mm2=area, width_mm=width, height_mm=height, centre_mm=(cx, cy))
