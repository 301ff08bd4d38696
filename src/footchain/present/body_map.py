"""The report's body map: a lower body seen from behind, with the soles of both feet drawn below the legs.

Seen from behind, the person's left side is on the viewer's left, so nothing is mirrored in the reader's
head. Every region is drawn once for the left side and reflected about the midline for the right side;
the lower back and the pelvis also have a middle part (spine and sacrum). The soles hang below the ankles
heel first, as if the person bent the knees to show us the undersides of their feet, so a chain from the
toes to the lower back runs straight up the picture.

:func:`build_body_map` turns the pain in an :class:`~footchain.types.Intake` and the chain in an
:class:`~footchain.types.Assessment` into shapes, margin labels and chain lines, all in SVG units of one
``viewBox``; the HTML template only draws them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from footchain.knowledge import load_knowledge
from footchain.types import Assessment, ChainEntry, ChainLink, Evidence, Intake, Region, Side

Part = Literal["left", "midline", "right"]
Point = tuple[float, float]

MIDLINE_X = 200.0
"""x of the body's midline in body coordinates; the right side is the left side reflected about it."""
OFFSET_X = 20.0
OFFSET_Y = 58.0
VIEW_WIDTH = 440
VIEW_HEIGHT = 930

REGIONS: tuple[Region, ...] = (
    "lower_back", "pelvis", "hip", "buttock", "thigh", "knee", "shin", "calf",
    "ankle", "heel", "arch", "forefoot", "toes",
)  # fmt: skip
CENTRAL_REGIONS: frozenset[Region] = frozenset({"lower_back", "pelvis"})

REGION_NAMES: dict[Region, str] = {
    "lower_back": "lower back",
    "pelvis": "pelvis",
    "hip": "hip",
    "buttock": "buttock",
    "thigh": "thigh",
    "knee": "knee",
    "shin": "shin",
    "calf": "calf",
    "ankle": "ankle",
    "heel": "heel",
    "arch": "arch",
    "forefoot": "ball of the foot",
    "toes": "toes",
}

_SHORT_NAMES: dict[Region, str] = {"forefoot": "ball of foot"}
"""Names shortened to fit the picture's margins; every other region uses its REGION_NAMES entry."""

PAIN_COLOURS: tuple[str, ...] = (
    "#fff3c4", "#ffe38a", "#fed05e", "#feb24c", "#fd8d3c", "#fb6a2c",
    "#ec4124", "#d4261f", "#b3121f", "#900c23", "#6e0a1f",
)  # fmt: skip
"""Fill for pain intensity 0 to 10 (index = intensity): pale yellow through orange to dark red."""
NEUTRAL_FILL = "#efe3d6"
FIRST_WHITE_TEXT = 6
"""From this intensity on, numbers printed on a pain colour are white; below it they are dark."""


@dataclass(frozen=True)
class LineStyle:
    """How a chain line of one evidence grade is stroked, and the words that explain the grade."""

    colour: str
    width: float
    dash: str
    name: str
    meaning: str


# Colour, width and dash pattern of a chain line per evidence grade; the words come from text.toml.
_STROKES: dict[Evidence, tuple[str, float, str]] = {
    "strong": ("#17306e", 5.5, ""),
    "moderate": ("#1d4ed8", 4.0, ""),
    "limited": ("#1d4ed8", 3.5, "10 6"),
    "very_limited": ("#1d4ed8", 3.5, "0.1 7"),
    "theoretical": ("#4b5563", 2.8, "0.1 5.5"),
}
EVIDENCE_STYLES: dict[Evidence, LineStyle] = {
    grade: LineStyle(colour, width, dash, words.name, words.meaning)
    for grade, (colour, width, dash) in _STROKES.items()
    for words in [load_knowledge().text.evidence[grade]]
}


