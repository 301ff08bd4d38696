"""Sizes across systems and the band-edge rule, with the planner's own formulas (domain.md §8)."""

from __future__ import annotations

from typing import get_args

from hypothesis import assume, given
from hypothesis import strategies as st

from footchain.knowledge import load_knowledge
from footchain.plan.insole import SHORTEST_FOOT_MM as MIN_FOOT_MM
from footchain.plan.insole import length_from_shoe_size, size_from_length
from footchain.shop.sizes import band_foot_lengths_mm, band_holds, size_in
from footchain.types import SHOE_SIZE_RANGES, ShoeSize, SizeSystem

SIZING = load_knowledge().insole.sizing
SYSTEMS: tuple[SizeSystem, ...] = get_args(SizeSystem)


def test_domain_example_270_mm() -> None:
    size = size_from_length(270, SIZING)
    assert [size_in(size, s) for s in ("uk", "us_men", "us_women", "eu", "mondopoint")] == [
        9.0,
        10.0,
        11.5,
        43.0,
        270.0,
    ]


def test_us_men_10_in_other_systems() -> None:
    size = size_from_length(length_from_shoe_size(ShoeSize(system="us_men", value=10), SIZING), SIZING)
    assert size.us_men == 10.0 and size.uk == 9.0 and size.us_women == 11.5


@given(st.sampled_from(("uk", "us_men", "us_women", "eu")), st.integers(min_value=6, max_value=100))
def test_a_half_size_survives_the_round_trip(system: SizeSystem, halves: int) -> None:
    value = halves / 2 if system != "eu" else 30 + halves / 2
    low, high = SHOE_SIZE_RANGES[(system, "adult")]
    assume(low <= value <= high)
    length = length_from_shoe_size(ShoeSize(system=system, value=value), SIZING)
    size = size_from_length(length, SIZING)
    assume(size.scale == "adult")  # below adult UK 1 the sizes move to the children's scale
    assert size_in(size, system) == value


@given(st.sampled_from(("uk", "us_men")), st.integers(min_value=4, max_value=27))
def test_a_childrens_half_size_survives_the_round_trip(system: SizeSystem, halves: int) -> None:
    """Children's sizes (domain.md §6b) come back on the children's scale, never zero or negative."""
    value = halves / 2
    length = length_from_shoe_size(ShoeSize(system=system, value=value, scale="children"), SIZING)
    assume(length >= MIN_FOOT_MM)
    size = size_from_length(length, SIZING)
    assert size.scale == "children" and size.uk > 0 and size.us_men > 0
    if system == "uk" or value < 13.5:
        assert size_in(size, system) == value


@given(st.floats(min_value=215, max_value=340), st.sampled_from(("uk", "us_men", "us_women", "eu")))
def test_rounding_up_never_gives_a_smaller_shoe(length_mm: float, system: SizeSystem) -> None:
    value = size_in(size_from_length(length_mm, SIZING), system)
    stands_for = length_from_shoe_size(ShoeSize(system=system, value=value), SIZING)
    assert stands_for >= length_mm - 1e-6
    half_down = length_from_shoe_size(ShoeSize(system=system, value=value - 0.5), SIZING)
    assert half_down < length_mm


def test_band_edges_are_included() -> None:
    assert band_holds(8, 10, 8.0) and band_holds(8, 10, 10.0)
    assert not band_holds(8, 10, 10.5) and not band_holds(8, 10, 7.5)


@given(st.floats(min_value=215, max_value=320), st.sampled_from(SYSTEMS))
def test_band_foot_lengths_agree_with_the_band_rule(length_mm: float, system: SizeSystem) -> None:
    size = size_in(size_from_length(length_mm, SIZING), system)
    step = 1.0 if system == "mondopoint" else 0.5
    low, high = band_foot_lengths_mm(system, size, size + 2 * step, SIZING)
    assert low < length_mm <= high + 0.5
    above_low, above_high = band_foot_lengths_mm(system, size + step, size + 3 * step, SIZING)
    assert not band_holds(size + step, size + 3 * step, size)
    assert length_mm <= above_low + 0.5 and above_high > length_mm


def test_a_foot_just_over_a_size_takes_the_next_half_size() -> None:
    ten = length_from_shoe_size(ShoeSize(system="us_men", value=10), SIZING)
    assert size_from_length(ten, SIZING).us_men == 10.0
    assert size_from_length(ten + 0.1, SIZING).us_men == 10.5
    assert band_holds(9, 10, size_from_length(ten, SIZING).us_men)
    assert not band_holds(9, 10, size_from_length(ten + 0.1, SIZING).us_men)
