"""What a footprint measurement returns: the ``footchain footprint`` JSON contract (measurements.md v1).

``PrintGeometry`` keeps, in image pixels, the lines the indices were measured on, so that an overlay
can show a person exactly what was measured.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

Point = tuple[float, float]  # (x, y) in pixels of the analysed image; y grows downwards
Segment = tuple[Point, Point]
InputKind = Literal["photo", "scan", "pressure"]
ScaleFrom = Literal["sheet", "dpi", "flag", "none"]


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class PrintGeometry(Frozen):
    """The construction lines of Cavanagh & Rodgers (1987) and the width lines, in image pixels."""

    outline: list[Point]  # the print's outer contour (toes included)
    heel_point: Point  # back of the heel on the foot axis
    toe_point: Point  # tip of the second toe (end of the foot axis)
    heel_line: Segment  # perpendicular to the axis, touching the back of the heel
    toe_line: Segment  # perpendicular to the axis, touching the front of the print without toes
    third_lines: tuple[Segment, Segment]  # borders forefoot/midfoot and midfoot/heel
    forefoot_width: Segment  # widest forefoot (metatarsal) width, perpendicular to the axis
    midfoot_width: Segment  # narrowest midfoot width (zero length when the print is split)
    heel_width: Segment  # widest heel width
    clarke_lines: tuple[Segment, Segment] | None  # medial tangent, and forefoot point → deepest arch point
    side_sure: bool = True  # every shape cue of the side agreed (else the layout of two prints may decide)


class PrintMeasurement(Frozen):
    side: Literal["left", "right", "unknown"]
    arch_index: float | None
    chippaux_smirak_index: float | None
    staheli_index: float | None
    clarke_angle_deg: float | None
    foot_length_mm: float | None
    foot_width_mm: float | None
    arch_type: Literal["flat", "normal", "high", "unknown"]
    warnings: list[str]
    geometry: PrintGeometry | None = None

    def contract(self) -> dict[str, object]:
        """The print as the JSON contract shows it (geometry is for overlays only)."""
        return self.model_dump(mode="json", exclude={"geometry"})


class Source(Frozen):
    path: str
    kind: InputKind
    mm_per_px: float | None
    scale_from: ScaleFrom


class FootprintResult(Frozen):
    schema_version: Literal[1] = 1
    source: Source
    prints: list[PrintMeasurement]
    warnings: list[str]
    overlay: str | None = None

    def contract(self) -> dict[str, object]:
        """The ``footchain footprint --format json`` object of measurements.md."""
        return {
            "schema_version": self.schema_version,
            "source": self.source.model_dump(mode="json"),
            "prints": [p.contract() for p in self.prints],
            "warnings": list(self.warnings),
            "overlay": self.overlay,
        }
