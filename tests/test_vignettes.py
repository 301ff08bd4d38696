"""The clinical vignette suite (acceptance criterion): every case of tests/vignettes.toml through the engine.

Each vignette states a person's intake and only the expectations that matter for that case, written from
shared/domain.md and shared/contracts/assessment.md. A failing case is named by its vignette id, and its
message lists every expectation it missed, with what the engine returned instead.

Expectation keys (all optional):

    urgency, urgency_in, to                  referral.urgency / .to ("null" = JSON null)
    reasons_include, reasons_exclude         referral reason ids
    first_reason                             the most urgent reason, listed first
    arch_left, arch_right                    feet.<side>.arch_type
    posture_left, posture_right              feet.<side>.posture
    basis_left_mention, basis_right_mention  substrings each found in feet.<side>.basis
    conditions_include                       partial matches on conditions ({id, side, confidence, because})
    conditions_exclude                       condition ids that must be absent
    max_confidence                           no condition may be more confident than this
    chain_include                            partial matches on chain entries
    chain_empty                              true: no chain entry at all
    no_chain_for_regions                     regions with no chain entry
    unexplained_regions                      exactly these regions are unexplained
    unexplained_include                      partial matches on unexplained entries
    insole_status, insole_arch               insole.status / .arch_height ("null" = JSON null)
    size                                     partial match on insole.size, or "null"
    insole_why_mention, fitting_mention      substrings found in insole.why / insole.fitting
    benefit_mention                          substrings found in insole.expected_benefit
    care_include                             care ids, or tables {id, dose, caution = true/false, for}
    care_exclude                             care ids that must be absent
    care_empty                               true: no care plan at all
    care_safety_only                         true: only safety advice (care.toml `safety = true`) remains
    limits_mention, limits_exclude           substrings (case-insensitive) found / not found in limits
    first_limit_mention                      substrings found in the very first limit (what is shown first)
    screening_complete                       screening.complete (true only when every emergency and
                                             urgent question that could matter was answered)
    call_emergency_services                  referral.call_emergency_services
    held_back_regions_include / _exclude     regions in / not in screening.held_back_regions
    held_back_empty                          true: nothing is held back
    unanswered_include, unanswered_exclude   question ids in / not in screening.unanswered
    unanswered_first_level                   could_mean of the first open question (most urgent first)
    size_scale                               insole.size.scale ("adult" or "children")
    sizes_positive                           true: every size of insole.size is above zero
    refused                                  the intake must be refused as implausible: an IntakeError
                                             whose message names this field (then no other key is allowed)
    refused_mention                          substrings the refusal message must also hold

In partial matches, text-like fields (because, text, explanation, sources, dose, basis) match by
substring, case-insensitive, and a list field matches a single expected value when any item does.
"""

from __future__ import annotations

import math
import tomllib
from pathlib import Path
from typing import Any

import pytest

from footchain import assess
from footchain.errors import IntakeError
from footchain.intake import parse_intake
from footchain.knowledge import load_knowledge
from footchain.types import Health

VIGNETTES_FILE = Path(__file__).with_name("vignettes.toml")
HEALTH_QUESTIONS: tuple[str, ...] = tuple(Health.model_fields)
"""Every screening question of the intake model: `screened = true` answers each one (default "no")."""
TEXT_FIELDS = frozenset({"because", "text", "explanation", "sources", "dose", "basis", "cautions"})
CONFIDENCE_RANK = {"low": 0, "moderate": 1, "high": 2}
EXPECT_KEYS = frozenset(
    {
        "urgency", "urgency_in", "to", "reasons_include", "reasons_exclude", "first_reason",
        "arch_left", "arch_right", "posture_left", "posture_right",
        "basis_left_mention", "basis_right_mention",
        "conditions_include", "conditions_exclude", "max_confidence",
        "chain_include", "chain_empty", "no_chain_for_regions",
        "unexplained_regions", "unexplained_include",
        "insole_status", "insole_arch", "size", "insole_why_mention", "fitting_mention", "benefit_mention",
        "care_include", "care_exclude", "care_empty",
        "limits_mention", "limits_exclude", "first_limit_mention",
        "care_safety_only", "screening_complete", "call_emergency_services",
        "held_back_regions_include", "held_back_regions_exclude", "held_back_empty",
        "unanswered_include", "unanswered_exclude", "unanswered_first_level",
        "size_scale", "sizes_positive", "refused", "refused_mention",
    }
)  # fmt: skip
REFUSAL_KEYS = frozenset({"refused", "refused_mention"})
SAFETY_CARE = frozenset(item.id for item in load_knowledge().care.item if item.safety)
VIGNETTE_KEYS = frozenset({"id", "story", "screened", "unasked", "intake", "expect"})


