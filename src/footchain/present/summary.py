"""What a report says first, in plain words: the one-line answer, what to do now, and the why per region.

The report leads with the decision a person in pain needs (domain.md §6: red flags always win), then the
two or three most useful actions, and only then the reasoning. The reasoning is folded per painful
region, with the left and right versions of a link merged when they say the same, and the research
numbers (odds ratios, standardised mean differences, index values) kept out of the plain text: they stay
in the full wording under "The evidence" (``plain_words`` drops them; the full text is shown beside it).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from footchain.findings.chain import EVIDENCE_RANK
from footchain.knowledge import load_knowledge
from footchain.plan.referral import SEE_FIRST
from footchain.present.body_map import EVIDENCE_STYLES, REGION_NAMES, LineStyle, chain_numbers
from footchain.types import (
    Assessment,
    CareItem,
    ChainEntry,
    ChainLink,
    Evidence,
    Health,
    Intake,
    Reason,
    Referral,
    Region,
)

TOP_ACTIONS = 3
"""How many self-care items "What to do now" shows; the rest are one click away."""

_STATISTICS = re.compile(r"\s*\([^()]*\d[^()]*\)")
"""A bracketed aside that carries numbers: "(odds ratio 1.3 in 1,903 people)", "(about 2° less …)"."""


def plain_words(text: str) -> str:
    """A sentence without its bracketed research numbers; the full sentence is kept for "The evidence".

    "…knee pain a little more often (odds ratio 1.3 in 1,903 people)." becomes "…knee pain a little more
    often." Brackets without digits ("(medial tibial stress syndrome)") stay: they name, not measure.
    """
    return _STATISTICS.sub("", text)


def has_numbers(text: str) -> bool:
    """Whether ``plain_words`` would drop something, i.e. the full text has more to show."""
    return plain_words(text) != text


def _rule_urgency() -> dict[str, str]:
    return {rule.id: rule.urgency for rule in load_knowledge().redflags.rule}


def reason_for_clinician(reason: Reason) -> Reason:
    """A red-flag reason worded for the clinician (redflags.toml ``clinician_text``): the same clinical
    content about "the patient". A reason the knowledge file does not know keeps its words."""
    rule = next((rule for rule in load_knowledge().redflags.rule if rule.id == reason.id), None)
    return reason if rule is None else reason.model_copy(update={"text": rule.clinician_text})


def shown_reasons(referral: Referral, *, clinician: bool = False) -> tuple[Reason, ...]:
    """The referral's reasons to show beside it: in an emergency or same-day referral only the reasons of
    that weight, so that nothing routine ("a routine visit") stands beside an emergency. ``clinician``
    words them for the clinician (``reason_for_clinician``)."""
    reasons = tuple(referral.reasons)
    if referral.urgency in SEE_FIRST:
        urgency = _rule_urgency()
        reasons = tuple(r for r in reasons if urgency.get(r.id, referral.urgency) in SEE_FIRST)
    return tuple(reason_for_clinician(r) for r in reasons) if clinician else reasons


def _places(regions: list[str]) -> str:
    if len(regions) <= 1:
        return "".join(regions)
    return ", ".join(regions[:-1]) + " and " + regions[-1]


def summary_line(assessment: Assessment, intake: Intake, *, complete: bool, whose: str = "your") -> str:
    """The one-line answer at the top of the report: urgent help first, else whether the feet may play a
    part. ``whose`` is "your" in the person's report and "the patient's" in the clinician's."""
    urgency = assessment.referral.urgency
    if urgency == "emergency":
        return f"Some of {whose} answers are warning signs that need help now: act on the advice below first."
    if urgency == "urgent":
        return f"Some of {whose} answers need a doctor's look today: act on the advice below first."
    if not intake.pain:
        return f"No pain was marked, so this report is about {whose} feet and general foot care."
    linked = list(dict.fromkeys(REGION_NAMES[entry.region] for entry in assessment.chain))
    unlinked = list(
        dict.fromkeys(
            REGION_NAMES[item.region]
            for item in assessment.unexplained
            if REGION_NAMES[item.region] not in linked
        )
    )
    parts: list[str] = []
    if linked:
        best = min(assessment.chain, key=lambda entry: EVIDENCE_RANK[entry.evidence])
        strength = EVIDENCE_STYLES[best.evidence].name.lower()
        parts.append(f"{whose} feet may play a part in {whose} {_places(linked)} pain ({strength} at best)")
    if unlinked:
        verb = "is" if len(unlinked) == 1 else "are"
        parts.append(f"{whose} {_places(unlinked)} pain {verb} probably not mainly from {whose} feet")
    if not parts:
        parts.append(f"We could not tell whether {whose} feet play a part in {whose} pain")
    sentence = "; ".join(parts)
    sentence = sentence[:1].upper() + sentence[1:] + "."
    if not complete and urgency == "none":
        sentence += " Some warning-sign questions are still open: see below."
    return sentence


