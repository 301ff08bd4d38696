"""What every pressure reader shares: the :class:`PressureFrame` result, text decoding, number parsing,
checks of the final matrix and resampling to square pixels.

Every problem a person can fix raises :class:`footchain.errors.FootprintError` with a message that
says what is wrong and what to do.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import numpy.typing as npt

from footchain.errors import FootprintError
from footchain.measure.textfile import looks_binary

FloatArray = npt.NDArray[np.float64]
FormatName = Literal[
    "csv", "npy", "emed", "footscan", "pedar", "xsensor", "fscan", "iscan", "pliance", "stappone"
]

#: Largest matrix side footchain accepts; anything larger is not a pressure sensor.
MAX_SIDE = 10_000
#: Largest file footchain reads (bytes); vendor exports of a few hundred frames are a few MB.
MAX_FILE_BYTES = 1 << 30
#: Pressure unit → newtons per (unit × mm²).
NEWTONS_PER_UNIT_MM2 = {"kPa": 1e-3, "N/cm²": 1e-2, "mmHg": 0.133322e-3}
#: A sensing area whose long side is shorter than this (mm) cannot hold an adult foot.
FOOT_SENSOR_AT_LEAST_MM = 150.0
#: Columns of zeros put between two feet recorded in one file (left | gap | right).
FOOT_GAP_CELLS = 4
#: Most cells (frames × rows × columns) whose frame stack a reader keeps beside the peak picture
#: (8 bytes each: 400 MB). A longer recording still gives its peak picture, without the frames.
MAX_KEPT_FRAME_CELLS = 50_000_000

SUPPORTED_FORMATS: dict[str, str] = {
    "csv": "a matrix of numbers (rows × columns) in a CSV/TSV/semicolon text file; give the sensor pitch with --mm-per-px",
    "npy": "a 2-D NumPy .npy array (no pickles); give the sensor pitch with --mm-per-px",
    "emed": "novel emed ASCII export (.lst with 'Pict-No.' pages)",
    "footscan": "RSscan footscan Excel export (.xls with 'Frame N (t ms)' blocks)",
    "pedar": "novel pedar insole ASCII export (.asc): recognised, but an insole has 99 sensors, not a grid",
    "xsensor": "XSENSOR CSV export (FRAME / SENSOR / SENSELS blocks)",
    "fscan": "Tekscan F-Scan ASCII export (.asf, SENSOR_TYPE FSCAN)",
    "iscan": "Tekscan I-Scan / other Tekscan ASCII export (.csv/.asf with ASCII_DATA @@)",
    "pliance": "novel pliance ASCII export (.asc with sensor corner coordinates)",
    "stappone": "stappone insole CSV: recognised, but its insoles have a few sensors, not a grid",
}


def supported_list() -> str:
    """The supported formats as one line for error messages."""
    return "; ".join(f"{name} ({what})" for name, what in SUPPORTED_FORMATS.items())


@dataclass(frozen=True, eq=False)
class PressureFrame:
    """One plantar-pressure picture ready for footprint measurement.

    Attributes
    ----------
    values : numpy.ndarray
        2-D float64 array of pressure, row 0 at the top of the picture, on square pixels. For a
        recording it is the per-cell maximum over all frames (peak pressure picture). When the
        file holds both feet they stand side by side (left, a gap of empty columns, right).
    mm_per_px : float or None
        Size of one pixel in millimetres (after resampling to square pixels), or None when neither
        the file, the vendor nor the caller gives the sensor pitch.
    format : str
        One of :data:`SUPPORTED_FORMATS`.
    unit : str
        Unit of ``values``: ``kPa``, ``N/cm²``, ``mmHg``, ``raw`` or ``unknown``.
    frame : str or int
        ``"peak"`` (per-cell maximum over frames), ``"static"`` (the file holds one picture) or the
        index of the single frame used.
    warnings : tuple of str
        Everything a person should know about how the picture was made.
    frames : numpy.ndarray or None
        For a recording read by a multi-frame reader: every frame, shape (T, H, W), float64, in the
        same orientation, square pixels and unit as ``values`` (so ``values`` is their per-cell
        maximum); two feet stand side by side in each frame as in ``values``. None for a static
        picture, or when the recording is too long to keep (:data:`MAX_KEPT_FRAME_CELLS`).
    frame_interval_s : float or None
        Time between frames in seconds when the file states it (a rate, a time per frame or frame
        times), else None.
    side_labels : tuple of str
        The file's own label of each foot in the picture, left to right (``"left"``, ``"right"`` or
        the file's words when they name no side); empty when the file labels no foot.
    in_shoe : str or None
        What the file says of an in-shoe sensor (an insole worn in a shoe), e.g. ``"a Tekscan F-Scan
        in-shoe sensor"``; None for a plate or mat the foot stands on. An insole's picture is the
        foot against the insole and shoe, not a footprint on the ground.
    """

    values: FloatArray
    mm_per_px: float | None
    format: FormatName
    unit: str
    frame: str | int
    warnings: tuple[str, ...] = ()
    frames: FloatArray | None = None
    frame_interval_s: float | None = None
    side_labels: tuple[str, ...] = ()
    in_shoe: str | None = None

    @property
    def contact_area_cm2(self) -> float | None:
        """Area of the cells with pressure above zero, in cm², or None without a scale."""
        if self.mm_per_px is None:
            return None
        return float(np.count_nonzero(self.values > 0) * self.mm_per_px**2 / 100.0)

    @property
    def peak_force_n(self) -> float | None:
        """The largest total force of one frame, in newtons (pressure × pixel area, summed), or None
        without the frames, the scale or a pressure unit."""
        per_unit = NEWTONS_PER_UNIT_MM2.get(self.unit)
        if self.frames is None or self.mm_per_px is None or per_unit is None:
            return None
        totals = self.frames.reshape(self.frames.shape[0], -1).sum(axis=1)
        return float(totals.max() * per_unit * self.mm_per_px**2)


def read_bytes(path: Path) -> bytes:
    """Read a whole file with clear errors for missing, unreadable, empty or huge files."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise FootprintError(f"{path}: no such file; check the path") from None
    except OSError as exc:
        raise FootprintError(f"{path}: cannot read the file ({exc.strerror or exc})") from None
    if path.is_dir():
        raise FootprintError(f"{path} is a folder; give one pressure export file")
    if size > MAX_FILE_BYTES:
        raise FootprintError(
            f"{path} is {size / 2**20:.0f} MB, far larger than any pressure export "
            f"(limit {MAX_FILE_BYTES // 2**20} MB); export a single trial or the peak-pressure picture"
        )
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise FootprintError(f"{path}: cannot read the file ({exc.strerror or exc})") from None
    if not data.strip():
        raise FootprintError(f"{path} is empty; export the pressure recording again")
    return data


