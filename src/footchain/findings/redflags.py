"""Red-flag screening: which referral rules fire, and which could not be ruled out.

Rules come from ``knowledge/redflags.toml`` (domain.md §6: IFOMPT framework, Finucane et al. 2020,
JOSPT 50:350; NICE NG19 and NG65; Ottawa rules). They are evaluated in three-valued logic, so a rule
whose questions were not answered is reported as undecided instead of silently passing.
"""

from __future__ import annotations

from dataclasses import dataclass

from footchain.findings.facts import Tri, tri_all, tri_any
from footchain.knowledge import Knowledge, RedFlagRule


@dataclass(frozen=True)
class Screening:
    """Rules that fired, and rules that might fire if the missing answers were given."""

    fired: list[RedFlagRule]
    undecided: list[tuple[RedFlagRule, list[str]]]


def rule_holds(rule: RedFlagRule, facts: dict[str, Tri]) -> Tri:
    """Whether ``rule`` holds for ``facts``: True, False, or None when answers are missing."""
    parts: list[Tri] = []
    if rule.all:
        parts.append(tri_all(facts[name] for name in rule.all))
    if rule.any:
        parts.append(tri_any(facts[name] for name in rule.any))
    if rule.at_least:
        values = [facts[name] for name in rule.at_least.of]
        true, unknown = values.count(True), values.count(None)
        parts.append(
            True if true >= rule.at_least.n else None if true + unknown >= rule.at_least.n else False
        )
    return tri_all(parts)


def screen(facts: dict[str, Tri], knowledge: Knowledge) -> Screening:
    """Evaluate every red-flag rule against the person's facts."""
    fired: list[RedFlagRule] = []
    undecided: list[tuple[RedFlagRule, list[str]]] = []
    for rule in knowledge.redflags.rule:
        holds = rule_holds(rule, facts)
        if holds:
            fired.append(rule)
        elif holds is None:
            missing = [name for name in dict.fromkeys(rule.names()) if facts[name] is None]
            undecided.append((rule, missing))
    return Screening(fired, undecided)
