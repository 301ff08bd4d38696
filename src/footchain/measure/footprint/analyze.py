"""One footprint file → the ``footchain footprint`` result: find the scale, the prints, and measure each.

Photos on the calibration sheet are rectified with the sheet's markers (scale from the sheet); scans
take their scale from the file's DPI or from ``dpi``/``mm_per_px``; pressure frames from their sensor
pitch. Without any scale the indices (ratios) are still measured and lengths are left out, with a
warning saying how to get them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from footchain.errors import FootprintError
from footchain.knowledge import MM_PER_INCH
from footchain.measure.footprint.image_io import GrayImage, read_image
from footchain.measure.footprint.indices import measure_print
from footchain.measure.footprint.layout import sides_from_layout
from footchain.measure.footprint.overlay import write_overlay
from footchain.measure.footprint.photo import detect_sheet, rectify
from footchain.measure.footprint.pressure import FOOT_SENSOR_AT_LEAST_MM, read_pressure_frame
from footchain.measure.footprint.result import FootprintResult, InputKind, PrintMeasurement, ScaleFrom, Source
from footchain.measure.footprint.segment import segment_pressure, segment_prints

IMAGE_MAGIC = (b"\xff\xd8\xff", b"\x89PNG", b"II*\x00", b"MM\x00*", b"BM", b"RIFF")
# Metadata below this is a camera's default (72 or 96), not a scanner's real resolution.
SCAN_DPI_AT_LEAST = 100
GENERIC_MATRICES = ("csv", "npy")
FirstRow = Literal["bottom", "top"]
GENERIC_ORIENTATION_WARNING = {
    "bottom": "The side is judged with the matrix's first row at the bottom of the picture (plotted with the "
    "origin at the lower left, the print seen from above); if your matrix is an image whose first row is "
    "the top, give --first-row top, or left and right are swapped.",
    "top": "The side is judged with the matrix's first row at the top of the picture (an image of the print "
    "seen from above); if your matrix is plotted with its first row at the bottom, give --first-row bottom, "
    "or left and right are swapped.",
}
#: A foot that never carried this force (N) was not standing on it with an adult's weight: half the
#: weight of a 51 kg adult standing on both feet; walking loads each foot with about body weight.
LOADED_AT_LEAST_N = 250.0
SPLIT_PRESSURE_WARNING = (
    "On a pressure recording a split print means that no sensor under the midfoot read above the "
    "plate's threshold in any frame. A very high arch does this, and so does a shoe (its shank bridges "
    "the arch) or a person who loaded the heel and the forefoot without rolling over the midfoot: "
    "check that the recording was barefoot, standing or walking normally, before reading the arch "
    "index as a high arch."
)
NO_SCALE_WARNING = (
    "No scale known, so lengths are left out: photograph the print on the footchain calibration sheet "
    "(`footchain sheet`), or scan it and give the scan's resolution with --dpi."
)


def _is_image(path: Path) -> bool:
    try:
        with path.open("rb") as stream:
            head = stream.read(12)
    except OSError as exc:
        raise FootprintError(f"{path}: cannot be read ({exc.strerror}).") from None
    return head.startswith(IMAGE_MAGIC) and (not head.startswith(b"RIFF") or head[8:12] == b"WEBP")


def _pressure(
    path: Path, mm_per_px: float | None, first_row: FirstRow
) -> tuple[GrayImage, list[PrintMeasurement], Source, list[str]]:
    frame = read_pressure_frame(path, mm_per_px=mm_per_px)
    if frame.in_shoe is not None:
        raise FootprintError(
            f"{path} is a recording of {frame.in_shoe}. Inside a shoe the foot rests on the insole and "
            "the shoe's shank holds up the arch, so the picture is the foot against the shoe, not a "
            "footprint on the ground, and the arch index (Cavanagh & Rodgers 1987, barefoot prints) "
            "cannot be measured from it. For the gait events of this recording use `footchain gait`; "
            "for the arch index, record the bare foot on a pressure plate, or bring an ink print, a "
            "photo or a scan of the footprint."
        )
    if frame.mm_per_px is not None and max(frame.values.shape) * frame.mm_per_px < FOOT_SENSOR_AT_LEAST_MM:
        height, width = (side * frame.mm_per_px for side in frame.values.shape)
        raise FootprintError(
            f"{path}: the sensor is only {height:.0f} × {width:.0f} mm, smaller than any adult foot, so "
            "this recording is not of a whole foot (a finger, a test weight or part of a sensor). "
            "Record the bare foot on a pressure plate, or bring an ink print, a photo or a scan"
        )
    generic = frame.format in GENERIC_MATRICES
    values = frame.values[::-1] if generic and first_row == "bottom" else frame.values
    masks = segment_pressure(values, threshold=0.0)
    prints = [measure_print(mask, mm_per_px=frame.mm_per_px, kind="pressure") for mask in masks]
    scale: ScaleFrom = "none" if frame.mm_per_px is None else ("flag" if mm_per_px else "dpi")
    source = Source(path=str(path), kind="pressure", mm_per_px=frame.mm_per_px, scale_from=scale)
    peak = float(np.nanmax(values)) or 1.0
    picture = (255 - np.clip(values / peak * 255, 0, 255)).astype(np.uint8)
    warnings = list(frame.warnings)
    if any(p.chippaux_smirak_index == 0 for p in prints):
        _refuse_split_print_without_body_weight(path, frame.peak_force_n)
        warnings.append(SPLIT_PRESSURE_WARNING)
    if generic:
        warnings.append(GENERIC_ORIENTATION_WARNING[first_row])
    return picture, prints, source, warnings


def _refuse_split_print_without_body_weight(path: Path, peak_force_n: float | None) -> None:
    """A split print from a foot that never carried standing weight says nothing about the arch."""
    if peak_force_n is None or peak_force_n >= LOADED_AT_LEAST_N:
        return
    raise FootprintError(
        f"{path}: the heel and the forefoot never touched through the midfoot, but the foot carried "
        f"at most {peak_force_n:.0f} N (the weight of {peak_force_n / 9.81:.0f} kg) in this "
        "recording, less than an adult's foot carries standing on both feet, so the arch was never "
        "loaded as in the standing or walking footprints the arch index is defined on (Cavanagh & "
        "Rodgers 1987). Record the bare foot on the pressure plate standing with full weight, or walking "
        "across it."
    )


def _image(
    path: Path, kind: InputKind | None, dpi: float | None, mm_per_px: float | None
) -> tuple[GrayImage, list[PrintMeasurement], Source, list[str]]:
    loaded = read_image(path)
    warnings: list[str] = []
    detection = detect_sheet(loaded.gray) if kind != "scan" else None
    if detection is not None:
        rectified = rectify(loaded.gray, detection)
        gray, scale, scale_from, kind = rectified.image, rectified.mm_per_px, "sheet", "photo"
        picture: NDArray[np.uint8] = gray
        warnings += rectified.warnings
    else:
        # no sheet: colour tells printed colour (form bands, logos, biro) from ink, so decode it too
        coloured = read_image(path, colour=True)
        gray = coloured.gray
        picture = coloured.colour if coloured.colour is not None else gray
        if mm_per_px is not None:
            scale, scale_from = mm_per_px * loaded.reduction, "flag"
        elif dpi is not None:
            scale, scale_from = MM_PER_INCH / dpi * loaded.reduction, "flag"
        elif loaded.dpi is not None and loaded.dpi >= SCAN_DPI_AT_LEAST and kind != "photo":
            scale, scale_from = MM_PER_INCH / loaded.dpi * loaded.reduction, "dpi"
        else:
            scale, scale_from = None, "none"
        kind = kind or ("scan" if scale is not None else "photo")
    if scale is None:
        warnings.append(NO_SCALE_WARNING)
    masks = segment_prints(picture, mm_per_px=scale)
    prints = sides_from_layout([measure_print(mask, mm_per_px=scale, kind=kind) for mask in masks])
    source = Source(path=str(path), kind=kind, mm_per_px=scale, scale_from=scale_from)
    return gray, prints, source, warnings


def analyze_footprint(
    path: Path,
    *,
    kind: InputKind | None = None,
    dpi: float | None = None,
    mm_per_px: float | None = None,
    overlay: Path | None = None,
    first_row: FirstRow = "bottom",
) -> FootprintResult:
    """Measure every print in a photo, scan or pressure file (see measurements.md for the result).

    Parameters
    ----------
    path
        The image or pressure export. Its type is read from its content, not its name.
    kind
        Force ``photo``, ``scan`` or ``pressure`` instead of deciding from the content.
    dpi, mm_per_px
        The scale of a scan, or the sensor pitch of a pressure matrix.
    overlay
        Where to write a PNG or SVG showing what was measured.
    first_row
        For a generic CSV/NPY pressure matrix: whether its first row is the ``bottom`` of the picture
        (plotted with the origin at the lower left, as MATLAB's ``pcolor`` and the MUN104 templates) or
        the ``top`` (an image). Either way the print is taken as seen from above; the side depends on it.
    """
    if not path.is_file():
        raise FootprintError(f"{path}: no such file." if not path.exists() else f"{path}: is not a file.")
    if any(v is not None and v <= 0 for v in (dpi, mm_per_px)):
        raise FootprintError("--dpi and --mm-per-px must be positive numbers.")
    if kind == "pressure" or (kind is None and not _is_image(path)):
        gray, prints, source, warnings = _pressure(path, mm_per_px, first_row)
    else:
        gray, prints, source, warnings = _image(path, kind, dpi, mm_per_px)
    written = None
    if overlay is not None:
        write_overlay(gray, prints, overlay)
        written = str(overlay)
    return FootprintResult(source=source, prints=prints, warnings=warnings, overlay=written)
