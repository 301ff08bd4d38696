"""Segmentation of synthetic scans and pressure frames (tests/footprint/synth.py)."""

from __future__ import annotations

import numpy as np
import pytest

from footchain.errors import FootprintError
from footchain.measure.footprint.segment import segment_pressure, segment_prints
from tests.footprint.synth import FootParams, SceneParams, make_print

DPI150 = 25.4 / 150


def iou(a: np.ndarray, b: np.ndarray) -> float:
    return float((a & b).sum() / (a | b).sum())


def scene(**kw: object) -> SceneParams:
    base: dict[str, object] = {"feet": (FootParams(rotation_deg=20),), "mm_per_px": DPI150}
    base.update(kw)
    return SceneParams(**base)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "variant",
    [
        {},
        {"ink": "dots", "ink_pitch_mm": 1.4, "ink_angle_deg": 30},
        {"ink": "grid", "ink_pitch_mm": 1.2, "ink_angle_deg": 10},
        {"lighting": 0.45, "texture": 6.0},
        {"salt": 0.01, "ragged_mm": 0.3},
        {"ruler": True, "text": True},
        {"mm_per_px": 25.4 / 600},
        {"mm_per_px": 25.4 / 100, "ink": "dots", "ink_pitch_mm": 1.6},
    ],
    ids=["plain", "dots", "grid", "lighting", "noise", "marks", "600dpi", "100dpi-dots"],
)
def test_one_print_matches_the_drawn_shape(variant: dict[str, object]) -> None:
    sp = make_print(scene(**variant))
    masks = segment_prints(sp.gray, mm_per_px=sp.mm_per_px)
    assert len(masks) == 1
    assert masks[0].shape == sp.gray.shape
    assert iou(masks[0], sp.masks[0]) > 0.95


def test_unknown_scale_still_segments() -> None:
    sp = make_print(scene(ink="dots"))
    masks = segment_prints(sp.gray, mm_per_px=None)
    assert len(masks) == 1 and iou(masks[0], sp.masks[0]) > 0.95


def test_split_high_arch_print_stays_one_foot() -> None:
    sp = make_print(scene(feet=(FootParams(midfoot_ratio=-0.2, rotation_deg=75),)))
    masks = segment_prints(sp.gray, mm_per_px=sp.mm_per_px)
    assert len(masks) == 1
    assert iou(masks[0], sp.masks[0]) > 0.95


@pytest.mark.parametrize("ratio", [-0.2, 0.35])
def test_two_feet_side_by_side_stay_two_in_image_order(ratio: float) -> None:
    feet = (
        FootParams(side="left", midfoot_ratio=ratio, rotation_deg=5),
        FootParams(side="right", midfoot_ratio=ratio, rotation_deg=5),
    )
    sp = make_print(scene(feet=feet, gap_mm=35, ink="grid"))
    masks = segment_prints(sp.gray, mm_per_px=sp.mm_per_px)
    assert len(masks) == 2
    for got, want in zip(masks, sp.masks, strict=True):
        assert iou(got, want) > 0.94


def test_colour_input_is_accepted() -> None:
    sp = make_print(scene())
    bgr = np.repeat(sp.gray[:, :, None], 3, axis=2)
    assert len(segment_prints(bgr, mm_per_px=None)) == 1


def test_empty_sheet_says_no_footprint_and_what_to_do() -> None:
    rng = np.random.default_rng(1)
    paper = np.clip(rng.normal(230, 4, (900, 700)), 0, 255).astype(np.uint8)
    with pytest.raises(FootprintError, match="no footprint found") as err:
        segment_prints(paper, mm_per_px=DPI150)
    assert "Check that the picture" in str(err.value)


def test_only_a_tiny_blob_is_no_footprint() -> None:
    img = np.full((1200, 900), 235, np.uint8)
    img[600:606, 400:406] = 30
    with pytest.raises(FootprintError, match="no footprint found"):
        segment_prints(img, mm_per_px=DPI150)


def test_too_small_image_is_refused() -> None:
    with pytest.raises(FootprintError):
        segment_prints(np.zeros((1, 1), np.uint8), mm_per_px=None)


def test_pressure_frame_two_feet_and_threshold() -> None:
    sp = make_print(
        SceneParams(
            feet=(FootParams(side="left", foot_length_mm=280), FootParams(side="right", foot_length_mm=280)),
            mm_per_px=5.0,
            margin_mm=10,
            gap_mm=40,
        )
    )
    values = np.where(sp.masks[0] | sp.masks[1], 120.0, 0.0)
    values[0, 0] = 3.0  # below the threshold: not contact
    masks = segment_pressure(values, threshold=5.0)
    assert len(masks) == 2
    assert not masks[0][0, 0]
    for got, want in zip(masks, sp.masks, strict=True):
        assert iou(got, want) > 0.9


def test_pressure_without_contact_raises() -> None:
    with pytest.raises(FootprintError, match="no footprint found"):
        segment_pressure(np.zeros((60, 30)), threshold=0.0)