_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"),
    (b"BM", "a BMP image"),
    (b"%PDF", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive (or .xlsx/.npz)"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"RIFF", "a RIFF (WebP/AVI/WAV) file"),
)


def describe_binary(data: bytes) -> str | None:
    """Name a well-known non-pressure binary file type from its first bytes, else None."""
    for magic, name in _MAGIC:
        if data.startswith(magic):
            if name.startswith("a BMP") and not looks_binary(data):
                continue  # a text file that happens to start with "BM"
            return name
    return None


_NUMBER = re.compile(r"[-+]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][-+]?\d+)?")


def first_number(text: str) -> float | None:
    """The first number in a piece of text (decimal point or comma), else None."""
    m = _NUMBER.search(text)
    if not m:
        return None
    return float(m.group(0).replace(",", "."))


def length_to_mm(value: float, unit_text: str) -> float:
    """Convert a length to millimetres from the unit written next to it (mm, cm, m, in)."""
    unit = unit_text.lower()
    if re.search(r"\bmm\b|millimet", unit):
        return value
    if re.search(r"\bcm\b|centimet", unit):
        return value * 10.0
    if re.search(r"\binch|\bin\b|\"", unit):
        return value * 25.4
    if re.search(r"\bm\b|\bmeter|\bmetre", unit):
        return value * 1000.0
    return value