def _load() -> list[dict[str, Any]]:
    with VIGNETTES_FILE.open("rb") as handle:
        vignettes: list[dict[str, Any]] = tomllib.load(handle)["vignette"]
    return vignettes


VIGNETTES = _load()


def _null(value: Any) -> Any:
    return None if value == "null" else value


def build_intake(vignette: dict[str, Any]) -> dict[str, Any]:
    """The intake as the person gave it, with `screened` answers filled in as 'no' (except `unasked`)."""
    intake = dict(vignette["intake"])
    if vignette.get("screened"):
        unasked = set(vignette.get("unasked", []))
        assert unasked <= set(HEALTH_QUESTIONS), f"unknown unasked questions {sorted(unasked)}"
        given = dict(intake.get("health", {}))
        overlap = unasked & set(given)
        assert not overlap, f"questions both answered and unasked: {sorted(overlap)}"
        intake["health"] = {q: given.get(q, False) for q in HEALTH_QUESTIONS if q not in unasked}
    return intake


def _text_match(actual: Any, expected: str) -> bool:
    items = actual if isinstance(actual, list) else [actual]
    return any(isinstance(i, str) and expected.lower() in i.lower() for i in items)


def _equal(actual: Any, expected: Any) -> bool:
    if isinstance(expected, bool) or isinstance(actual, bool):
        return actual is expected
    if isinstance(expected, int | float) and isinstance(actual, int | float):
        return not isinstance(actual, bool) and math.isclose(actual, expected, abs_tol=1e-6)
    return bool(actual == expected)


def partial_match(actual: dict[str, Any], expected: dict[str, Any]) -> bool:
    """Whether every key of ``expected`` holds in ``actual`` (see the module docstring)."""
    for key, want in expected.items():
        got = actual.get(key)
        if key in TEXT_FIELDS and isinstance(want, str):
            if not _text_match(got, want):
                return False
        elif isinstance(got, list) and not isinstance(want, list):
            if not any(_equal(item, want) for item in got):
                return False
        elif not _equal(got, _null(want)):
            return False
    return True


def _short(items: list[dict[str, Any]], keys: tuple[str, ...]) -> list[dict[str, Any]]:
    """A compact view of output entries for failure messages."""
    return [{k: item.get(k) for k in keys if k in item} for item in items]


class Checker:
    """Collects every missed expectation of one vignette, so one run shows them all."""

    def __init__(self, out: dict[str, Any]) -> None:
        self.out = out
        self.problems: list[str] = []

    def fail(self, message: str) -> None:
        self.problems.append(message)

    def equal(self, what: str, got: Any, want: Any) -> None:
        if not _equal(got, _null(want)):
            self.fail(f"{what}: expected {_null(want)!r}, got {got!r}")

    def mentions(self, what: str, texts: list[str], wanted: list[str], *, present: bool = True) -> None:
        for sub in wanted:
            if _text_match(texts, sub) != present:
                verb = "should mention" if present else "should not mention"
                self.fail(f"{what} {verb} {sub!r}; got {texts!r}")


def check_referral(c: Checker, exp: dict[str, Any]) -> None:
    ref = c.out["referral"]
    ids = [r["id"] for r in ref["reasons"]]
    if "urgency" in exp:
        c.equal("referral.urgency", ref["urgency"], exp["urgency"])
    if "urgency_in" in exp and ref["urgency"] not in exp["urgency_in"]:
        c.fail(f"referral.urgency: expected one of {exp['urgency_in']}, got {ref['urgency']!r}")
    if "to" in exp:
        c.equal("referral.to", ref["to"], exp["to"])
    for rid in exp.get("reasons_include", []):
        if rid not in ids:
            c.fail(f"referral.reasons should include {rid!r}; got {ids}")
    for rid in exp.get("reasons_exclude", []):
        if rid in ids:
            c.fail(f"referral.reasons should not include {rid!r}; got {ids}")
    if "first_reason" in exp and (not ids or ids[0] != exp["first_reason"]):
        c.fail(f"the most urgent reason should be listed first: expected {exp['first_reason']!r}, got {ids}")


def check_feet(c: Checker, exp: dict[str, Any]) -> None:
    for side in ("left", "right"):
        foot = c.out["feet"][side]
        if f"arch_{side}" in exp:
            c.equal(f"feet.{side}.arch_type", foot["arch_type"], exp[f"arch_{side}"])
        if f"posture_{side}" in exp:
            c.equal(f"feet.{side}.posture", foot["posture"], exp[f"posture_{side}"])
        c.mentions(f"feet.{side}.basis", foot["basis"], exp.get(f"basis_{side}_mention", []))


