"""The outcomes chart: pain and PSFS mean per visit over time, as self-contained SVG drawn here.

One panel per measure, both on the 0–10 scale, visits placed by date. The baseline (the first scored
visit) is a dashed line and the band of *no meaningful change* around it is shaded (pain: a drop of
2 points or 30 %, a rise of 2 points, Farrar et al. 2001; PSFS: ±2 points, Stratford et al. 1995), so a
later point outside the band is a meaningful change. Each SVG has ``role="img"`` with a title and a
description that reads out every value; pages also show the numbers as a table. Plain SVG attributes
(no CSS, no script), so WeasyPrint draws the same picture in a PDF.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from typing import Literal

from footchain.clinic.outcomes import MeasureChange, ScoredVisit, pain_thresholds
from footchain.knowledge import Outcomes, load_knowledge

WIDTH, HEIGHT = 640, 220
LEFT, RIGHT, TOP, BOTTOM = 48, 24, 14, 44
COLOURS = {"pain": "#b42318", "psfs": "#1f5fd1"}
BAND = {"pain": "#fbe3e0", "psfs": "#e2ebfb"}
TITLES = {"pain": "Pain (0–10, lower is better)", "psfs": "Function, PSFS mean (0–10, higher is better)"}


MIN_GAP = 18.0
"""The least distance (px) between two visits on the x axis, so that visits of one day stay apart."""


def x_positions(visits: Sequence[ScoredVisit], left: float, width: float) -> list[float]:
    """Where each visit (oldest first) sits on the x axis: by its day, and within a day by the time it was
    entered, at least ``MIN_GAP`` apart (less only when there are too many visits for the width)."""
    if len(visits) == 1:
        return [left + width / 2]

    def moment(visit: ScoredVisit) -> float:
        recorded = visit.recorded_at
        within = (recorded.hour * 3600 + recorded.minute * 60 + recorded.second) / 86400 if recorded else 0.0
        return visit.visited_on.toordinal() + within

    first = moment(visits[0])
    span = max(moment(visits[-1]) - first, 1e-9)
    raw = [left + (moment(visit) - first) / span * width for visit in visits]
    gap = min(MIN_GAP, width / (len(visits) - 1))
    for index in range(1, len(raw)):
        raw[index] = max(raw[index], raw[index - 1] + gap)
    raw[-1] = min(raw[-1], left + width)
    for index in range(len(raw) - 2, -1, -1):
        raw[index] = min(raw[index], raw[index + 1] - gap)
    return raw


@dataclass(frozen=True)
class Chart:
    """One panel: the measure, its heading and the SVG markup (safe to embed: every text is escaped)."""

    measure: Literal["pain", "psfs"]
    title: str
    svg: str


def _number(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _band(measure: str, change: MeasureChange, rules: Outcomes) -> tuple[float, float] | None:
    """The scores of no meaningful change around the baseline (clipped to 0–10), or None without one."""
    if change.baseline is None:
        return None
    if measure == "pain":
        improved, worse = pain_thresholds(change.baseline, rules)
        low = improved if improved is not None else change.baseline
        return max(0.0, low), min(10.0, worse)
    points = rules.psfs_meaningful_change_points
    return max(0.0, change.baseline - points), min(10.0, change.baseline + points)


def measure_chart(
    measure: Literal["pain", "psfs"],
    visits: Sequence[ScoredVisit],
    change: MeasureChange,
    rules: Outcomes | None = None,
    chart_id: str = "outcomes",
) -> Chart | None:
    """The panel of one measure over ``visits`` (oldest first); None when no visit has this score."""
    rules = rules or load_knowledge().thresholds.outcomes
    scored = [
        (v, float(score))
        for v in visits
        if (score := v.pain_score if measure == "pain" else v.psfs_mean) is not None
    ]
    points = [(v.visited_on, score) for v, score in scored]
    if not points:
        return None
    days = [day for day, _ in points]
    shared = {day for day in days if days.count(day) > 1}
    # Two visits on one day are told apart by the time they were entered: in words and on the x axis.
    names = [
        f"{v.visited_on.isoformat()} {v.recorded_at:%H:%M} UTC"
        if v.recorded_at is not None and v.visited_on in shared
        else v.visited_on.isoformat()
        for v, _ in scored
    ]
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    xs = x_positions([v for v, _ in scored], LEFT, plot_w)

    def y(score: float) -> float:
        return TOP + (10 - score) / 10 * plot_h

    title_id, desc_id = f"{chart_id}-{measure}-title", f"{chart_id}-{measure}-desc"
    colour = COLOURS[measure]
    band = _band(measure, change, rules)
    values = "; ".join(f"{name}: {_number(score)}" for name, (_, score) in zip(names, points, strict=True))
    description = f"{len(points)} scored visit{'s' if len(points) != 1 else ''}. {values}."
    if band is not None and change.baseline is not None:
        description += (
            f" Baseline {_number(change.baseline)}; scores from {_number(band[0])} to {_number(band[1])} "
            "are no meaningful change."
        )
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" '
        f'role="img" aria-labelledby="{title_id} {desc_id}" class="outcome-chart" '
        'font-family="system-ui, sans-serif" font-size="12">',
        f'<title id="{title_id}">{escape(TITLES[measure])}</title>',
        f'<desc id="{desc_id}">{escape(description)}</desc>',
        f'<rect x="0" y="0" width="{WIDTH}" height="{HEIGHT}" fill="#ffffff"/>',
    ]
    if band is not None and change.baseline is not None:
        top, bottom = y(band[1]), y(band[0])
        parts.append(
            f'<rect x="{LEFT}" y="{top:.1f}" width="{plot_w}" height="{max(bottom - top, 1):.1f}" '
            f'fill="{BAND[measure]}"><title>No meaningful change from the baseline</title></rect>'
        )
        base_y = y(change.baseline)
        parts.append(
            f'<line x1="{LEFT}" y1="{base_y:.1f}" x2="{LEFT + plot_w}" y2="{base_y:.1f}" stroke="{colour}" '
            'stroke-width="1.5" stroke-dasharray="6 4"/>'
        )
        parts.append(
            f'<text x="{LEFT + plot_w - 4}" y="{top - 3 if top > TOP + 12 else bottom + 13:.1f}" '
            f'text-anchor="end" fill="#5b6575">no meaningful change (baseline {_number(change.baseline)})</text>'
        )
    for tick in range(0, 11, 2):
        ty = y(tick)
        parts.append(
            f'<line x1="{LEFT}" y1="{ty:.1f}" x2="{LEFT + plot_w}" y2="{ty:.1f}" stroke="#d5dbe5" '
            'stroke-width="1"/>'
        )
        parts.append(f'<text x="{LEFT - 8}" y="{ty + 4:.1f}" text-anchor="end" fill="#1d2430">{tick}</text>')
    # One label per day; a day with several visits lists their times under it, in the order drawn.
    groups: list[list[int]] = []
    for index, day in enumerate(days):
        if groups and days[groups[-1][0]] == day:
            groups[-1].append(index)
        else:
            groups.append([index])
    labelled = groups if len(points) <= 6 else [groups[0], groups[-1]] if len(groups) > 1 else groups
    for group in labelled:
        at = sum(xs[i] for i in group) / len(group)
        # The first and last labels lean inwards so that they stay inside the picture.
        anchor = (
            "middle"
            if len(groups) == 1
            else "start"
            if group is groups[0]
            else "end"
            if group is groups[-1]
            else "middle"
        )
        parts.append(
            f'<text x="{at:.1f}" y="{HEIGHT - BOTTOM + 18}" text-anchor="{anchor}" fill="#1d2430">'
            f"{days[group[0]].isoformat()}</text>"
        )
        times = [f"{moment:%H:%M}" for i in group if (moment := scored[i][0].recorded_at) is not None]
        if len(group) > 1 and times:
            parts.append(
                f'<text x="{at:.1f}" y="{HEIGHT - BOTTOM + 33}" text-anchor="{anchor}" fill="#1d2430">'
                f"{escape(', '.join(times))} UTC</text>"
            )
    if len(points) > 1:
        line = " ".join(f"{x:.1f},{y(score):.1f}" for x, (_, score) in zip(xs, points, strict=True))
        parts.append(f'<polyline points="{line}" fill="none" stroke="{colour}" stroke-width="2.5"/>')
    for name, x, (_, score) in zip(names, xs, points, strict=True):
        parts.append(
            f'<circle cx="{x:.1f}" cy="{y(score):.1f}" r="5" fill="{colour}" stroke="#ffffff" '
            f'stroke-width="1.5"><title>{name}: {_number(score)}</title></circle>'
        )
    parts.append("</svg>")
    return Chart(measure, TITLES[measure], "".join(parts))


def outcome_charts(
    visits: Sequence[ScoredVisit],
    pain: MeasureChange,
    psfs: MeasureChange,
    rules: Outcomes | None = None,
    chart_id: str = "outcomes",
) -> list[Chart]:
    """The pain and PSFS panels that have at least one score."""
    charts = (
        measure_chart("pain", visits, pain, rules, chart_id),
        measure_chart("psfs", visits, psfs, rules, chart_id),
    )
    return [chart for chart in charts if chart is not None]
