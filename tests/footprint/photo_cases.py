"""Synthetic phone photos of footprints of known geometry on the calibration sheet (end-to-end cases)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np

from footchain.measure.footprint.sheet import sheet_layout
from tests.footprint.sheet_photo import photograph_sheet
from tests.footprint.synth import PrintTruth, SceneParams, make_print, random_foot

MASK_MM_PER_PX = 0.25
FIT_MARGIN_MM = 8.0


def sheet_photo_case(seed: int, folder: Path, *, image_size: tuple[int, int]) -> tuple[Path, PrintTruth]:
    """Write one JPEG photo of a random print inked on a random sheet; return its path and the truth."""
    rng = np.random.default_rng(seed)
    paper = "a4" if rng.random() < 0.6 else "letter"
    area = sheet_layout(paper).area
    while True:
        foot = replace(random_foot(rng), rotation_deg=float(rng.uniform(-6, 6)))
        synth = make_print(SceneParams(feet=(foot,), mm_per_px=MASK_MM_PER_PX, margin_mm=2.0, seed=seed))
        rows, cols = np.nonzero(synth.masks[0])
        mask = synth.masks[0][rows.min() : rows.max() + 1, cols.min() : cols.max() + 1]
        height_mm, width_mm = (n * MASK_MM_PER_PX for n in mask.shape)
        if height_mm + FIT_MARGIN_MM < area.height_mm and width_mm + FIT_MARGIN_MM < area.width_mm:
            break
    photo = photograph_sheet(
        paper,
        mask,
        MASK_MM_PER_PX,
        rotation_deg=float(rng.uniform(0, 360)),
        perspective=float(rng.uniform(0, 18)),
        lighting_gradient=float(rng.uniform(0, 0.35)),
        noise_sigma=float(rng.uniform(0, 4)),
        jpeg_quality=int(rng.integers(80, 96)),
        image_size=image_size,
        seed=seed,
    )
    assert isinstance(photo, bytes)
    path = folder / f"sheet-{seed}.jpg"
    path.write_bytes(photo)
    return path, synth.truth[0]
