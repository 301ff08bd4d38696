"""Readers for gait recordings, and :func:`load_recording`, which tells the formats apart by content."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from footchain.measure.gait.errors import RecordingError, UnknownFormatError
from footchain.measure.gait.readers._text import (
    decode_text,
    read_head,
    split_header,
    split_whitespace_or_comma,
    whole_lines,
)
from footchain.measure.gait.readers.c3d import is_c3d, read_c3d
from footchain.measure.gait.readers.csv import parse_column_map, read_csv
from footchain.measure.gait.readers.gaitpdb import N_COLUMNS as GAITPDB_COLUMNS
from footchain.measure.gait.readers.gaitpdb import is_number, read_gaitpdb
from footchain.measure.gait.readers.imu_ipol import is_ipol_imu_text, read_ipol_imu
from footchain.measure.gait.readers.moticon import is_moticon_text, read_moticon
from footchain.measure.gait.readers.pedar import is_pedar_text, read_pedar
from footchain.measure.gait.readers.pressure_walk import is_pressure_walk, read_pressure_walk
from footchain.measure.gait.recording import Recording
from footchain.measure.textfile import looks_binary

__all__ = [
    "SUPPORTED_FORMATS",
    "load_recording",
    "parse_column_map",
    "read_c3d",
    "read_csv",
    "read_gaitpdb",
    "read_moticon",
    "read_pedar",
    "read_pressure_walk",
    "sniff_format",
]

SUPPORTED_FORMATS: dict[str, str] = {
    "gaitpdb": "PhysioNet gaitpdb VGRF insoles (19 columns: time, L1–L8, R1–R8, total L, total R)",
    "moticon": "Moticon OpenGo text export (header '# time ...' with 'left/right total force[N]')",
    "pedar": "novel pedar ASCII export (.asc with 'time[secs]' and a left/right insole mask)",
    "c3d": "C3D file with force plates",
    "pressure_walk": (
        "dynamic plantar-pressure recording of several frames: novel emed (.lst), RSscan footscan (.xls), "
        "Tekscan F-Scan/I-Scan, XSENSOR (.csv), novel pliance (.asc)"
    ),
    "imu_ipol": "IPOL foot-IMU trial (NAME_lf/_rf/_lb.txt, 'Acquisition frequency' + PacketCounter header)",
    "csv": "any table of per-foot vertical force with a column map (--columns time=..,left_force=..,right_force=..)",
}


_TEXT_SNIFF_BYTES = 24_576


def _supported_list() -> str:
    return "; ".join(f"{name}: {what}" for name, what in SUPPORTED_FORMATS.items())


def _looks_like_gaitpdb(text: str) -> bool:
    lines = [line for line in text.split("\n", 12)[:12] if line.strip()]
    if len(lines) < 2:
        return False
    first = split_whitespace_or_comma(lines[0])
    if not is_number(first[0]):
        first = split_header(lines[0])
    second = split_whitespace_or_comma(lines[1])
    if len(second) != GAITPDB_COLUMNS or not all(is_number(f) for f in second):
        return False
    return len(first) == GAITPDB_COLUMNS


def sniff_format(path: Path) -> str:
    """The recording format of a file, judged from its content (never its name).

    Raises
    ------
    RecordingError
        For an empty or unreadable file; ``UnknownFormatError`` (a ``RecordingError``) for an
        unrecognised one, whose message lists the supported formats.
    """
    data = read_head(path, 65536)
    if is_c3d(data):
        return "c3d"
    if looks_binary(data):
        if is_pressure_walk(data, path):  # footscan's export is a binary .xls
            return "pressure_walk"
        raise UnknownFormatError(
            f"{path} is a binary file of a format footchain does not read. Supported: {_supported_list()}"
        )
    # the text sniffers below read the first 40 lines at most (pedar: 20,000 characters); decoding
    # only those lines saves normalising the line ends of the rest
    text = decode_text(whole_lines(data, _TEXT_SNIFF_BYTES), path)
    if is_moticon_text(text):
        return "moticon"
    if is_pedar_text(text):
        return "pedar"
    if _looks_like_gaitpdb(text):
        return "gaitpdb"
    if is_ipol_imu_text(text):
        return "imu_ipol"
    # last: the pressure sniffing loads the footprint package, which the formats above never need
    if is_pressure_walk(data, path):
        return "pressure_walk"
    raise UnknownFormatError(
        f"{path}: not a recording format footchain recognises. Supported: {_supported_list()}. "
        "For another table of per-foot force, give a column map (format 'csv')"
    )


def load_recording(
    path: str | Path,
    format_hint: str | None = None,
    columns: Mapping[str, str | int] | None = None,
    *,
    sampling_rate_hz: float | None = None,
) -> Recording:
    """Read a gait recording of any supported format into a :class:`Recording`.

    Parameters
    ----------
    path : str or Path
        The recording file.
    format_hint : str, optional
        One of :data:`SUPPORTED_FORMATS`; when given, the file is read as that format. Otherwise
        the format is judged from the content (a column map implies ``csv``).
    columns : mapping, optional
        Column map for the ``csv`` format: ``time``, ``left_force``, ``right_force``.
    sampling_rate_hz : float, optional
        A rate you know; checked against the file (more than 5% apart raises), or used when the
        file has no clock.

    Raises
    ------
    RecordingError
        For any file that cannot be read, with a message that says what is wrong and what to do.
    """
    path = Path(path)
    if format_hint is not None:
        hint = format_hint.strip().lower()
        if hint not in SUPPORTED_FORMATS:
            raise RecordingError(f"unknown format {format_hint!r}. Supported: {_supported_list()}")
    elif columns is not None:
        hint = "csv"
    else:
        hint = sniff_format(path)
    if hint == "csv":
        if not columns:
            raise RecordingError(
                "the csv format needs a column map: time=COLUMN,left_force=COLUMN,right_force=COLUMN"
            )
        return read_csv(path, columns, sampling_rate_hz=sampling_rate_hz)
    if columns is not None:
        raise RecordingError(f"a column map applies only to the csv format, not {hint}")
    if hint == "gaitpdb":
        return read_gaitpdb(path, sampling_rate_hz=sampling_rate_hz)
    if hint == "moticon":
        return read_moticon(path, sampling_rate_hz=sampling_rate_hz)
    if hint == "pedar":
        return read_pedar(path, sampling_rate_hz=sampling_rate_hz)
    if hint == "imu_ipol":
        return read_ipol_imu(path)
    if hint == "pressure_walk":
        return read_pressure_walk(path, sampling_rate_hz=sampling_rate_hz)
    return read_c3d(path, sampling_rate_hz=sampling_rate_hz)
