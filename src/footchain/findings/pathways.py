"""Clinical pathways read from where and when it hurts, and the person's age (domain.md §6a, §6b, §8).

Heel pain is not always plantar fasciitis: under the heel and worst on first steps it is plantar heel
pain (NICE CKS plantar fasciitis); at the back of the heel it is Achilles tendinopathy (NICE CKS); in a
child of 8-14 with pain on activity it is calcaneal apophysitis (Sever's), never with night pain,
swelling, fever or a limp. Knee or hip pain from 45 on, brought on by activity, without long morning
stiffness, is osteoarthritis by NICE NG226's clinical diagnosis. Aches in both legs of a child in the
evening or at night, without warning signs, are growing pains (NICE CKS limp in children). Red flags
(inflammatory heel pain, bone stress, SUFE) are judged apart, by the rules of ``redflags.toml``.
"""

from __future__ import annotations

from footchain.findings.facts import Tri
from footchain.knowledge import Knowledge
from footchain.types import Condition, Confidence, Intake, Pain

FIRST_STEPS = ("first_steps_morning", "after_rest")
ACTIVITY = frozenset({"walking", "running", "standing", "stairs"})
CHILD_LEG_REGIONS = frozenset({"thigh", "knee", "shin", "calf"})
NOT_SEVERS = (
    "unremitting_night_pain",
    "swollen_small_joints",
    "hot_swollen_joint",
    "fever_or_feeling_unwell",
    "limp",
)
OA_REGIONS = {"knee": "possible_knee_osteoarthritis", "hip": "possible_hip_osteoarthritis"}


def _sides(pain: Pain) -> str | None:
    return pain.side if pain.side in ("left", "right", "both") else None


def _merge(conditions: dict[str, Condition], cid: str, pain: Pain, level: Confidence, reason: str) -> None:
    side = _sides(pain)
    old = conditions.get(cid)
    if old is not None:
        sides = {
            s for value in (old.side, side) for s in (("left", "right") if value == "both" else (value,)) if s
        }
        side = "both" if len(sides) == 2 else next(iter(sides), None)
        reason_list = list(dict.fromkeys([*old.because, reason]))
        conditions[cid] = Condition(id=cid, side=side, confidence=old.confidence, because=reason_list)
        return
    conditions[cid] = Condition(id=cid, side=side, confidence=level, because=[reason])


def _severs(intake: Intake, pain: Pain, facts: dict[str, Tri], knowledge: Knowledge) -> bool:
    low, high = knowledge.thresholds.screening.severs_ages
    age = intake.person.age_years
    if age is None or not low <= age <= high or "night" in pain.worst_with:
        return False
    return not any(facts[name] for name in NOT_SEVERS)


def heel_conditions(intake: Intake, facts: dict[str, Tri], knowledge: Knowledge) -> list[Condition]:
    """Plantar heel pain, Achilles tendinopathy or Sever's, by where the heel hurts and the age."""
    policy = knowledge.thresholds.confidence
    found: dict[str, Condition] = {}
    for pain in intake.pain:
        if pain.intensity == 0 or pain.region not in ("heel", "back_of_heel", "arch"):
            continue
        place = "back of the heel" if pain.region == "back_of_heel" else pain.region
        if pain.region != "arch" and _severs(intake, pain, facts, knowledge):
            reason = f"{place} pain in a child of {intake.person.age_years}: the age of calcaneal apophysitis (Sever's)"
            _merge(found, "calcaneal_apophysitis", pain, policy.pain_pattern, reason)
            continue
        if pain.region == "back_of_heel":
            if not facts["sudden_snap_back_of_heel"]:
                reason = "pain at the back of the heel or in the tendon above it: the place of Achilles tendinopathy"
                _merge(found, "achilles_tendinopathy", pain, policy.pain_pattern, reason)
            continue
        typical = [w.replace("_", " ") for w in pain.worst_with if w in FIRST_STEPS]
        if typical:
            reason = f"{pain.region} pain worst with {' and '.join(typical)}: the typical pattern of plantar heel pain"
            _merge(found, "plantar_fasciitis", pain, policy.pain_pattern, reason)
    return list(found.values())


def osteoarthritis_conditions(intake: Intake, facts: dict[str, Tri], knowledge: Knowledge) -> list[Condition]:
    """Knee or hip osteoarthritis by NICE NG226's clinical diagnosis (45+, activity pain, short stiffness)."""
    age = intake.person.age_years
    if (
        age is None
        or age < knowledge.thresholds.osteoarthritis.age_at_least
        or facts["morning_stiffness_over_30_min"]
    ):
        return []
    found: dict[str, Condition] = {}
    for pain in intake.pain:
        cid = OA_REGIONS.get(pain.region)
        if pain.intensity == 0 or cid is None or not ACTIVITY & set(pain.worst_with):
            continue
        reason = (
            f"{pain.region} pain at {age} that comes with activity, without long morning stiffness: NICE's "
            "clinical picture of osteoarthritis (no X-ray needed)"
        )
        _merge(found, cid, pain, knowledge.thresholds.confidence.pain_pattern, reason)
    return list(found.values())


def growing_pains(intake: Intake, facts: dict[str, Tri], knowledge: Knowledge) -> list[Condition]:
    """Night aches in both legs of a child with no warning sign: growing pains, for reassurance."""
    if not facts["child"]:
        return []
    legs = [p for p in intake.pain if p.intensity > 0 and p.region in CHILD_LEG_REGIONS]
    if not legs or not all("night" in p.worst_with for p in legs):
        return []
    sides = {p.side for p in legs}
    both = "both" in sides or {"left", "right"} <= sides
    warnings = (
        "focal_bone_pain",
        "limp",
        "fever_or_feeling_unwell",
        "unexplained_weight_loss",
        "unremitting_night_pain",
    )
    if not both or any(facts[name] is not False for name in warnings):
        return []
    reason = (
        "aches in both legs in the evening or at night, no limp, fever, weight loss or bone pain in one spot"
    )
    return [Condition(id="growing_pains", side="both", confidence="moderate", because=[reason])]


def flat_feet_in_a_child(conditions: list[Condition], facts: dict[str, Tri]) -> list[Condition]:
    """Flat feet in a child under 16 are named flexible (normal, mostly resolve) unless rigid."""
    if not facts["child"]:
        return conditions
    rigid = any(c.id == "rigid_flat_foot" for c in conditions)
    return [
        c.model_copy(
            update={"because": [*c.because, "flat feet are normal in young children and mostly resolve"]}
        )
        if c.id == "flat_foot" and not rigid
        else c
        for c in conditions
    ]


def pathway_conditions(intake: Intake, facts: dict[str, Tri], knowledge: Knowledge) -> list[Condition]:
    """Every pathway condition that the pains, the age and the answers point to."""
    found: list[Condition] = []
    found += heel_conditions(intake, facts, knowledge)
    found += osteoarthritis_conditions(intake, facts, knowledge)
    found += growing_pains(intake, facts, knowledge)
    return found
