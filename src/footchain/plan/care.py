"""Self-care plan: the care items of ``knowledge/care.toml`` that fit this person, with doses and cautions.

Items come from domain.md §8: first-line exercise (NICE NG59 for the back; Crossley et al. 2016 and
NICE NG226 for the knee and hip; Silbernagel 2007 and Jonsson 2008 for the Achilles; NICE CKS and
Rathleff 2015 for plantar heel pain), load management, and the smaller helps with their low-quality
evidence said plainly. An item whose contraindication is present is left out; one whose
contraindication was not asked keeps its caution, since a missing answer is not a "no". While a red
flag stands, care for the regions it concerns is held back; safety advice always stays (domain.md §6).
"""

from __future__ import annotations

from footchain.findings.facts import Tri, any_named, painful
from footchain.knowledge import CareItemRule, Knowledge
from footchain.types import CareItem, Condition, Intake, Region, ScreeningStatus

FOOT_SHAPE = frozenset({"flat_foot", "high_arch", "overpronation", "supination", "rigid_flat_foot"})
"""Foot shapes that are no problem to treat while nothing hurts (domain.md §6b painless flexible flat feet:
reassurance only; §8 a flat foot without pain is not a problem to treat)."""


def _reasons(
    item: CareItemRule, present: set[str], regions: set[Region], facts: dict[str, Tri], fired: set[str]
) -> list[str]:
    """What an item is offered for, in the order of its rule; empty when nothing calls for it."""
    reasons = [c for c in item.for_conditions if c in present] if item.for_conditions else []
    if item.for_regions:
        reasons += [r for r in item.for_regions if r in regions and r not in reasons]
    if item.when:
        reasons += [w for w in item.when if facts[w]]
    if item.with_flags:
        reasons += [flag for flag in item.with_flags if flag in fired]
    return reasons


def _regions_served(
    item: CareItemRule, reasons: list[str], regions: set[Region], knowledge: Knowledge
) -> set[Region]:
    """The painful regions an item is offered for: its own regions, its conditions', else every one."""
    served: set[Region] = {r for r in item.for_regions if r in reasons}
    for reason in reasons:
        served.update(knowledge.care.condition_regions.of(reason))
    return served & regions if served & regions else set(regions)


def plan_care(
    intake: Intake,
    conditions: list[Condition],
    screening: ScreeningStatus,
    fired: set[str],
    facts: dict[str, Tri],
    knowledge: Knowledge,
) -> list[CareItem]:
    """Care items triggered by conditions, painful regions, facts or the red-flag rules that ``fired``,
    minus contraindicated ones and those for regions a red flag holds back."""
    regions: set[Region] = {p.region for p in painful(intake)}
    present = {c.id for c in conditions if regions or c.id not in FOOT_SHAPE}
    held = set(screening.held_back_regions)
    # Everything that hurts is held back: only safety advice can stay.
    only_safety = bool(held) and (not regions or regions <= held)
    active = present | regions | fired | {name for name in knowledge.care.trigger_facts if facts[name]}
    plan = []
    for item in knowledge.care.item:
        if (only_safety and not item.safety) or item.triggers.isdisjoint(active):
            continue
        reasons = _reasons(item, present, regions, facts, fired)
        if not reasons:
            continue
        contraindicated = any_named(facts, item.avoid_if) if item.avoid_if else False
        if contraindicated or (
            held and not item.safety and _regions_served(item, reasons, regions, knowledge) & held
        ):
            continue
        plan.append(
            CareItem(
                id=item.id,
                text=item.text,
                dose=item.dose,
                for_=reasons,
                cautions=[item.caution] if item.caution and contraindicated is None else [],
                evidence=item.evidence,
            )
        )
    return plan
