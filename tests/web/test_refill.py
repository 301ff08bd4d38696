"""A stored intake back into the wizard's forms (``refill.forms_from_intake``), tested as a round trip:
the forms it writes give the same intake sections again, for the shipped examples and for any answers
the wizard's pages can give (hypothesis)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from footchain.intake import parse_intake
from footchain.present.body_map import REGIONS, parts_for_side, region_parts
from footchain.types import MAX_PAIN_WEEKS, WearZone
from footchain.web.routes.wizard import refill
from footchain.web.routes.wizard.drafts import draft_to_intake
from footchain.web.routes.wizard.forms import (
    PARSERS,
    SIZE_CHOICES,
    WEAR_ZONES,
    Form,
    age_conflicts,
    merge_sections,
)
from footchain.web.routes.wizard.maps import TRIGGERS
from footchain.web.routes.wizard.views import ARCH_CHOICES, TILT_CHOICES
from footchain.web.screening import HEALTH_QUESTIONS

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted([*ROOT.glob("examples/*.json"), *ROOT.glob("contracts/examples/*.json")])


def _stored(path: Path) -> dict[str, Any]:
    """An example as the server stores an intake (validated, JSON, without empty values)."""
    return parse_intake(json.loads(path.read_text(encoding="utf-8"))).model_dump(
        mode="json", exclude_none=True
    )


def _sections(forms: dict[str, Form]) -> dict[str, Any]:
    """The intake sections the steps' forms give, merged step by step as the wizard merges them."""
    sections: dict[str, Any] = {}
    for step, parse in PARSERS.items():
        parsed, errors = parse(forms.get(step, {}))
        assert not errors, f"the rebuilt {step} form was refused: {errors}"
        merge_sections(sections, step, parsed)
    return {name: value for name, value in sections.items() if value}


def _without_empty(value: Any) -> Any:
    """Empty lists and sections left out: the intake reads them as not given, as the pages do."""
    if isinstance(value, dict):
        kept = {k: _without_empty(v) for k, v in value.items()}
        return {k: v for k, v in kept.items() if v not in ([], {})}
    if isinstance(value, list):
        return [_without_empty(item) for item in value]
    return value


def _as_the_pages_ask(intake: dict[str, Any]) -> dict[str, Any]:
    """The intake's sections as the pages can hold them: a pain on both sides (or none) is one per part,
    the foot measurements no page asks are left out, an adult scale is the default."""
    sections = copy.deepcopy({k: v for k, v in intake.items() if k not in ("schema_version", "files")})
    pains = []
    for pain in sections.get("pain", []):
        for part in parts_for_side(pain["region"], pain.get("side")):
            pains.append({**pain, "side": part})
    if pains:
        sections["pain"] = pains
    feet = {k: v for k, v in sections.get("feet", {}).items() if k not in refill.KEPT_FEET}
    sections["feet"] = feet
    size = sections.get("person", {}).get("shoe_size", {})
    if size.get("scale") == "adult":
        del size["scale"]
    return dict(_without_empty(sections))


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_the_forms_of_an_example_give_its_answers_again(path: Path) -> None:
    intake = _stored(path)
    assert _sections(refill.forms_from_intake(intake)) == _as_the_pages_ask(intake)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_a_draft_from_an_example_makes_the_same_intake(path: Path) -> None:
    """Word for word while no page is posted again: a pain on both sides stays one pain, and the foot
    measurements no page asks come back too (``kept``)."""
    intake = _stored(path)
    again = parse_intake(draft_to_intake(refill.draft_answers(intake)))
    assert again.model_dump(mode="json", exclude_none=True) == intake


def test_no_page_gets_an_empty_answer() -> None:
    """A field left out stays out: an empty value would be posted back as a wiped answer."""
    for path in EXAMPLES:
        for form in refill.forms_from_intake(_stored(path)).values():
            assert all(values and all(v != "" for v in values) for values in form.values()), path


PARTS = [f"{region}-{part}" for region in REGIONS for part in region_parts(region)]
TRI = st.sampled_from(["yes", "no", "unsure", None])


