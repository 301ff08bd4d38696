"""Insoles whose sensors do not form a grid: novel pedar (``.asc``) and stappone (``.csv``).

Their exports list one value per sensor (pedar: 99 per insole; stappone: a dozen) without the
sensors' positions and shapes, which depend on the insole model and size and are not in the file. A
footprint picture cannot be formed from them, so reading one for a footprint raises
:class:`footchain.errors.FootprintError` that says so and points to ``footchain gait``, which reads
pedar recordings for gait. The pedar file is recognised and read with the gait reader
(:mod:`footchain.measure.gait.readers.pedar`), not parsed a second time here.
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
    try:
        recording = read_pedar(path)
    except FootchainError as exc:
        detail = f" (reading it as a gait recording also failed: {exc})"
    else:
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
    return FootprintError(
        f"{path} is a novel pedar insole recording{detail}. An insole's sensors (99 per insole) are not "
        "a grid, and the export does not contain the insole's sensor layout (positions and shapes "
        "depend on the insole model and size), so no footprint picture can be formed from it. For a "
        "footprint, use a pressure-platform export (emed, footscan, ...), a photo or a scan; to analyse "
        f"this file's gait, run `footchain gait {path}`"
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
