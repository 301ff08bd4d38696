"""Sides of two prints from their layout when the shape is unsure (footprint/layout.py)."""

from __future__ import annotations

from footchain.measure.footprint.layout import LAYOUT_NOTE, SWAPPED_NOTE, sides_from_layout
from footchain.measure.footprint.result import PrintGeometry, PrintMeasurement

Point = tuple[float, float]


def _print(side: str, heel: Point, toe: Point, *, sure: bool) -> PrintMeasurement:
    seg = (heel, toe)
    geometry = PrintGeometry(
        outline=[heel, toe],
        heel_point=heel,
        toe_point=toe,
        heel_line=seg,
        toe_line=seg,
        third_lines=(seg, seg),
        forefoot_width=seg,
        midfoot_width=seg,
        heel_width=seg,
        clarke_lines=None,
        side_sure=sure,
    )
    return PrintMeasurement(
        side=side,  # type: ignore[arg-type]
        arch_index=0.25,
        chippaux_smirak_index=30.0,
        staheli_index=0.6,
        clarke_angle_deg=40.0,
        foot_length_mm=None,
        foot_width_mm=None,
        arch_type="normal",
        warnings=[],
        geometry=geometry,
    )


def test_unsure_sides_follow_the_layout_toes_up() -> None:
    a = _print("unknown", (100, 900), (100, 100), sure=False)  # on the left of the picture, toes up
    b = _print("left", (500, 900), (500, 100), sure=False)
    out = sides_from_layout([a, b])
    assert [p.side for p in out] == ["left", "right"]
    assert all(LAYOUT_NOTE in p.warnings for p in out)


def test_layout_is_read_across_the_feet_not_across_the_picture() -> None:
    """The form photographed upside down: toes point down, so the print on the picture's right is left."""
    a = _print("right", (100, 100), (100, 900), sure=False)
    b = _print("right", (500, 100), (500, 900), sure=False)
    assert [p.side for p in sides_from_layout([a, b])] == ["right", "left"]
    # turned a quarter: toes to the right, so the upper print (smaller y) is the left foot
    c = _print("unknown", (100, 100), (900, 100), sure=False)
    d = _print("unknown", (100, 500), (900, 500), sure=False)
    assert [p.side for p in sides_from_layout([c, d])] == ["left", "right"]


def test_clear_shapes_win_and_a_swap_is_reported() -> None:
    a = _print("right", (100, 900), (100, 100), sure=True)
    b = _print("left", (500, 900), (500, 100), sure=True)
    out = sides_from_layout([a, b])
    assert [p.side for p in out] == ["right", "left"]
    assert all(SWAPPED_NOTE in p.warnings for p in out)
    agreeing = [
        _print("left", (100, 900), (100, 100), sure=True),
        _print("right", (500, 900), (500, 100), sure=True),
    ]
    assert sides_from_layout(agreeing) == agreeing


def test_one_clear_print_gives_the_other_its_pair() -> None:
    a = _print("right", (100, 900), (100, 100), sure=True)  # clear, though on the left
    b = _print("unknown", (500, 900), (500, 100), sure=False)
    assert [p.side for p in sides_from_layout([a, b])] == ["right", "left"]


def test_prints_not_side_by_side_are_left_alone() -> None:
    one_behind = [
        _print("unknown", (100, 900), (100, 500), sure=False),
        _print("unknown", (110, 450), (110, 50), sure=False),
    ]
    assert sides_from_layout(one_behind) == one_behind
    crossed = [
        _print("unknown", (100, 900), (100, 100), sure=False),
        _print("unknown", (500, 100), (900, 100), sure=False),
    ]
    assert sides_from_layout(crossed) == crossed
    single = [_print("unknown", (100, 900), (100, 100), sure=False)]
    assert sides_from_layout(single) == single