def check_conditions(c: Checker, exp: dict[str, Any]) -> None:
    conditions = c.out["conditions"]
    shown = _short(conditions, ("id", "side", "confidence"))
    for want in exp.get("conditions_include", []):
        if not any(partial_match(cond, want) for cond in conditions):
            c.fail(f"conditions should include {want}; got {shown}")
    for cid in exp.get("conditions_exclude", []):
        if any(cond["id"] == cid for cond in conditions):
            c.fail(f"conditions should not include {cid!r}; got {shown}")
    if "max_confidence" in exp:
        ceiling = CONFIDENCE_RANK[exp["max_confidence"]]
        too_sure = [cond for cond in conditions if CONFIDENCE_RANK[cond["confidence"]] > ceiling]
        if too_sure:
            c.fail(
                f"no condition may be more than {exp['max_confidence']!r} confidence here; got "
                f"{_short(too_sure, ('id', 'side', 'confidence', 'because'))}"
            )


def check_chain(c: Checker, exp: dict[str, Any]) -> None:
    chain = c.out["chain"]
    shown = _short(chain, ("condition", "region", "side", "evidence", "sources"))
    for want in exp.get("chain_include", []):
        if not any(partial_match(entry, want) for entry in chain):
            c.fail(f"chain should include {want}; got {shown}")
    if exp.get("chain_empty") and chain:
        c.fail(f"chain should be empty; got {shown}")
    for region in exp.get("no_chain_for_regions", []):
        drawn = [e for e in chain if e["region"] == region]
        if drawn:
            c.fail(f"no chain entry should reach {region!r}; got {_short(drawn, ('condition', 'side'))}")
    unexplained = c.out["unexplained"]
    regions = [u["region"] for u in unexplained]
    if "unexplained_regions" in exp and sorted(set(regions)) != sorted(set(exp["unexplained_regions"])):
        c.fail(f"unexplained regions: expected {sorted(exp['unexplained_regions'])}, got {regions}")
    for want in exp.get("unexplained_include", []):
        if not any(partial_match(u, want) for u in unexplained):
            c.fail(f"unexplained should include {want}; got {unexplained}")


def check_insole(c: Checker, exp: dict[str, Any]) -> None:
    insole = c.out["insole"]
    if "insole_status" in exp:
        c.equal("insole.status", insole["status"], exp["insole_status"])
    if "insole_arch" in exp:
        c.equal("insole.arch_height", insole["arch_height"], exp["insole_arch"])
    if "size" in exp:
        want = _null(exp["size"])
        got = insole["size"]
        if want is None or got is None:
            c.equal("insole.size", got, want)
        else:
            for key, value in want.items():
                c.equal(f"insole.size.{key}", got.get(key), value)
    c.mentions("insole.why", insole["why"], exp.get("insole_why_mention", []))
    c.mentions("insole.fitting", insole["fitting"], exp.get("fitting_mention", []))
    c.mentions("insole.expected_benefit", [insole["expected_benefit"]], exp.get("benefit_mention", []))


def check_care(c: Checker, exp: dict[str, Any]) -> None:
    care = {item["id"]: item for item in c.out["care_plan"]}
    for want in exp.get("care_include", []):
        spec = {"id": want} if isinstance(want, str) else dict(want)
        item = care.get(spec["id"])
        if item is None:
            c.fail(f"care_plan should include {spec['id']!r}; got {list(care)}")
            continue
        if "dose" in spec and not _text_match(item["dose"], spec["dose"]):
            c.fail(f"care_plan {spec['id']!r} dose should mention {spec['dose']!r}; got {item['dose']!r}")
        if "caution" in spec and bool(item.get("cautions")) != spec["caution"]:
            need = "a caution" if spec["caution"] else "no caution"
            c.fail(f"care_plan {spec['id']!r} should carry {need}; got cautions {item.get('cautions')!r}")
        if "for" in spec and spec["for"] not in item["for"]:
            c.fail(f"care_plan {spec['id']!r} should be for {spec['for']!r}; got {item['for']!r}")
    for cid in exp.get("care_exclude", []):
        if cid in care:
            c.fail(f"care_plan should not include {cid!r} (for {care[cid]['for']!r})")
    if exp.get("care_empty") and care:
        c.fail(f"care_plan should be empty while a red flag comes first; got {list(care)}")
    if exp.get("care_safety_only"):
        other = [cid for cid in care if cid not in SAFETY_CARE]
        if other:
            c.fail(f"only safety advice may stay while a red flag comes first; got also {other}")


