"""Chain reasoning: which present foot conditions may reach each painful region, and how well-founded that is.

The lower body is treated as linked segments (Steindler 1955); each link footchain may draw carries the
evidence grade and source of domain.md §1 (Neal et al. 2014; Gross et al. 2011; Menz et al. 2013; Mills
et al. 2010). A painful region that no present condition reaches is reported as unexplained: the feet
are then unlikely to be the main driver.
"""

from __future__ import annotations

from footchain.findings.facts import painful
from footchain.knowledge import Knowledge, Link
from footchain.types import (
    ChainEntry,
    Condition,
    Evidence,
    FeetFindings,
    FootSide,
    Intake,
    Pain,
    Region,
    Unexplained,
)

# Regions a condition explains by itself: the pain is what the condition is made of.
SELF_EXPLAINED = {
    "plantar_fasciitis": frozenset({"heel", "arch"}),
    "achilles_tendinopathy": frozenset({"back_of_heel", "calf"}),
    "calcaneal_apophysitis": frozenset({"heel", "back_of_heel"}),
    "possible_knee_osteoarthritis": frozenset({"knee"}),
    "possible_hip_osteoarthritis": frozenset({"hip", "thigh", "buttock"}),
    "growing_pains": frozenset({"thigh", "knee", "shin", "calf"}),
}
STATIC_LOWER_BACK = ("flat_foot", "overpronation")
UNCERTAIN_FINDING = " The foot finding this starts from is itself uncertain (low confidence), so treat this link with extra caution."
EVIDENCE_RANK: dict[Evidence, int] = {
    "strong": 0,
    "moderate": 1,
    "limited": 2,
    "very_limited": 3,
    "theoretical": 4,
}


def _pain_sides(pain: Pain) -> list[FootSide] | None:
    """The sides a pain is on; None when it has no side (midline or not said)."""
    if pain.side in ("left", "right"):
        return [pain.side]
    if pain.side == "both":
        return ["left", "right"]
    return None


def _condition_sides(condition: Condition) -> set[FootSide] | None:
    if condition.side == "both":
        return {"left", "right"}
    return {condition.side} if condition.side else None


def _side_name(sides: set[FootSide]) -> str | None:
    return "both" if len(sides) == 2 else next(iter(sides)) if sides else None


def _shared_side(pain: Pain, condition: Condition) -> tuple[bool, str | None]:
    """Whether the condition is on a side of the pain, and the side the link is drawn on."""
    pain_sides = _pain_sides(pain)
    cond_sides = _condition_sides(condition)
    if pain_sides is None:
        return True, None if pain.side == "midline" else condition.side
    if cond_sides is None:
        return True, _side_name(set(pain_sides))
    shared = cond_sides & set(pain_sides)
    return bool(shared), _side_name(shared)


def _unexplained_text(
    pain: Pain, conditions: dict[str, Condition], feet: FeetFindings, knowledge: Knowledge
) -> str:
    region = knowledge.text.region[pain.region]
    if not conditions and all(
        f.arch_type == "unknown" and f.posture == "unknown" for f in (feet.left, feet.right)
    ):
        return (
            f"We know too little about your feet to say whether they play a part in your {region} pain; "
            "no foot finding explains it so far."
        )
    if pain.region == "lower_back" and any(c in conditions for c in STATIC_LOWER_BACK):
        return (
            "No foot finding explains this pain: a flat or rolling-in foot posture measured standing still was "
            "not linked with low back pain in a large study (Menz et al. 2013), so the feet are unlikely to be "
            "the main driver."
        )
    return f"No foot finding explains your {region} pain; the feet are unlikely to be the main driver."


def _applies(link: Link, intake: Intake) -> bool:
    return link.requires_sex is None or intake.person.sex == link.requires_sex


def reason_chain(
    intake: Intake,
    feet: FeetFindings,
    conditions: list[Condition],
    knowledge: Knowledge,
    held_back: frozenset[Region] = frozenset(),
) -> tuple[list[ChainEntry], list[Unexplained], list[str]]:
    """Chain entries per painful region, the regions left unexplained, and what limited the reasoning.

    Regions in ``held_back`` (a red flag stands for them, domain.md §6) get no reasoning at all.
    """
    present = {c.id: c for c in conditions}
    entries: dict[tuple[str, str, str | None], ChainEntry] = {}
    unexplained: list[Unexplained] = []
    limits: list[str] = []
    for pain in painful(intake):
        if pain.region in held_back:
            continue
        drawn = False
        for link in knowledge.chain.links_by_region[pain.region]:
            for cid in link.conditions:
                condition = present.get(cid)
                if condition is None:
                    continue
                on_side, side = _shared_side(pain, condition)
                if not on_side:
                    continue
                if not _applies(link, intake):
                    if intake.person.sex is None:
                        limits.append(
                            f"Sex not given: the {link.id.replace('_', ' ')} link was found only in {link.requires_sex}s."
                        )
                    continue
                key = (link.id, pain.region, side)
                entries.setdefault(
                    key,
                    ChainEntry(
                        condition=cid,
                        region=pain.region,
                        side=side,
                        path=list(knowledge.chain.paths[pain.region]),
                        evidence=link.evidence,
                        explanation=link.explanation
                        + (UNCERTAIN_FINDING if condition.confidence == "low" else ""),
                        sources=link.sources,
                    ),
                )
                drawn = True
                break
        self_explained = any(pain.region in SELF_EXPLAINED.get(cid, ()) for cid in present)
        if not drawn and not self_explained:
            sides = _pain_sides(pain)
            unexplained.append(
                Unexplained(
                    region=pain.region,
                    side=_side_name(set(sides)) if sides else None,
                    text=_unexplained_text(pain, present, feet, knowledge),
                )
            )
    region_order: dict[str, int] = {}
    for _, region, _ in entries:
        region_order.setdefault(region, len(region_order))
    ordered = sorted(entries.values(), key=lambda e: (region_order[e.region], EVIDENCE_RANK[e.evidence]))
    return ordered, unexplained, list(dict.fromkeys(limits))
