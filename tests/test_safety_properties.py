"""Safety properties of the assessment engine, checked on intakes generated within the intake model.

Each property is a claim of the safety case (docs/safety/hazard-log.toml) that must hold for every
intake, not only for the hand-written vignettes (domain.md §6, §6b, §6c, §8):

* a "yes" to any screening question never lowers the urgency (the rules only ever add reasons);
* the referral's urgency is the most urgent fired reason's, and that reason is listed first;
* an emergency or urgent reason holds back the chain, insoles (never ``recommended``) and every
  self-care item except safety advice;
* no care item is offered while one of its contraindications (``avoid_if``) is true, unless it is
  safety advice; and each contraindication of domain.md §8 rules out the items it names;
* an intake with no screening answers never has a complete screening;
* no insole size is ever zero or negative, for any plausible foot length or shoe size.
"""

from __future__ import annotations

from typing import Any, get_args

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from footchain import assess
from footchain.findings.facts import derive_facts
from footchain.findings.feet import assess_feet
from footchain.findings.redflags import URGENCY_RANK
from footchain.knowledge import load_knowledge
from footchain.plan.care import plan_care
from footchain.plan.insole import length_from_shoe_size, size_from_length
from footchain.types import (
    SHOE_SIZE_RANGES,
    WEEKS_PER_YEAR,
    Assessment,
    Condition,
    Health,
    Intake,
    PainTrigger,
    Region,
    ScreeningStatus,
    SelfReportedArch,
    ShoeSize,
    Side,
    WearZone,
)

KNOWLEDGE = load_knowledge()
RULES = {rule.id: rule for rule in KNOWLEDGE.redflags.rule}
CARE = {item.id: item for item in KNOWLEDGE.care.item}
SAFETY_CARE = frozenset(cid for cid, item in CARE.items() if item.safety)
QUESTIONS: tuple[str, ...] = tuple(Health.model_fields)
SEE_FIRST = ("emergency", "urgent")
PROPERTY = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)

# ------------------------------------------------------------------------------------------------
# Intakes within the intake model (types.Intake): every field optional, every value in its range.

answers = st.sampled_from([None, True, False])


@st.composite
def pains(draw: st.DrawFn, age: int | None) -> dict[str, Any]:
    longest = 100 * WEEKS_PER_YEAR if age is None else (age + 1) * WEEKS_PER_YEAR
    pain: dict[str, Any] = {
        "region": draw(st.sampled_from(get_args(Region))),
        "intensity": draw(st.integers(0, 10)),
    }
    if draw(st.booleans()):
        pain["side"] = draw(st.sampled_from(get_args(Side)))
    if draw(st.booleans()):
        pain["duration_weeks"] = draw(st.floats(0, min(longest, 100 * 52.18), allow_nan=False))
    pain["worst_with"] = draw(st.lists(st.sampled_from(get_args(PainTrigger)), max_size=3, unique=True))
    return pain


@st.composite
def shoe_sizes(draw: st.DrawFn) -> dict[str, Any]:
    system, scale = draw(st.sampled_from(sorted(SHOE_SIZE_RANGES)))
    low, high = SHOE_SIZE_RANGES[(system, scale)]
    value = draw(st.integers(int(low * 2), int(high * 2))) / 2
    size: dict[str, Any] = {"system": system, "value": value}
    if scale == "children" or draw(st.booleans()):
        size["scale"] = scale
    return size


@st.composite
def intakes(draw: st.DrawFn, *, health: bool = True) -> Intake:
    person: dict[str, Any] = {}
    age = draw(st.none() | st.integers(0, 120))
    if age is not None:
        person["age_years"] = age
    if draw(st.booleans()):
        person["sex"] = draw(st.sampled_from(["female", "male", "other"]))
    if draw(st.booleans()):
        person["shoe_size"] = draw(shoe_sizes())
    data: dict[str, Any] = {"schema_version": 1, "person": person}
    data["pain"] = draw(st.lists(pains(age), max_size=3))
    activity: dict[str, Any] = {}
    if draw(st.booleans()):
        activity["running_km_per_week"] = draw(st.sampled_from([0, 10, 60]))
    if draw(st.booleans()):
        activity["recent_load_increase"] = draw(st.booleans())
    if draw(st.booleans()):
        activity["standing_hours_per_day"] = draw(st.sampled_from([2, 8]))
    data["activity"] = activity
    feet: dict[str, Any] = {}
    if draw(st.booleans()):
        feet["self_reported_arch"] = draw(st.sampled_from(get_args(SelfReportedArch)))
    if draw(st.booleans()):
        feet["arch_flattens_when_standing"] = draw(st.booleans())
    if draw(st.booleans()):
        feet["footprint"] = {
            side: {
                "arch_index": draw(st.sampled_from([0.12, 0.19, 0.23, 0.29])),
                "foot_length_mm": draw(st.floats(100, 350, allow_nan=False)),
            }
            for side in ("left", "right")
        }
    data["feet"] = feet
    if draw(st.booleans()):
        data["shoe_wear"] = {
            side: draw(st.lists(st.sampled_from(get_args(WearZone)), max_size=2, unique=True))
            for side in ("left", "right")
        }
    if health:
        data["health"] = {name: value for name in QUESTIONS if (value := draw(answers)) is not None}
    return Intake.model_validate(data)


