"""Measure the raw files an intake names, before the (pure) assessment engine sees the intake.

``files.footprint_images`` are analysed with ``analyze_footprint``; each print whose side could be
told from its shape fills ``feet.footprint`` for that side, replacing typed-in values (a measured
print is the most trusted arch input, domain.md §2). ``files.gait_recordings`` are read and analysed
with ``load_recording`` and ``analyze_gait``; the engine turns the results into gait findings.
Relative paths are read from ``base_dir`` (the intake file's folder). A file that cannot be
measured raises its reader's clear error, as it would from ``footchain footprint`` or ``gait``.

Each measured file is also kept with its result (``MeasuredIntake.footprints`` and ``.recordings``), so a
report can show what was measured. With ``pictures=True`` the footprint overlays (PNG) and the gait
figures (SVG: force, strides, and COP when the recording has one) are drawn into a private temporary
folder, read back into memory and the folder is removed; only reports with pictures (HTML, PDF) pay for
the drawing.
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from footchain.measure.footprint.result import FootprintResult
from footchain.types import FootprintMetrics, GaitInput, Intake

METRICS = (
    "arch_index", "chippaux_smirak_index", "staheli_index", "clarke_angle_deg", "foot_length_mm", "foot_width_mm",
)  # fmt: skip


@dataclass(frozen=True)
class MeasuredFootprint:
    """One measured footprint file: the name to show, its result and, when asked for, its overlay PNG."""

    name: str
    result: FootprintResult
    overlay_png: bytes | None = None


@dataclass(frozen=True)
class MeasuredRecording:
    """One measured gait recording: the name to show, its ``footchain gait`` result and, when asked
    for, its figures as SVG documents by name (``force``, ``strides``, ``cop``)."""

    name: str
    result: Mapping[str, Any]
    figures: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class MeasuredIntake:
    """The intake with measured footprint metrics, the measured gait, and notes for ``limits``.

    ``footprints`` and ``recordings`` keep each measured file, in the intake's order, for the report.
    """

    intake: Intake
    gait: list[GaitInput] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    footprints: list[MeasuredFootprint] = field(default_factory=list)
    recordings: list[MeasuredRecording] = field(default_factory=list)


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


def _measure_footprints(intake: Intake, base_dir: Path, folder: Path | None) -> list[MeasuredFootprint]:
    """Measure each footprint file; with a ``folder``, draw its overlay there and keep the PNG."""
    from footchain.measure.footprint.analyze import analyze_footprint

    measured: list[MeasuredFootprint] = []
    for index, name in enumerate(intake.files.footprint_images):
        overlay = None if folder is None else folder / f"footprint-{index}.png"
        result = analyze_footprint(_resolved(name, base_dir), overlay=overlay)
        png = overlay.read_bytes() if overlay is not None and overlay.is_file() else None
        # the overlay's temporary path is gone with the folder: the picture travels as bytes instead
        measured.append(MeasuredFootprint(Path(name).name, result.model_copy(update={"overlay": None}), png))
    return measured


def _measure_gait(intake: Intake, base_dir: Path, folder: Path | None) -> list[MeasuredRecording]:
    """Measure each recording; with a ``folder``, draw its figures there and keep the SVGs."""
    from footchain.measure.gait import analyze_gait, load_recording

    measured: list[MeasuredRecording] = []
    for index, name in enumerate(intake.files.gait_recordings):
        recording = load_recording(_resolved(name, base_dir))
        result = analyze_gait(recording)
        figures: dict[str, str] = {}
        if folder is not None:
            from footchain.measure.gait.figures import draw_figures

            drawn = draw_figures(recording, result, folder, prefix=f"gait-{index}-")
            figures = {key: path.read_text(encoding="utf-8") for key, path in drawn.items()}
        measured.append(MeasuredRecording(Path(name).name, result, figures))
    return measured


def _measure(intake: Intake, base_dir: Path, folder: Path | None) -> MeasuredIntake:
    footprints = _measure_footprints(intake, base_dir, folder)
    notes: list[str] = []
    if footprints:
        intake, notes = merge_footprints(intake, [(f.name, f.result) for f in footprints])
    recordings = _measure_gait(intake, base_dir, folder)
    return MeasuredIntake(
        intake=intake,
        gait=[GaitInput(name=r.name, result=r.result) for r in recordings],
        notes=notes,
        footprints=footprints,
        recordings=recordings,
    )


def measure_intake_files(intake: Intake, base_dir: Path, *, pictures: bool = False) -> MeasuredIntake:
    """Measure every footprint image and gait recording the intake names.

    With ``pictures``, also draw each footprint's overlay (PNG) and each recording's figures (SVG) and keep
    them in ``footprints`` / ``recordings``; the temporary folder they are drawn in is always removed.
    """
    if not pictures:
        return _measure(intake, base_dir, None)
    with tempfile.TemporaryDirectory(prefix="footchain-pictures-") as tmp:
        return _measure(intake, base_dir, Path(tmp))
