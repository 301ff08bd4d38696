"""The intake model accepts exactly what the project's ``contracts/intake.schema.json`` accepts.

The project's schema extends the shared v1 contract (``contracts/shared-v1/intake.schema.json``) with the
screening questions, regions and plausibility limits of domain.md §6; one rule cannot be written in JSON
Schema (a pain cannot have lasted longer than the person has lived), so ``schema_accepts`` adds it.

The JSON Schema is the contract; ``parse_intake`` is the implementation. Every test here feeds the
same document to both (jsonschema's Draft 2020-12 validator and ``parse_intake``) and demands the same
verdict: the shared examples, intakes generated from the schema itself, generated near misses (one
mutation away from a valid intake, in both directions) and arbitrary JSON. The last part checks that
a refused intake gets a message that names the field and, where there is a choice, lists the choices.
"""

from __future__ import annotations

import copy
import json
import math
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema
from jsonschema import Draft202012Validator

from footchain import assess
from footchain.errors import IntakeError
from footchain.intake import load_intake, parse_intake
from footchain.types import Intake
from tests.shared import CONTRACTS, REPO, SHARED_V1

SCHEMA: dict[str, Any] = json.loads((REPO / "contracts" / "intake.schema.json").read_text(encoding="utf-8"))
SHARED_SCHEMA: dict[str, Any] = json.loads((SHARED_V1 / "intake.schema.json").read_text(encoding="utf-8"))
WEEKS_PER_YEAR = 52.18
VALIDATOR = Draft202012Validator(SCHEMA)
CONTRACT_EXAMPLES = sorted((CONTRACTS / "examples").glob("*.json"))
REPO_EXAMPLES = sorted((REPO / "examples").glob("*.json"))

PROPERTY_SETTINGS = settings(
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)

Path_ = tuple[str | int, ...]
ITEM = "[]"  # marks "an item of this array" in a schema path


# ----------------------------------------------------------------------------------------------
# Helpers: the two verdicts, and walking the schema


def _pain_older_than_the_person(document: object) -> bool:
    """The one rule the JSON Schema cannot state (domain.md §6c): no pain outlasts the person's age."""
    if not isinstance(document, dict):
        return False
    person, pains = document.get("person"), document.get("pain")
    age = person.get("age_years") if isinstance(person, dict) else None
    if not isinstance(age, int | float) or isinstance(age, bool) or not isinstance(pains, list):
        return False
    weeks = [p.get("duration_weeks") for p in pains if isinstance(p, dict)]
    return any(
        isinstance(w, int | float) and not isinstance(w, bool) and w > (age + 1) * WEEKS_PER_YEAR
        for w in weeks
    )


def schema_accepts(document: object) -> bool:
    return VALIDATOR.is_valid(document) and not _pain_older_than_the_person(document)


def model_accepts(document: object) -> bool:
    """parse_intake's verdict. Anything but IntakeError (a crash) is a bug and propagates."""
    try:
        parse_intake(document)
    except IntakeError:
        return False
    return True


def assert_agree(document: object) -> bool:
    expected = schema_accepts(document)
    actual = model_accepts(document)
    if expected != actual:
        errors = [f"{list(e.absolute_path)}: {e.message}" for e in VALIDATOR.iter_errors(document)]
        pytest.fail(
            f"JSON Schema says {'valid' if expected else 'invalid'} {errors}, parse_intake "
            f"{'accepts' if actual else 'refuses'}: {json.dumps(document, ensure_ascii=True)[:500]}"
        )
    return expected


def resolve(node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        assert node["$ref"].startswith("#/$defs/"), node["$ref"]
        node = SCHEMA["$defs"][node["$ref"].removeprefix("#/$defs/")]
    return node


def leaf_paths(node: dict[str, Any], prefix: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], dict]]:
    """Every scalar position in the schema, as (path with ITEM for array items, its schema)."""
    node = resolve(node)
    if node.get("type") == "object" or "properties" in node:
        for name, child in node.get("properties", {}).items():
            yield from leaf_paths(child, (*prefix, name))
    elif node.get("type") == "array":
        yield from leaf_paths(node["items"], (*prefix, ITEM))
    else:
        yield prefix, node


