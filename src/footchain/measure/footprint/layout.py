"""The sides of two prints from where they lie, when their shapes do not say clearly.

A person standing on a two-foot form (or on any sheet, both feet at once) leaves the left foot on the
left: seen from above with the toes pointing away, the left print lies on the person's left of the
right print. Podiatry ink-print forms print it too ("Pied gauche / Left foot" on the left half).
This holds whichever way the photo is turned, because "left" is taken across the feet's own axis
(heel → toes), not across the picture.

The shape of each print (big toe and arch on the medial side) is still the first witness; the layout
decides only when the shape cues of a print disagree or are missing, or when both prints read the
same side, and the result says so in the print's warnings.
"""

from __future__ import annotations

import math
from typing import Literal

import numpy as np

from footchain.measure.footprint.result import PrintMeasurement

Side = Literal["left", "right", "unknown"]
# The two feet's axes must point the same way to within this angle for the layout to mean anything.
PARALLEL_WITHIN_DEG = 50.0
# And lie side by side: their centres at least this share of a foot length apart across the axis.
APART_SHARE = 0.25
LAYOUT_NOTE = (
    "side taken from the layout of the two prints (left foot on the left, as a person stands on the "
    "form), because the shape of this print alone did not show it clearly"
)
SWAPPED_NOTE = (
    "the two prints lie the other way round from how a person stands (left foot on the right); the sides "
    "come from each print's shape: check that the form's halves were not swapped"
)


def sides_from_layout(prints: list[PrintMeasurement]) -> list[PrintMeasurement]:
    """Two prints side by side: settle unsure sides from their layout (see the module docstring).

    Anything else (one print, three, prints without geometry, prints not side by side) is returned
    unchanged.
    """
    if len(prints) != 2 or any(p.geometry is None for p in prints):
        return prints
    layout = _layout_sides(prints)
    if layout is None:
        return prints
    sure = [p.geometry is not None and p.geometry.side_sure and p.side != "unknown" for p in prints]
    shape = [p.side for p in prints]
    if all(sure) and shape[0] != shape[1]:
        if shape == layout:
            return prints
        return [p.model_copy(update={"warnings": [*p.warnings, SWAPPED_NOTE]}) for p in prints]
    if sure.count(True) == 1:  # the clear print decides, the other is its pair
        i = sure.index(True)
        sides: list[Side] = [shape[i], shape[i]]
        sides[1 - i] = "right" if shape[i] == "left" else "left"
    else:  # neither is clear, or both read the same side
        sides = layout
    return [
        p if p.side == side and ok else _with_side(p, side)
        for p, side, ok in zip(prints, sides, sure, strict=True)
    ]


def _with_side(p: PrintMeasurement, side: Side) -> PrintMeasurement:
    return p.model_copy(update={"side": side, "warnings": [*p.warnings, LAYOUT_NOTE]})


def _layout_sides(prints: list[PrintMeasurement]) -> list[Side] | None:
    """["left", "right"] or ["right", "left"] for the two prints from their layout, or None."""
    heels, toes = [], []
    for p in prints:
        assert p.geometry is not None
        heels.append(np.array(p.geometry.heel_point, dtype=np.float64))
        toes.append(np.array(p.geometry.toe_point, dtype=np.float64))
    axes = [t - h for h, t in zip(heels, toes, strict=True)]
    lengths = [float(np.linalg.norm(a)) for a in axes]
    if min(lengths) <= 0:
        return None
    units = [a / n for a, n in zip(axes, lengths, strict=True)]
    if float(units[0] @ units[1]) < math.cos(math.radians(PARALLEL_WITHIN_DEG)):
        return None
    d = units[0] + units[1]
    d /= np.linalg.norm(d)
    right = np.array([-d[1], d[0]])  # image y grows downwards: toes up → right is +x
    centres = [(h + t) / 2 for h, t in zip(heels, toes, strict=True)]
    across = float((centres[1] - centres[0]) @ right)
    if abs(across) < APART_SHARE * float(np.mean(lengths)):
        return None
    return ["left", "right"] if across > 0 else ["right", "left"]
