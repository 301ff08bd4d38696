"""Named yes/no/unknown facts about a person, read by the red-flag rules and the care plan.

Each fact is three-valued: True, False, or None when the intake does not say. A missing screening
answer stays None; it is never read as "no" (contracts/assessment.md).
"""

from __future__ import annotations

from collections.abc import Iterable

from footchain.knowledge import Knowledge
from footchain.types import FeetFindings, Intake, Pain

Tri = bool | None

BACK_REGIONS = frozenset({"lower_back", "pelvis", "buttock"})
FOOT_REGIONS = frozenset({"ankle", "heel", "arch", "forefoot", "toes"})
LEG_REGIONS = frozenset({"hip", "thigh", "knee", "shin", "calf"}) | FOOT_REGIONS


def tri_any(values: Iterable[Tri]) -> Tri:
    """Kleene OR: True if any is True, False if all are False, else unknown."""
    seen_unknown = False
    for value in values:
        if value is True:
            return True
        seen_unknown |= value is None
    return None if seen_unknown else False


def tri_all(values: Iterable[Tri]) -> Tri:
    """Kleene AND: False if any is False, True if all are True, else unknown."""
    seen_unknown = False
    for value in values:
        if value is False:
            return False
        seen_unknown |= value is None
    return None if seen_unknown else True


def painful(intake: Intake) -> list[Pain]:
    """Pain entries that actually hurt (intensity above 0)."""
    return [p for p in intake.pain if p.intensity > 0]


def _duration_fact(pains: list[Pain], test: float, *, over: bool) -> Tri:
    """Whether any pain lasted over (or under) ``test`` weeks; unknown when a duration is missing."""
    return tri_any(
        None if p.duration_weeks is None else (p.duration_weeks > test if over else p.duration_weeks < test)
        for p in pains
    )


def _onset_before(intake: Intake, back: list[Pain], age_below: float) -> Tri:
    age = intake.person.age_years
    if age is None or not back:
        return None if back else False
    return tri_any(
        None if p.duration_weeks is None else age - p.duration_weeks / 52 < age_below for p in back
    )


def derive_facts(intake: Intake, feet: FeetFindings, knowledge: Knowledge) -> dict[str, Tri]:
    """Every named fact: the intake's health answers plus facts derived from pain, activity and feet."""
    limits = knowledge.thresholds
    health = intake.health
    pains = painful(intake)
    back = [p for p in pains if p.region in BACK_REGIONS]
    flat = [side for side in (feet.left, feet.right) if side.arch_type == "flat"]
    facts: dict[str, Tri] = dict(health.model_dump())
    activity = intake.activity
    standing = activity.standing_hours_per_day
    facts.update(
        back_or_leg_pain=bool(pains),
        back_pain=bool(back),
        foot_or_leg_pain=any(p.region in LEG_REGIONS for p in pains),
        new_pain=_duration_fact(pains, limits.pain.new_within_weeks, over=False) if pains else False,
        back_pain_over_3_months=(
            _duration_fact(back, limits.inflammatory_back_pain.duration_over_weeks, over=True)
            if back
            else False
        ),
        onset_before_45=_onset_before(intake, back, limits.inflammatory_back_pain.onset_age_below),
        night_waking=True if any("night" in p.worst_with for p in pains) else health.unremitting_night_pain,
        diabetes_or_lost_sensation=tri_any([health.diabetes, health.loss_of_foot_sensation]),
        persistent_or_severe_pain=(
            True
            if any(p.intensity >= limits.pain.severe_at_least for p in pains)
            else _duration_fact(pains, limits.pain.persistent_over_weeks, over=True)
            if pains
            else False
        ),
        rigid_flat_foot=(
            None
            if flat and intake.feet.arch_flattens_when_standing is None
            else bool(flat) and intake.feet.arch_flattens_when_standing is False
        ),
        long_standing=None if standing is None else standing >= limits.activity.long_standing_hours_at_least,
        hard_surfaces=activity.hard_surfaces,
        recent_load_increase=activity.recent_load_increase,
        runner_with_leg_pain=bool(activity.running_km_per_week)
        and any(p.region in LEG_REGIONS for p in pains),
    )
    return facts