def to_float(text: str, *, decimal_comma: bool) -> float:
    """Parse one cell; raises ValueError when it is not a number."""
    cell = text.strip()
    if decimal_comma:
        cell = cell.replace(",", ".")
    return float(cell)


def cells_to_array(
    rows: Sequence[tuple[int, Sequence[str]]],
    path: Path,
    *,
    decimal_comma: bool,
    what: str = "matrix",
    blank_as: float | None = None,
    blank_tokens: tuple[str, ...] = (),
) -> FloatArray:
    """Convert split rows of cells into a float array with errors naming the line and column.

    Parameters
    ----------
    rows : sequence of (line number, cells)
        Line numbers count from 1 in the file, for messages.
    path : Path
        The file, for messages.
    decimal_comma : bool
        Read ``1,5`` as 1.5 (only when the cells are not comma-separated).
    what : str
        What the rows are, for messages.
    blank_as : float, optional
        Value for cells in ``blank_tokens`` (e.g. Tekscan's ``B`` for cells outside the sensor).
    blank_tokens : tuple of str
        Cell texts that mean "no sensor here".

    Raises
    ------
    FootprintError
        For no rows, a short last row (truncated file), rows of different lengths, or a cell that is
        not a number.
    """
    if not rows:
        raise FootprintError(f"{path}: the {what} has no rows of numbers; export the file again")
    width = len(rows[0][1])
    for index, (line_no, cells) in enumerate(rows):
        if len(cells) != width:
            if index == len(rows) - 1 and len(cells) < width:
                raise FootprintError(
                    f"{path} looks truncated: its last line ({line_no}) has {len(cells)} of the "
                    f"{width} values the other rows of the {what} have. Copy or export the file again "
                    "(or delete that incomplete line if the rest is what you want)"
                )
            raise FootprintError(
                f"{path}, line {line_no}: {len(cells)} values where the {what} has {width} per row; "
                "the file is damaged or not the format it looks like"
            )
    out = np.empty((len(rows), width), dtype=np.float64)
    blanks = {t.lower() for t in blank_tokens}
    for r, (line_no, cells) in enumerate(rows):
        for c, cell in enumerate(cells):
            try:
                number = to_float(cell, decimal_comma=decimal_comma)
                if not math.isfinite(number):
                    raise ValueError(cell)
                out[r, c] = number
            except ValueError:
                text = cell.strip()
                if blank_as is not None and text.lower() in blanks:
                    out[r, c] = blank_as
                    continue
                if text == "" or text.lower().lstrip("+-") in ("nan", "na", "null", "inf", "infinity"):
                    raise FootprintError(
                        f"{path}, line {line_no}, column {c + 1}: an empty, missing or infinite value "
                        f"({text!r}) in the {what}; every cell needs a number (0 where there is no pressure)"
                    ) from None
                shown = text if len(text) <= 30 else text[:27] + "..."
                raise FootprintError(
                    f"{path}, line {line_no}, column {c + 1}: {shown!r} is not a number; the {what} "
                    "must hold numbers only"
                ) from None
    return out


def check_row_widths(rows: Sequence[tuple[int, list[str]]], n_cols: int, last_line: int, path: Path) -> None:
    """Every grid row holds ``n_cols`` values; a short final line means the export was cut off.

    ``rows`` pairs each 1-based line number with its cells; ``last_line`` is the file's last data line.
    """
    for line_no, cells in rows:
        if len(cells) == n_cols:
            continue
        if line_no == last_line and len(cells) < n_cols:
            raise FootprintError(
                f"{path} looks truncated: its last line ({line_no}) has {len(cells)} of the "
                f"{n_cols} values of a row. Export the file again"
            )
        raise FootprintError(
            f"{path}, line {line_no}: {len(cells)} values where a row has {n_cols}; the file is damaged"
        )


