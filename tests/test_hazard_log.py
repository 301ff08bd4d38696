"""The hazard log (docs/safety/hazard-log.toml) stays true to the engine and to the tests.

It fails when a red-flag rule of ``knowledge/redflags.toml`` or a contraindication (any name in a care
item's ``avoid_if``) has no hazard entry; when a hazard names a control that does not exist (rule, care
item, contraindication fact, code or knowledge place); when a control names no test or a pytest node
id that does not exist (test files are parsed, and parametrized ids are read from their marks); when a
risk rating is not the matrix's; and when the README's table misses a hazard.
"""

from __future__ import annotations

import ast
import importlib.util
import re
import tomllib
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from footchain.findings.facts import derive_facts
from footchain.findings.feet import assess_feet
from footchain.knowledge import load_knowledge
from footchain.types import Intake

REPO = Path(__file__).resolve().parents[1]
SAFETY = REPO / "docs" / "safety"
LOG: dict[str, Any] = tomllib.loads((SAFETY / "hazard-log.toml").read_text(encoding="utf-8"))
HAZARDS: list[dict[str, Any]] = LOG["hazard"]
SCALES: dict[str, Any] = LOG["scales"]
CATEGORIES = frozenset(
    {"missed_emergency", "false_alarm", "contraindicated_advice", "overclaim", "wrong_size", "privacy"}
)
KINDS = frozenset({"rule", "care_item", "contraindication", "code", "knowledge"})
HAZARD_KEYS = frozenset(
    {
        "id",
        "title",
        "category",
        "cause",
        "effect",
        "initial_risk",
        "control",
        "residual_risk",
        "residual_note",
    }
)
KNOWLEDGE = load_knowledge()
RULE_IDS = frozenset(rule.id for rule in KNOWLEDGE.redflags.rule)
CARE_IDS = frozenset(item.id for item in KNOWLEDGE.care.item)
CONTRAINDICATIONS = frozenset(name for item in KNOWLEDGE.care.item for name in item.avoid_if)
NODE = re.compile(r"^(?P<path>tests/[\w/]+\.py)::(?P<name>\w+)(?:\[(?P<param>[^\]]+)\])?$")


def _controls(kind: str) -> dict[str, list[str]]:
    """Each control of ``kind`` with the hazards that name it."""
    named: dict[str, list[str]] = {}
    for hazard in HAZARDS:
        for control in hazard.get("control", []):
            if control["kind"] == kind:
                named.setdefault(control["ref"], []).append(hazard["id"])
    return named


def _known_facts() -> frozenset[str]:
    """Every fact name the engine derives (health answers, derived and contraindication facts)."""
    intake = Intake(schema_version=1)
    feet, _, _ = assess_feet(intake, KNOWLEDGE)
    return frozenset(derive_facts(intake, feet, KNOWLEDGE))


# ------------------------------------------------------------------------------------------------
# Coverage: every rule and every contraindication has a hazard


def test_every_red_flag_rule_has_a_hazard() -> None:
    missing = sorted(RULE_IDS - set(_controls("rule")))
    assert not missing, f"red-flag rules with no hazard entry in docs/safety/hazard-log.toml: {missing}"


def test_every_contraindication_has_a_hazard() -> None:
    missing = sorted(CONTRAINDICATIONS - set(_controls("contraindication")))
    assert not missing, f"contraindications (care.toml avoid_if) with no hazard entry: {missing}"


def test_every_category_is_covered() -> None:
    assert {h["category"] for h in HAZARDS} == CATEGORIES


# ------------------------------------------------------------------------------------------------
# Shape and risk ratings


def test_hazards_are_well_formed() -> None:
    ids = [h["id"] for h in HAZARDS]
    assert len(ids) == len(set(ids)), f"duplicate hazard ids: {sorted(i for i in ids if ids.count(i) > 1)}"
    for hazard in HAZARDS:
        assert set(hazard) == HAZARD_KEYS, f"{hazard['id']}: keys {sorted(set(hazard) ^ HAZARD_KEYS)}"
        assert hazard["category"] in CATEGORIES, f"{hazard['id']}: unknown category {hazard['category']}"
        assert hazard["control"], f"{hazard['id']}: a hazard needs at least one control"
        for control in hazard["control"]:
            assert set(control) == {"kind", "ref", "tests"}, f"{hazard['id']}: control keys {sorted(control)}"
            assert control["kind"] in KINDS, f"{hazard['id']}: unknown control kind {control['kind']}"
            assert control["tests"], f"{hazard['id']}: control {control['ref']} names no test"


def _rating(risk: dict[str, Any]) -> int:
    row = SCALES["likelihood"].index(risk["likelihood"])
    column = SCALES["severity"].index(risk["severity"])
    rating: int = SCALES["matrix"][row][column]
    return rating


