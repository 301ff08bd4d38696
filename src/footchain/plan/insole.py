"""Insole plan: whether to use one, its arch height, its size in every system, and how to fit it.

Arch height follows the foot's arch (domain.md §8, a product rule with weak evidence); sizes follow
the Mondopoint, UK, US and EU formulas of domain.md §8 from the longer foot. Expected benefit per
painful region quotes the trials of domain.md §8 (Sahar, Chuter 2014, Whittaker 2018, Collins 2008,
Parkes 2013), and the size of the mechanical effect quotes Mills et al. 2010, Br J Sports Med 44:1035.
"""

from __future__ import annotations

import math
from functools import lru_cache

from footchain.findings.facts import FOOT_REGIONS, Tri, painful
from footchain.knowledge import MM_PER_INCH, Knowledge, Sizing
from footchain.types import (
    ArchType,
    Condition,
    FeetFindings,
    FootprintMetrics,
    InsoleArch,
    InsolePlan,
    InsoleSize,
    InsoleStatus,
    Intake,
    Referral,
    ScreeningStatus,
    ShoeSize,
)

CHILDREN_SCALE_TOP = 13.5
ARCH_ORDER: tuple[InsoleArch, ...] = ("low", "medium", "high", "extra_high")
UNSAFE_ANSWERS = ("loss_of_foot_sensation", "poor_foot_circulation", "foot_ulcer_or_open_wound")
UNSAFE_RULES = ("possible_charcot_foot", "diabetic_foot_ulcer", "diabetic_foot_infection")
SHORTEST_FOOT_MM: float = next(
    float(limit.ge)
    for limit in FootprintMetrics.model_fields["foot_length_mm"].metadata
    if hasattr(limit, "ge")
)
"""The shortest plausible foot (domain.md §6c: foot length 100-350 mm); a stated shoe size standing for a
shorter foot gets no insole size, since the formulas give zero or negative sizes there (domain.md §6b)."""


def _round_up(value: float, step: float) -> float:
    return math.ceil(round(value / step, 6)) * step


@lru_cache(maxsize=1024)
def size_from_length(foot_length_mm: float, sizing: Sizing) -> InsoleSize:
    """Shoe sizes for a foot length (domain.md §8): UK = 3 L/25.4 − 23, US = UK + 1, EU = 1.5 (L/10 + 1.5).

    Below adult UK 1 the UK and US sizes move to the children's scale (UK children's = adult + 13, whose
    13.5 is followed by adult 1; US children's = UK children's + 1), so no size is ever zero or negative
    (domain.md §6b). Sizes are immutable and shoe sizes come in half sizes, so each length is worked out
    once per process.
    """
    uk = sizing.uk_per_inch * foot_length_mm / MM_PER_INCH + sizing.uk_offset
    step = sizing.round_up_to
    eu = _round_up(sizing.eu_factor * (foot_length_mm / 10 + sizing.eu_offset), step)
    if _round_up(uk, step) < 1:
        child_uk = _round_up(uk + sizing.children_scale_offset, step)
        child_us = _round_up(uk + sizing.children_scale_offset + sizing.us_children_over_uk_children, step)
        if child_us > CHILDREN_SCALE_TOP:  # past US children's 13.5 the youth sizes start again at 1
            child_us -= CHILDREN_SCALE_TOP
        return InsoleSize(
            foot_length_mm=round(foot_length_mm, 1),
            uk=child_uk,
            us_men=child_us,
            us_women=child_us,
            eu=eu,
            mondopoint=float(round(foot_length_mm)),
            scale="children",
        )
    us_men = uk + sizing.us_men_over_uk
    return InsoleSize(
        foot_length_mm=round(foot_length_mm, 1),
        uk=_round_up(uk, step),
        us_men=_round_up(us_men, step),
        us_women=_round_up(us_men + sizing.us_women_over_us_men, step),
        eu=eu,
        mondopoint=float(round(foot_length_mm)),
    )