# Left-side shapes in body coordinates (x grows to the viewer's right, y grows downwards).
_LEFT_SHAPES: dict[Region, str] = {
    "lower_back": "M 140 30 L 182 30 L 182 112 L 133 112 C 133 85 138 55 140 30 Z",
    "pelvis": "M 133 112 L 182 112 L 192 160 C 172 151 148 148 126 152 C 128 138 130 124 133 112 Z",
    "hip": "M 126 152 C 132 151 138 150 142 151 C 136 176 136 205 141 232 L 120 228 "
    "C 114 204 115 174 126 152 Z",
    "buttock": "M 142 151 C 162 148 181 152 192 160 Q 199 170 199 186 L 199 240 "
    "C 180 249 158 245 141 232 C 136 205 136 176 142 151 Z",
    "thigh": "M 120 228 L 141 232 C 158 245 180 249 199 240 L 199 252 C 199 320 196 370 193 404 "
    "L 149 404 C 137 360 123 300 120 228 Z",
    "knee": "M 149 404 L 193 404 C 196 420 196 440 192 456 L 154 456 C 148 440 146 420 149 404 Z",
    "calf": "M 154 456 L 177 456 C 181 492 181 545 176 610 L 164 610 C 160 582 148 548 145 512 "
    "C 143 486 148 466 154 456 Z",
    "shin": "M 177 456 L 192 456 C 198 482 198 512 194 540 C 190 566 187 588 186 610 L 176 610 "
    "C 181 545 181 492 177 456 Z",
    "ankle": "M 164 610 L 186 610 C 187 618 191 624 191 632 C 191 640 188 644 188 650 L 161 650 "
    "C 161 644 157 638 158 632 C 159 624 163 618 164 610 Z",
    "heel": "M 152 708 C 149 680 158 662 171 662 C 184 662 192 680 190 708 Z",
    "arch": "M 152 708 L 190 708 C 187 724 187 738 194 752 L 149 752 C 151 738 153 722 152 708 Z",
    "forefoot": "M 149 752 L 194 752 C 199 765 201 782 199 798 C 181 803 160 802 145 795 "
    "C 144 779 145 765 149 752 Z",
}
_MIDDLE_SHAPES: dict[Region, str] = {
    "lower_back": "M 182 30 L 218 30 L 218 112 L 182 112 Z",
    "pelvis": "M 182 112 L 218 112 L 208 160 Q 200 173 192 160 Z",
}
_LEFT_TOES: tuple[tuple[float, float, float, float], ...] = (
    (190.0, 812.0, 8.5, 12.0),
    (176.0, 809.5, 5.2, 8.5),
    (166.0, 808.0, 4.8, 7.5),
    (156.5, 805.0, 4.4, 6.5),
    (148.5, 801.0, 3.8, 5.5),
)
"""Toes of the left sole as ellipses (centre x, centre y, radius x, radius y); the big toe sits medially."""

_MIDDLE_DETAILS: tuple[str, ...] = (
    "M 200 34 L 200 108",
    "M 194 44 L 206 44 M 194 60 L 206 60 M 194 76 L 206 76 M 194 92 L 206 92",
    "M 200 176 L 200 236",
)
"""Spine with the lumbar vertebrae and the cleft between the buttocks: thin lines that help recognition."""
_LEFT_DETAILS: tuple[str, ...] = (
    "M 158 430 Q 171 437 184 430",
    "M 166 622 Q 162 630 166 638",
)
"""Left-side lines: the crease behind the knee and the outer ankle bone."""

_LEFT_LABEL_POINTS: dict[Region, Point] = {
    "lower_back": (158, 72),
    "pelvis": (156, 132),
    "hip": (126, 196),
    "buttock": (170, 198),
    "thigh": (162, 320),
    "knee": (171, 430),
    "calf": (162, 520),
    "shin": (188, 548),
    "ankle": (175, 630),
    "heel": (171, 686),
    "arch": (171, 730),
    "forefoot": (173, 776),
    "toes": (176, 810),
}
_MIDDLE_LABEL_POINTS: dict[Region, Point] = {"lower_back": (200, 72), "pelvis": (200, 134)}

_LEFT_CHAIN_POINTS: dict[ChainLink, Point] = {
    "toes": (176, 810),
    "foot": (171, 730),
    "ankle": (175, 630),
    "shin": (182, 532),
    "knee": (171, 430),
    "thigh": (164, 320),
    "hip": (137, 192),
    "pelvis": (158, 132),
    "lower_back": (166, 72),
}