@pytest.mark.parametrize("hazard", HAZARDS, ids=[h["id"] for h in HAZARDS])
def test_risk_ratings_follow_the_matrix(hazard: dict[str, Any]) -> None:
    for when in ("initial_risk", "residual_risk"):
        risk = hazard[when]
        assert risk["rating"] == _rating(risk), f"{hazard['id']} {when}: the matrix gives {_rating(risk)}"
    assert hazard["residual_risk"]["rating"] <= hazard["initial_risk"]["rating"]
    assert hazard["residual_risk"]["rating"] <= SCALES["acceptable_residual_at_most"], (
        f"{hazard['id']}: residual risk {hazard['residual_risk']['rating']} is not acceptable"
    )


# ------------------------------------------------------------------------------------------------
# Every control exists


def test_rule_controls_exist() -> None:
    unknown = {ref: hz for ref, hz in _controls("rule").items() if ref not in RULE_IDS}
    assert not unknown, f"hazards name red-flag rules that do not exist: {unknown}"


def test_care_item_controls_exist() -> None:
    unknown = {ref: hz for ref, hz in _controls("care_item").items() if ref not in CARE_IDS}
    assert not unknown, f"hazards name care items that do not exist: {unknown}"


def test_contraindication_controls_exist() -> None:
    facts = _known_facts()
    unknown = {
        ref: hz
        for ref, hz in _controls("contraindication").items()
        if ref not in facts or ref not in CONTRAINDICATIONS
    }
    assert not unknown, f"hazards name contraindications no care item uses or no fact holds: {unknown}"


def _defines(source: str, name: str) -> bool:
    """Whether ``source`` defines ``name`` at any level: a def, class, assignment or annotated name."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) and node.name == name:
            return True
        targets = (
            node.targets
            if isinstance(node, ast.Assign)
            else [node.target]
            if isinstance(node, ast.AnnAssign)
            else []
        )
        if any(isinstance(t, ast.Name) and t.id == name for t in targets):
            return True
    return False


def test_code_controls_exist() -> None:
    for ref, hazards in _controls("code").items():
        path, _, name = ref.partition("::")
        file = REPO / path
        assert file.is_file(), f"{hazards}: no file {path}"
        if name:
            assert _defines(file.read_text(encoding="utf-8"), name), f"{hazards}: {path} defines no {name}"


def _has_key(data: Any, keys: list[str]) -> bool:
    if not keys:
        return True
    if isinstance(data, list):
        return any(_has_key(item, keys) for item in data)
    return isinstance(data, dict) and keys[0] in data and _has_key(data[keys[0]], keys[1:])


def test_knowledge_controls_exist() -> None:
    for ref, hazards in _controls("knowledge").items():
        path, _, key = ref.partition("::")
        file = REPO / path
        assert file.is_file(), f"{hazards}: no file {path}"
        data = tomllib.loads(file.read_text(encoding="utf-8"))
        assert _has_key(data, key.split(".")), f"{hazards}: {path} has no key {key}"


# ------------------------------------------------------------------------------------------------
# Every test named exists: parsed from its file, parametrized ids read from its marks


def _load(path: Path) -> ModuleType:
    name = "hazard_log_" + "_".join(path.relative_to(REPO).with_suffix("").parts)
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _param_ids(function: Any) -> set[str]:
    """The ids pytest gives a function's single @pytest.mark.parametrize (list or callable ids)."""
    ids: set[str] = set()
    for mark in getattr(function, "pytestmark", []):
        if mark.name != "parametrize":
            continue
        values = list(mark.args[1])
        given = mark.kwargs.get("ids")
        if callable(given):
            ids |= {given(value) for value in values}
        elif given is not None:
            ids |= {str(i) for i in given}
        else:
            ids |= {str(value) for value in values if isinstance(value, str | int)}
    return ids


def _test_names(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {
        node.name
        for node in tree.body
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith("test_")
    }


def test_every_named_test_exists() -> None:
    names: dict[Path, set[str]] = {}
    modules: dict[Path, ModuleType] = {}
    problems: list[str] = []
    for hazard in HAZARDS:
        for control in hazard["control"]:
            for node in control["tests"]:
                match = NODE.match(node)
                if match is None:
                    problems.append(f"{hazard['id']}: {node!r} is not a pytest node id")
                    continue
                path = REPO / match["path"]
                if not path.is_file():
                    problems.append(f"{hazard['id']}: no test file {match['path']}")
                    continue
                if match["name"] not in names.setdefault(path, _test_names(path)):
                    problems.append(f"{hazard['id']}: {match['path']} has no test {match['name']}")
                    continue
                if match["param"] is not None:
                    module = modules.setdefault(path, _load(path))
                    if match["param"] not in _param_ids(getattr(module, match["name"])):
                        problems.append(f"{hazard['id']}: {node} names a parameter that does not exist")
    assert not problems, "\n".join(problems)


def test_the_readme_lists_every_hazard() -> None:
    readme = (SAFETY / "README.md").read_text(encoding="utf-8")
    rows = set(re.findall(r"^\| (HZ-\d+) \|", readme, flags=re.MULTILINE))
    assert rows == {h["id"] for h in HAZARDS}, (
        f"README table vs log: {sorted(rows ^ {h['id'] for h in HAZARDS})}"
    )
