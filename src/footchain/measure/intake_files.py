"""Measure the raw files an intake names, so the assessment uses measured values.

``files.footprint_images`` are analysed with ``analyze_footprint``; each print whose side could be
told from its shape fills ``feet.footprint`` for that side, replacing typed-in values (a measured
print is the most trusted arch input, domain.md §2). Relative paths are read from ``base_dir``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import ValidationError

from footchain.measure.footprint.analyze import analyze_footprint
from footchain.types import FootprintMetrics, Intake

METRICS = (
    "arch_index", "chippaux_smirak_index", "staheli_index", "clarke_angle_deg", "foot_length_mm", "foot_width_mm",
)  # fmt: skip


def _plausible(metric: str, value: float) -> bool:
    """Whether a measured value lies in the intake schema's range for that metric."""
    try:
        FootprintMetrics.model_validate({metric: value})
    except ValidationError:
        return False
    return True


def measure_intake_files(intake: Intake, base_dir: Path) -> tuple[Intake, list[str]]:
    """The intake with measured footprint metrics filled in, and notes on what was measured or not."""
    if not intake.files.footprint_images:
        return intake, []
    measured: dict[str, dict[str, float]] = {}
    notes: list[str] = []
    for name in intake.files.footprint_images:
        path = Path(name) if Path(name).is_absolute() else base_dir / name
        result = analyze_footprint(path)
        for measurement in result.prints:
            if measurement.side == "unknown":
                notes.append(
                    f"{Path(name).name}: a print whose side could not be told from its shape was not used."
                )
                continue
            if measurement.side in measured:
                notes.append(
                    f"{Path(name).name}: a second {measurement.side} print was found; the first one is used."
                )
                continue
            values = {m: getattr(measurement, m) for m in METRICS if getattr(measurement, m) is not None}
            measured[measurement.side] = {m: v for m, v in values.items() if _plausible(m, v)}
            notes += [
                f"{Path(name).name} ({measurement.side}): {m.replace('_', ' ')} {v:g} is outside the possible range and was left out."
                for m, v in values.items()
                if not _plausible(m, v)
            ]
            notes += [f"{Path(name).name} ({measurement.side}): {w}" for w in measurement.warnings]
        notes += [f"{Path(name).name}: {w}" for w in result.warnings]
    if not measured:
        notes.append(
            "No footprint in the given files could be used; the arch type rests on the other inputs."
        )
        return intake, notes
    data: dict[str, Any] = intake.model_dump(exclude_none=True)
    footprint = data.setdefault("feet", {}).setdefault("footprint", {})
    footprint.update(measured)
    return Intake.model_validate(data), notes
