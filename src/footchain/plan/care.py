"""Self-care plan: the care items of ``knowledge/care.toml`` that fit this person, with doses and cautions.

Items come from domain.md §8 (ball rolling, stretches, massage, standing breaks, surfaces, gradual
load, a gait check) and NICE NG19 for feet at risk. An item whose contraindication is present is left
out; one whose contraindication was not asked keeps its caution, since a missing answer is not a "no".
"""

from __future__ import annotations

from footchain.findings.facts import Tri, painful
from footchain.knowledge import Knowledge
from footchain.types import CareItem, Condition, Intake, Referral


def plan_care(
    intake: Intake,
    conditions: list[Condition],
    referral: Referral,
    facts: dict[str, Tri],
    knowledge: Knowledge,
) -> list[CareItem]:
    """Care items triggered by present conditions, painful regions or facts, minus contraindicated ones."""
    if referral.urgency in ("emergency", "urgent"):
        return []
    present = {c.id for c in conditions}
    regions = {p.region for p in painful(intake)}
    plan = []
    for item in knowledge.care.item:
        reasons = [c for c in item.for_conditions if c in present]
        reasons += [r for r in item.for_regions if r in regions and r not in reasons]
        reasons += [w for w in item.when if facts[w]]
        if not reasons or any(facts[a] for a in item.avoid_if):
            continue
        cautions = [item.caution] if item.caution and any(facts[a] is None for a in item.avoid_if) else []
        plan.append(
            CareItem(
                id=item.id,
                text=item.text,
                dose=item.dose,
                for_=reasons,
                cautions=cautions,
                evidence=item.evidence,
            )
        )
    return plan