@dataclass(frozen=True)
class Actions:
    """The self-care split into what to do now (the few that help most, ``ranked_care``) and the rest."""

    now: tuple[CareItem, ...]
    more: tuple[CareItem, ...]


def worst_pain_served(item: CareItem, intake: Intake) -> int:
    """The highest pain score among the painful regions a care item is for: its own regions and its
    conditions' (care.toml ``condition_regions``); an item offered for a fact or a red flag ("runner with
    leg pain", "hard floors") serves every painful region. 0 when it serves none that hurts."""
    care = load_knowledge().care
    regions: set[str] = set()
    bound = False
    for reason in item.for_:
        if reason in REGION_NAMES:
            regions.add(reason)
            bound = True
        elif found := care.condition_regions.of(reason):
            regions.update(found)
            bound = True
    scores = [pain.intensity for pain in intake.pain if not bound or pain.region in regions]
    return max(scores, default=0)


def ranked_care(assessment: Assessment, intake: Intake) -> tuple[CareItem, ...]:
    """The care plan in the order that helps the person most: safety advice first (it stands with any
    referral, domain.md §6), then the item for the worst pain, then the stronger evidence grade
    (care.toml ``grade``); ties keep the knowledge file's order."""
    rules = {rule.id: rule for rule in load_knowledge().care.item}
    weakest = max(EVIDENCE_RANK.values()) + 1

    def rank(indexed: tuple[int, CareItem]) -> tuple[bool, int, int, int]:
        index, item = indexed
        rule = rules.get(item.id)
        safety = rule is not None and rule.safety
        grade = EVIDENCE_RANK[rule.grade] if rule is not None else weakest
        return (not safety, -worst_pain_served(item, intake), grade, index)

    return tuple(item for _, item in sorted(enumerate(assessment.care_plan), key=rank))


def for_clinician(item: CareItem) -> CareItem:
    """A care item worded for the clinician (care.toml ``clinician_text``, ``clinician_dose``,
    ``clinician_caution``): the same advice about "the patient". An item the knowledge file does not
    know (one built by hand) keeps its words."""
    rule = next((rule for rule in load_knowledge().care.item if rule.id == item.id), None)
    if rule is None:
        return item
    cautions = [
        rule.clinician_caution if caution == rule.caution and rule.clinician_caution else caution
        for caution in item.cautions
    ]
    return item.model_copy(
        update={"text": rule.clinician_text, "dose": rule.clinician_dose or item.dose, "cautions": cautions}
    )


def actions(assessment: Assessment, intake: Intake, *, clinician: bool = False) -> Actions:
    """The care plan as "do now" (the first ``TOP_ACTIONS`` of ``ranked_care``) and "more you can do";
    beside an emergency or same-day referral the plan holds only the safety advice (domain.md §6).
    ``clinician`` words every item for the clinician (``for_clinician``)."""
    care = ranked_care(assessment, intake)
    if clinician:
        care = tuple(for_clinician(item) for item in care)
    return Actions(now=care[:TOP_ACTIONS], more=care[TOP_ACTIONS:])


@dataclass(frozen=True)
class LinkItem:
    """One link of the chain as a numbered item; left and right entries that say the same are one item."""

    number: int
    condition_id: str
    condition: str
    side_words: str
    evidence: Evidence
    style: LineStyle
    plain: str
    full: str
    sources: tuple[str, ...]
    path: str


@dataclass(frozen=True)
class RegionWhy:
    """The links that may explain one painful region, strongest first, under one fold."""

    region: Region
    name: str
    links: tuple[LinkItem, ...]

    @property
    def strongest(self) -> LineStyle:
        return min(self.links, key=lambda link: EVIDENCE_RANK[link.evidence]).style


def _side_words(sides: set[str | None]) -> str:
    if "both" in sides or {"left", "right"} <= sides:
        return "both sides"
    named = sorted(side for side in sides if side in ("left", "right"))
    return named[0] + " side" if named else "side not given"


def region_whys(chain: list[ChainEntry], link_names: Mapping[ChainLink, str]) -> tuple[RegionWhy, ...]:
    """The chain grouped by painful region, numbered like the body map's markers (``chain_numbers``)."""
    text = load_knowledge().text
    numbers = chain_numbers(chain)
    items: dict[int, tuple[ChainEntry, set[str | None]]] = {}
    for number, entry in zip(numbers, chain, strict=True):
        if number in items:
            items[number][1].add(entry.side)
        else:
            items[number] = (entry, {entry.side})
    by_region: dict[Region, list[LinkItem]] = {}
    for number, (entry, sides) in items.items():
        condition = text.condition.get(entry.condition) or entry.condition.replace("_", " ")
        by_region.setdefault(entry.region, []).append(
            LinkItem(
                number=number,
                condition_id=entry.condition,
                condition=condition[:1].upper() + condition[1:],
                side_words=_side_words(sides),
                evidence=entry.evidence,
                style=EVIDENCE_STYLES[entry.evidence],
                plain=plain_words(entry.explanation),
                full=entry.explanation,
                sources=tuple(entry.sources),
                path=" → ".join(link_names[link] for link in entry.path),
            )
        )
    return tuple(
        RegionWhy(
            region=region,
            name=REGION_NAMES[region][:1].upper() + REGION_NAMES[region][1:],
            links=tuple(sorted(links, key=lambda link: (EVIDENCE_RANK[link.evidence], link.number))),
        )
        for region, links in by_region.items()
    )