LEAVES = list(leaf_paths(SCHEMA))
INTEGER_LEAVES = [(p, s) for p, s in LEAVES if s.get("type") == "integer"]
NUMBER_LEAVES = [(p, s) for p, s in LEAVES if s.get("type") in ("integer", "number")]
BOUNDED_LEAVES = [(p, s) for p, s in NUMBER_LEAVES if "minimum" in s or "maximum" in s]
ENUM_LEAVES = [(p, s) for p, s in LEAVES if "enum" in s or "const" in s]
ALL_NAMES = sorted({name for path, _ in LEAVES for name in path if name != ITEM} | set(SCHEMA["properties"]))


def minimal(node: dict[str, Any]) -> Any:
    """The smallest valid instance of a schema node (to create a missing parent before mutating)."""
    node = resolve(node)
    if "const" in node:
        return node["const"]
    if "enum" in node:
        return node["enum"][0]
    kind = node.get("type")
    if kind == "object":
        return {name: minimal(node["properties"][name]) for name in node.get("required", [])}
    if kind == "array":
        return [minimal(node["items"]) for _ in range(node.get("minItems", 0))]
    if kind in ("integer", "number"):
        return node.get("minimum", 0)
    if kind == "string":
        return ""
    if kind == "boolean":
        return False
    raise AssertionError(f"no minimal instance for {node}")


def schema_at(path: tuple[str, ...]) -> dict[str, Any]:
    node = resolve(SCHEMA)
    for part in path:
        node = resolve(node["items"] if part == ITEM else node["properties"][part])
    return node


def place(document: dict[str, Any], path: tuple[str, ...], draw: Callable[[Any], Any]) -> tuple[Any, Any]:
    """Make sure the parents of ``path`` exist (creating valid minimal ones), return (container, key)."""
    container: Any = document
    for depth, part in enumerate(path[:-1]):
        child_schema = schema_at(path[: depth + 1])
        if part == ITEM:
            if not container:
                container.append(minimal(child_schema))
            index = draw(st.integers(0, len(container) - 1))
            if not isinstance(container[index], dict | list):
                container[index] = minimal(child_schema)
            container = container[index]
        else:
            if not isinstance(container.get(part), dict | list):
                container[part] = [] if child_schema.get("type") == "array" else {}
            container = container[part]
    last = path[-1]
    if last == ITEM:
        if not container:
            container.append(minimal(schema_at(path)))
        return container, draw(st.integers(0, len(container) - 1))
    return container, last


def existing_paths(value: Any, prefix: Path_ = ()) -> Iterator[Path_]:
    """Every position in a document below the root (objects, arrays and scalars alike)."""
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, child in items:
        yield (*prefix, key)
        yield from existing_paths(child, (*prefix, key))


def containers(value: Any, prefix: Path_ = ()) -> Iterator[Path_]:
    """Paths of every JSON object in a document, the root included."""
    if isinstance(value, dict):
        yield prefix
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, child in items:
        yield from containers(child, (*prefix, key))


def get(document: Any, path: Path_) -> Any:
    for part in path:
        document = document[part]
    return document


# ----------------------------------------------------------------------------------------------
# Strategies

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=50)
)
json_values = st.recursive(
    json_scalars,
    lambda children: (
        st.lists(children, max_size=6) | st.dictionaries(st.text(max_size=20), children, max_size=6)
    ),
    max_leaves=25,
)
valid_intakes = from_schema(SCHEMA)
fractional_floats = st.floats(allow_nan=False, allow_infinity=False, min_value=-1e6, max_value=1e6).filter(
    lambda x: not x.is_integer()
)
unknown_words = st.text(min_size=0, max_size=20) | st.sampled_from(
    ["LEFT", "Left", "left ", "knees", "yes", "1"]
)