_LABEL_GAP = 28.0
"""Smallest vertical distance between two margin labels, in SVG units."""
_LABEL_TOP = 8.0
_LABEL_BOTTOM = 836.0
_LABEL_BADGE_X = 98.0
"""x of the left margin's label badges; the right margin's badges sit at the mirrored x."""
_CHAIN_SPREAD = 9.0
"""Sideways distance between chain lines that share a side, so parallel lines stay apart."""
MARKER_RADIUS = 14.0
"""Radius of a chain's numbered marker; its number is 16 units high, at least 12 px on a 390 px phone."""
_MARKER_GAP = 2 * MARKER_RADIUS + 3
"""Distance kept between the centres of two markers, so no number hides another."""


@dataclass(frozen=True)
class RegionShape:
    """One drawable region of one side, with the pain and the verdict that colour it."""

    region: Region
    side: Part
    d: str
    fill: str
    intensity: int | None
    unexplained: bool
    title: str


@dataclass(frozen=True)
class PainLabel:
    """A number badge in the margin, with the region's name and a leader line to the region."""

    text: str
    intensity: int
    fill: str
    text_colour: str
    badge: Point
    target: Point
    anchor: Literal["start", "end"]

    @property
    def text_x(self) -> float:
        """x where the region's name starts (right margin) or ends (left margin)."""
        return self.badge[0] - 15 if self.anchor == "end" else self.badge[0] + 15

    @property
    def leader_start(self) -> Point:
        """Where the leader line leaves the badge, on the badge's body-facing edge."""
        edge = 11 if self.anchor == "end" else -11
        return (self.badge[0] + edge, self.badge[1])


@dataclass(frozen=True)
class ChainLine:
    """One chain entry drawn on one side: dots on each link, joined by a line styled by evidence."""

    number: int
    condition: str
    region: Region
    side: Literal["left", "right"]
    evidence: Evidence
    points: tuple[Point, ...]
    style: LineStyle
    title: str

    @property
    def polyline(self) -> str:
        """The points as an SVG ``points`` attribute."""
        return " ".join(f"{_fmt(x)},{_fmt(y)}" for x, y in self.points)

    marker: Point
    """Where the numbered marker sits: at the line's end, moved up when another marker is there."""

    @property
    def end(self) -> Point:
        """The last link of the path, next to the painful region."""
        return self.points[-1]


@dataclass(frozen=True)
class BodyMap:
    """Everything the template draws, in the coordinates of one ``viewBox``."""

    width: int
    height: int
    offset: Point
    shapes: tuple[RegionShape, ...]
    details: tuple[str, ...]
    labels: tuple[PainLabel, ...]
    chains: tuple[ChainLine, ...]
    aria_label: str


def _fmt(value: float) -> str:
    """A coordinate written without a trailing ``.0`` and never as ``-0``."""
    rounded = round(value + 0.0, 2)
    return str(int(rounded)) if rounded.is_integer() else f"{rounded:g}"


def _mirror_x(x: float) -> float:
    """x reflected about the midline, from the person's left side to their right side."""
    return 2 * MIDLINE_X - x


_PATH_TOKEN = re.compile(r"[MLCQAZ]|-?\d+(?:\.\d+)?")
_ARGUMENT_COUNT = {"M": 2, "L": 2, "C": 6, "Q": 4, "A": 7, "Z": 0}


def mirror_path(d: str) -> str:
    """The SVG path ``d`` reflected about the body's midline.

    Only absolute ``M L C Q A Z`` commands are understood, each written with its letter. Points have
    their x reflected; an arc also flips its sweep flag and its rotation so it bulges the mirrored way.
    """
    tokens = _PATH_TOKEN.findall(d)
    out: list[str] = []
    index = 0
    while index < len(tokens):
        command = tokens[index]
        count = _ARGUMENT_COUNT[command]
        values = [float(token) for token in tokens[index + 1 : index + 1 + count]]
        index += 1 + count
        if command == "A":
            rx, ry, rotation, large, sweep, x, y = values
            values = [rx, ry, -rotation, large, 1 - sweep, _mirror_x(x), y]
        else:
            values = [_mirror_x(v) if k % 2 == 0 else v for k, v in enumerate(values)]
        out.append(" ".join([command, *(_fmt(v) for v in values)]))
    return " ".join(out)