def length_from_shoe_size(shoe: ShoeSize, sizing: Sizing) -> float:
    """The foot length a shoe size stands for: the sizing formulas of domain.md §8 run backwards."""
    if shoe.system == "mondopoint":
        return shoe.value
    if shoe.system == "eu":
        return (shoe.value / sizing.eu_factor - sizing.eu_offset) * 10
    uk = shoe.value
    if shoe.scale == "children":
        if shoe.system != "uk":
            uk -= sizing.us_children_over_uk_children
        uk -= sizing.children_scale_offset
    else:
        if shoe.system in ("us_men", "us_women"):
            uk -= sizing.us_men_over_uk
        if shoe.system == "us_women":
            uk -= sizing.us_women_over_us_men
    return (uk - sizing.uk_offset) * MM_PER_INCH / sizing.uk_per_inch


def _foot_length(intake: Intake, knowledge: Knowledge) -> tuple[float | None, list[str]]:
    prints = intake.feet.footprint
    lengths = (
        [m.foot_length_mm for m in (prints.left, prints.right) if m and m.foot_length_mm] if prints else []
    )
    shoe = intake.person.shoe_size
    if lengths:
        length = max(lengths)
        notes = [f"Size from the longer measured foot ({length:g} mm)."]
        if shoe is not None:
            sizing = knowledge.insole.sizing
            stated = length_from_shoe_size(shoe, sizing)
            if abs(stated - length) > sizing.size_step_mm * sizing.shoe_size_mismatch_sizes:
                notes.append(
                    f"Your usual shoe size ({shoe.system.replace('_', ' ')} {shoe.value:g}) fits a foot of about "
                    f"{stated:.0f} mm, more than {sizing.shoe_size_mismatch_sizes:g} sizes from the measured {length:g} mm: check the shoe fit."
                )
        return length, notes
    if shoe is not None:
        length = length_from_shoe_size(shoe, knowledge.insole.sizing)
        if length < SHORTEST_FOOT_MM:
            return None, [knowledge.text.insole["too_small"].format(shortest=SHORTEST_FOOT_MM)]
        return length, [
            f"Size from your shoe size ({shoe.system.replace('_', ' ')} {shoe.value:g}); measuring the foot is more exact."
        ]
    return None, []


def _very_high(intake: Intake, knowledge: Knowledge) -> bool:
    rule = knowledge.insole.very_high_arch
    prints = intake.feet.footprint
    metrics = [m for m in (prints.left, prints.right) if m] if prints else []
    return any(
        (m.arch_index is not None and m.arch_index < rule.arch_index_below)
        or (m.chippaux_smirak_index is not None and m.chippaux_smirak_index <= rule.chippaux_smirak_at_most)
        for m in metrics
    )


def _arch_height(
    feet: FeetFindings, present: set[str], intake: Intake, knowledge: Knowledge
) -> tuple[InsoleArch | None, list[str]]:
    rules = knowledge.insole.arch_height
    if "rigid_flat_foot" in present:
        return rules.rigid_flat, ["A rigid flat foot takes a low arch; have a podiatrist examine it too."]
    arches: list[ArchType] = [f.arch_type for f in (feet.left, feet.right) if f.arch_type != "unknown"]
    if not arches:
        return None, [knowledge.text.insole["needs_arch"]]
    if "high" in arches and _very_high(intake, knowledge):
        return rules.very_high, ["Your footprint shows a very high arch, so the highest insole arch fits it."]
    heights = {getattr(rules, a) for a in arches}
    chosen = min(heights, key=ARCH_ORDER.index)
    why = [
        f"{rules.text} Your {' and '.join(sorted(set(arches)))} arch → a {chosen.replace('_', ' ')} insole arch."
    ]
    if len(heights) > 1:
        why.append(
            "Your two feet differ: start with the lower arch, or ask a fitter about a different insole per foot."
        )
    return chosen, why


def _expected_benefit(intake: Intake, knowledge: Knowledge) -> str:
    regions = list(dict.fromkeys(p.region for p in painful(intake)))
    if not regions:
        return "No pain was reported, so there is no pain for insoles to relieve."
    benefit = knowledge.insole.benefit
    lines = [f"{knowledge.text.region[r].capitalize()}: {benefit.for_region(r)}" for r in regions]
    return " ".join(dict.fromkeys(lines))