def check_shape(n_rows: int, n_cols: int, path: Path) -> None:
    """Refuse matrices that are too small or absurdly large before any work is done on them."""
    if n_rows > MAX_SIDE or n_cols > MAX_SIDE:
        raise FootprintError(
            f"{path}: a {n_rows} × {n_cols} matrix is far larger than any pressure sensor "
            f"(limit {MAX_SIDE} × {MAX_SIDE} cells); this is not a pressure export"
        )
    if n_rows < 2 or n_cols < 2:
        raise FootprintError(
            f"{path}: a {n_rows} × {n_cols} matrix cannot hold a footprint; a pressure picture needs "
            "many rows and columns of sensors"
        )


def peak_of(frames: Sequence[FloatArray] | FloatArray) -> FloatArray:
    """Per-cell maximum over frames (the peak pressure picture)."""
    stack = np.asarray(frames, dtype=np.float64)
    return np.asarray(stack.max(axis=0), dtype=np.float64)


class RunningPeak:
    """Per-cell maximum of frames added one by one; the frames themselves are kept too, up to
    :data:`MAX_KEPT_FRAME_CELLS` cells (beyond that only the peak is, so memory stays bounded)."""

    def __init__(self) -> None:
        self.peak: FloatArray | None = None
        self.count = 0
        self.kept: list[FloatArray] | None = []
        self._cells = 0

    def add(self, frame: FloatArray, path: Path, what: str = "frame") -> None:
        """Add one frame; all frames must have the same shape."""
        if self.peak is None:
            self.peak = np.array(frame, dtype=np.float64)
        else:
            if frame.shape != self.peak.shape:
                raise FootprintError(
                    f"{path}: {what} {self.count + 1} is {frame.shape[0]} × {frame.shape[1]} but the "
                    f"first was {self.peak.shape[0]} × {self.peak.shape[1]}; the file is damaged"
                )
            np.maximum(self.peak, frame, out=self.peak)
        self.count += 1
        if self.kept is not None:
            self._cells += int(frame.size)
            if self._cells > MAX_KEPT_FRAME_CELLS:
                self.kept = None  # too long to keep: the peak picture is still exact
            else:
                self.kept.append(np.array(frame, dtype=np.float64))

    def stack(self) -> FloatArray | None:
        """The kept frames as one (T, H, W) array, or None when none were kept."""
        return keep_frames(self.kept)


def keep_frames(frames: Sequence[FloatArray] | None) -> FloatArray | None:
    """The frames of a recording as one (T, H, W) float64 array, or None for none or too many cells."""
    if not frames:
        return None
    if sum(int(f.size) for f in frames) > MAX_KEPT_FRAME_CELLS:
        return None
    return np.stack([np.asarray(f, dtype=np.float64) for f in frames])


def frames_note(n_frames: int, vendor: str) -> str:
    """The warning that says a picture is the per-cell maximum of a recording."""
    return (
        f"the {vendor} file holds a recording of {n_frames} frames; the picture is the peak pressure "
        "picture (per-cell maximum over all frames), not a single static frame"
    )


def side_by_side(images: Sequence[FloatArray]) -> FloatArray:
    """Place pictures next to each other, top-aligned, with empty columns between them."""
    height = max(im.shape[0] for im in images)
    parts: list[FloatArray] = []
    for i, im in enumerate(images):
        if i:
            parts.append(np.zeros((height, FOOT_GAP_CELLS), dtype=np.float64))
        padded = np.zeros((height, im.shape[1]), dtype=np.float64)
        padded[: im.shape[0], :] = im
        parts.append(padded)
    return np.hstack(parts)


