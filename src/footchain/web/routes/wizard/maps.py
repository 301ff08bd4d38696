"""The clickable pictures of the self-assessment: the body map and the shoe-sole map.

Every shape stands for one real checkbox in the form (``data-for`` names it), so the pictures only add
a quicker way to tick; keyboard and screen-reader users can use the checkbox list alone.

The body map reuses the report's drawing (``footchain.present.body_map``): the lower body seen from
behind, the person's left on the viewer's left, the soles hanging below the ankles toes down. The soles
of the shoes are drawn the same way: turned over, heels at the top, inner edges facing each other.
"""

from __future__ import annotations

from dataclasses import dataclass

from footchain.knowledge import load_knowledge
from footchain.present.body_map import REGIONS, place_name, region_parts, region_shape
from footchain.present.html import TRIGGER_WORDS
from footchain.types import PainTrigger, Region
from footchain.web.routes.wizard.forms import part_key

BODY_VIEWBOX = "100 0 200 836"
SOLE_WIDTH = 120
SOLE_HEIGHT = 300
TRIGGERS: tuple[tuple[PainTrigger, str], ...] = tuple(TRIGGER_WORDS.items())
PART_WORDS = {"left": "left", "midline": "middle", "right": "right"}


@dataclass(frozen=True)
class BodyPart:
    """One side (or the middle) of one region: a checkbox, its detail fields and its shape."""

    key: str
    region: Region
    part: str
    name: str  # "left knee", "lower back, middle"
    d: str


@dataclass(frozen=True)
class RegionRow:
    """A region with its parts, as one line of the checkbox list."""

    region: Region
    name: str
    parts: tuple[BodyPart, ...]


def body_rows() -> tuple[RegionRow, ...]:
    """Every region, top (lower back) to bottom (toes), with its left, right and middle parts."""
    names = load_knowledge().text.region
    rows = []
    for region in REGIONS:
        parts = tuple(
            BodyPart(
                part_key(region, part), region, part, place_name(region, part), region_shape(region, part)
            )
            for part in region_parts(region)
        )
        rows.append(RegionRow(region, names[region][:1].upper() + names[region][1:], parts))
    return tuple(rows)


@dataclass(frozen=True)
class SoleZone:
    """A wear zone of one shoe: its checkbox value, its words and its rectangle before clipping."""

    zone: str
    words: str
    x: float
    y: float
    width: float
    height: float


# Zones of the left shoe's sole, turned over with the heel at the top and the inner edge on the right.
_LEFT_ZONES: tuple[SoleZone, ...] = (
    SoleZone("lateral_heel", "Outer edge of the heel", 0, 0, 60, 92),
    SoleZone("medial_heel", "Inner edge of the heel", 60, 0, 60, 92),
    SoleZone("lateral_forefoot", "Outer side of the ball of the foot", 0, 172, 60, 74),
    SoleZone("medial_forefoot", "Inner side of the ball of the foot", 60, 172, 60, 74),
    SoleZone("big_toe", "Under the big toe", 60, 246, 60, 30),
    SoleZone("toe_tip", "The very tip, at the toes", 0, 276, 120, 24),
)
EVEN_WORDS = "Worn evenly all over"
_LEFT_SOLE = (
    "M 60 8 C 88 8 101 30 99 70 C 97 110 86 140 91 176 C 95 200 109 214 109 240 "
    "C 109 276 92 296 70 296 C 45 296 22 280 16 250 C 12 226 14 206 20 186 "
    "C 26 150 24 120 21 80 C 19 30 33 8 60 8 Z"
)


def _mirror(zone: SoleZone) -> SoleZone:
    return SoleZone(zone.zone, zone.words, SOLE_WIDTH - zone.x - zone.width, zone.y, zone.width, zone.height)


def _mirror_path(d: str) -> str:
    """The sole outline reflected left to right (x → 120 - x); every command here takes x y pairs."""
    out: list[str] = []
    numbers: list[str] = []
    for token in d.split():
        if token.isalpha():
            out.append(token)
            numbers = []
            continue
        numbers.append(token)
        value = float(token)
        out.append(f"{SOLE_WIDTH - value:g}" if len(numbers) % 2 == 1 else token)
    return " ".join(out)


@dataclass(frozen=True)
class Sole:
    """One shoe's sole: its outline and zones, and where its inner and outer edges are."""

    side: str
    outline: str
    zones: tuple[SoleZone, ...]
    inner_x: float
    outer_x: float


def soles() -> tuple[Sole, Sole]:
    """The left and the right shoe's soles, the right one a mirror image of the left."""
    left = Sole("left", _LEFT_SOLE, _LEFT_ZONES, inner_x=128, outer_x=-8)
    right = Sole("right", _mirror_path(_LEFT_SOLE), tuple(_mirror(z) for z in _LEFT_ZONES), -8, 128)
    return left, right


def zone_words() -> dict[str, str]:
    """Each wear zone in plain words (for the checkbox list and the review page)."""
    return {zone.zone: zone.words for zone in _LEFT_ZONES} | {"even": EVEN_WORDS}


def part_names() -> dict[str, str]:
    """Checkbox value → place in words, e.g. ``knee-left`` → "left knee"."""
    return {part.key: part.name for row in body_rows() for part in row.parts}


def part_key_of(pain: dict[str, str]) -> str:
    """The checkbox value of a stored pain entry (its region and side)."""
    return part_key(pain["region"], pain.get("side", "both"))
