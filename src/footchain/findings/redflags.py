"""Red-flag screening: which referral rules fire, and which could not be ruled out.

Rules come from ``knowledge/redflags.toml`` (domain.md §6: GIRFT suspected cauda equina pathway 2023;
Finucane et al. 2020, JOSPT 50:350; NICE NG19, NG65, NG12, NG158 and others named per rule). Each rule is
judged on its own, in three-valued logic, so a rule whose questions were not answered is reported as
undecided instead of silently passing; the questions it waits for are named.
"""

from __future__ import annotations

from dataclasses import dataclass

from footchain.findings.facts import FACT_INPUTS, Tri, derive_facts, missing_inputs
from footchain.knowledge import Knowledge, RedFlagRule
from footchain.types import FeetFindings, Health, Intake, Urgency

URGENCY_RANK: dict[Urgency, int] = {"none": 0, "routine": 1, "soon": 2, "urgent": 3, "emergency": 4}
MUST_BE_ANSWERED: frozenset[Urgency] = frozenset({"emergency", "urgent"})
"""'No warning signs found' needs every question of these levels that could still matter answered."""


@dataclass(frozen=True)
class Screening:
    """Rules that fired, and rules that might fire if the missing answers were given."""

    fired: list[RedFlagRule]
    undecided: list[tuple[RedFlagRule, list[str]]]

    @property
    def complete(self) -> bool:
        """Whether every emergency and urgent rule could be decided from the answers given."""
        return not any(rule.urgency in MUST_BE_ANSWERED for rule, _ in self.undecided)

    def unanswered(self) -> dict[str, Urgency]:
        """Each open question with the most urgent rule it could still fire, most urgent first.

        The rules are judged most urgent first (knowledge.RedFlags), so the first rule that leaves a
        question open is its most urgent one.
        """
        levels: dict[str, Urgency] = {}
        for rule, missing in self.undecided:
            for name in missing:
                levels.setdefault(name, rule.urgency)
        return levels


def rule_holds(rule: RedFlagRule, facts: dict[str, Tri]) -> Tri:
    """Whether ``rule`` holds for ``facts``: True, False, or None when answers are missing.

    Kleene logic over the rule's parts (``all``, each ``any`` group, ``at_least``), written as plain
    loops: it runs for every rule of every assessment.
    """
    unknown = False
    for name in rule.all:
        value = facts[name]
        if value is False:
            return False
        unknown |= value is None
    for group in rule.any:
        seen = False
        for name in group:
            value = facts[name]
            if value is True:
                break
            seen |= value is None
        else:
            if not seen:
                return False
            unknown = True
    if rule.at_least:
        values = [facts[name] for name in rule.at_least.of]
        true, open_ = values.count(True), values.count(None)
        if true + open_ < rule.at_least.n:
            return False
        unknown |= true < rule.at_least.n
    return None if unknown else True


def _open_names(names: list[str], facts: dict[str, Tri], decided_by: bool) -> list[str]:
    """The unknown ``names`` of one part, or none when a ``decided_by`` value already settles the part."""
    open_names = []
    for name in names:
        value = facts[name]
        if value is decided_by:
            return []
        if value is None:
            open_names.append(name)
    return open_names


def _missing(rule: RedFlagRule, facts: dict[str, Tri]) -> list[str]:
    """The open questions that keep ``rule`` undecided (those of parts already decided are moot)."""
    open_names = _open_names(rule.all, facts, False)
    for group in rule.any:
        open_names += _open_names(group, facts, True)
    if rule.at_least:
        open_names += [name for name in rule.at_least.of if facts[name] is None]
    if len(open_names) == 1 and open_names[0] not in FACT_INPUTS:
        return open_names
    missing: list[str] = []
    for name in open_names:
        missing += missing_inputs(name, facts)
    return list(dict.fromkeys(missing))


def screen(facts: dict[str, Tri], knowledge: Knowledge) -> Screening:
    """Evaluate every red-flag rule against the person's facts.

    Most answers are "no", so most rules are ruled out by one false name or one all-false ``any`` group:
    set operations find those at once, and only the rest are judged name by name.
    """
    false = {name for name, value in facts.items() if value is False}
    fired: list[RedFlagRule] = []
    undecided: list[tuple[RedFlagRule, list[str]]] = []
    for all_names, any_groups, rule in knowledge.redflags.quick_checks:
        if not all_names.isdisjoint(false):
            continue
        for group in any_groups:
            if group <= false:
                break
        else:
            holds = rule_holds(rule, facts)
            if holds:
                fired.append(rule)
            elif holds is None:
                undecided.append((rule, _missing(rule, facts)))
    return Screening(fired, undecided)


def relevant_questions(intake: Intake, feet: FeetFindings, knowledge: Knowledge) -> dict[str, Urgency]:
    """The screening questions worth asking this person, each with the most urgent rule it could
    fire, most urgent first (emergency questions come first, domain.md §6).

    The screening answers are set aside; a question whose every rule is already decided by what else
    is known (age, sex, where it hurts) is not asked: children's questions only under 16, pregnancy
    questions only where they apply.
    """
    unasked = intake.model_copy(update={"health": Health()})
    levels = screen(derive_facts(unasked, feet, knowledge), knowledge).unanswered()
    return {name: level for name, level in levels.items() if name in Health.model_fields}