def resample_square(values: FloatArray, row_pitch_mm: float, col_pitch_mm: float) -> tuple[FloatArray, float]:
    """Resample a picture whose cells are not square onto square pixels of the finer pitch.

    Each output pixel takes the value of the sensor under its centre (nearest neighbour), so no
    pressure is invented between sensors and the contact area is kept.

    Parameters
    ----------
    values : numpy.ndarray
        Picture, rows × columns.
    row_pitch_mm, col_pitch_mm : float
        Distance between sensor centres down the rows and across the columns, in mm.

    Returns
    -------
    tuple of (numpy.ndarray, float)
        The resampled picture and its pixel size in mm.
    """
    row_src, col_src, target = square_pixel_sources(values.shape, row_pitch_mm, col_pitch_mm)
    resampled = np.asarray(values[np.ix_(row_src, col_src)], dtype=np.float64)
    return resampled, target


def square_pixel_sources(
    shape: tuple[int, ...], row_pitch_mm: float, col_pitch_mm: float
) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp], float]:
    """For :func:`resample_square`: the source row of each output row, the source column of each
    output column (nearest sensor) and the square pixel size in mm."""
    target = min(row_pitch_mm, col_pitch_mm)
    n_rows, n_cols = int(shape[0]), int(shape[1])
    out_rows = max(1, round(n_rows * row_pitch_mm / target))
    out_cols = max(1, round(n_cols * col_pitch_mm / target))
    row_src = np.minimum((np.arange(out_rows) + 0.5) * (n_rows / out_rows), n_rows - 1e-9).astype(np.intp)
    col_src = np.minimum((np.arange(out_cols) + 0.5) * (n_cols / out_cols), n_cols - 1e-9).astype(np.intp)
    return row_src, col_src, target