def _ellipse_path(cx: float, cy: float, rx: float, ry: float) -> str:
    """An ellipse as a closed path of two half arcs, so several ellipses can share one ``path``."""
    left, right = _fmt(cx - rx), _fmt(cx + rx)
    radii = f"{_fmt(rx)} {_fmt(ry)}"
    return f"M {left} {_fmt(cy)} A {radii} 0 1 0 {right} {_fmt(cy)} A {radii} 0 1 0 {left} {_fmt(cy)} Z"


def _left_shape(region: Region) -> str:
    """The left side's outline of a region; the toes are five ellipses in one path."""
    if region == "toes":
        return " ".join(_ellipse_path(*toe) for toe in _LEFT_TOES)
    return _LEFT_SHAPES[region]


def region_shape(region: Region, part: Part) -> str:
    """The SVG path of one part (left, middle or right) of a region."""
    if part == "midline":
        return _MIDDLE_SHAPES[region]
    left = _left_shape(region)
    return left if part == "left" else mirror_path(left)


def region_parts(region: Region) -> tuple[Part, ...]:
    """The parts a region is drawn in: left and right, plus a middle for the lower back and pelvis."""
    return ("left", "midline", "right") if region in CENTRAL_REGIONS else ("left", "right")


def parts_for_side(region: Region, side: Side | None) -> tuple[Part, ...]:
    """Which parts of a region a reported side covers.

    A missing side, or "both", covers the whole region. "midline" is the middle part of the lower back
    or pelvis; on a region that has no middle (a knee, a heel) it cannot pick a side, so it covers both.
    """
    if side in ("left", "right"):
        return (side,)
    if side == "midline" and region in CENTRAL_REGIONS:
        return ("midline",)
    return region_parts(region)


def _label_point(region: Region, part: Part) -> Point:
    """Where a leader line ends on a region part: roughly its centre."""
    if part == "midline":
        return _MIDDLE_LABEL_POINTS[region]
    x, y = _LEFT_LABEL_POINTS[region]
    return (x, y) if part == "left" else (_mirror_x(x), y)


def _chain_point(link: ChainLink, side: Literal["left", "right"], shift: float) -> Point:
    """A chain link's dot on one side, moved sideways by ``shift`` (towards the midline if positive)."""
    x, y = _LEFT_CHAIN_POINTS[link]
    return (x + shift, y) if side == "left" else (_mirror_x(x + shift), y)


def place_name(region: Region, part: Part) -> str:
    """A region part in words, e.g. "left knee" or "lower back, middle"."""
    name = REGION_NAMES[region]
    return f"{name}, middle" if part == "midline" else f"{part} {name}"


def text_colour(intensity: int) -> str:
    """A readable colour for a number printed on the fill of this pain intensity."""
    return "#ffffff" if intensity >= FIRST_WHITE_TEXT else "#2a1a00"


def _spread(labels: list[PainLabel]) -> list[PainLabel]:
    """Labels of one margin moved up or down as little as possible so no two overlap.

    Labels keep the order of their targets; a first pass pushes them down to keep ``_LABEL_GAP`` apart, a
    second pass pushes them up again if the lowest fell below the picture.
    """
    ordered = sorted(labels, key=lambda label: (label.target[1], label.text))
    ys = [label.target[1] for label in ordered]
    for i in range(len(ys)):
        ys[i] = max(ys[i], _LABEL_TOP if i == 0 else ys[i - 1] + _LABEL_GAP)
    for i in reversed(range(len(ys))):
        ys[i] = min(ys[i], _LABEL_BOTTOM if i == len(ys) - 1 else ys[i + 1] - _LABEL_GAP)
    return [
        PainLabel(
            text=label.text,
            intensity=label.intensity,
            fill=label.fill,
            text_colour=label.text_colour,
            badge=(label.badge[0], y),
            target=label.target,
            anchor=label.anchor,
        )
        for label, y in zip(ordered, ys, strict=True)
    ]


