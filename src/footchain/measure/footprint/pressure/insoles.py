"""Insoles whose sensors do not form a grid: novel pedar (``.asc``) and stappone (``.csv``).

An insole's sensors cover the insole, not the foot: whatever the foot does, the pressed area has the
insole's shape, so the Arch Index, Chippaux-Smirak and Staheli indices (defined on platform prints,
Cavanagh & Rodgers 1987) have no validated insole version. Reading one for a footprint therefore
raises :class:`footchain.errors.FootprintError` that says so and points to ``footchain gait``: for a
pedar insole of a known size (the layout of pressuRe's tables, :mod:`footchain.measure.gait.pedar_insole`)
it gives forces, the centre-of-pressure path with the loaded sensors, and the CPEI. The pedar file is
recognised and read with the gait reader (:mod:`footchain.measure.gait.readers.pedar`), not parsed a
second time here.
"""

from __future__ import annotations

import re
from pathlib import Path

from footchain.errors import FootchainError, FootprintError
from footchain.measure.gait.readers.pedar import is_pedar_text, read_pedar

__all__ = ["is_pedar_text", "is_stappone_text", "refuse_pedar", "refuse_stappone"]


def is_stappone_text(text: str) -> bool:
    """Whether a text looks like a stappone insole CSV export."""
    first = text.split("\n", 1)[0].lower()
    return "sole_id" in first and "pressure_" in first


def refuse_pedar(path: Path) -> FootprintError:
    """The error for a pedar file given as a footprint, with what the file holds when it can be read."""
    detail = ""
    layout_known = False
    try:
        recording = read_pedar(path)
    except FootchainError as exc:
        detail = f" (reading it as a gait recording also failed: {exc})"
    else:
        layout_known = (
            recording.sensor_outlines("left") is not None or recording.sensor_outlines("right") is not None
        )
        counts = [
            f"{side} insole {values.shape[1]} sensors"
            for side, values in (("left", recording.left_sensors), ("right", recording.right_sensors))
            if values is not None
        ]
        if counts:
            detail = (
                f" (this recording: {', '.join(counts)}, {recording.time_s.shape[0]} frames at "
                f"{recording.sampling_rate_hz:g} Hz)"
            )
    gait = (
        "the insole's size is known, so it gives forces, the centre-of-pressure path over the loaded "
        "sensors and the CPEI"
        if layout_known
        else "it reads the sensors' pressures over time"
    )
    return FootprintError(
        f"{path} is a novel pedar insole recording{detail}. An insole's sensors cover the insole, not the "
        "foot, so the footprint indices (Arch Index, Chippaux-Smirak, Staheli), which are defined on "
        "platform prints, cannot be measured from it. For those, use a pressure-platform export (emed, "
        f"footscan, ...), a photo or a scan. To analyse this recording, run `footchain gait {path}`: {gait}."
    )


def refuse_stappone(text: str, path: Path) -> FootprintError:
    """The error for a stappone insole file given as a footprint."""
    first = text.split("\n", 1)[0]
    n_sensors = len(re.findall(r"pressure_\d+", first, re.IGNORECASE))
    return FootprintError(
        f"{path} is a stappone insole recording with {n_sensors} pressure sensors per insole. They are "
        "not a grid and the file does not give their positions, so no footprint picture can be formed "
        "from it. For a footprint, use a pressure-platform export, a photo or a scan"
    )