MUTATIONS = [
    "drop_schema_version",
    "unknown_key",
    "null",
    "string",
    "bool",
    "fraction_for_integer",
    "whole_float_for_integer",
    "out_of_range",
    "on_the_bound",
    "unknown_enum_word",
    "fpi6_length",
    "long_sport",
    "any_json",
]


@st.composite
def near_misses(draw: st.DrawFn, kind: str) -> dict[str, Any]:
    """A valid intake with exactly one mutation of the given kind; most are invalid, some stay valid."""
    document = copy.deepcopy(draw(valid_intakes))
    if kind == "drop_schema_version":
        del document["schema_version"]
    elif kind == "unknown_key":
        target = get(document, draw(st.sampled_from(list(containers(document)))))
        key = draw((st.text(max_size=15) | st.sampled_from(ALL_NAMES)).filter(lambda k: k not in target))
        target[key] = draw(json_values)
    elif kind in ("null", "string", "bool", "any_json"):
        paths = list(existing_paths(document))
        if paths and draw(st.booleans()):
            path = draw(st.sampled_from(paths))
            container, key = get(document, path[:-1]), path[-1]
        else:
            container, key = place(document, draw(st.sampled_from(LEAVES))[0], draw)
        replacements = {
            "null": st.none(),
            "string": st.text(max_size=10) | st.sampled_from(["1", "3.5", "true", "null", "left"]),
            "bool": st.booleans(),
            "any_json": json_values,
        }
        container[key] = draw(replacements[kind])
    elif kind in ("fraction_for_integer", "whole_float_for_integer"):
        path, node = draw(st.sampled_from(INTEGER_LEAVES))
        container, key = place(document, path, draw)
        if kind == "fraction_for_integer":
            container[key] = draw(fractional_floats | st.sampled_from([0.5, 1.5, -0.5, 9.99]))
        else:
            low, high = node.get("minimum", -1000), node.get("maximum", 1000)
            container[key] = float(draw(st.integers(low - 2, high + 2)))
    elif kind in ("out_of_range", "on_the_bound"):
        path, node = draw(st.sampled_from(BOUNDED_LEAVES))
        container, key = place(document, path, draw)
        bounds = [b for b in ("minimum", "maximum") if b in node]
        bound = draw(st.sampled_from(bounds))
        limit = node[bound]
        if kind == "on_the_bound":
            container[key] = draw(st.sampled_from([limit, float(limit)]))
        else:
            step = draw(
                st.sampled_from([1, 2.0, 1000])
                if node["type"] == "integer"
                else st.sampled_from([1, 0.5, 1e-9, 1000, 0.001])
            )
            container[key] = limit - step if bound == "minimum" else limit + step
    elif kind == "unknown_enum_word":
        path, node = draw(st.sampled_from(ENUM_LEAVES))
        container, key = place(document, path, draw)
        allowed = node.get("enum", [node.get("const")])
        container[key] = draw(
            unknown_words
            | st.sampled_from([str(a).upper() for a in allowed] + [f"{a}s" for a in allowed])
            | st.integers(-3, 3)
        )
    elif kind == "fpi6_length":
        side = draw(st.sampled_from(["left", "right"]))
        size = draw(st.sampled_from([5, 7, 6, 0, 12]))
        fpi6 = document.setdefault("feet", {}).setdefault("fpi6", {})
        fpi6[side] = draw(st.lists(st.integers(-2, 2), min_size=size, max_size=size))
    elif kind == "long_sport":
        sports = document.setdefault("activity", {}).setdefault("sports", [])
        length = draw(st.sampled_from([41, 41, 40, 100]))
        sports.insert(draw(st.integers(0, len(sports))), draw(st.sampled_from(["x", "é", "跑"])) * length)
    return document