def _pain_by_part(intake: Intake) -> dict[tuple[Region, Part], int]:
    """The worst reported intensity on each region part."""
    worst: dict[tuple[Region, Part], int] = {}
    for pain in intake.pain:
        for part in parts_for_side(pain.region, pain.side):
            key = (pain.region, part)
            worst[key] = max(worst.get(key, pain.intensity), pain.intensity)
    return worst


def _unexplained_parts(
    assessment: Assessment, pain: dict[tuple[Region, Part], int]
) -> set[tuple[Region, Part]]:
    """Region parts whose pain the feet are unlikely to drive.

    An entry with a side marks that side; an entry without one marks the painful parts of its region, or
    the whole region when no part of it was marked painful.
    """
    marked: set[tuple[Region, Part]] = set()
    for entry in assessment.unexplained:
        if entry.side is not None:
            parts = parts_for_side(entry.region, entry.side)
        else:
            painful = tuple(part for part in region_parts(entry.region) if (entry.region, part) in pain)
            parts = painful or region_parts(entry.region)
        marked.update((entry.region, part) for part in parts)
    return marked


def _shape_title(region: Region, part: Part, intensity: int | None, unexplained: bool) -> str:
    """The tooltip of a region part: where it is, how much it hurts, and whether the feet explain it."""
    place = place_name(region, part)
    place = place[0].upper() + place[1:]
    pain = "no pain marked" if intensity is None else f"pain {intensity} out of 10"
    verdict = "; the feet are unlikely to be the main driver" if unexplained else ""
    return f"{place}: {pain}{verdict}"


def _shapes(
    pain: dict[tuple[Region, Part], int], unexplained: set[tuple[Region, Part]]
) -> tuple[RegionShape, ...]:
    """Every region part, filled by its worst pain, in drawing order."""
    shapes: list[RegionShape] = []
    for region in REGIONS:
        for part in region_parts(region):
            intensity = pain.get((region, part))
            flagged = (region, part) in unexplained
            shapes.append(
                RegionShape(
                    region=region,
                    side=part,
                    d=region_shape(region, part),
                    fill=NEUTRAL_FILL if intensity is None else PAIN_COLOURS[intensity],
                    intensity=intensity,
                    unexplained=flagged,
                    title=_shape_title(region, part, intensity, flagged),
                )
            )
    return tuple(shapes)


def _labels(intake: Intake) -> tuple[PainLabel, ...]:
    """Margin labels, one per painful place, left-side places in the left margin and the rest on the right.

    A pain across a whole lower back or pelvis gets one label pointing at its middle; a pain on both
    knees (or on a knee with no side given) gets a label in each margin.
    """
    worst: dict[tuple[Region, Part], int] = {}
    for pain in intake.pain:
        parts = parts_for_side(pain.region, pain.side)
        if pain.region in CENTRAL_REGIONS and len(parts) > 1:
            parts = ("midline",)
        for part in parts:
            key = (pain.region, part)
            worst[key] = max(worst.get(key, pain.intensity), pain.intensity)
    left: list[PainLabel] = []
    right: list[PainLabel] = []
    for (region, part), intensity in worst.items():
        on_left = part == "left"
        label = PainLabel(
            text=_SHORT_NAMES.get(region, REGION_NAMES[region]),
            intensity=intensity,
            fill=PAIN_COLOURS[intensity],
            text_colour=text_colour(intensity),
            badge=(_LABEL_BADGE_X if on_left else _mirror_x(_LABEL_BADGE_X), 0.0),
            target=_label_point(region, part),
            anchor="end" if on_left else "start",
        )
        (left if on_left else right).append(label)
    return tuple(_spread(left) + _spread(right))


def _drawn_sides(entry: ChainEntry) -> tuple[Literal["left", "right"], ...]:
    """The sides a chain entry is drawn on; an entry without a side is drawn on both."""
    return (entry.side,) if entry.side in ("left", "right") else ("left", "right")