def check_limits(c: Checker, exp: dict[str, Any]) -> None:
    limits = c.out["limits"]
    c.mentions("limits", limits, exp.get("limits_mention", []))
    c.mentions("limits", limits, exp.get("limits_exclude", []), present=False)
    c.mentions("the first limit", limits[:1], exp.get("first_limit_mention", []))


def check_screening(c: Checker, exp: dict[str, Any]) -> None:
    screening = c.out["screening"]
    if "screening_complete" in exp:
        c.equal("screening.complete", screening["complete"], exp["screening_complete"])
    if "call_emergency_services" in exp:
        c.equal(
            "referral.call_emergency_services",
            c.out["referral"]["call_emergency_services"],
            exp["call_emergency_services"],
        )
    held = screening["held_back_regions"]
    for region in exp.get("held_back_regions_include", []):
        if region not in held:
            c.fail(f"screening.held_back_regions should include {region!r}; got {held}")
    for region in exp.get("held_back_regions_exclude", []):
        if region in held:
            c.fail(f"screening.held_back_regions should not include {region!r}; got {held}")
    if exp.get("held_back_empty") and (held or screening["held_back_because"]):
        c.fail(f"nothing should be held back; got {held} because {screening['held_back_because']}")
    open_ids = [q["id"] for q in screening["unanswered"]]
    for qid in exp.get("unanswered_include", []):
        if qid not in open_ids:
            c.fail(f"screening.unanswered should include {qid!r}; got {open_ids}")
    for qid in exp.get("unanswered_exclude", []):
        if qid in open_ids:
            c.fail(f"screening.unanswered should not include {qid!r}; got {open_ids}")
    if "unanswered_first_level" in exp:
        first = screening["unanswered"][0]["could_mean"] if screening["unanswered"] else None
        c.equal("screening.unanswered[0].could_mean", first, exp["unanswered_first_level"])


def check_size(c: Checker, exp: dict[str, Any]) -> None:
    size = c.out["insole"]["size"]
    if "size_scale" in exp:
        c.equal("insole.size.scale", size["scale"] if size else None, exp["size_scale"])
    if exp.get("sizes_positive"):
        if size is None:
            c.fail("insole.size should be given (sizes_positive)")
            return
        bad = {k: v for k, v in size.items() if isinstance(v, int | float) and v <= 0}
        if bad:
            c.fail(f"no size may be zero or negative; got {bad}")


CHECKS = (
    check_referral,
    check_feet,
    check_conditions,
    check_chain,
    check_insole,
    check_care,
    check_limits,
    check_screening,
    check_size,
)


def test_suite_shape() -> None:
    """At least 45 vignettes, unique ids, each with a story, an intake and expectations we understand."""
    ids = [v.get("id") for v in VIGNETTES]
    assert len(VIGNETTES) >= 45, f"the acceptance suite needs at least 45 vignettes, has {len(VIGNETTES)}"
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    assert not duplicates, f"duplicate vignette ids: {duplicates}"
    for v in VIGNETTES:
        assert set(v) <= VIGNETTE_KEYS, (
            f"{v.get('id')}: unknown vignette keys {sorted(set(v) - VIGNETTE_KEYS)}"
        )
        assert v.get("story"), f"{v.get('id')}: a vignette needs a one-line story"
        assert v.get("intake"), f"{v.get('id')}: a vignette needs an intake"
        unknown = set(v.get("expect", {})) - EXPECT_KEYS
        assert v.get("expect"), f"{v.get('id')}: a vignette needs at least one expectation"
        assert not unknown, f"{v['id']}: unknown expectation keys {sorted(unknown)} (typo?)"
        if "refused" in v["expect"]:
            assert set(v["expect"]) <= REFUSAL_KEYS, f"{v['id']}: a refused intake has no assessment to check"


@pytest.mark.parametrize("vignette", VIGNETTES, ids=[v["id"] for v in VIGNETTES])
def test_vignette(vignette: dict[str, Any]) -> None:
    expect = vignette["expect"]
    if "refused" in expect:
        with pytest.raises(IntakeError) as refusal:
            assess(build_intake(vignette))
        message = str(refusal.value)
        for wanted in [expect["refused"], *expect.get("refused_mention", [])]:
            assert wanted.lower() in message.lower(), (
                f"vignette {vignette['id']!r}: the refusal should mention {wanted!r}; got {message!r}"
            )
        return
    intake = parse_intake(build_intake(vignette))  # a vignette must itself follow the intake schema
    out = assess(intake).to_json_dict()
    checker = Checker(out)
    for check in CHECKS:
        check(checker, vignette["expect"])
    assert not checker.problems, f"vignette {vignette['id']!r} ({vignette['story']})\n  - " + "\n  - ".join(
        checker.problems
    )
