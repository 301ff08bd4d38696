"""The follow-up verdict: meaningful change of pain (Farrar 2001) and the PSFS mean (Stratford 1995)."""

from __future__ import annotations

import itertools
import re
from datetime import UTC, date, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from footchain.clinic.chart import MIN_GAP, outcome_charts
from footchain.clinic.outcomes import (
    IMPROVED,
    NO_CHANGE,
    NOT_ENOUGH,
    VERDICTS,
    WORSE,
    ScoredVisit,
    combine,
    outcome_verdict,
    pain_thresholds,
    pain_verdict,
    psfs_mean,
    psfs_verdict,
)
from footchain.knowledge import load_knowledge

START = date(2026, 1, 5)
RANK = {IMPROVED: 0, NO_CHANGE: 1, WORSE: 2}
scores = st.integers(min_value=0, max_value=10)
decimals = st.integers(min_value=0, max_value=100).map(lambda tenths: tenths / 10)


def visits(*pairs: tuple[float | None, float | None]) -> list[ScoredVisit]:
    return [
        ScoredVisit(f"v{i}", START + timedelta(weeks=4 * i), pain, psfs)
        for i, (pain, psfs) in enumerate(pairs)
    ]


def test_thresholds_come_from_the_knowledge_files_with_sources() -> None:
    rules = load_knowledge().thresholds.outcomes
    assert (rules.nprs_meaningful_change_points, rules.nprs_meaningful_change_percent) == (2, 30)
    assert rules.psfs_meaningful_change_points == 2
    assert "Farrar" in rules.nprs_source and "Pain 94" in rules.nprs_source and rules.nprs_grade == "V"
    assert "Stratford" in rules.psfs_source and rules.psfs_grade == "M"


def test_pain_boundaries() -> None:
    assert pain_verdict(6, 4) == IMPROVED  # exactly 2 points
    assert pain_verdict(6, 5) == NO_CHANGE  # 1 point, 17 %
    assert pain_verdict(5, 3.5) == IMPROVED  # exactly 30 %, under 2 points
    assert pain_verdict(5, 3.6) == NO_CHANGE  # 28 %
    assert pain_verdict(3, 2) == IMPROVED  # 1 point is 33 % of a low baseline
    assert pain_verdict(1, 0) == IMPROVED
    assert pain_verdict(4, 6) == WORSE  # exactly 2 points up
    assert pain_verdict(4, 5) == NO_CHANGE
    assert pain_verdict(1, 2) == NO_CHANGE  # +100 % but 1 point: a rise counts in points only
    assert pain_verdict(10, 10) == NO_CHANGE


def test_pain_from_zero_cannot_improve_but_can_worsen() -> None:
    assert pain_verdict(0, 0) == NO_CHANGE
    assert pain_verdict(0, 1) == NO_CHANGE
    assert pain_verdict(0, 2) == WORSE
    assert pain_thresholds(0) == (None, 2.0)
    assert pain_thresholds(6) == (4.2, 8.0)  # 30 % of 6 is 1.8, less than 2 points
    assert pain_thresholds(10) == (8.0, 12.0)
    assert pain_thresholds(5) == (3.5, 7.0)


def test_psfs_boundaries() -> None:
    assert psfs_verdict(3, 5) == IMPROVED
    assert psfs_verdict(3, 4.9) == NO_CHANGE
    assert psfs_verdict(5, 3) == WORSE
    assert psfs_verdict(5, 3.1) == NO_CHANGE
    # (3 + 4 + 4) / 3 = 3.67 → (5 + 6 + 6) / 3 = 5.67: exactly 2 despite the thirds.
    before = psfs_mean(
        [
            {"activity": "stairs", "score": 3},
            {"activity": "run", "score": 4},
            {"activity": "walk", "score": 4},
        ]
    )
    after = psfs_mean(
        [
            {"activity": "stairs", "score": 5},
            {"activity": "run", "score": 6},
            {"activity": "walk", "score": 6},
        ]
    )
    assert before is not None and after is not None
    assert outcome_verdict(visits((None, before), (None, after))).psfs.verdict == IMPROVED


