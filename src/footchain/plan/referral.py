"""Referral: how urgently, and to whom, from the red-flag rules that fired (contracts/assessment.md).

The most urgent reason wins; every fired reason is listed, most urgent first. Rules that could not be
ruled out because answers are missing become requests in ``limits`` (never read as "no").
"""

from __future__ import annotations

from footchain.findings.facts import FOOT_REGIONS, painful
from footchain.findings.redflags import Screening
from footchain.knowledge import Knowledge, RedFlagRule
from footchain.types import Intake, Reason, Referral, ReferTo, Urgency

URGENCY_RANK: dict[Urgency, int] = {"none": 0, "routine": 1, "soon": 2, "urgent": 3, "emergency": 4}


def _destination(rule: RedFlagRule, intake: Intake) -> ReferTo:
    if rule.to != "by_region":
        return rule.to
    pains = painful(intake)
    worst = max(pains, key=lambda p: p.intensity) if pains else None
    return "podiatrist" if worst is None or worst.region in FOOT_REGIONS else "physiotherapist"


def refer(screening: Screening, intake: Intake) -> Referral:
    """The referral: the most urgent fired rule decides urgency and destination."""
    fired = sorted(screening.fired, key=lambda r: -URGENCY_RANK[r.urgency])
    if not fired:
        return Referral(urgency="none", to=None, reasons=[])
    return Referral(
        urgency=fired[0].urgency,
        to=_destination(fired[0], intake),
        reasons=[Reason(id=rule.id, text=rule.text) for rule in fired],
    )


def missing_answers(screening: Screening, knowledge: Knowledge) -> list[str]:
    """One request per rule that missing answers keep from being ruled out."""
    requests = []
    for rule, missing in screening.undecided:
        asked = "; ".join(dict.fromkeys(knowledge.text.question[name] for name in missing))
        requests.append(
            f"Not answered: {asked}. Needed to rule out {rule.id.replace('_', ' ')} ({rule.urgency} if present)."
        )
    return requests