def _withheld(
    intake: Intake,
    present: set[str],
    referral: Referral,
    screening: ScreeningStatus,
    facts: dict[str, Tri],
    knowledge: Knowledge,
) -> tuple[InsoleStatus, str] | None:
    """Why insoles are not advised or must wait (domain.md §6, §6b, §8), or None when they may help."""
    fired = {r.id for r in referral.reasons}
    if any(facts[a] for a in UNSAFE_ANSWERS) or fired & set(UNSAFE_RULES):
        return "not_recommended", knowledge.text.insole["unsafe"]
    if facts["diabetes"] and any(
        facts[a] is None for a in ("loss_of_foot_sensation", "poor_foot_circulation")
    ):
        return "deferred", knowledge.text.insole["diabetes_unanswered"]
    if referral.urgency in ("emergency", "urgent"):
        return "deferred", knowledge.text.insole["see_first"]
    regions = {p.region for p in painful(intake)}
    held = set(screening.held_back_regions)
    if held and (held & FOOT_REGIONS or regions <= held):
        return "deferred", knowledge.text.insole["held_back"]
    if not regions:
        return "not_recommended", knowledge.text.insole["painless_child" if facts["child"] else "painless"]
    back = knowledge.thresholds.screening.back_regions
    sciatica_legs = frozenset({"thigh", "calf", "shin"}) if facts["pain_radiates_down_leg"] else frozenset()
    if regions & back and regions <= back | sciatica_legs:
        return "not_recommended", knowledge.text.insole["back_pain_only"]
    for cids, text in (
        ({"possible_knee_osteoarthritis", "possible_hip_osteoarthritis"}, "osteoarthritis_only"),
        ({"calcaneal_apophysitis"}, "severs_only"),
        ({"growing_pains"}, "growing_pains_only"),
    ):
        served = {r for cid in cids & present for r in knowledge.care.condition_regions.of(cid)}
        if served and regions <= served:
            return "not_recommended", knowledge.text.insole[text]
    return None


def plan_insole(
    intake: Intake,
    feet: FeetFindings,
    conditions: list[Condition],
    referral: Referral,
    screening: ScreeningStatus,
    facts: dict[str, Tri],
    knowledge: Knowledge,
) -> InsolePlan:
    """The insole advice of contracts/assessment.md: deferred, not recommended, or recommended.

    ``recommended`` always comes with an arch height and a size (domain.md §8); without them the plan
    waits (deferred) and says what to measure.
    """
    present = {c.id for c in conditions}
    length, size_notes = _foot_length(intake, knowledge)
    size = size_from_length(length, knowledge.insole.sizing) if length is not None else None
    benefit = _expected_benefit(intake, knowledge)
    withheld = _withheld(intake, present, referral, screening, facts, knowledge)
    if withheld is not None:
        status, reason = withheld
        return InsolePlan(
            status=status, arch_height=None, size=size, why=[reason], fitting=[], expected_benefit=benefit
        )
    arch, why = _arch_height(feet, present, intake, knowledge)
    if size is None:
        why += size_notes or [knowledge.text.insole["needs_size"]]
    if arch is None or size is None:
        return InsolePlan(
            status="deferred", arch_height=None, size=size, why=why, fitting=[], expected_benefit=benefit
        )
    fitting = list(knowledge.insole.fitting.steps)
    if arch in ("high", "extra_high"):
        fitting.append(knowledge.insole.fitting.high_arch_cushioning)
    fitting += [knowledge.insole.fitting.top_cover, knowledge.insole.fitting.replace_when]
    if size.scale == "children":
        size_notes.append(knowledge.text.insole["children_scale"])
    why += [*size_notes, knowledge.chain.insole_effect.text]
    return InsolePlan(
        status="recommended", arch_height=arch, size=size, why=why, fitting=fitting, expected_benefit=benefit
    )