# ----------------------------------------------------------------------------------------------
# Examples


def test_the_example_folders_hold_three_intakes_each() -> None:
    assert len(CONTRACT_EXAMPLES) == 3, CONTRACT_EXAMPLES
    assert len(REPO_EXAMPLES) == 3, REPO_EXAMPLES


@pytest.mark.parametrize("path", CONTRACT_EXAMPLES + REPO_EXAMPLES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_examples_follow_the_schema_and_parse(path: Path) -> None:
    document = json.loads(path.read_text(encoding="utf-8"))
    VALIDATOR.validate(document)
    intake = parse_intake(document)
    assert isinstance(intake, Intake)
    assert intake.schema_version == 1
    assert len(intake.pain) == len(document.get("pain", []))
    assert load_intake(path) == intake


# ----------------------------------------------------------------------------------------------
# Generated valid intakes


@settings(PROPERTY_SETTINGS, max_examples=120)
@given(valid_intakes)
def test_generated_valid_intakes_are_accepted_and_assessed(document: dict[str, Any]) -> None:
    assume(not _pain_older_than_the_person(document))  # the one rule the schema cannot state
    assert schema_accepts(document)
    intake = parse_intake(document)
    result = assess(intake).to_json_dict()
    text = json.dumps(result, allow_nan=False, ensure_ascii=False)
    assert json.loads(text) == result
    assert result["schema_version"] == 1


# ----------------------------------------------------------------------------------------------
# Near misses and arbitrary JSON: the model and the schema agree either way


@pytest.mark.parametrize("kind", MUTATIONS)
def test_near_misses_get_the_same_verdict(kind: str) -> None:
    verdicts: list[bool] = []

    @settings(PROPERTY_SETTINGS, max_examples=35)
    @given(near_misses(kind))
    def check(document: dict[str, Any]) -> None:
        verdicts.append(assert_agree(document))

    check()
    if kind not in ("on_the_bound", "whole_float_for_integer", "any_json", "string", "unknown_key"):
        # These mutations are meant to break the intake: make sure they mostly do.
        assert verdicts.count(False) >= len(verdicts) // 2, f"{kind}: {verdicts.count(False)}/{len(verdicts)}"


@settings(PROPERTY_SETTINGS, max_examples=300)
@given(json_values)
def test_arbitrary_json_gets_the_same_verdict(document: Any) -> None:
    assert_agree(document)


@settings(PROPERTY_SETTINGS, max_examples=300)
@given(
    st.dictionaries(
        st.sampled_from(sorted(SCHEMA["properties"])) | st.text(max_size=10),
        json_values,
        max_size=6,
    ),
    st.sampled_from([1, 1.0, 2, 0, True, "1", None]),
)
def test_objects_with_known_keys_and_arbitrary_values_get_the_same_verdict(
    document: dict[str, Any], version: Any
) -> None:
    document["schema_version"] = version
    assert_agree(document)


def _valid_base() -> dict[str, Any]:
    return json.loads((REPO / "examples" / "runner_flat_feet_knee.json").read_text(encoding="utf-8"))


def _set(path: Path_, value: Any) -> dict[str, Any]:
    document = _valid_base()
    container = get(document, path[:-1])
    container[path[-1]] = value
    return document


# (document, what JSON Schema says): each row checks agreement and that the mutation does what we think.
SINGLE_FAULTS: list[tuple[str, dict[str, Any], bool]] = [
    ("no schema_version", {k: v for k, v in _valid_base().items() if k != "schema_version"}, False),
    ("schema_version 1.0", _set(("schema_version",), 1.0), True),
    ("schema_version true", _set(("schema_version",), True), False),
    ("schema_version '1'", _set(("schema_version",), "1"), False),
    ("schema_version 2", _set(("schema_version",), 2), False),
    ("unknown top-level key", _set(("notes",), "hi"), False),
    ("unknown key in person", _set(("person", "age"), 29), False),
    ("unknown key in pain item", _set(("pain", 1, "colour"), "red"), False),
    ("unknown key in footprint", _set(("feet", "footprint", "left", "arch"), 0.2), False),
    ("unknown key in shoe_size", _set(("person", "shoe_size", "width"), "wide"), False),
    ("null person", _set(("person",), None), False),
    ("null age", _set(("person", "age_years"), None), False),
    ("null pain item", _set(("pain", 0), None), False),
    ("null worst_with item", _set(("pain", 0, "worst_with", 0), None), False),
    ("null health answer", _set(("health", "diabetes"), None), False),
    ("string age", _set(("person", "age_years"), "29"), False),
    ("string intensity", _set(("pain", 0, "intensity"), "5"), False),
    ("string weight", _set(("person", "weight_kg"), "66"), False),
    ("bool intensity", _set(("pain", 0, "intensity"), True), False),
    ("bool weight", _set(("person", "weight_kg"), False), False),
    ("bool fpi6 item", _set(("feet", "fpi6", "left", 0), True), False),
    ("number for a bool", _set(("health", "diabetes"), 0), False),
    ("string for a bool", _set(("health", "diabetes"), "false"), False),
    ("fractional intensity", _set(("pain", 0, "intensity"), 5.5), False),
    ("whole float intensity", _set(("pain", 0, "intensity"), 5.0), True),
    ("whole float age", _set(("person", "age_years"), 29.0), True),
    ("fractional age", _set(("person", "age_years"), 29.5), False),
    ("whole float fpi6 item", _set(("feet", "fpi6", "left", 0), 1.0), True),
    ("fractional fpi6 item", _set(("feet", "fpi6", "left", 0), 1.5), False),
    ("integer weight", _set(("person", "weight_kg"), 66), True),
    ("intensity 11", _set(("pain", 0, "intensity"), 11), False),
    ("intensity -1", _set(("pain", 0, "intensity"), -1), False),
    ("intensity 10", _set(("pain", 0, "intensity"), 10), True),
    ("intensity 0", _set(("pain", 0, "intensity"), 0), True),
    ("age 121", _set(("person", "age_years"), 121), False),
    ("age 120.0", _set(("person", "age_years"), 120.0), True),
    ("height 39.999", _set(("person", "height_cm"), 39.999), False),
    ("height 260", _set(("person", "height_cm"), 260), True),
    ("arch index 1.0000001", _set(("feet", "footprint", "left", "arch_index"), 1.0000001), False),
    ("clarke angle -90", _set(("feet", "footprint", "left", "clarke_angle_deg"), -90), True),
    ("fpi6 item 3", _set(("feet", "fpi6", "left", 0), 3), False),
    ("fpi6 item -3", _set(("feet", "fpi6", "right", 5), -3), False),
    ("negative duration", _set(("pain", 0, "duration_weeks"), -0.1), False),
    ("huge duration", _set(("pain", 0, "duration_weeks"), 1e300), False),
    ("19 years of pain at 29", _set(("pain", 0, "duration_weeks"), 1000), True),
    ("standing 24.5 hours", _set(("activity", "standing_hours_per_day"), 24.5), False),
    ("navicular drop 40.01", _set(("feet", "navicular_drop_mm"), {"left": 40.01}), False),
    ("unknown region", _set(("pain", 0, "region"), "neck"), False),
    ("enum in capitals", _set(("person", "sex"), "Female"), False),
    ("unknown wear zone", _set(("shoe_wear", "left", 0), "outer_heel"), False),
    ("unknown trigger", _set(("pain", 0, "worst_with", 0), "jumping"), False),
    ("unknown size system", _set(("person", "shoe_size", "system"), "jp"), False),
    ("fpi6 with 5 items", _set(("feet", "fpi6", "left"), [1, 1, 1, 1, 1]), False),
    ("fpi6 with 7 items", _set(("feet", "fpi6", "left"), [1, 1, 1, 1, 1, 1, 1]), False),
    ("fpi6 not a list", _set(("feet", "fpi6", "left"), 6), False),
    ("sport of 41 characters", _set(("activity", "sports"), ["r" * 41]), False),
    ("sport of 40 characters", _set(("activity", "sports"), ["r" * 40]), True),
    ("sport of 40 wide characters", _set(("activity", "sports"), ["跑" * 40]), True),
    ("empty pain list", _set(("pain",), []), True),
    ("pain not a list", _set(("pain",), {"region": "knee", "intensity": 3}), False),
    ("pain item without intensity", _set(("pain", 0), {"region": "knee"}), False),
    ("pain item without region", _set(("pain", 0), {"intensity": 3}), False),
    ("shoe size without value", _set(("person", "shoe_size"), {"system": "eu"}), False),
    ("person a list", _set(("person",), []), False),
    ("files with a number", _set(("files",), {"footprint_images": [1]}), False),
    ("files with paths", _set(("files",), {"footprint_images": ["a.jpg"], "gait_recordings": []}), True),
]


@pytest.mark.parametrize(
    ("label", "document", "schema_says"), SINGLE_FAULTS, ids=[r[0] for r in SINGLE_FAULTS]
)
def test_single_faults_get_the_schema_verdict(
    label: str, document: dict[str, Any], schema_says: bool
) -> None:
    assert schema_accepts(document) is schema_says, f"the test's own expectation is wrong for {label}"
    assert assert_agree(document) is schema_says


@pytest.mark.parametrize(
    "document",
    [
        {"schema_version": 1, "pain": [{"region": "knee", "intensity": 3, "duration_weeks": 10**400}]},
        {"schema_version": 1, "activity": {"walking_km_per_week": 2 * 10**308}},
        {"schema_version": 1, "activity": {"running_km_per_week": 10**309}},
    ],
    ids=["duration_weeks 1e400", "walking 2e308", "running 1e309"],
)
def test_integers_beyond_the_float_range_are_refused_by_both(document: dict[str, Any]) -> None:
    """The plausibility maxima (domain.md §6c) make the schema refuse these too."""
    assert assert_agree(document) is False


@pytest.mark.parametrize(
    ("document", "field"),
    [
        # JSON text may carry a lone surrogate escape ("\ud800"); json.loads keeps it in the string.
        (json.loads('{"schema_version": 1, "activity": {"sports": ["\\ud800"]}}'), "activity.sports"),
        (
            json.loads('{"schema_version": 1, "files": {"footprint_images": ["a\\udfffb.jpg"]}}'),
            "files.footprint_images",
        ),
    ],
    ids=[
        "lone surrogate sport",
        "lone surrogate path",
    ],
)
def test_values_no_real_intake_carries_are_refused_by_design(document: dict[str, Any], field: str) -> None:
    # The one documented difference from the schema (see footchain.types): it would accept these.
    assert schema_accepts(document)
    with pytest.raises(IntakeError) as caught:
        parse_intake(document)
    assert field in str(caught.value)


@pytest.mark.parametrize("document", [None, [], [{"schema_version": 1}], "intake", 1, 1.5, True])
def test_non_objects_are_refused_with_a_clear_message(document: object) -> None:
    assert not schema_accepts(document)
    with pytest.raises(IntakeError, match="JSON object"):
        parse_intake(document)


def test_nan_and_infinity_are_refused() -> None:
    # json.loads turns NaN/Infinity literals into floats; jsonschema would call inf >= 0 valid, but no
    # JSON text can carry them (load_intake refuses the literals), and the model must not take them.
    for value in (math.nan, math.inf, -math.inf):
        with pytest.raises(IntakeError, match="duration_weeks"):
            parse_intake(
                {"schema_version": 1, "pain": [{"region": "knee", "intensity": 1, "duration_weeks": value}]}
            )


# ----------------------------------------------------------------------------------------------
# Error messages name the field, list the choices


def _message(document: object) -> str:
    with pytest.raises(IntakeError) as caught:
        parse_intake(document)
    return str(caught.value)


def test_enum_error_names_the_field_and_lists_the_allowed_values() -> None:
    message = _message({"schema_version": 1, "person": {"sex": "unknown"}})
    assert "person.sex" in message
    for allowed in ("female", "male", "other"):
        assert allowed in message
    assert "unknown" in message  # what was given


def test_enum_error_inside_lists_names_the_index() -> None:
    message = _message(
        {"schema_version": 1, "shoe_wear": {"left": ["lateral_heel", "outside_edge"]}, "pain": []}
    )
    assert "shoe_wear.left[1]" in message
    for zone in ("lateral_heel", "medial_heel", "medial_forefoot", "lateral_forefoot", "big_toe", "toe_tip"):
        assert zone in message

    message = _message({"schema_version": 1, "pain": [{"region": "neck", "intensity": 2}]})
    assert "pain[0].region" in message
    assert "lower_back" in message and "toes" in message


def test_range_and_type_errors_name_the_indexed_field() -> None:
    message = _message(
        {
            "schema_version": 1,
            "pain": [{"region": "knee", "intensity": 4}, {"region": "heel", "intensity": 12}],
        }
    )
    assert "pain[1].intensity" in message
    assert "pain[0]" not in message
    assert "10" in message  # the limit

    message = _message({"schema_version": 1, "pain": [{"region": "knee", "intensity": "high"}]})
    assert "pain[0].intensity" in message
    assert "integer" in message


def test_boolean_error_names_the_health_question() -> None:
    message = _message({"schema_version": 1, "health": {"diabetes": "yes"}})
    assert "health.diabetes" in message
    assert "yes" in message


def test_every_bad_field_is_named_at_once() -> None:
    message = _message(
        {
            "schema_version": 1,
            "person": {"sex": "f", "age_years": 150},
            "health": {"saddle_numbness": 1},
            "feet": {"fpi6": {"left": [1, 1, 1, 1, 1]}},
            "activity": {"sports": ["ok", "z" * 41]},
        }
    )
    for field in (
        "person.sex",
        "person.age_years",
        "health.saddle_numbness",
        "feet.fpi6.left",
        "activity.sports[1]",
    ):
        assert field in message, field


@pytest.mark.parametrize(
    ("document", "field", "allowed"),
    [
        ({"schema_version": 1, "colour": "blue"}, "colour", sorted(SCHEMA["properties"])),
        (
            {"schema_version": 1, "person": {"age": 40}},
            "person.age",
            sorted(SCHEMA["properties"]["person"]["properties"]),
        ),
        (
            {"schema_version": 1, "pain": [{"region": "knee", "intensity": 2, "score": 5}]},
            "pain[0].score",
            sorted(SCHEMA["properties"]["pain"]["items"]["properties"]),
        ),
        (
            {"schema_version": 1, "feet": {"footprint": {"right": {"arch_idx": 0.2}}}},
            "feet.footprint.right.arch_idx",
            sorted(SCHEMA["$defs"]["footprint_metrics"]["properties"]),
        ),
        (
            {"schema_version": 1, "health": {"diabetic": True}},
            "health.diabetic",
            sorted(SCHEMA["properties"]["health"]["properties"]),
        ),
    ],
    ids=["top level", "person", "pain item", "footprint", "health"],
)
def test_unknown_field_error_lists_the_allowed_fields(
    document: dict[str, Any], field: str, allowed: list[str]
) -> None:
    message = _message(document)
    assert field in message
    assert "unknown" in message.lower()
    for name in allowed:
        assert name in message, name


def test_missing_fields_are_named() -> None:
    assert "schema_version" in _message({"person": {"age_years": 3}})
    message = _message({"schema_version": 1, "pain": [{"region": "knee"}]})
    assert "pain[0].intensity" in message
    assert "missing" in message
    message = _message({"schema_version": 1, "person": {"shoe_size": {"value": 42}}})
    assert "person.shoe_size.system" in message


def test_null_error_names_the_field_and_says_to_leave_it_out() -> None:
    message = _message({"schema_version": 1, "person": {"age_years": None}})
    assert "person" in message and "age_years" in message
    assert "null" in message


def test_load_intake_prefixes_the_file_name(tmp_path: Path) -> None:
    path = tmp_path / "my intake.json"
    path.write_text('{"schema_version": 1, "person": {"sex": "x"}}', encoding="utf-8")
    with pytest.raises(IntakeError) as caught:
        load_intake(path)
    assert str(path) in str(caught.value)
    assert "person.sex" in str(caught.value)


def _properties(schema: dict[str, Any], root: dict[str, Any], path: str = "") -> Iterator[str]:
    """Every property path a schema names (following $ref)."""
    while "$ref" in schema:
        schema = root["$defs"][schema["$ref"].removeprefix("#/$defs/")]
    for name, child in schema.get("properties", {}).items():
        yield f"{path}.{name}"
        yield from _properties(child, root, f"{path}.{name}")
    if isinstance(schema.get("items"), dict):
        yield from _properties(schema["items"], root, f"{path}[]")


def test_the_project_schema_keeps_every_field_and_choice_of_the_shared_contract() -> None:
    """Backward compatible: version 1 stays, no field or enum value of the shared contract is dropped."""
    assert SCHEMA["properties"]["schema_version"] == SHARED_SCHEMA["properties"]["schema_version"]
    missing = set(_properties(SHARED_SCHEMA, SHARED_SCHEMA)) - set(_properties(SCHEMA, SCHEMA))
    assert not missing, f"fields of the shared contract missing from the project's schema: {sorted(missing)}"
    for name, definition in SHARED_SCHEMA["$defs"].items():
        if "enum" in definition:
            assert set(definition["enum"]) <= set(SCHEMA["$defs"][name]["enum"]), name


def test_every_screening_question_is_documented_in_the_schema() -> None:
    from footchain.types import Health

    documented = SCHEMA["properties"]["health"]["properties"]
    assert set(documented) == set(Health.model_fields)
    assert all(entry.get("description") for entry in documented.values())


@pytest.mark.parametrize(
    ("document", "field"),
    [
        ({"person": {"shoe_size": {"system": "eu", "value": 400}}}, "shoe_size"),
        ({"person": {"shoe_size": {"system": "uk", "value": -2.5}}}, "shoe_size"),
        ({"person": {"age_years": 200}}, "age_years"),
        ({"feet": {"footprint": {"left": {"foot_length_mm": 600}}}}, "foot_length_mm"),
        ({"pain": [{"region": "knee", "intensity": 3, "duration_weeks": 52_000_000_000}]}, "duration_weeks"),
        (
            {"person": {"age_years": 5}, "pain": [{"region": "knee", "intensity": 3, "duration_weeks": 800}]},
            "duration_weeks",
        ),
        ({"activity": {"running_km_per_week": 99_999}}, "running_km_per_week"),
    ],
)
def test_impossible_values_are_refused_naming_the_field(document: dict[str, Any], field: str) -> None:
    with pytest.raises(IntakeError, match=field):
        parse_intake({"schema_version": 1, **document})


def test_a_childrens_shoe_size_is_accepted_on_its_own_scale() -> None:
    intake = parse_intake(
        {"schema_version": 1, "person": {"shoe_size": {"system": "uk", "value": 10, "scale": "children"}}}
    )
    assert intake.person.shoe_size is not None and intake.person.shoe_size.scale == "children"
    with pytest.raises(IntakeError, match="shoe_size"):
        parse_intake({"schema_version": 1, "person": {"shoe_size": {"system": "uk", "value": 0.5}}})
