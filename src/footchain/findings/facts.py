"""Named yes/no/unknown facts about a person, read by the red-flag rules and the care plan.

Each fact is three-valued: True, False, or None when the intake does not say. A missing screening
answer stays None; it is never read as "no" (contracts/assessment.md). Derived facts combine answers,
ages and painful regions with the cut-offs of ``thresholds.toml`` [screening] (domain.md §6, §6a, §6b).
``FACT_INPUTS`` says which answers each derived fact reads, so a question left open can be named.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import cache

from footchain.knowledge import Knowledge
from footchain.types import FeetFindings, Intake, Pain, Region

Tri = bool | None

FOOT_REGIONS: frozenset[Region] = frozenset({"ankle", "heel", "back_of_heel", "arch", "forefoot", "toes"})
LEG_REGIONS: frozenset[Region] = frozenset({"hip", "thigh", "knee", "shin", "calf", *FOOT_REGIONS})
SCIATICA_REGIONS: frozenset[Region] = frozenset({"buttock", "thigh", "calf", "shin"})
HIP_OR_KNEE_REGIONS: frozenset[Region] = frozenset({"hip", "knee", "thigh"})
NERVE_SYMPTOMS = (
    "saddle_numbness",
    "new_bladder_or_bowel_problem",
    "leg_weakness_or_numbness_both_legs",
    "progressive_leg_weakness",
    "foot_drop",
    "new_sexual_dysfunction",
)
INFECTION_SIGNS = (
    "fever_or_feeling_unwell",
    "hot_red_swollen_foot",
    "hot_swollen_joint",
    "foot_ulcer_or_open_wound",
)
CHILD_NIGHT_WARNINGS = ("fever_or_feeling_unwell", "unexplained_weight_loss", "limp")
HOT_OR_INFECTED = ("hot_red_swollen_foot", "hot_swollen_joint", "prosthetic_joint", "signs_of_sepsis")
OPEN_WOUND = ("foot_ulcer_or_open_wound", "visible_deformity_or_open_wound", "black_skin_on_foot")
LOST_SENSATION_OR_CIRCULATION = (
    "loss_of_foot_sensation",
    "poor_foot_circulation",
    "rest_pain_foot",
    "cold_pale_painful_leg",
)
TENDON_AT_RISK = ("taking_fluoroquinolone", "sudden_snap_back_of_heel")

# The answers (or other facts) each derived fact reads, to name what is missing when it is unknown.
# Facts read only from pain, age or activity are named by their own words in text.toml [question].
FACT_INPUTS: dict[str, tuple[str, ...]] = {
    "nerve_symptom": NERVE_SYMPTOMS,
    "infection_sign": INFECTION_SIGNS,
    "fall": ("recent_significant_trauma", "minor_fall_or_strain"),
    "fall_risk": ("age_given", "long_term_steroids_or_osteoporosis"),
    "fragile_bone": ("age_given", "long_term_steroids_or_osteoporosis"),
    "diabetes_or_lost_sensation": ("diabetes", "loss_of_foot_sensation"),
    "ulcer_with_poor_circulation": ("foot_ulcer_or_open_wound", "poor_foot_circulation"),
    "pain_down_both_legs": ("pain_radiates_down_leg",),
    "runner_or_load_increase": ("running", "recent_load_increase"),
    "bone_pain_at_night": ("focal_bone_pain", "night_pain"),
    "night_pain_with_warning_sign": ("night_pain", *CHILD_NIGHT_WARNINGS),
    "inflammatory_back_pattern": (
        "back_pain_over_3_months",
        "age_given",
        "pain_better_with_movement_not_rest",
    ),
    "pregnant_or_postpartum": ("pregnant_or_postpartum",),
    "child": ("age_given",),
    "age_9_to_16": ("age_given",),
    "age_4_to_10": ("age_given",),
    "age_under_3": ("age_given",),
    "onset_before_45": ("age_given", "back_pain_over_3_months"),
    "onset_before_35": ("age_given", "back_pain_over_3_months"),
    "suspected_dvt": ("calf_swelling_one_leg",),
    "claudication": ("calf_pain_walking_eased_by_rest",),
    "hot_or_infected_area": HOT_OR_INFECTED,
    "open_wound": OPEN_WOUND,
    "fracture_or_bone_stress": (
        "focal_bone_pain",
        "visible_deformity_or_open_wound",
        "fall",
        "cannot_bear_weight",
    ),
    "lost_sensation_or_circulation": LOST_SENSATION_OR_CIRCULATION,
    "tendon_at_risk": TENDON_AT_RISK,
}


def tri_any(values: Iterable[Tri]) -> Tri:
    """Kleene OR: True if any is True, False if all are False, else unknown."""
    seen_unknown = False
    for value in values:
        if value is True:
            return True
        seen_unknown |= value is None
    return None if seen_unknown else False


def any_named(facts: dict[str, Tri], names: Sequence[str]) -> Tri:
    """Kleene OR of the named facts (a plain loop: it runs many times per assessment)."""
    seen_unknown = False
    for name in names:
        value = facts[name]
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


NIGHT = frozenset({"night"})
AT_REST_OR_NIGHT = frozenset({"night", "constant", "sitting"})


def _duration_fact(pains: list[Pain], test: float, *, over: bool) -> Tri:
    """Whether any pain lasted over (or under) ``test`` weeks; unknown when a duration is missing."""
    unknown = False
    for pain in pains:
        weeks = pain.duration_weeks
        if weeks is None:
            unknown = True
        elif weeks > test if over else weeks < test:
            return True
    return None if unknown else False


def _onset_before(age: int | None, back: list[Pain], age_below: float) -> Tri:
    """Whether back pain began before ``age_below`` years of age (age minus its duration)."""
    if not back:
        return False
    if age is None:
        return None
    unknown = False
    for pain in back:
        if pain.duration_weeks is None:
            unknown = True
        elif age - pain.duration_weeks / 52 < age_below:
            return True
    return None if unknown else False


def _age_in(age: int | None, low: int, high: int) -> Tri:
    return None if age is None else low <= age <= high


def _in(pains: list[Pain], regions: frozenset[Region]) -> list[Pain]:
    return [p for p in pains if p.region in regions]


def _triggered(pains: list[Pain], triggers: frozenset[str]) -> Tri:
    """Whether any pain is worst with one of ``triggers``; unknown when a pain says nothing of triggers."""
    unknown = False
    for pain in pains:
        if not pain.worst_with:
            unknown = True
        elif not triggers.isdisjoint(pain.worst_with):
            return True
    return None if unknown else False


def _both_sides(pains: list[Pain]) -> bool:
    sides = {p.side for p in pains}
    return "both" in sides or {"left", "right"} <= sides


def _runner(intake: Intake, sports: list[str]) -> Tri:
    activity = intake.activity
    if activity.running_km_per_week:
        return True
    if activity.sports and any(word in sport.lower() for sport in activity.sports for word in sports):
        return True
    return False if activity.running_km_per_week == 0 else None


def _could_be_pregnant(intake: Intake, ages: tuple[int, int]) -> bool:
    person = intake.person
    if person.sex == "male":
        return False
    return person.age_years is None or ages[0] <= person.age_years <= ages[1]


def derive_facts(intake: Intake, feet: FeetFindings, knowledge: Knowledge) -> dict[str, Tri]:
    """Every named fact: the intake's health answers plus facts derived from age, pain, activity and feet."""
    limits = knowledge.thresholds
    rules = limits.screening
    health = intake.health
    age = intake.person.age_years
    pains = painful(intake)
    regions = {p.region for p in pains}
    facts: dict[str, Tri] = dict(vars(health))  # the answers as they are (a plain copy, no dump)
    for name, group in rules.region_facts:
        facts[name] = not regions.isdisjoint(group)
    facts["foot_or_leg_pain"] = not regions.isdisjoint(LEG_REGIONS)
    if not _could_be_pregnant(intake, rules.pregnancy_possible_ages):
        facts["pregnant_or_postpartum"] = False
    if age is not None and age < rules.child_below and facts["new_sexual_dysfunction"] is None:
        facts["new_sexual_dysfunction"] = False  # not asked of children (domain.md §6: ask conditionally)
    activity = intake.activity
    standing = activity.standing_hours_per_day
    back = _in(pains, rules.back_regions) if facts["back_pain"] else []
    heel = _in(pains, rules.heel_regions) if facts["heel_pain"] else []
    night_pain = True if pains and _triggered(pains, NIGHT) else health.unremitting_night_pain
    back_long = _duration_fact(back, limits.inflammatory_back_pain.duration_over_weeks, over=True)
    onset_45 = _onset_before(age, back, limits.inflammatory_back_pain.onset_age_below)
    hip_or_knee = _in(pains, HIP_OR_KNEE_REGIONS) if facts["hip_thigh_or_knee_pain"] else []
    flat_sides = [side for side in (feet.left, feet.right) if side.arch_type == "flat"]
    arches = {feet.left.arch_type, feet.right.arch_type}
    runner = _runner(intake, rules.running_sports)
    fall = tri_any((health.recent_significant_trauma, health.minor_fall_or_strain))
    facts.update(
        age_given=None if age is None else True,
        child=None if age is None else age < rules.child_below,
        age_9_to_16=_age_in(age, *rules.sufe_ages),
        age_4_to_10=_age_in(age, *rules.perthes_ages),
        age_under_3=None if age is None else age < rules.limp_urgent_below,
        fall_risk=tri_any(
            (
                None if age is None else age >= rules.hip_fracture_fall_age_at_least,
                health.long_term_steroids_or_osteoporosis,
            )
        ),
        fragile_bone=tri_any(
            (
                None if age is None else age >= rules.fragility_age_at_least,
                health.long_term_steroids_or_osteoporosis,
            )
        ),
        back_or_leg_pain=bool(pains),
        buttock_pain="buttock" in regions,
        heel_pain_at_rest_or_night=_triggered(heel, AT_REST_OR_NIGHT),
        hip_or_knee_pain_for_weeks=_duration_fact(
            hip_or_knee, rules.pain_for_weeks_at_least - 1e-9, over=True
        ),
        pain_down_both_legs=tri_all(
            (
                health.pain_radiates_down_leg,
                bool(pains) and _both_sides(_in(pains, SCIATICA_REGIONS)),
            )
        ),
        nerve_symptom=any_named(facts, NERVE_SYMPTOMS),
        infection_sign=any_named(facts, INFECTION_SIGNS),
        fall=fall,
        ulcer_with_poor_circulation=tri_all((health.foot_ulcer_or_open_wound, health.poor_foot_circulation)),
        night_pain=night_pain,
        bone_pain_at_night=tri_all((health.focal_bone_pain, night_pain)),
        night_pain_with_warning_sign=tri_all((night_pain, any_named(facts, CHILD_NIGHT_WARNINGS))),
        running=runner,
        runner_or_load_increase=tri_any((runner, activity.recent_load_increase)),
        new_pain=_duration_fact(pains, limits.pain.new_within_weeks, over=False),
        back_pain_over_3_months=back_long,
        onset_before_45=onset_45,
        onset_before_35=_onset_before(age, back, limits.inflammatory_back_pain.early_onset_age_below),
        back_night_waking=_triggered(back, NIGHT),
        inflammatory_back_pattern=tri_all((back_long, onset_45, health.pain_better_with_movement_not_rest)),
        diabetes_or_lost_sensation=tri_any((health.diabetes, health.loss_of_foot_sensation)),
        persistent_or_severe_pain=(
            True
            if any(p.intensity >= limits.pain.severe_at_least for p in pains)
            else _duration_fact(pains, limits.pain.persistent_over_weeks, over=True)
        ),
        rigid_flat_foot=(
            None
            if flat_sides and intake.feet.arch_flattens_when_standing is None
            else bool(flat_sides) and intake.feet.arch_flattens_when_standing is False
        ),
        flat_foot_with_foot_pain=bool(flat_sides) and not regions.isdisjoint(FOOT_REGIONS),
        one_sided_high_arch="high" in arches and len(arches - {"unknown"}) == 2,
        long_standing=None if standing is None else standing >= limits.activity.long_standing_hours_at_least,
        hard_surfaces=activity.hard_surfaces,
        recent_load_increase=activity.recent_load_increase,
        runner_with_leg_pain=bool(runner) and facts["foot_or_leg_pain"],
        # the facts that rule a self-care item out (domain.md §8, self-care contraindications)
        suspected_dvt=health.calf_swelling_one_leg,
        claudication=health.calf_pain_walking_eased_by_rest,
        hot_or_infected_area=any_named(facts, HOT_OR_INFECTED),
        open_wound=any_named(facts, OPEN_WOUND),
        fracture_or_bone_stress=tri_any(
            (
                health.focal_bone_pain,
                health.visible_deformity_or_open_wound,
                tri_all((fall, health.cannot_bear_weight)),
            )
        ),
        lost_sensation_or_circulation=any_named(facts, LOST_SENSATION_OR_CIRCULATION),
        tendon_at_risk=any_named(facts, TENDON_AT_RISK),
    )
    return facts


def missing_inputs(name: str, facts: dict[str, Tri]) -> list[str]:
    """The unanswered questions (or facts) behind an unknown fact, most basic first."""
    if name not in FACT_INPUTS:
        return [name]
    missing = [part for part in _basic_inputs(name) if facts.get(part) is None]
    return missing or [name]


@cache
def _basic_inputs(name: str) -> tuple[str, ...]:
    """The answers a derived fact reads in the end, through the facts it is made of."""
    inputs = FACT_INPUTS.get(name)
    if inputs is None or name in inputs:
        return (name,)
    return tuple(dict.fromkeys(basic for part in inputs for basic in _basic_inputs(part)))