def test_psfs_mean_skips_unscored_items_and_is_none_without_scores() -> None:
    assert psfs_mean([]) is None
    assert psfs_mean([{"activity": "stairs", "score": None}]) is None
    assert psfs_mean([{"activity": "a", "score": 2}, {"activity": "b", "score": 5}]) == 3.5


@given(scores, scores)
def test_pain_verdict_matches_the_rule_for_every_whole_score(baseline: int, latest: int) -> None:
    drop = baseline - latest
    if drop >= 2 or (drop > 0 and drop * 100 >= 30 * baseline):
        expected = IMPROVED
    elif drop <= -2:
        expected = WORSE
    else:
        expected = NO_CHANGE
    assert pain_verdict(baseline, latest) == expected


@given(decimals, decimals, decimals)
def test_less_pain_is_never_judged_worse(baseline: float, a: float, b: float) -> None:
    lower, higher = sorted((a, b))
    assert RANK[pain_verdict(baseline, lower)] <= RANK[pain_verdict(baseline, higher)]


@given(decimals, decimals, decimals)
def test_more_function_is_never_judged_worse(baseline: float, a: float, b: float) -> None:
    lower, higher = sorted((a, b))
    assert RANK[psfs_verdict(baseline, higher)] <= RANK[psfs_verdict(baseline, lower)]


@given(decimals, decimals)
def test_psfs_is_symmetric(a: float, b: float) -> None:
    mirrored = {IMPROVED: WORSE, WORSE: IMPROVED, NO_CHANGE: NO_CHANGE}
    assert psfs_verdict(b, a) == mirrored[psfs_verdict(a, b)]


@given(scores, scores, st.lists(st.one_of(st.none(), scores), max_size=5))
def test_only_the_first_and_latest_scored_visits_count(
    baseline: int, latest: int, middle: list[int | None]
) -> None:
    pairs = [(float(baseline), None), *[(m, None) for m in middle], (None, None), (float(latest), None)]
    result = outcome_verdict(visits(*pairs))
    assert result.pain.verdict == pain_verdict(baseline, latest)
    assert (result.pain.baseline, result.pain.latest) == (baseline, latest)


def test_fewer_than_two_scored_visits_is_not_enough() -> None:
    assert outcome_verdict([]).overall == NOT_ENOUGH
    one = outcome_verdict(visits((7, 3), (None, None)))
    assert (one.pain.verdict, one.psfs.verdict, one.overall) == (NOT_ENOUGH, NOT_ENOUGH, NOT_ENOUGH)
    assert any("fewer than two" in line for line in one.why)


@given(st.sampled_from(VERDICTS), st.sampled_from(VERDICTS))
def test_combination(pain: str, psfs: str) -> None:
    overall = combine(pain, psfs)  # type: ignore[arg-type]
    if WORSE in (pain, psfs):
        assert overall == WORSE
    elif IMPROVED in (pain, psfs):
        assert overall == IMPROVED
    elif pain == psfs == NOT_ENOUGH:
        assert overall == NOT_ENOUGH
    else:
        assert overall == NO_CHANGE


def test_overall_verdicts_with_reasons() -> None:
    better = outcome_verdict(visits((7, 3.0), (5, 3.5), (3, 6.0)))
    assert (better.pain.verdict, better.psfs.verdict, better.overall) == (IMPROVED, IMPROVED, IMPROVED)
    assert "from 7/10 on 2026-01-05 to 3/10" in better.why[0] and "Farrar" in better.why[0]
    mixed = outcome_verdict(visits((6, 3.0), (2, 1.0)))
    assert (mixed.pain.verdict, mixed.psfs.verdict, mixed.overall) == (IMPROVED, WORSE, WORSE)
    assert "although the other improved" in mixed.why[2]
    pain_only = outcome_verdict(visits((5, None), (5, None)))
    assert (pain_only.psfs.verdict, pain_only.overall) == (NOT_ENOUGH, NO_CHANGE)


