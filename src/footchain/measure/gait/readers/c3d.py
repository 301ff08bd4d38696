"""Reader for force plates in C3D motion-capture files, through ezc3d.

Every plate's force is projected on the plate's normal (from its corners), signed so that loading
is positive, giving the vertical ground reaction force at the analog rate. Which foot stood on a
plate is taken from the file's foot-strike events (``EVENT:LABELS`` "Foot Strike" with
``EVENT:CONTEXTS`` "Left"/"Right") when they fall inside a contact on that plate; without such
events the plate's side stays "unknown" and the recording says so.

Michaud B, Begon M (2021). ezc3d: An easy C3D file I/O cross-platform solution for C++, Python and
MATLAB. J Open Source Softw 6(58):2911. C3D format: Motion Lab Systems, "The C3D File Format User
Guide" (c3d.org).
"""

from __future__ import annotations

import struct
from pathlib import Path
from typing import Any

import numpy as np

from footchain.measure.gait.errors import RecordingError
from footchain.measure.gait.readers._text import read_bytes
from footchain.measure.gait.recording import FloatArray, PlateForce, PlateSide, Recording, check_forces

C3D_KEY_BYTE = 0x50
_CONTACT_THRESHOLD_N = 20.0
# half-width of the window (s) in which a foot-strike event must meet the start of a plate contact
_EVENT_TOLERANCE_S = 0.1


def is_c3d(data: bytes) -> bool:
    """Whether bytes start like a C3D file: second byte 0x50, a parameter block pointer ≥ 1, and a binary
    header (its 16-bit counts hold zero bytes), so a text table whose second character is "P" is not one."""
    return len(data) >= 2 and data[1] == C3D_KEY_BYTE and data[0] >= 1 and b"\x00" in data[:512]


_PLATE_CHANNELS = {1: 6, 2: 6, 3: 8, 4: 6}


def _walk_parameters(
    data: bytes, path: Path
) -> tuple[dict[tuple[str, str], tuple[int, tuple[int, ...], bytes]], str, int]:
    """The parameter records as ``{(group, name): (type, dims, raw data)}``, the byte order and the
    processor type (1 Intel, 2 DEC, 3 MIPS); raises :class:`RecordingError` where the section is
    inconsistent."""
    damaged = f"{path}: the C3D file is damaged (its parameter section is inconsistent); export it again"
    start = (data[0] - 1) * 512
    if start < 512 or start + 4 > len(data):
        raise RecordingError(f"{path} looks truncated: it ends before its parameter section")
    n_blocks = data[start + 2]
    processor = data[start + 3] - 83
    if processor not in (1, 2, 3) or n_blocks == 0:
        raise RecordingError(damaged)
    endian = ">" if processor == 3 else "<"
    end = min(start + 512 * n_blocks, len(data))
    groups: dict[int, str] = {}
    params: dict[int, list[tuple[str, int, tuple[int, ...], bytes]]] = {}
    pos = start + 4
    while pos + 2 <= end:
        name_len = abs(struct.unpack_from("b", data, pos)[0])
        ident = struct.unpack_from("b", data, pos + 1)[0]
        if name_len == 0 or ident == 0:
            break
        name_end = pos + 2 + name_len
        raw_name = data[pos + 2 : name_end]
        if name_end + 2 > end or not all(32 <= b < 127 for b in raw_name):
            raise RecordingError(damaged)
        name = raw_name.decode("ascii").strip().upper()
        (offset,) = struct.unpack_from(endian + "h", data, name_end)
        following = name_end + offset
        body = name_end + 2
        if ident > 0:
            if body + 2 > end:
                raise RecordingError(damaged)
            kind = struct.unpack_from("b", data, body)[0]
            n_dims = data[body + 1]
            if kind not in (-1, 1, 2, 4) or n_dims > 7 or body + 2 + n_dims > end:
                raise RecordingError(damaged)
            dims = tuple(data[body + 2 : body + 2 + n_dims])
            size = abs(kind)
            for d in dims:
                size *= d
            value = data[body + 2 + n_dims : body + 2 + n_dims + size]
            body += 2 + n_dims + size
            params.setdefault(ident, []).append((name, kind, dims, value))
        else:
            groups[-ident] = name
        if body + 1 > end or body + 1 + data[body] > end:
            raise RecordingError(damaged)
        if offset == 0:
            break
        if offset < 0 or following > end or following < body + 1 + data[body]:
            raise RecordingError(damaged)
        pos = following
    if not groups:
        raise RecordingError(damaged)
    table: dict[tuple[str, str], tuple[int, tuple[int, ...], bytes]] = {}
    for group_id, entries in params.items():
        group = groups.get(group_id)
        if group is None:
            raise RecordingError(damaged)
        for name, kind, dims, value in entries:
            table[(group, name)] = (kind, dims, value)
    return table, endian, processor


