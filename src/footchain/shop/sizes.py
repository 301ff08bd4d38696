"""Shoe sizes of a person and of a product's size band, in every size system.

Every conversion runs through the foot length with the planner's own formulas and knowledge
(``footchain.plan.insole.size_from_length`` and ``length_from_shoe_size``; domain.md §8: Mondopoint = L,
UK = 3 L/25.4 − 23, US men = UK + 1, US women = US men + 1.5, EU = 1.5 (L/10 + 1.5), UK/US/EU
rounded up to the next half size [M, grey sources]). A size in one system becomes a size in another
as ``size_in(size_from_length(length_from_shoe_size(shoe)), system)``.

Band-edge rule: a band holds a person when the person's size in the band's system, rounded up to the
half size exactly as the plan rounds it (Mondopoint: the foot length in whole millimetres), lies
within [size_min, size_max], both ends included. A foot between two half sizes therefore counts as
the larger one, which is the size a person buys; a band ending at 10 holds a US men 10 but not a 10.5.
"""

from __future__ import annotations

from footchain.knowledge import Sizing
from footchain.plan.insole import length_from_shoe_size
from footchain.types import InsoleSize, ShoeSize, SizeSystem

# Sizes sit on a half-size (or whole-millimetre) grid; this only absorbs float noise at band edges.
EDGE_TOLERANCE = 1e-6


def size_in(size: InsoleSize, system: SizeSystem) -> float:
    """The person's size in ``system``, as the insole plan computed it from the longer foot."""
    value: float = getattr(size, system)
    return value


def band_holds(size_min: float, size_max: float, size: float) -> bool:
    """Whether a band [size_min, size_max] (both ends included) holds ``size`` of the same system."""
    return size_min - EDGE_TOLERANCE <= size <= size_max + EDGE_TOLERANCE


def band_foot_lengths_mm(
    system: SizeSystem, size_min: float, size_max: float, sizing: Sizing
) -> tuple[float, float]:
    """The foot lengths (mm) a band holds under the band-edge rule: (shortest, longest).

    UK, US and EU: the longest is the foot length ``size_max`` stands for, the shortest the length half
    a size below ``size_min`` (any longer foot rounds up into the band). Mondopoint is the foot length
    rounded to whole millimetres, so the band holds feet within half a millimetre of its ends.
    """
    if system == "mondopoint":
        return size_min - 0.5, size_max + 0.5
    below = ShoeSize(system=system, value=max(size_min - sizing.round_up_to, 0.0))
    return (
        max(length_from_shoe_size(below, sizing), 0.0),
        length_from_shoe_size(ShoeSize(system=system, value=size_max), sizing),
    )