def _rank(assessment: Assessment) -> int:
    return URGENCY_RANK[assessment.referral.urgency]


# ------------------------------------------------------------------------------------------------
# Properties


@PROPERTY
@given(intake=intakes(), question=st.sampled_from(QUESTIONS))
def test_a_yes_never_lowers_the_urgency(intake: Intake, question: str) -> None:
    """Monotonic: answering any screening question "yes" never makes the advice less urgent."""
    before = assess(intake)
    health = intake.health.model_copy(update={question: True})
    after = assess(intake.model_copy(update={"health": health}))
    assert _rank(after) >= _rank(before), (
        f"'{question}' = yes lowered the urgency from {before.referral.urgency} to {after.referral.urgency}"
    )
    assert {r.id for r in before.referral.reasons} <= {r.id for r in after.referral.reasons}


@PROPERTY
@given(intake=intakes())
def test_the_most_urgent_fired_reason_decides(intake: Intake) -> None:
    """referral.urgency is the most urgent fired reason's, listed first; no reason, no referral."""
    referral = assess(intake).referral
    if not referral.reasons:
        assert referral.urgency == "none" and referral.to is None
        return
    levels = [RULES[reason.id].urgency for reason in referral.reasons]
    most = max(levels, key=URGENCY_RANK.__getitem__)
    assert referral.urgency == most
    assert levels[0] == most, f"the most urgent reason must come first: {referral.reasons}"
    assert referral.call_emergency_services == any(RULES[r.id].call for r in referral.reasons)


@PROPERTY
@given(intake=intakes())
def test_emergency_or_urgent_holds_back_product_advice(intake: Intake) -> None:
    """An emergency or urgent reason: no chain, insole never recommended, only safety advice."""
    assessment = assess(intake)
    if assessment.referral.urgency not in SEE_FIRST:
        return
    assert assessment.insole.status != "recommended"
    assert assessment.chain == []
    others = [item.id for item in assessment.care_plan if item.id not in SAFETY_CARE]
    assert not others, f"{assessment.referral.urgency}: only safety advice may stay, got {others}"
    assert set(assessment.screening.held_back_regions) == set(get_args(Region))


@PROPERTY
@given(intake=intakes())
def test_no_care_item_while_its_contraindication_holds(intake: Intake) -> None:
    """No care item is offered while one of its `avoid_if` facts is true (safety advice excepted)."""
    assessment = assess(intake)
    feet, _, _ = assess_feet(intake, KNOWLEDGE)
    facts = derive_facts(intake, feet, KNOWLEDGE)
    for item in assessment.care_plan:
        rule = CARE[item.id]
        if rule.safety:
            continue
        true = [name for name in rule.avoid_if if facts[name]]
        assert not true, f"{item.id} offered although {true} holds"


@PROPERTY
@given(intake=intakes(health=False))
def test_no_screening_answers_never_complete(intake: Intake) -> None:
    """Missing answers are never "no": without any screening answer the screening is incomplete,
    so the report may never say "No warning signs found"."""
    screening = assess(intake).screening
    assert not screening.complete
    assert screening.unanswered and screening.unanswered[0].could_mean == "emergency"


@PROPERTY
@given(intake=intakes())
def test_insole_sizes_are_never_zero_or_negative(intake: Intake) -> None:
    size = assess(intake).insole.size
    if size is None:
        return
    values = size.model_dump(exclude={"scale"})
    assert all(value > 0 for value in values.values()), values


@settings(max_examples=300, deadline=None, derandomize=True)
@given(length=st.floats(100, 350, allow_nan=False))
def test_every_plausible_foot_length_has_positive_sizes(length: float) -> None:
    size = size_from_length(length, KNOWLEDGE.insole.sizing)
    assert all(value > 0 for value in size.model_dump(exclude={"scale"}).values()), size


