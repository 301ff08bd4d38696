"""Referral: how urgently, and to whom, from the red-flag rules that fired (contracts/assessment.md).

The most urgent reason wins; every fired reason is listed, most urgent first. Rules that could not be
ruled out because answers are missing become requests in ``limits`` (never read as "no"), emergency
questions first. Any red-flag reason (emergency, urgent or soon) holds back the chain, insoles and
self-care for the regions it concerns (domain.md §6).
"""

from __future__ import annotations

from typing import get_args

from footchain.findings.facts import FOOT_REGIONS, painful
from footchain.findings.redflags import Screening
from footchain.knowledge import Knowledge, RedFlagRule
from footchain.types import Intake, OpenQuestion, Referral, ReferTo, Region, ScreeningStatus, Urgency

RED_FLAG_LEVELS = frozenset({"emergency", "urgent", "soon"})
SEE_FIRST: frozenset[Urgency] = frozenset({"emergency", "urgent"})
"""Referral urgencies that hold back all product advice and are shown at once, before any other question."""
ALL_REGIONS: tuple[Region, ...] = get_args(Region)
LEVEL_WORDS: dict[Urgency, str] = {
    "emergency": "could mean an emergency",
    "urgent": "could need a doctor today",
    "soon": "could need a doctor within two weeks",
    "routine": "could need a routine visit",
}


def _destination(rule: RedFlagRule, intake: Intake) -> ReferTo:
    if rule.to != "by_region":
        return rule.to
    pains = painful(intake)
    worst = max(pains, key=lambda p: p.intensity) if pains else None
    return "podiatrist" if worst is None or worst.region in FOOT_REGIONS else "physiotherapist"


def refer(screening: Screening, intake: Intake) -> Referral:
    """The referral: the most urgent fired rule decides urgency and destination."""
    fired = screening.fired  # most urgent first, as the rules are listed
    if not fired:
        return Referral(urgency="none", to=None, reasons=[])
    return Referral(
        urgency=fired[0].urgency,
        to=_destination(fired[0], intake),
        reasons=[rule.reason for rule in fired],
        call_emergency_services=any(rule.call for rule in fired),
    )


def held_back(screening: Screening) -> tuple[list[Region], list[str]]:
    """The regions whose chain, insoles and self-care wait for a clinician, and the reasons why."""
    regions: set[Region] = set()
    because: list[str] = []
    for rule in screening.fired:
        if rule.urgency not in RED_FLAG_LEVELS:
            continue
        everywhere = rule.urgency in SEE_FIRST or "all" in rule.concerns
        regions.update(ALL_REGIONS if everywhere else rule.concerns)  # type: ignore[arg-type]
        because.append(rule.id)
    return [r for r in ALL_REGIONS if r in regions] if regions else [], because


_QUESTIONS: dict[tuple[str, Urgency], OpenQuestion] = {}
"""Open questions made once per question and level (a screening often has 30 open ones)."""


def _open_question(name: str, level: Urgency, words: dict[str, str]) -> OpenQuestion:
    question = OpenQuestion(id=name, question=words.get(name, name.replace("_", " ")), could_mean=level)
    _QUESTIONS[(name, level)] = question
    return question


def screening_status(screening: Screening, knowledge: Knowledge) -> ScreeningStatus:
    """The screening's completeness, its open questions (most urgent first) and what it holds back."""
    words = knowledge.text.question
    regions, because = held_back(screening)
    return ScreeningStatus(
        complete=screening.complete,
        unanswered=[
            _QUESTIONS.get(key) or _open_question(*key, words) for key in screening.unanswered().items()
        ],
        held_back_regions=regions,
        held_back_because=because,
    )


def missing_answers(status: ScreeningStatus) -> list[str]:
    """One request per level of open questions, the most urgent first (they open the ``limits``)."""
    asked: dict[Urgency, dict[str, None]] = {}
    for question in status.unanswered:
        asked.setdefault(question.could_mean, {})[question.question] = None
    return [
        f"Not answered yet, and a “yes” {words}: " + "; ".join(asked[level]) + "."
        for level, words in LEVEL_WORDS.items()
        if level in asked
    ]


def held_back_note(status: ScreeningStatus, referral: Referral, knowledge: Knowledge) -> str | None:
    """Why part of the advice is held back, in one sentence, or None when nothing is."""
    if not status.held_back_regions:
        return None
    if referral.urgency in SEE_FIRST or set(status.held_back_regions) == set(ALL_REGIONS):
        return (
            "Because of the warning sign above, footchain holds back how your feet may link to your pain, "
            "insole advice and self-care until a clinician has seen you; only safety advice stays."
        )
    names = ", ".join(knowledge.text.region[r] for r in status.held_back_regions)
    return (
        f"Because of the warning sign above, footchain holds back the foot links, insoles and self-care for "
        f"these areas until a doctor has checked it: {names}."
    )