def _shift(index: int) -> float:
    """Sideways shift of the index-th line on one side: 0, +1, -1, +2, -2 … spreads."""
    steps = (index + 1) // 2
    return steps * _CHAIN_SPREAD * (1 if index % 2 == 1 else -1)


def _free_spot(spot: Point, taken: list[Point]) -> Point:
    """``spot``, or the first place above it that keeps ``_MARKER_GAP`` from every marker in ``taken``."""
    x, y = spot
    while any((x - tx) ** 2 + (y - ty) ** 2 < _MARKER_GAP**2 for tx, ty in taken):
        y -= _MARKER_GAP
    return (x, y)


def chain_numbers(entries: Sequence[ChainEntry]) -> tuple[int, ...]:
    """The number of each chain entry in the report: entries that differ only in their side (the same
    condition, region, evidence and words on the left and on the right) share one number, so the report
    lists them once and the picture marks both lines with it."""
    numbers: list[int] = []
    seen: dict[tuple[str, str, str, str], int] = {}
    for entry in entries:
        key = (entry.condition, entry.region, entry.evidence, entry.explanation)
        if key not in seen:
            seen[key] = len(seen) + 1
        numbers.append(seen[key])
    return tuple(numbers)


def _chains(entries: Sequence[ChainEntry]) -> tuple[ChainLine, ...]:
    """One line per chain entry and side, numbered like the report's list of links (``chain_numbers``)."""
    lines: list[ChainLine] = []
    drawn = {"left": 0, "right": 0}
    for number, entry in zip(chain_numbers(entries), entries, strict=True):
        for side in _drawn_sides(entry):
            shift = _shift(drawn[side])
            drawn[side] += 1
            points = tuple(_chain_point(link, side, shift) for link in entry.path)
            if not points:
                x, y = _label_point(entry.region, side)
                points = ((x, y),)
            condition = entry.condition.replace("_", " ")
            style = EVIDENCE_STYLES[entry.evidence]
            marker = _free_spot(points[-1], [line.marker for line in lines])
            lines.append(
                ChainLine(
                    marker=marker,
                    number=number,
                    condition=entry.condition,
                    region=entry.region,
                    side=side,
                    evidence=entry.evidence,
                    points=points,
                    style=style,
                    title=f"{number}. {condition} → {side} {REGION_NAMES[entry.region]}: {style.name.lower()}",
                )
            )
    return tuple(lines)


def _aria_label(shapes: Iterable[RegionShape], lines: tuple[ChainLine, ...], *, clinician: bool) -> str:
    """A spoken summary of the picture: the view, each painful place and how many links are drawn."""
    painful = [
        f"{place_name(shape.region, shape.side)} {shape.intensity} of 10"
        for shape in shapes
        if shape.intensity is not None
    ]
    pain = "Pain marked: " + ", ".join(painful) + "." if painful else "No pain marked."
    links = len({line.number for line in lines})
    chain = (
        f" {links} possible link{'s' if links != 1 else ''} from the feet drawn as lines." if links else ""
    )
    view = (
        "Body map of the patient’s lower body seen from behind, so the left side is on the left; "
        "the soles are drawn below the legs, heel at the top. "
        if clinician
        else "Body map of your lower body seen from behind, so your left side is on the left; "
        "the soles of your feet are drawn below the legs, heel at the top. "
    )
    return view + pain + chain


def build_body_map(assessment: Assessment, intake: Intake, *, clinician: bool = False) -> BodyMap:
    """The body map for one report: regions coloured by the intake's pain, chain lines, labels
    (``clinician``: its spoken summary is about the patient)."""
    pain = _pain_by_part(intake)
    shapes = _shapes(pain, _unexplained_parts(assessment, pain))
    lines = _chains(assessment.chain)
    return BodyMap(
        width=VIEW_WIDTH,
        height=VIEW_HEIGHT,
        offset=(OFFSET_X, OFFSET_Y),
        shapes=shapes,
        details=(*_MIDDLE_DETAILS, *_LEFT_DETAILS, *(mirror_path(d) for d in _LEFT_DETAILS)),
        labels=_labels(intake),
        chains=lines,
        aria_label=_aria_label(shapes, lines, clinician=clinician),
    )
