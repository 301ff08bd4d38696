"""Measure the raw files an intake names, before the (pure) assessment engine sees the intake.

``files.footprint_images`` are analysed with ``analyze_footprint``; each print whose side could be
told from its shape fills ``feet.footprint`` for that side, replacing typed-in values (a measured
print is the most trusted arch input, domain.md §2). ``files.gait_recordings`` are read and analysed
with ``load_recording`` and ``analyze_gait``; the engine turns the results into gait findings.
Relative paths are read from ``base_dir`` (the intake file's folder). A file that cannot be
measured raises its reader's clear error, as it would from ``footchain footprint`` or ``gait``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from footchain.findings.gait import GaitInput
from footchain.measure.footprint.result import FootprintResult
from footchain.types import FootprintMetrics, Intake

METRICS = (
    "arch_index", "chippaux_smirak_index", "staheli_index", "clarke_angle_deg", "foot_length_mm", "foot_width_mm",
)  # fmt: skip


@dataclass(frozen=True)
class MeasuredIntake:
    """The intake with measured footprint metrics, the measured gait, and notes for ``limits``."""

    intake: Intake
    gait: list[GaitInput] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _resolved(name: str, base_dir: Path) -> Path:
    path = Path(name)
    return path if path.is_absolute() else base_dir / path


def _plausible(metric: str, value: float) -> bool:
    """Whether a measured value lies in the intake schema's range for that metric."""
    try:
        FootprintMetrics.model_validate({metric: value})
    except ValidationError:
        return False
    return True


def merge_footprints(
    intake: Intake, results: Sequence[tuple[str, FootprintResult]]
) -> tuple[Intake, list[str]]:
    """Fill ``feet.footprint`` from measured prints (``label`` names the file in notes).

    Each print whose side could be told from its shape fills that side, replacing typed-in values;
    values outside the intake schema's range are left out with a note.
    """
    measured: dict[str, dict[str, float]] = {}
    notes: list[str] = []
    for label, result in results:
        for measurement in result.prints:
            if measurement.side == "unknown":
                notes.append(f"{label}: a print whose side could not be told from its shape was not used.")
                continue
            if measurement.side in measured:
                notes.append(f"{label}: a second {measurement.side} print was found; the first one is used.")
                continue
            values = {m: getattr(measurement, m) for m in METRICS if getattr(measurement, m) is not None}
            measured[measurement.side] = {m: v for m, v in values.items() if _plausible(m, v)}
            notes += [
                f"{label} ({measurement.side}): {m.replace('_', ' ')} {v:g} is outside the possible range and was left out."
                for m, v in values.items()
                if not _plausible(m, v)
            ]
            notes += [f"{label} ({measurement.side}): {w}" for w in measurement.warnings]
        notes += [f"{label}: {w}" for w in result.warnings]
    if not measured:
        notes.append(
            "No footprint in the given files could be used; the arch type rests on the other inputs."
        )
        return intake, notes
    data: dict[str, Any] = intake.model_dump(exclude_none=True)
    data.setdefault("feet", {}).setdefault("footprint", {}).update(measured)
    return Intake.model_validate(data), notes


def _measure_footprints(intake: Intake, base_dir: Path) -> tuple[Intake, list[str]]:
    from footchain.measure.footprint.analyze import analyze_footprint

    results = [
        (Path(name).name, analyze_footprint(_resolved(name, base_dir)))
        for name in intake.files.footprint_images
    ]
    return merge_footprints(intake, results)


def _measure_gait(intake: Intake, base_dir: Path) -> list[GaitInput]:
    from footchain.measure.gait import analyze_gait, load_recording

    return [
        GaitInput(name=Path(name).name, result=analyze_gait(load_recording(_resolved(name, base_dir))))
        for name in intake.files.gait_recordings
    ]


def measure_intake_files(intake: Intake, base_dir: Path) -> MeasuredIntake:
    """Measure every footprint image and gait recording the intake names."""
    notes: list[str] = []
    if intake.files.footprint_images:
        intake, notes = _measure_footprints(intake, base_dir)
    return MeasuredIntake(intake=intake, gait=_measure_gait(intake, base_dir), notes=notes)