@pytest.mark.parametrize("key", sorted(SHOE_SIZE_RANGES), ids="-".join)
def test_every_real_shoe_size_gives_positive_sizes_or_none(key: tuple[str, str]) -> None:
    """Every real size of every system (domain.md §6c ranges), in half sizes: no zero or negative size."""
    system, scale = key
    low, high = SHOE_SIZE_RANGES[key]
    for half in range(int(low * 2), int(high * 2) + 1):
        shoe = ShoeSize(system=system, value=half / 2, scale=scale)  # type: ignore[arg-type]
        intake = Intake(schema_version=1, person={"age_years": 8, "shoe_size": shoe})  # type: ignore[arg-type]
        size = assess(intake).insole.size
        if size is not None:
            values = size.model_dump(exclude={"scale"})
            assert all(v > 0 for v in values.values()), f"{system} {scale} {half / 2}: {values}"
        assert length_from_shoe_size(shoe, KNOWLEDGE.insole.sizing) > 0


# ------------------------------------------------------------------------------------------------
# The self-care contraindications of domain.md §8, each checked on its own: with every red flag
# set aside (nothing held back), the contraindication alone must rule out the items it names.

CONTRAINDICATED = [
    # "no calf stretch, massage or ball rolling with a suspected DVT"
    ("suspected_dvt", "calf_stretch"),
    ("suspected_dvt", "foot_massage"),
    ("suspected_dvt", "ball_rolling"),
    # "claudication gets a walking programme after a vascular check, not stretches"
    ("claudication", "calf_stretch"),
    # "no loading of a painful tendon while taking a fluoroquinolone or with a suspected tear"
    ("tendon_at_risk", "calf_loading"),
    ("tendon_at_risk", "heel_raise_strength"),
    ("tendon_at_risk", "calf_stretch"),
    # "no heat or ice on numb feet"; no ball rolling or massage on a foot with lost sensation or
    # poor circulation
    ("lost_sensation_or_circulation", "reduce_impact_heel_cups"),
    ("lost_sensation_or_circulation", "ball_rolling"),
    ("lost_sensation_or_circulation", "foot_massage"),
    # no ball rolling or massage on a hot, swollen or infected area, or an open wound
    ("hot_or_infected_area", "ball_rolling"),
    ("hot_or_infected_area", "foot_massage"),
    ("open_wound", "ball_rolling"),
    ("open_wound", "foot_massage"),
    # ... or a suspected fracture or bone stress injury; the 10 % rule only once ruled out
    ("fracture_or_bone_stress", "ball_rolling"),
    ("fracture_or_bone_stress", "foot_massage"),
    ("fracture_or_bone_stress", "gradual_load"),
]
TRIGGERS = [
    Condition(id=cid, side="both", confidence="moderate", because=["test"])
    for cid in ("plantar_fasciitis", "achilles_tendinopathy", "calcaneal_apophysitis", "flat_foot")
]
NOTHING_HELD = ScreeningStatus(complete=True, unanswered=[], held_back_regions=[], held_back_because=[])


def _care_ids(facts: dict[str, bool | None]) -> set[str]:
    intake = Intake.model_validate(
        {
            "schema_version": 1,
            "person": {"age_years": 12},
            "pain": [
                {"region": region, "intensity": 3}
                for region in ("heel", "back_of_heel", "arch", "shin", "calf", "knee")
            ],
        }
    )
    fired = {"intermittent_claudication"}
    return {item.id for item in plan_care(intake, TRIGGERS, NOTHING_HELD, fired, facts, KNOWLEDGE)}


def _all_clear() -> dict[str, bool | None]:
    names = {n for item in CARE.values() for n in (*item.avoid_if, *item.when)}
    facts: dict[str, bool | None] = dict.fromkeys(names, False)
    facts.update(recent_load_increase=True, runner_with_leg_pain=True)
    return facts


@pytest.mark.parametrize(("fact", "item"), CONTRAINDICATED, ids=[f"{f}-{i}" for f, i in CONTRAINDICATED])
def test_contraindication_rules_out_the_item(fact: str, item: str) -> None:
    """Each §8 contraindication removes its item even when no red flag holds self-care back."""
    clear = _all_clear()
    assert item in _care_ids(clear), f"{item} should be offered when nothing rules it out"
    assert item not in _care_ids({**clear, fact: True}), f"{item} offered although {fact} holds"


def test_walking_programme_replaces_stretches_for_claudication() -> None:
    """Claudication: a walking programme, not a calf stretch (domain.md §6, §8)."""
    plan = _care_ids({**_all_clear(), "claudication": True})
    assert "walking_programme" in plan and "calf_stretch" not in plan