def tell_clinician(intake: Intake) -> tuple[str, ...]:
    """A short summary to show or read out to the clinician: the warning signs, the pain, the person."""
    text = load_knowledge().text
    lines: list[str] = []
    signs = [
        text.question.get(name, name.replace("_", " "))
        for name in Health.model_fields
        if getattr(intake.health, name) is True
    ]
    if signs:
        lines.append("I answered yes to: " + "; ".join(signs) + ".")
    for pain in sorted(intake.pain, key=lambda p: -p.intensity):
        side = f"{pain.side} " if pain.side in ("left", "right") else ""
        where = f"{side}{REGION_NAMES[pain.region]}" + (" (both sides)" if pain.side == "both" else "")
        since = ""
        if pain.duration_weeks is not None:
            weeks = pain.duration_weeks
            since = f", for {weeks:g} week{'' if weeks == 1 else 's'}"
        lines.append(f"Pain in my {where}: {pain.intensity} out of 10{since}.")
    person = intake.person
    about = []
    if person.age_years is not None:
        about.append(f"I am {person.age_years}")
    if intake.health.diabetes:
        about.append("I have diabetes")
    if about:
        lines.append(" and ".join(about) + ".")
    return tuple(lines)


def answers_summary(intake: Intake, *, clinician: bool = False) -> tuple[tuple[str, str], ...]:
    """The person's answers in a few lines (what they told us, not what we concluded), for the one-page
    summary at the end of the report: the person, activity, feet, shoes and the warning-sign answers.
    ``clinician``: worded about the patient, for the clinic's copy."""
    text = load_knowledge().text
    they = "they" if clinician else "you"
    their = "their" if clinician else "your"
    rows: list[tuple[str, str]] = []
    person = intake.person
    about = [
        f"{person.age_years} years" if person.age_years is not None else None,
        person.sex,
        f"{person.height_cm:g} cm" if person.height_cm is not None else None,
        f"{person.weight_kg:g} kg" if person.weight_kg is not None else None,
    ]
    if any(about):
        rows.append(("About the patient" if clinician else "About you", ", ".join(a for a in about if a)))
    if person.shoe_size is not None:
        system = text.shop.system.get(person.shoe_size.system, person.shoe_size.system)
        rows.append(("Shoe size", f"{system} {person.shoe_size.value:g}"))
    activity = intake.activity
    doing = [
        f"running {activity.running_km_per_week:g} km a week"
        if activity.running_km_per_week is not None
        else None,
        f"walking {activity.walking_km_per_week:g} km a week"
        if activity.walking_km_per_week is not None
        else None,
        f"on {their} feet {activity.standing_hours_per_day:g} hours a day"
        if activity.standing_hours_per_day is not None
        else None,
        "on hard floors" if activity.hard_surfaces else None,
        "more training lately" if activity.recent_load_increase else None,
        ", ".join(activity.sports) if activity.sports else None,
    ]
    if any(doing):
        rows.append(("Activity", "; ".join(d for d in doing if d)))
    feet = intake.feet
    arch = [
        f"{they} see {their} arch as {feet.self_reported_arch}" if feet.self_reported_arch else None,
        {True: f"it flattens when {they} stand", False: f"it keeps its shape when {they} stand", None: None}[
            feet.arch_flattens_when_standing
        ],
        f"a clinician scored {their} foot posture" if feet.fpi6 else None,
        "a footprint was measured" if feet.footprint else None,
    ]
    if any(arch):
        rows.append(("Feet", "; ".join(a for a in arch if a)))
    wear = intake.shoe_wear
    worn = [
        f"{side} shoe worn at " + ", ".join(zone.replace("_", " ") for zone in zones)
        for side, zones in (("left", wear.left), ("right", wear.right))
        if zones
    ]
    if worn:
        rows.append(("Shoe wear", "; ".join(worn)))
    answered = {name: getattr(intake.health, name) for name in Health.model_fields}
    yes = [
        text.question.get(name, name.replace("_", " ")) for name, value in answered.items() if value is True
    ]
    no = sum(1 for value in answered.values() if value is False)
    open_ = sum(1 for value in answered.values() if value is None)
    rows.append(
        (
            "Warning-sign questions",
            (f"yes to: {'; '.join(yes)}. " if yes else "")
            + f"{no} answered no"
            + (f", {open_} not answered" if open_ else "")
            + ".",
        )
    )
    return tuple(rows)
