"""A readable terminal summary of a gait analysis (the measurements.md gait contract), with Rich."""

from __future__ import annotations

import io
from typing import Any

from rich.console import Console
from rich.table import Table

from footchain.knowledge import load_knowledge


def _fmt(value: float | None, pattern: str) -> str:
    return "—" if value is None else pattern.format(value)


def _cpei_cells(cop: Any) -> tuple[str, str, str] | None:
    """Left and right CPEI cells (value and stances, or why not) and the caveat; None without CPEI."""
    if not isinstance(cop, dict):
        return None
    cells: list[str] = []
    caveat = ""
    for side in ("left", "right"):
        foot = cop.get(side)
        if not isinstance(foot, dict) or "cpei_stances" not in foot:
            cells.append("—")
            continue
        caveat = foot.get("cpei_caveat") or caveat
        value = foot.get("cpei_percent")
        stances = foot.get("cpei_stances") or 0
        cells.append(
            "not measured"
            if value is None
            else f"{value:.1f} % ({stances} stance{'s' if stances != 1 else ''})"
        )
    if not caveat:
        return None
    return cells[0], cells[1], caveat


def render_gait_text(result: dict[str, Any]) -> str:
    """Per-foot stride statistics beside the normal bands of domain.md §4, then symmetry and warnings."""
    norms = load_knowledge().thresholds.gait
    buffer = io.StringIO()
    console = Console(file=buffer, width=100, highlight=False)
    source = result["source"]
    table = Table(
        title=f"{source['path']} ({source['format']}, {source['sampling_rate_hz']:g} Hz, {source['duration_s']:.1f} s)",
        title_justify="left",
    )
    table.add_column("Measure")
    table.add_column("Left", justify="right")
    table.add_column("Right", justify="right")
    table.add_column("Usual in healthy adults", style="dim")
    left, right = (result["feet"][side]["summary"] for side in ("left", "right"))
    rows = (
        ("Strides used", "strides", "{:d}", ""),
        ("Stride time", ("stride_time_s", "mean"), "{:.2f} s", "{:g}–{:g} s".format(*norms.stride_time_s_normal)),
        ("Stride-time variability (CV)", ("stride_time_s", "cv_percent"), "{:.1f} %",
         f"≈ {norms.stride_cv_healthy_young_percent:g} % in young adults"),
        ("Stance", "stance_percent", "{:.1f} %", "{:g}–{:g} % of the stride".format(*norms.stance_percent_normal)),
        ("Cadence", "cadence_steps_per_min", "{:.0f} steps/min", ""),
    )  # fmt: skip
    for label, key, pattern, usual in rows:
        values = [
            (summary.get(key[0], {}) or {}).get(key[1]) if isinstance(key, tuple) else summary.get(key)
            for summary in (left, right)
        ]
        table.add_row(label, *(_fmt(v, pattern) for v in values), usual)
    summary = result["summary"]
    cpei = _cpei_cells(summary.get("cop"))
    if cpei is not None:
        table.add_row("CPEI (Song 1996)", cpei[0], cpei[1], "no validated norm (see below)")
    console.print(table)
    if cpei is not None:
        console.print(
            f"CPEI, centre of pressure excursion index: lower = the centre of pressure runs more medially "
            f"(more rolling in). {cpei[2]}"
        )
    for name, value in (summary.get("symmetry_index_percent") or {}).items():
        if value is not None:
            verdict = "symmetric" if abs(value) < norms.symmetric_below_percent else "uneven"
            console.print(
                f"Symmetry of {name.replace('_', ' ')}: {value:+.1f} % ({verdict}; |SI| < {norms.symmetric_below_percent:g} % counts as symmetric)"
            )
    if summary.get("double_support_percent") is not None:
        low, high = norms.double_support_percent_normal
        console.print(f"Double support: {summary['double_support_percent']:.1f} % (usual {low:g}–{high:g} %)")
    _print_normative(console, result.get("normative"))
    for warning in result.get("warnings", []):
        console.print(f"• {warning}")
    return buffer.getvalue()


_VERDICT_WORDS = {"within": "normal", "below": "below normal", "above": "above normal"}
_MEASURE_WORDS = {
    "speed_cm_per_s": ("Speed", "{:.0f}"),
    "cadence_steps_per_min": ("Cadence", "{:.0f}"),
    "stride_time_s": ("Stride time", "{:.2f}"),
    "stance_percent": ("Stance", "{:.1f}"),
    "swing_percent": ("Swing", "{:.1f}"),
    "double_support_percent": ("Double support", "{:.1f}"),
}


def _print_normative(console: Console, normative: dict[str, Any] | None) -> None:
    """The walker's measures beside the normal values of their age, sex and pace, when compared."""
    if not normative:
        return
    if not normative.get("rows"):
        console.print(f"Normal values: not compared. {normative.get('reason') or ''}".rstrip())
        return
    limit = load_knowledge().thresholds.gait_norms.z_limit
    table = Table(
        title=f"Compared with normal values for {normative['band']}",
        caption=f"{normative['source']}; normal range = mean ± 1 SD, verdict beyond ± {limit:g} SD",
        title_justify="left",
        caption_justify="left",
    )
    for column in ("Measure", "Yours", "Normal range", "Verdict"):
        table.add_column(column, justify="right" if column == "Yours" else "left")
    for row in normative["rows"]:
        low, high = row["normal_band"]
        name, pattern = _MEASURE_WORDS.get(row["measure"], (row["measure"].replace("_", " "), "{:g}"))
        table.add_row(
            name,
            f"{pattern.format(row['value'])} {row['unit']}",
            f"{pattern.format(low)}–{pattern.format(high)} {row['unit']}",
            f"{_VERDICT_WORDS[row['verdict']]} (z {row['z_score']:+.1f})"
            if row["z_score"] is not None
            else _VERDICT_WORDS[row["verdict"]],
        )
    console.print(table)
