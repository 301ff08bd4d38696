"""Did the plan work? Pain and function from the baseline visit to the latest, by meaningful change.

Two measures are compared (domain.md §7), each from its baseline (the first visit with a score) to the
latest visit with a score; visits without that score are skipped:

- Pain on the Numeric Pain Rating Scale, 0–10, lower is better. A reduction of at least 2 points *or*
  at least 30 % of the baseline is a clinically important improvement (Farrar JT et al. 2001, Clinical
  importance of changes in chronic pain intensity measured on an 11-point numerical pain rating scale,
  Pain 94(2):149-158) [V]. Farrar studied reductions only, so footchain calls an *increase* meaningful
  at ≥ 2 points only: a percentage of a low baseline would turn one point into "worse" (1 → 2 is
  +100 %). From a baseline of 0 nothing can improve (30 % of 0 is 0, and no score is below 0); a rise
  from 0 of 2 points or more is worse.
- The Patient-Specific Functional Scale (Stratford P et al. 1995, Physiotherapy Canada 47:258): the
  person rates up to five activities they struggle with, 0 (unable) to 10 (as before the problem);
  the mean over the activities is compared, and a change of about 2 points is meaningful [M].

Each measure gets ``improved``, ``no meaningful change`` or ``worse``, or ``not enough follow-ups yet``
with fewer than two scored visits. The overall verdict combines them: **worse** when either worsens
meaningfully (even if the other improved: a clinician should look), **improved** when at least one
improves meaningfully and neither worsens, **not enough follow-ups yet** when neither measure has two
scored visits, else **no meaningful change**.

Arithmetic is exact (``Fraction`` of the decimal values), so "exactly 2 points" and "exactly 30 %"
count as meaningful whatever the binary rounding of the floats.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from fractions import Fraction
from typing import Any, Literal

from footchain.knowledge import Outcomes, load_knowledge

Verdict = Literal["improved", "no meaningful change", "worse", "not enough follow-ups yet"]
IMPROVED: Verdict = "improved"
NO_CHANGE: Verdict = "no meaningful change"
WORSE: Verdict = "worse"
NOT_ENOUGH: Verdict = "not enough follow-ups yet"
VERDICTS: tuple[Verdict, ...] = (IMPROVED, NO_CHANGE, WORSE, NOT_ENOUGH)


@dataclass(frozen=True)
class ScoredVisit:
    """One visit's outcome scores (either may be missing)."""

    visit_id: str
    visited_on: date
    pain_score: float | None
    psfs_mean: float | None
    psfs_activities: tuple[str, ...] = ()
    recorded_at: datetime | None = None
    """When the visit was entered: tells two visits of one day apart."""


@dataclass(frozen=True)
class MeasureChange:
    """One measure from its baseline to its latest score, and its verdict."""

    measure: Literal["pain", "psfs"]
    verdict: Verdict
    baseline: float | None = None
    baseline_on: date | None = None
    latest: float | None = None
    latest_on: date | None = None
    scored_visits: int = 0

    @property
    def change(self) -> float | None:
        """Latest minus baseline (negative: less pain, or a lower function score)."""
        if self.baseline is None or self.latest is None:
            return None
        return float(_exact(self.latest) - _exact(self.baseline))


@dataclass(frozen=True)
class OutcomeVerdict:
    """The verdict per measure and overall, with the reasons in words."""

    pain: MeasureChange
    psfs: MeasureChange
    overall: Verdict
    why: tuple[str, ...]


def _exact(value: float) -> Fraction:
    """The decimal value as written (``0.1`` is one tenth), for exact threshold comparisons."""
    return Fraction(str(value))


def psfs_mean(items: Sequence[Mapping[str, Any]]) -> float | None:
    """The mean PSFS score over the rated activities (``[{"activity", "score"}]``); None without any."""
    scores = [_exact(item["score"]) for item in items if item.get("score") is not None]
    if not scores:
        return None
    return float(sum(scores) / len(scores))