def test_different_activities_are_pointed_out() -> None:
    a = ScoredVisit("a", START, None, 3.0, ("stairs",))
    b = ScoredVisit("b", START + timedelta(days=30), None, 6.0, ("running",))
    assert "differ" in outcome_verdict([a, b]).why[1]
    same = ScoredVisit("b", START + timedelta(days=30), None, 6.0, ("stairs",))
    assert "differ" not in outcome_verdict([a, same]).why[1]


def test_chart_draws_points_baseline_and_band_accessibly() -> None:
    history = visits((6, 2.0), (None, 4.0), (3, None))
    result = outcome_verdict(history)
    charts = outcome_charts(history, result.pain, result.psfs)
    assert [c.measure for c in charts] == ["pain", "psfs"]
    pain = charts[0].svg
    assert pain.startswith("<svg") and 'role="img"' in pain and "<title" in pain and "<desc" in pain
    assert pain.count("<circle") == 2 and "stroke-dasharray" in pain  # two scored visits, the baseline
    assert "2026-01-05: 6; 2026-03-02: 3" in pain  # the values read out
    assert "from 4.2 to 8 are no meaningful change" in pain  # the band: 6 − 30 % to 6 + 2
    assert charts[1].svg.count("<circle") == 2
    assert outcome_charts(visits((None, None)), result.pain, result.psfs) == []


def _circles(svg: str) -> list[tuple[float, str]]:
    """The chart's points as (x, what its tooltip says), left to right as drawn."""
    return [
        (float(x), title)
        for x, title in re.findall(r'<circle cx="([\d.]+)"[^>]*><title>([^<]+)</title>', svg)
    ]


def test_two_visits_on_one_day_stand_apart_in_time_order_with_their_times() -> None:
    """A year of visits with two on one day: the two points are drawn apart (by the time they were
    entered, morning left of afternoon), their tooltips and the axis say the times, and the other
    visits keep their place by date."""
    day = START + timedelta(days=200)
    history = [
        ScoredVisit("a", START, 6.0, None, (), datetime(2026, 1, 5, 10, 0, tzinfo=UTC)),
        ScoredVisit("b", day, 5.0, None, (), datetime(2026, 7, 24, 9, 15, tzinfo=UTC)),
        ScoredVisit("c", day, 3.0, None, (), datetime(2026, 7, 24, 16, 40, tzinfo=UTC)),
        ScoredVisit("d", START + timedelta(days=365), 2.0, None, (), datetime(2027, 1, 5, 11, 0, tzinfo=UTC)),
    ]
    result = outcome_verdict(history)
    svg = outcome_charts(history, result.pain, result.psfs)[0].svg
    points = _circles(svg)
    assert [title for _, title in points] == [
        "2026-01-05: 6",
        "2026-07-24 09:15 UTC: 5",
        "2026-07-24 16:40 UTC: 3",
        "2027-01-05: 2",
    ]
    xs = [x for x, _ in points]
    assert xs == sorted(xs) and xs[2] - xs[1] >= MIN_GAP - 0.05
    assert abs((xs[1] - xs[0]) / (xs[3] - xs[0]) - 200 / 365) < 0.02  # still placed by date
    assert "09:15, 16:40 UTC</text>" in svg and svg.count(">2026-07-24</text>") == 1
    assert "2026-07-24 09:15 UTC: 5; 2026-07-24 16:40 UTC: 3" in svg  # read out in the description


def test_visits_of_one_day_only_keep_apart_and_inside_the_chart() -> None:
    moments = [datetime(2026, 3, 2, 8 + i, 0, tzinfo=UTC) for i in range(3)]
    history = [ScoredVisit(f"v{i}", date(2026, 3, 2), 5.0 - i, None, (), at) for i, at in enumerate(moments)]
    result = outcome_verdict(history)
    xs = [x for x, _ in _circles(outcome_charts(history, result.pain, result.psfs)[0].svg)]
    assert all(later - earlier >= MIN_GAP - 0.05 for earlier, later in itertools.pairwise(xs))
    assert xs[0] >= 48 and xs[-1] <= 640 - 24