def finish(
    values: FloatArray,
    path: Path,
    *,
    fmt: FormatName,
    unit: str,
    frame: str | int,
    row_pitch_mm: float | None,
    col_pitch_mm: float | None,
    pitch_from: str,
    mm_per_px: float | None,
    warnings: list[str],
    frames: FloatArray | None = None,
    frame_interval_s: float | None = None,
    side_labels: Sequence[str] = (),
    in_shoe: str | None = None,
) -> PressureFrame:
    """Check the picture, settle the scale, resample to square pixels and build the result.

    Parameters
    ----------
    values : numpy.ndarray
        The picture (already the peak or static frame), rows × columns.
    path : Path
        The file, for messages.
    fmt, unit, frame
        As in :class:`PressureFrame`.
    row_pitch_mm, col_pitch_mm : float or None
        Sensor pitch from the file or from the vendor's published figure.
    pitch_from : str
        ``"file"`` or ``"vendor"``: where the pitch came from (for warnings).
    mm_per_px : float or None
        The caller's sensor pitch, used only when neither the file nor the vendor gives one.
    warnings : list of str
        Warnings so far; more are added.
    frames : numpy.ndarray, optional
        The recording's frames (T, rows, columns) whose per-cell maximum ``values`` is; they get the
        same treatment (negative cells to 0, resampling to square pixels).
    frame_interval_s : float, optional
        Time between frames when the file states it.
    side_labels : sequence of str
        The file's foot label of each print, left to right.
    in_shoe : str, optional
        As in :class:`PressureFrame`.

    Raises
    ------
    FootprintError
        For NaN or infinite values, a picture without any pressure, or a bad ``mm_per_px``.
    """
    check_shape(values.shape[0], values.shape[1], path)
    if frames is not None and frames.shape[1:] != values.shape:
        raise ValueError(f"frames of shape {frames.shape[1:]} do not match the picture {values.shape}")
    if not np.isfinite(values).all():
        bad = np.argwhere(~np.isfinite(values))[0]
        raise FootprintError(
            f"{path}: the pressure picture has missing or infinite values (first at row {bad[0] + 1}, "
            f"column {bad[1] + 1}); every cell needs a number, 0 where there is no pressure"
        )
    negative = int(np.count_nonzero(values < 0))
    if negative:
        warnings.append(
            f"{negative} cell(s) hold negative values (sensor offset or noise); they were set to 0"
        )
        values = np.where(values < 0, 0.0, values)
        if frames is not None:
            frames = np.where(frames < 0, 0.0, frames)
    if not (values > 0).any():
        raise FootprintError(
            f"{path}: no cell has any pressure (all values are 0); nobody stood on the sensor in this "
            "recording, or the export is empty. Record or export the trial again"
        )
    if mm_per_px is not None and (not math.isfinite(mm_per_px) or mm_per_px <= 0):
        raise FootprintError(f"--mm-per-px must be a positive number of millimetres, not {mm_per_px}")

    scale: float | None
    if row_pitch_mm is not None and col_pitch_mm is not None:
        if row_pitch_mm <= 0 or col_pitch_mm <= 0 or not math.isfinite(row_pitch_mm * col_pitch_mm):
            raise FootprintError(
                f"{path}: the sensor size in the file ({row_pitch_mm} × {col_pitch_mm} mm) is not "
                "usable; give the sensor pitch with --mm-per-px and --format-hint csv on a matrix export"
            )
        if pitch_from == "vendor":
            warnings.append(
                f"the file does not state its sensor size; used the vendor's published sensor pitch "
                f"of {row_pitch_mm:g} mm (rows) × {col_pitch_mm:g} mm (columns)"
            )
        if mm_per_px is not None and abs(mm_per_px - min(row_pitch_mm, col_pitch_mm)) > 1e-6:
            warnings.append(
                f"the given --mm-per-px {mm_per_px:g} was not used: the "
                f"{'file states' if pitch_from == 'file' else 'vendor publishes'} a sensor pitch of "
                f"{row_pitch_mm:g} × {col_pitch_mm:g} mm"
            )
        if abs(row_pitch_mm - col_pitch_mm) > 0.01 * max(row_pitch_mm, col_pitch_mm):
            old_shape = values.shape
            values, scale = resample_square(values, row_pitch_mm, col_pitch_mm)
            if frames is not None:
                row_src, col_src, _ = square_pixel_sources(old_shape, row_pitch_mm, col_pitch_mm)
                frames = frames[:, row_src][:, :, col_src]
            warnings.append(
                f"sensors are {row_pitch_mm:g} mm (rows) × {col_pitch_mm:g} mm (columns); the "
                f"{old_shape[0]} × {old_shape[1]} picture was resampled to {values.shape[0]} × "
                f"{values.shape[1]} square pixels of {scale:g} mm (nearest sensor, no smoothing)"
            )
        else:
            scale = (row_pitch_mm + col_pitch_mm) / 2.0
    elif mm_per_px is not None:
        scale = mm_per_px
    else:
        scale = None
        warnings.append(
            "the sensor pitch is unknown (the file does not state it), so lengths and areas cannot be "
            "measured; give it with --mm-per-px (e.g. 5 for 5 mm sensors)"
        )
    if scale is not None:
        height_mm = values.shape[0] * scale
        width_mm = values.shape[1] * scale
        if max(height_mm, width_mm) < FOOT_SENSOR_AT_LEAST_MM:
            warnings.append(
                f"the sensing area is only {height_mm:.0f} × {width_mm:.0f} mm, too small for an adult "
                "foot; check the sensor pitch or whether this recording is of a foot at all"
            )
    return PressureFrame(
        values=np.ascontiguousarray(values, dtype=np.float64),
        mm_per_px=scale,
        format=fmt,
        unit=unit,
        frame=frame,
        warnings=tuple(warnings),
        frames=None if frames is None else np.ascontiguousarray(frames, dtype=np.float64),
        frame_interval_s=frame_interval_s,
        side_labels=tuple(side_labels),
        in_shoe=in_shoe,
    )