def psfs_activities(items: Sequence[Mapping[str, Any]]) -> tuple[str, ...]:
    """The rated activities, normalised (trimmed, lower case) and sorted, to tell whether sets match."""
    names = (str(item.get("activity", "")).strip().lower() for item in items if item.get("score") is not None)
    return tuple(sorted(name for name in names if name))


def pain_thresholds(baseline: float, rules: Outcomes | None = None) -> tuple[float | None, float]:
    """The pain scores that count as meaningful change from ``baseline``: (improved at or below, worse at
    or above). Improved needs a drop of 2 points or 30 % of the baseline, whichever is smaller (either
    suffices); None when nothing can improve (baseline 0). Worse needs a rise of 2 points."""
    rules = rules or load_knowledge().thresholds.outcomes
    b = _exact(baseline)
    points = _exact(rules.nprs_meaningful_change_points)
    share = _exact(rules.nprs_meaningful_change_percent) / 100 * b
    improved = None if b <= 0 else float(b - min(points, share))
    return improved, float(b + points)


def pain_verdict(baseline: float, latest: float, rules: Outcomes | None = None) -> Verdict:
    """Pain from ``baseline`` to ``latest`` (NPRS 0–10, lower is better), by Farrar et al. 2001.

    Improved: a drop of ≥ 2 points or ≥ 30 % of a baseline above 0. Worse: a rise of ≥ 2 points.
    """
    rules = rules or load_knowledge().thresholds.outcomes
    b, last = _exact(baseline), _exact(latest)
    drop = b - last
    points = _exact(rules.nprs_meaningful_change_points)
    percent = _exact(rules.nprs_meaningful_change_percent)
    if drop > 0 and (drop >= points or drop * 100 >= percent * b):
        return IMPROVED
    if -drop >= points:
        return WORSE
    return NO_CHANGE


def psfs_verdict(baseline: float, latest: float, rules: Outcomes | None = None) -> Verdict:
    """The PSFS mean from ``baseline`` to ``latest`` (0–10, higher is better): ±2 points (Stratford 1995)."""
    rules = rules or load_knowledge().thresholds.outcomes
    gain = _exact(latest) - _exact(baseline)
    points = _exact(rules.psfs_meaningful_change_points)
    if gain >= points:
        return IMPROVED
    if -gain >= points:
        return WORSE
    return NO_CHANGE


def combine(pain: Verdict, psfs: Verdict) -> Verdict:
    """The overall verdict: worse if either is worse, improved if one improved, else no change.

    ``not enough follow-ups yet`` only when neither measure can be judged.
    """
    both = (pain, psfs)
    if WORSE in both:
        return WORSE
    if IMPROVED in both:
        return IMPROVED
    if all(v == NOT_ENOUGH for v in both):
        return NOT_ENOUGH
    return NO_CHANGE


def _change(
    measure: Literal["pain", "psfs"], visits: Sequence[ScoredVisit], rules: Outcomes
) -> MeasureChange:
    scored = [
        (v.visited_on, score)
        for v in visits
        if (score := (v.pain_score if measure == "pain" else v.psfs_mean)) is not None
    ]
    if len(scored) < 2:
        first = scored[0] if scored else None
        return MeasureChange(
            measure,
            NOT_ENOUGH,
            baseline=first[1] if first else None,
            baseline_on=first[0] if first else None,
            scored_visits=len(scored),
        )
    (base_on, base), (last_on, last) = scored[0], scored[-1]
    judge = pain_verdict if measure == "pain" else psfs_verdict
    return MeasureChange(measure, judge(base, last, rules), base, base_on, last, last_on, len(scored))


