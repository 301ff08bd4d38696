"""Plantar-pressure frames for footprint measurement: read any supported export into one picture.

:func:`read_pressure_frame` tells the formats apart by their content (never the file name), reads the
static or peak-pressure picture, resamples it to square pixels when the sensors are not square, and
returns a :class:`PressureFrame`. Every bad input raises :class:`footchain.errors.FootprintError`
with what is wrong and what to do.

Format facts and sample data: the vendor examples shipped with the R package pressuRe (Telfer et al.,
MIT); MUN104 templates (Pataky et al. 2011, MIT) for the generic CSV matrix.
"""

from __future__ import annotations

from pathlib import Path

from footchain.errors import FootprintError
from footchain.measure.footprint.pressure._common import (
    FOOT_SENSOR_AT_LEAST_MM,
    SUPPORTED_FORMATS,
    PressureFrame,
    describe_binary,
    read_bytes,
    supported_list,
)
from footchain.measure.footprint.pressure.emed import is_emed_text, read_emed
from footchain.measure.footprint.pressure.footscan import OLE2_MAGIC, read_footscan
from footchain.measure.footprint.pressure.insoles import (
    is_pedar_text,
    is_stappone_text,
    refuse_pedar,
    refuse_stappone,
)
from footchain.measure.footprint.pressure.matrix import (
    looks_like_matrix,
    read_csv_matrix,
    read_npy,
)
from footchain.measure.footprint.pressure.pliance import is_pliance_text, read_pliance
from footchain.measure.footprint.pressure.tekscan import is_tekscan_text, read_tekscan, tekscan_kind
from footchain.measure.footprint.pressure.xsensor import is_xsensor_text, read_xsensor
from footchain.measure.textfile import looks_binary, to_text

__all__ = [
    "FOOT_SENSOR_AT_LEAST_MM",
    "SUPPORTED_FORMATS",
    "PressureFrame",
    "read_pressure_frame",
    "sniff_pressure_format",
    "sniff_pressure_head",
]

_NPY_MAGIC = b"\x93NUMPY"


def _sniff(data: bytes, path: Path) -> tuple[str, str | None]:
    """(format, decoded text or None for binary formats)."""
    if data.startswith(_NPY_MAGIC):
        return "npy", None
    if data.startswith(OLE2_MAGIC):
        return "footscan", None
    kind = describe_binary(data)
    if kind is not None:
        raise FootprintError(
            f"{path} is {kind}, not a pressure export. For a photo or scan of a footprint, measure it as "
            f"an image (--kind photo or scan). Pressure formats footchain reads: {supported_list()}"
        )
    if looks_binary(data):
        raise FootprintError(
            f"{path} is a binary file of a format footchain does not read as a pressure frame. "
            f"Supported: {supported_list()}"
        )
    text = to_text(data)
    if is_tekscan_text(text):
        return tekscan_kind(text), text
    if is_emed_text(text):
        return "emed", text
    if is_xsensor_text(text):
        return "xsensor", text
    if is_pliance_text(text):
        return "pliance", text
    if is_pedar_text(text):
        return "pedar", text
    if is_stappone_text(text):
        return "stappone", text
    if looks_like_matrix(text):
        return "csv", text
    raise FootprintError(
        f"{path}: not a pressure format footchain recognises (judged from the content, not the name). "
        f"Supported: {supported_list()}"
    )


def sniff_pressure_format(path: str | Path) -> str:
    """The pressure format of a file, judged from its content.

    Parameters
    ----------
    path : str or Path
        The file.

    Returns
    -------
    str
        One of :data:`SUPPORTED_FORMATS`.

    Raises
    ------
    FootprintError
        For a missing, empty, binary or unrecognised file; the message lists the supported formats.
    """
    p = Path(path)
    return _sniff(read_bytes(p), p)[0]


def sniff_pressure_head(data: bytes, path: Path) -> str | None:
    """The pressure format of a file's first bytes (at least the first 64 KB), or None if none fits.

    The same content sniffing as :func:`sniff_pressure_format`, for callers that hold the start of a
    file and try several readers (``footchain gait``); it never raises.
    """
    try:
        return _sniff(data, path)[0]
    except FootprintError:
        return None


def read_pressure_frame(
    path: str | Path, *, mm_per_px: float | None = None, format_hint: str | None = None
) -> PressureFrame:
    """Read the static or peak-pressure picture of a plantar-pressure export.

    Parameters
    ----------
    path : str or Path
        A pressure export of any supported format (:data:`SUPPORTED_FORMATS`).
    mm_per_px : float, optional
        Sensor pitch in millimetres. Used when the file does not state it and the vendor's pitch is
        not known (generic CSV/NPY matrices); a file's own pitch always wins, with a warning.
    format_hint : str, optional
        Read the file as this format instead of judging from its content.

    Returns
    -------
    PressureFrame
        The picture (2-D float array on square pixels), its scale, format, unit, which frame it is
        (``"peak"`` for the per-cell maximum of a recording, ``"static"`` for a file with one
        picture) and warnings.

    Raises
    ------
    FootprintError
        For a missing, empty, truncated, binary or unrecognised file, non-numeric or missing cells,
        NaN, a picture without pressure, a 1 × 1 or absurdly large matrix, an unknown format hint, and
        for insoles whose sensors are not a grid (pedar, stappone). The message says what to do.

    Examples
    --------
    >>> frame = read_pressure_frame("emed_test.lst")  # doctest: +SKIP
    >>> frame.format, frame.unit, frame.frame
    ('emed', 'kPa', 'peak')
    """
    p = Path(path)
    data = read_bytes(p)
    if format_hint is not None:
        fmt = format_hint.strip().lower()
        if fmt not in SUPPORTED_FORMATS:
            raise FootprintError(f"unknown pressure format {format_hint!r}. Supported: {supported_list()}")
        text = None if fmt in ("npy", "footscan") else _text_or_refuse(data, p, fmt)
    else:
        fmt, text = _sniff(data, p)
    if fmt == "npy":
        return read_npy(data, p, mm_per_px=mm_per_px)
    if fmt == "footscan":
        return read_footscan(data, p, mm_per_px=mm_per_px)
    assert text is not None
    if fmt == "csv":
        return read_csv_matrix(text, p, mm_per_px=mm_per_px)
    if fmt == "emed":
        return read_emed(text, p, mm_per_px=mm_per_px)
    if fmt in ("fscan", "iscan"):
        return read_tekscan(text, p, mm_per_px=mm_per_px)
    if fmt == "xsensor":
        return read_xsensor(text, p, mm_per_px=mm_per_px)
    if fmt == "pliance":
        return read_pliance(text, p, mm_per_px=mm_per_px)
    if fmt == "pedar":
        raise refuse_pedar(p)
    raise refuse_stappone(text, p)


def _text_or_refuse(data: bytes, path: Path, fmt: str) -> str:
    if looks_binary(data):
        kind = describe_binary(data) or "a binary file"
        raise FootprintError(f"{path} is {kind}, not a {fmt} text export")
    return to_text(data)