def _ints(entry: tuple[int, tuple[int, ...], bytes] | None, endian: str) -> list[int]:
    if entry is None:
        return []
    kind, _, raw = entry
    if kind == 2:
        return list(struct.unpack(endian + f"{len(raw) // 2}h", raw))
    if kind == 1:
        return list(raw)
    return []


def check_c3d_structure(data: bytes, path: Path) -> None:
    """Check a C3D file's header and parameter section before ezc3d reads it.

    ezc3d is native code and can crash the interpreter or exhaust memory on a corrupted file, so the
    parameter records (name, pointer to the next record, data type, dimensions, data, description),
    the header's counts and the force-plate parameters are checked for consistency first; a
    truncated data section is reported here too.
    Format: Motion Lab Systems, The C3D File Format User Guide (header and parameter section).

    Raises
    ------
    RecordingError
        Where the file is damaged or truncated.
    """
    damaged = f"{path}: the C3D file is damaged (header and parameters disagree); export it again"
    params, endian, processor = _walk_parameters(data, path)
    n_points, analog_total, first, last = struct.unpack_from(endian + "4H", data, 2)
    (data_block,) = struct.unpack_from(endian + "H", data, 16)
    (per_frame,) = struct.unpack_from(endian + "H", data, 18)
    if data_block <= data[0]:
        raise RecordingError(damaged)
    if data_block > 1 and (data_block - 1) * 512 > len(data):
        raise RecordingError(
            f"{path} looks truncated: it ends before its data section; copy or export it again"
        )
    point_used = _ints(params.get(("POINT", "USED")), endian)
    analog_used = _ints(params.get(("ANALOG", "USED")), endian)
    n_analog = analog_used[0] if analog_used else 0
    if point_used and point_used[0] & 0xFFFF != n_points:
        raise RecordingError(damaged)
    if n_analog:
        for name in ("SCALE", "OFFSET"):
            entry = params.get(("ANALOG", name))
            if entry is None or not entry[1] or entry[1][0] < n_analog:
                raise RecordingError(f"{path}: the C3D file is damaged (ANALOG:{name} is missing or short)")
    if analog_total and (
        per_frame == 0 or analog_total % per_frame or (analog_used and analog_total // per_frame != n_analog)
    ):
        raise RecordingError(damaged)
    # a negative scale factor in the header means float data (4 bytes per value), else 16-bit integers;
    # DEC (VAX) floats keep their sign in the top bit of the second byte
    negative_scale = (
        bool(data[13] & 0x80) if processor == 2 else struct.unpack_from(endian + "f", data, 12)[0] < 0
    )
    value_bytes = 4 if negative_scale else 2
    frames = last - first + 1
    if 0 < frames < 65535 and data_block > 1:
        expected = (data_block - 1) * 512 + frames * (n_points * 4 + analog_total) * value_bytes
        if expected > len(data) + 512:
            if frames * (n_points * 4 + analog_total) * value_bytes > 50 * max(len(data), 1):
                raise RecordingError(damaged)
            raise RecordingError(
                f"{path} looks truncated: its header declares {frames} frames but the file is too short "
                "for them; copy or export it again"
            )
    plates_used = _ints(params.get(("FORCE_PLATFORM", "USED")), endian)
    n_plates = plates_used[0] if plates_used else 0
    if n_plates:
        types = _ints(params.get(("FORCE_PLATFORM", "TYPE")), endian)
        channel_entry = params.get(("FORCE_PLATFORM", "CHANNEL"))
        channels = _ints(channel_entry, endian)
        if len(types) < n_plates or channel_entry is None:
            raise RecordingError(damaged)
        dims = channel_entry[1]
        if len(dims) != 2 or dims[1] < n_plates:
            raise RecordingError(damaged)
        for plate in range(n_plates):
            kind = types[plate]
            if kind not in _PLATE_CHANNELS:
                raise RecordingError(
                    f"{path}: force plate {plate + 1} is of type {kind}; footchain reads types 1–4"
                )
            if dims[0] < _PLATE_CHANNELS[kind]:
                raise RecordingError(damaged)
            used = channels[plate * dims[0] : plate * dims[0] + _PLATE_CHANNELS[kind]]
            if any(not 1 <= c <= n_analog for c in used):
                raise RecordingError(damaged)
        for name, shape in (("CORNERS", (3, 4)), ("ORIGIN", (3,))):
            entry = params.get(("FORCE_PLATFORM", name))
            if entry is None or entry[0] != 4 or entry[1][: len(shape)] != shape:
                raise RecordingError(damaged)
            if len(entry[1]) <= len(shape) or entry[1][len(shape)] < n_plates:
                raise RecordingError(damaged)


def _ezc3d() -> Any:
    """The ezc3d module (imported on first use: it is only needed for C3D files)."""
    try:
        import ezc3d  # type: ignore[import-untyped]
    except ImportError:  # pragma: no cover - a packaging problem, not the user's
        raise RecordingError("reading C3D needs the ezc3d package: pip install ezc3d") from None
    return ezc3d


def _plate_verticals(c3d: Any, path: Path, n_plates: int, warnings: list[str]) -> list[FloatArray]:
    """Vertical force of each plate (N, positive when loaded) from its analog channels.

    The plate's own z channel(s) give the force normal to its surface: Fz for types 1 and 2, the sum
    of the four vertical sensors for type 3 (Kistler); type 4 (calibration matrix) is left to ezc3d's
    force-platform extraction and projected on the plate's normal.
    """
    params = c3d["parameters"]
    plate_params = params["FORCE_PLATFORM"]
    types = [int(t) for t in plate_params["TYPE"]["value"]]
    channels = np.asarray(plate_params["CHANNEL"]["value"], dtype=np.int64)
    if channels.ndim == 1:
        channels = channels.reshape(-1, n_plates, order="F")
    analogs = np.asarray(c3d["data"]["analogs"], dtype=np.float64)[0]
    units = list(params.get("ANALOG", {}).get("UNITS", {}).get("value", []) or [])
    extracted: list[Any] | None = None
    verticals: list[FloatArray] = []
    for plate in range(n_plates):
        kind = types[plate]
        rows = channels[:, plate] - 1
        if kind in (1, 2):
            z_rows = [int(rows[2])]
        elif kind == 3:
            z_rows = [int(r) for r in rows[4:8]]
        else:
            z_rows = []
        if z_rows:
            vertical = analogs[z_rows].sum(axis=0)
            z_units = {str(units[r]).strip() for r in z_rows if r < len(units)}
            if z_units and not z_units & {"N", "n", "Newton", "newton"}:
                warnings.append(
                    f"plate {plate + 1}: its vertical channels are in {', '.join(sorted(z_units))}, "
                    "not N; the force scale may be wrong"
                )
        else:
            if extracted is None:
                extracted = _ezc3d().c3d(str(path), extract_forceplat_data=True)["data"]["platform"]
            info = extracted[plate]
            vertical, guessed = _vertical(
                np.asarray(info["force"], dtype=np.float64), np.asarray(info.get("corners"))
            )
            if guessed:
                warnings.append(
                    f"plate {plate + 1}: its corners do not define a plane; the vertical axis is "
                    "the force axis with the largest load"
                )
        low, high = np.nanpercentile(vertical, [0.5, 99.5]) if np.isfinite(vertical).any() else (0.0, 0.0)
        if abs(low) > abs(high):
            vertical = -vertical
        verticals.append(np.asarray(vertical, dtype=np.float64))
    return verticals


def _declared_frames(data: bytes) -> int | None:
    """Number of 3D frames the C3D header declares (None if unreadable or beyond its 16-bit range)."""
    if len(data) < 512:
        return None
    param_start = (data[0] - 1) * 512
    if param_start + 4 > len(data):
        return None
    processor = data[param_start + 3] - 83
    endian = ">" if processor == 3 else "<"
    first, last = struct.unpack(endian + "HH", data[6:10])
    if last < first or last >= 65535:
        return None
    return int(last - first + 1)


def _param(params: dict[str, Any], group: str, name: str) -> Any:
    return params.get(group, {}).get(name, {}).get("value")


def _sampling_rate(c3d: Any, path: Path) -> float:
    params = c3d["parameters"]
    for value in (_param(params, "ANALOG", "RATE"), [c3d["header"]["analogs"]["frame_rate"]]):
        if value is not None and len(value) and float(value[0]) > 0:
            return float(value[0])
    point_rate = _param(params, "POINT", "RATE")
    analogs = c3d["data"]["analogs"]
    points = c3d["data"]["points"]
    if point_rate is not None and len(point_rate) and float(point_rate[0]) > 0 and points.shape[2] > 0:
        return float(point_rate[0]) * float(analogs.shape[-1]) / float(points.shape[2])
    raise RecordingError(
        f"{path}: the file states no analog sampling rate (ANALOG:RATE and POINT:RATE are 0 or "
        "missing); give the rate with --sampling-rate"
    )


def _vertical(force: FloatArray, corners: FloatArray) -> tuple[FloatArray, bool]:
    """Force along the plate normal (sign as recorded); flag if the normal had to be guessed."""
    normal = None
    if corners.shape == (3, 4) and np.isfinite(corners).all() and np.abs(corners).max() < 1e5:
        n = np.cross(corners[:, 1] - corners[:, 0], corners[:, 3] - corners[:, 0])
        length = float(np.linalg.norm(n))
        if length > 0:
            normal = n / length
    guessed = normal is None
    if normal is None:
        axis = int(np.argmax(np.nanpercentile(np.abs(force), 99, axis=1)))
        normal = np.zeros(3)
        normal[axis] = 1.0
    return np.asarray(normal @ force, dtype=np.float64), guessed


def _foot_strikes(params: dict[str, Any], start_time_s: float) -> list[tuple[PlateSide, float]]:
    labels = _param(params, "EVENT", "LABELS") or []
    contexts = _param(params, "EVENT", "CONTEXTS") or []
    times = _param(params, "EVENT", "TIMES")
    if times is None or not len(labels):
        return []
    times = np.asarray(times, dtype=np.float64)
    if times.ndim != 2 or times.shape[0] != 2:
        return []
    strikes: list[tuple[PlateSide, float]] = []
    for i, label in enumerate(labels):
        if i >= times.shape[1] or i >= len(contexts):
            break
        context = str(contexts[i]).strip().lower()
        if "strike" not in str(label).lower() and "contact" not in str(label).lower():
            continue
        side: PlateSide = "left" if context == "left" else "right" if context == "right" else "unknown"
        if side != "unknown":
            strikes.append((side, float(times[0, i] * 60.0 + times[1, i]) - start_time_s))
    return strikes


def _contact_starts(force: FloatArray, rate: float) -> FloatArray:
    loaded = np.nan_to_num(force, nan=0.0) > _CONTACT_THRESHOLD_N
    rises = np.flatnonzero(np.diff(loaded.astype(np.int8)) == 1) + 1
    if loaded.size and loaded[0]:
        rises = np.concatenate(([0], rises))
    return rises.astype(np.float64) / rate


def read_c3d(path: Path, *, sampling_rate_hz: float | None = None) -> Recording:
    """Read the force plates of a C3D file.

    Parameters
    ----------
    path : Path
        The ``.c3d`` file.
    sampling_rate_hz : float, optional
        A rate you know; checked against the file's analog rate (more than 5% apart raises).

    Returns
    -------
    Recording
        One :class:`PlateForce` per plate (vertical force in N at the analog rate). ``left_force`` /
        ``right_force`` are the sums of the plates the file's events assign to that foot, or None.

    Raises
    ------
    RecordingError
        If the file is not C3D, is damaged or truncated, has no force plates, states no sampling
        rate, or no plate ever carries force.
    """
    data = read_bytes(path)
    if not is_c3d(data):
        raise RecordingError(f"{path} is not a C3D file (its second byte is not 0x50)")
    check_c3d_structure(data, path)
    try:
        c3d = _ezc3d().c3d(str(path))
    except Exception as exc:  # ezc3d raises OSError/RuntimeError/ValueError for bad files
        raise RecordingError(
            f"{path}: the C3D file is damaged or truncated and cannot be read ({exc}); export it again"
        ) from None
    params = c3d["parameters"]
    declared = _declared_frames(data)
    frames_read = int(c3d["data"]["points"].shape[2]) if c3d["data"]["points"].ndim == 3 else 0
    if declared is not None and frames_read < declared:
        raise RecordingError(
            f"{path} looks truncated: its header declares {declared} frames but only "
            f"{frames_read} are in the file; copy or export it again"
        )
    plate_params = params.get("FORCE_PLATFORM", {})
    used = plate_params.get("USED", {}).get("value")
    n_plates = int(used[0]) if used is not None and len(used) else 0
    if n_plates == 0:
        raise RecordingError(
            f"{path} has no force plates (FORCE_PLATFORM:USED is 0), so it holds no ground reaction "
            "force to analyse; choose a trial recorded with force plates, or an insole recording"
        )
    try:
        rate = _sampling_rate(c3d, path)
    except RecordingError:
        if sampling_rate_hz is None:
            raise
        rate = float(sampling_rate_hz)
    if sampling_rate_hz is not None and abs(rate - sampling_rate_hz) > 0.05 * rate:
        raise RecordingError(
            f"{path}: the sampling rate given ({sampling_rate_hz:g} Hz) does not match the file's "
            f"analog rate ({rate:g} Hz)"
        )
    warnings: list[str] = []
    verticals = _plate_verticals(c3d, path, n_plates, warnings)
    n = min(v.shape[0] for v in verticals)
    verticals = [v[:n] for v in verticals]
    time_s = np.arange(n, dtype=np.float64) / rate
    warnings += check_forces(
        [(f"plate {i}", v) for i, v in enumerate(verticals, start=1)], time_s, "N", str(path)
    )
    if n / rate < 1.0:
        warnings.append(f"the recording lasts only {n / rate:.3f} s; too short for gait parameters")

    point_rate = _param(params, "POINT", "RATE")
    first_frame = int(c3d["header"]["points"]["first_frame"])
    start_time_s = (
        first_frame / float(point_rate[0]) if point_rate is not None and float(point_rate[0]) > 0 else 0.0
    )
    strikes = _foot_strikes(params, start_time_s)
    sides: list[PlateSide] = []
    for number, vertical in enumerate(verticals, start=1):
        starts = _contact_starts(vertical, rate)
        matched = {
            side for side, t in strikes if starts.size and np.min(np.abs(starts - t)) <= _EVENT_TOLERANCE_S
        }
        if len(matched) == 1:
            sides.append(matched.pop())
        else:
            if len(matched) > 1:
                warnings.append(f"plate {number}: both feet struck it; its side stays unknown")
            sides.append("unknown")
    plates = tuple(
        PlateForce(number=i, force_n=v, side=s)
        for i, (v, s) in enumerate(zip(verticals, sides, strict=True), start=1)
    )
    per_side: dict[str, FloatArray | None] = {}
    for side_name in ("left", "right"):
        chosen = [p.force_n for p in plates if p.side == side_name]
        per_side[side_name] = np.sum(chosen, axis=0) if chosen else None
    if all(p.side == "unknown" for p in plates):
        warnings.append(
            "no foot-strike events tie the plates to a foot, so contacts are reported per plate "
            "with side 'unknown'"
            if not strikes
            else "the file's foot-strike events do not fall on any plate contact; plate sides are unknown"
        )
    return Recording(
        path=path,
        format="c3d",
        sampling_rate_hz=rate,
        time_s=time_s,
        left_force=per_side["left"],
        right_force=per_side["right"],
        force_unit="N",
        plates=plates,
        warnings=tuple(warnings),
    )