def _number(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _day(value: date | None) -> str:
    return value.isoformat() if value else "?"


def _pain_why(change: MeasureChange, rules: Outcomes) -> str:
    points = _number(rules.nprs_meaningful_change_points)
    percent = _number(rules.nprs_meaningful_change_percent)
    if change.verdict == NOT_ENOUGH:
        return "Pain: fewer than two visits with a pain score, so no change can be judged yet."
    assert change.baseline is not None and change.latest is not None
    base, last = change.baseline, change.latest
    drop = base - last
    moved = (
        f"{_number(drop)} points less" + (f" ({round(drop / base * 100)} % of the baseline)" if base else "")
        if drop > 0
        else f"{_number(-drop)} points more"
        if drop < 0
        else "unchanged"
    )
    rule = (
        f"a meaningful improvement is a drop of at least {points} points or {percent} %, a meaningful "
        f"worsening a rise of at least {points} points (Farrar et al. 2001)"
    )
    zero = " Nothing can improve from a pain score of 0." if base == 0 else ""
    return (
        f"Pain went from {_number(base)}/10 on {_day(change.baseline_on)} to {_number(last)}/10 on "
        f"{_day(change.latest_on)}: {moved}. {change.verdict.capitalize()}: {rule}.{zero}"
    )


def _psfs_why(change: MeasureChange, rules: Outcomes, same_activities: bool) -> str:
    points = _number(rules.psfs_meaningful_change_points)
    if change.verdict == NOT_ENOUGH:
        return "Function (PSFS): fewer than two visits with activity scores, so no change can be judged yet."
    assert change.baseline is not None and change.latest is not None
    gain = change.latest - change.baseline
    moved = (
        f"{_number(gain)} points higher"
        if gain > 0
        else f"{_number(-gain)} points lower"
        if gain < 0
        else "unchanged"
    )
    text = (
        f"Function (PSFS mean) went from {_number(change.baseline)}/10 on {_day(change.baseline_on)} to "
        f"{_number(change.latest)}/10 on {_day(change.latest_on)}: {moved}. {change.verdict.capitalize()}: "
        f"a change of about {points} points is meaningful (Stratford et al. 1995; from secondary sources)."
    )
    if not same_activities:
        text += " The activities rated at the two visits differ, so compare with care."
    return text


def _overall_why(overall: Verdict, pain: MeasureChange, psfs: MeasureChange) -> str:
    if overall == WORSE and IMPROVED in (pain.verdict, psfs.verdict):
        return "Overall: worse, because one measure worsened meaningfully although the other improved."
    return {
        WORSE: "Overall: worse, because a measure worsened meaningfully.",
        IMPROVED: "Overall: improved, because a measure improved meaningfully and neither worsened.",
        NOT_ENOUGH: "Overall: not enough follow-ups yet; record pain or PSFS scores at two visits or more.",
        NO_CHANGE: "Overall: no meaningful change.",
    }[overall]


def outcome_verdict(visits: Sequence[ScoredVisit], rules: Outcomes | None = None) -> OutcomeVerdict:
    """Pain, PSFS and overall verdicts over ``visits`` (in time order: oldest first), with reasons."""
    rules = rules or load_knowledge().thresholds.outcomes
    pain = _change("pain", visits, rules)
    psfs = _change("psfs", visits, rules)
    overall = combine(pain.verdict, psfs.verdict)
    with_psfs = [v for v in visits if v.psfs_mean is not None]
    same = len(with_psfs) < 2 or with_psfs[0].psfs_activities == with_psfs[-1].psfs_activities
    why = (_pain_why(pain, rules), _psfs_why(psfs, rules, same), _overall_why(overall, pain, psfs))
    return OutcomeVerdict(pain=pain, psfs=psfs, overall=overall, why=why)


def verdict_json(result: OutcomeVerdict) -> dict[str, Any]:
    """The verdict as the API sends it: ``{"pain", "psfs", "overall", "why", "pain_change", "psfs_change"}``."""

    def detail(change: MeasureChange) -> dict[str, Any]:
        return {
            "verdict": change.verdict,
            "baseline": change.baseline,
            "baseline_on": change.baseline_on.isoformat() if change.baseline_on else None,
            "latest": change.latest,
            "latest_on": change.latest_on.isoformat() if change.latest_on else None,
            "change": change.change,
            "scored_visits": change.scored_visits,
        }

    return {
        "pain": result.pain.verdict,
        "psfs": result.psfs.verdict,
        "overall": result.overall,
        "why": list(result.why),
        "pain_change": detail(result.pain),
        "psfs_change": detail(result.psfs),
    }
