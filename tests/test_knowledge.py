"""The knowledge files: every rule carries a source, every name a rule reads exists, tables are sane."""

from __future__ import annotations

from typing import Any

import pytest

from footchain.findings.facts import derive_facts
from footchain.findings.feet import assess_feet
from footchain.knowledge import KNOWLEDGE_FILES, RedFlags, load_knowledge, read_toml
from footchain.types import Intake

# text.toml holds wording only (no numbers, no rules), so it is the one file without sources.
RULE_FILES = [name for name in KNOWLEDGE_FILES if name != "text"]


def _entries(data: dict[str, Any], where: str) -> list[tuple[str, dict[str, Any]]]:
    """Every rule table: each top-level table, each item of an array of tables, each classification."""
    found: list[tuple[str, dict[str, Any]]] = []
    for key, value in data.items():
        if isinstance(value, dict):
            if key == "classification":
                found += [(f"{where}:{key}.{name}", table) for name, table in value.items()]
            else:
                found.append((f"{where}:{key}", value))
        elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            found += [(f"{where}:{key}[{i}]", item) for i, item in enumerate(value)]
    return found


@pytest.mark.parametrize("name", RULE_FILES)
def test_every_rule_has_a_source(name: str) -> None:
    entries = _entries(read_toml(name), name)
    assert entries, f"{name}.toml has no rules"
    unsourced = [where for where, table in entries if not (table.get("source") or table.get("sources"))]
    assert not unsourced, f"rules without a source: {unsourced}"


def test_source_check_catches_a_missing_source() -> None:
    data = {"rule": [{"id": "x", "source": "Someone 2020"}, {"id": "y"}], "table": {"value": 1}}
    unsourced = [w for w, t in _entries(data, "f") if not t.get("source")]
    assert unsourced == ["f:rule[1]", "f:table"]


def test_unverified_cutoffs_are_marked() -> None:
    thresholds = read_toml("thresholds")
    for where, table in _entries(thresholds, "thresholds"):
        assert table.get("grade") in ("V", "M"), f"{where} lacks a V/M grade"


def test_every_name_a_rule_reads_is_a_known_fact() -> None:
    knowledge = load_knowledge()
    intake = Intake(schema_version=1)
    feet, _, _ = assess_feet(intake, knowledge)
    facts = derive_facts(intake, feet, knowledge)
    read = {name for rule in knowledge.redflags.rule for name in rule.names()}
    read |= {name for item in knowledge.care.item for name in (*item.when, *item.avoid_if)}
    assert read <= set(facts), f"unknown names: {sorted(read - set(facts))}"
    unworded = {name for rule in knowledge.redflags.rule for name in rule.names()} - set(
        knowledge.text.question
    )
    assert not unworded, f"no question wording for {sorted(unworded)}"


def test_red_flag_rules_must_be_listed_most_urgent_first() -> None:
    """Open questions take the level of the first rule that leaves them open, and referrals list the
    fired rules in file order: both rely on this order, so a rule out of place is refused at load."""
    rules = read_toml("redflags")["rule"]
    RedFlags.model_validate({"rule": rules})
    routine = next(i for i, rule in enumerate(rules) if rule["urgency"] == "routine")
    misplaced = [rules[routine], *rules[:routine], *rules[routine + 1 :]]
    with pytest.raises(ValueError, match="list the rules most urgent first"):
        RedFlags.model_validate({"rule": misplaced})


def test_domain_cutoffs_are_those_of_domain_md() -> None:
    c = load_knowledge().thresholds.classification
    ai = c["arch_index_footprint"]
    assert [ai.label(v) for v in (0.20, 0.21, 0.235, 0.26, 0.30)] == [
        "high",
        "high",
        "normal",
        "flat",
        "flat",
    ]
    fpi = c["fpi6"]
    labels = [fpi.label(v) for v in (-12, -5, -4, -1, 0, 5, 6, 9, 10, 12)]
    assert labels == [
        "highly_supinated", "highly_supinated", "supinated", "supinated", "normal",
        "normal", "pronated", "pronated", "highly_pronated", "highly_pronated",
    ]  # fmt: skip
    csi = c["chippaux_smirak"]
    assert [csi.label(v) for v in (0, 29.9, 30, 39.9, 40, 44.9, 45)] == [
        "cavus", "high", "normal", "normal", "intermediate", "intermediate", "flat",
    ]  # fmt: skip
    clarke = c["clarke_angle"]
    assert [clarke.label(v) for v in (30, 31, 45, 46)] == ["flat", "normal", "normal", "high"]
    pressure = c["arch_index_pressure"]
    assert [pressure.label(v) for v in (0.10, 0.11, 0.25, 0.26)] == ["cavus", "normal", "normal", "planus"]


def test_chain_links_carry_grades_and_sources_of_domain_md() -> None:
    links = {link.id: link for link in load_knowledge().chain.link}
    assert links["pronation_shin"].evidence == "strong"
    assert links["pronation_knee"].evidence == "very_limited"
    assert links["flat_foot_knee"].evidence == "limited"
    assert links["pronated_function_lower_back"].requires_sex == "female"
    assert all(link.sources for link in links.values())