def _decimal(low: float, high: float) -> st.SearchStrategy[str]:
    """A number as a person types it: whole, with decimals, or with a decimal comma."""
    whole = st.integers(int(low), int(high)).map(str)
    decimals = st.decimals(low, high, places=2, allow_nan=False, allow_infinity=False).map(str)
    return st.one_of(whole, decimals, decimals.map(lambda text: text.replace(".", ",")))


def _maybe(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(st.none(), strategy)


def _form(**fields: Any) -> Form:
    """A posted form: absent answers are not sent at all."""
    return {
        name: value if isinstance(value, list) else [value]
        for name, value in fields.items()
        if value is not None
    }


@st.composite
def pain_forms(draw: st.DrawFn) -> Form:
    where = draw(st.lists(st.sampled_from(PARTS), unique=True, max_size=5))
    fields: dict[str, Any] = {"where": where}
    for key in where:
        fields[f"{key}-intensity"] = str(draw(st.integers(0, 10)))
        fields[f"{key}-weeks"] = draw(_maybe(_decimal(0, MAX_PAIN_WEEKS)))
        fields[f"{key}-worst"] = draw(st.lists(st.sampled_from([t for t, _ in TRIGGERS]), unique=True))
    return _form(**fields)


@st.composite
def health_forms(draw: st.DrawFn) -> Form:
    fields = {f"health-{q}": draw(TRI) for q in HEALTH_QUESTIONS}
    fields["age_years"] = draw(_maybe(st.integers(0, 120).map(str)))
    fields["sex"] = draw(st.sampled_from(["female", "male", "other", None]))
    return _form(**fields)


SPORT = st.text(st.characters(whitelist_categories=("Ll", "Lu")), min_size=1, max_size=12)


@st.composite
def activity_forms(draw: st.DrawFn) -> Form:
    return _form(
        standing_hours_per_day=draw(_maybe(_decimal(0, 24))),
        walking_km_per_week=draw(_maybe(_decimal(0, 700))),
        running_km_per_week=draw(_maybe(_decimal(0, 400))),
        sports=draw(_maybe(st.lists(SPORT, min_size=1, max_size=3).map(", ".join))),
        hard_surfaces=draw(TRI),
        recent_load_increase=draw(TRI),
    )


SIZES = {"eu": (15, 55), "uk": (1, 18), "uk_children": (0, 13), "us_men": (1, 19), "us_women": (2, 21),
         "us_children": (0, 13), "mondopoint": (100, 350)}  # fmt: skip


@st.composite
def feet_forms(draw: st.DrawFn) -> Form:
    system = draw(_maybe(st.sampled_from(sorted(SIZE_CHOICES))))
    return _form(
        self_reported_arch=draw(_maybe(st.sampled_from([value for value, _, _ in ARCH_CHOICES]))),
        arch_flattens_when_standing=draw(TRI),
        height_cm=draw(_maybe(_decimal(40, 260))),
        weight_kg=draw(_maybe(_decimal(2, 400))),
        shoe_size_value=None if system is None else draw(_decimal(*SIZES[system])),
        shoe_size_system=system,
    )


@st.composite
def shoes_forms(draw: st.DrawFn) -> Form:
    zones: list[WearZone] = list(WEAR_ZONES)
    return _form(
        **{
            "wear-left": draw(_maybe(st.lists(st.sampled_from(zones), unique=True, min_size=1))),
            "wear-right": draw(_maybe(st.lists(st.sampled_from(zones), unique=True, min_size=1))),
            "heel_counter_tilt": draw(_maybe(st.sampled_from([value for value, _ in TILT_CHOICES]))),
        }
    )


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.fixed_dictionaries(
        {
            "pain": pain_forms(),
            "health": health_forms(),
            "activity": activity_forms(),
            "feet": feet_forms(),
            "shoes": shoes_forms(),
        }
    )
)
def test_any_answers_the_pages_take_come_back_the_same(typed: dict[str, Form]) -> None:
    sections: dict[str, Any] = {}
    for step, parse in PARSERS.items():
        parsed, errors = parse(typed[step])
        assert not errors, errors
        merge_sections(sections, step, parsed)
    assume(not age_conflicts(sections))  # the pages refuse a pain older than the person
    intake = parse_intake(draft_to_intake({"sections": sections})).model_dump(mode="json", exclude_none=True)
    given_sections = {name: value for name, value in sections.items() if value}
    assert _sections(refill.forms_from_intake(intake)) == given_sections
