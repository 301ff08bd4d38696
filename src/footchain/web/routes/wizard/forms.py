"""Form answers of each step → sections of the intake, with a plain message next to each bad field.

A step's form arrives as ``{field name: [values]}``. Each ``parse_*`` function turns it into the intake
sections that step fills (``contracts/intake.schema.json``), checked by the intake's own models, so the
limits (age 0-120, pain 0-10 ...) live in one place: ``footchain.types``. Bad values come back as
``{field name: message}`` and nothing is stored.

"Not sure" answers stay out of the intake: a missing answer is never read as "no".
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, get_args

import annotated_types
from pydantic import BaseModel, ValidationError

from footchain.present.body_map import REGIONS, region_parts
from footchain.types import (
    MAX_PAIN_WEEKS,
    SHOE_SIZE_RANGES,
    WEEKS_PER_YEAR,
    Activity,
    Feet,
    Pain,
    Person,
    ShoeWear,
    WearZone,
)
from footchain.web.screening import HEALTH_QUESTIONS

Form = dict[str, list[str]]
Errors = dict[str, str]
Sections = dict[str, Any]

YES_NO = {"yes": True, "no": False}
UNSURE = "unsure"
WEAR_ZONES: tuple[WearZone, ...] = get_args(WearZone)
SHOE_SIDES = ("left", "right")
PERSON_FIELDS: dict[str, tuple[str, ...]] = {
    "health": ("age_years", "sex"),
    "feet": ("height_cm", "weight_kg", "shoe_size"),
}
"""Which step asks which facts about the person: age and sex come before the screening questions, so
that the questions for children or for pregnancy can be asked only where they apply."""
SIZE_CHOICES: dict[str, tuple[str, str | None]] = {
    "eu": ("eu", None),
    "uk": ("uk", None),
    "uk_children": ("uk", "children"),
    "us_men": ("us_men", None),
    "us_women": ("us_women", None),
    "us_children": ("us_men", "children"),
    "mondopoint": ("mondopoint", None),
}
"""Shoe-size choices of the form → the intake's system and scale (US children's sizes are the same for
boys and girls, so they are stored on the US men's children's scale)."""
FIELD_NAMES: dict[str, tuple[str, str]] = {
    "age_years": ("Age", " years"),
    "height_cm": ("Height", " cm"),
    "weight_kg": ("Weight", " kg"),
    "shoe_size_value": ("Shoe size", ""),
    "standing_hours_per_day": ("Hours on your feet a day", " hours"),
    "walking_km_per_week": ("Walking a week", " km"),
    "running_km_per_week": ("Running a week", " km"),
}
"""Each number field's name and unit, so a message says which answer is wrong."""


def bounds(model: type[BaseModel], field: str) -> tuple[float | None, float | None]:
    """The lowest and highest value a model allows for a number field (its plausibility limits)."""
    low = high = None
    for rule in model.model_fields[field].metadata:
        if isinstance(rule, annotated_types.Ge):
            low = float(rule.ge)  # type: ignore[arg-type]
        elif isinstance(rule, annotated_types.Le):
            high = float(rule.le)  # type: ignore[arg-type]
    return low, high


def limits() -> dict[str, tuple[str, str]]:
    """``min`` and ``max`` of each number field, as the page writes them."""
    found = {
        name: bounds(model, name)
        for model, names in (
            (Person, ("age_years", "height_cm", "weight_kg")),
            (Activity, ("standing_hours_per_day", "walking_km_per_week", "running_km_per_week")),
        )
        for name in names
    }
    found["weeks"] = (0, MAX_PAIN_WEEKS)
    found["shoe_size_value"] = (
        min(low for low, _ in SHOE_SIZE_RANGES.values()),
        max(high for _, high in SHOE_SIZE_RANGES.values()),
    )
    return {name: (_limit(low), _limit(high)) for name, (low, high) in found.items()}


def first(form: Mapping[str, list[str]], name: str) -> str:
    """The first value of a field, stripped; "" when absent."""
    values = form.get(name) or [""]
    return values[0].strip()


def part_key(region: str, part: str) -> str:
    """The value of a body-map checkbox and the stem of its detail fields, e.g. ``knee-left``."""
    return f"{region}-{part}"


def field_name(name: str) -> str:
    """The words a message uses for a form field ("Age", "How long your left knee has hurt")."""
    if name in FIELD_NAMES:
        return FIELD_NAMES[name][0]
    if name.endswith("-weeks"):
        return f"How long your {_place(name.removesuffix('-weeks'))} has hurt"
    if name.endswith("-intensity"):
        return f"How much your {_place(name.removesuffix('-intensity'))} hurts"
    return "This answer"


def _place(key: str) -> str:
    region, _, part = key.rpartition("-")
    words = region.replace("_", " ")
    return f"{part} {words}" if part in ("left", "right") else words


def _number(form: Form, name: str, errors: Errors, *, whole: bool = False) -> float | int | None:
    raw = first(form, name).replace(",", ".")
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        errors[name] = f"{field_name(name)}: enter a number, like 42 or 7.5."
        return None
    if whole:
        if not value.is_integer():
            errors[name] = f"{field_name(name)}: enter a whole number, like 42."
            return None
        return int(value)
    return value


def _limit(value: object) -> str:
    number = float(value) if isinstance(value, int | float) else math.nan
    return str(int(number)) if number.is_integer() else f"{number:g}"


def _message(error: Mapping[str, Any], name: str) -> str:
    """A pydantic complaint about one field in words a person can act on, naming the field."""
    ctx = error.get("ctx") or {}
    kind = error["type"]
    label = field_name(name)
    unit = FIELD_NAMES.get(name, ("", ""))[1]
    if kind in ("less_than_equal", "less_than"):
        return f"{label}: enter a number no higher than {_limit(ctx.get('le', ctx.get('lt')))}{unit}."
    if kind in ("greater_than_equal", "greater_than"):
        return f"{label}: enter a number no lower than {_limit(ctx.get('ge', ctx.get('gt')))}{unit}."
    if kind == "string_too_long":
        return f"Keep each entry under {ctx.get('max_length')} characters."
    if kind == "literal_error":
        return f"{label}: choose one of the options."
    if kind == "value_error":
        return f"{label}: {str(error.get('msg', '')).removeprefix('Value error, ')}."
    return f"{label}: check this answer."


def _validated(
    model: type[BaseModel], values: dict[str, Any], fields: Mapping[str, str], errors: Errors
) -> None:
    """Check ``values`` with an intake model; each complaint goes next to its form field (``fields``)."""
    try:
        model.model_validate(values)
    except ValidationError as exc:
        for error in exc.errors(include_url=False):
            loc = error["loc"]
            name = fields.get(str(loc[0]), str(loc[0])) if loc else "form"
            errors.setdefault(name, _message(error, name))


def _tri(form: Form, name: str, values: dict[str, Any], key: str) -> None:
    """A yes / no / not sure question: only yes and no go into the intake."""
    answer = first(form, name)
    if answer in YES_NO:
        values[key] = YES_NO[answer]


def _drop_empty(values: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in values.items() if value not in (None, [], {}, "")}


def parse_pain(form: Form) -> tuple[Sections, Errors]:
    """Step 1: every ticked body part becomes one pain entry with its own rating, weeks and triggers."""
    errors: Errors = {}
    known = {part_key(r, p): (r, p) for r in REGIONS for p in region_parts(r)}
    pains: list[dict[str, Any]] = []
    for key in dict.fromkeys(form.get("where", [])):
        if key not in known:
            errors["where"] = "Where it hurts: tick places on the body map or in the list."
            continue
        region, part = known[key]
        entry: dict[str, Any] = {
            "region": region,
            "side": part,
            "intensity": _number(form, f"{key}-intensity", errors, whole=True),
            "duration_weeks": _number(form, f"{key}-weeks", errors),
            "worst_with": list(dict.fromkeys(form.get(f"{key}-worst", []))),
        }
        if entry["intensity"] is None and f"{key}-intensity" not in errors:
            errors[f"{key}-intensity"] = f"{field_name(key + '-intensity')}: choose from 0 to 10."
        entry = _drop_empty(entry)
        fields = {
            "intensity": f"{key}-intensity",
            "duration_weeks": f"{key}-weeks",
            "worst_with": f"{key}-worst",
        }
        _validated(Pain, entry, fields, errors)
        pains.append(entry)
    return {"pain": pains}, errors


def _person(form: Form, errors: Errors, names: tuple[str, ...]) -> dict[str, Any]:
    """The facts about the person that one step asks (``PERSON_FIELDS``), checked by the intake model."""
    person: dict[str, Any] = {}
    if "age_years" in names:
        person["age_years"] = _number(form, "age_years", errors, whole=True)
    if "sex" in names:
        person["sex"] = first(form, "sex") or None
    if "height_cm" in names:
        person["height_cm"] = _number(form, "height_cm", errors)
        person["weight_kg"] = _number(form, "weight_kg", errors)
    if "shoe_size" in names:
        size = _number(form, "shoe_size_value", errors)
        choice = first(form, "shoe_size_system")
        if size is not None and not choice:
            errors["shoe_size_system"] = "Shoe size: choose the size system, for example EU or UK."
        elif size is not None and choice not in SIZE_CHOICES:
            errors["shoe_size_system"] = "Shoe size: choose one of the size systems."
        elif size is not None:
            system, scale = SIZE_CHOICES[choice]
            person["shoe_size"] = {"system": system, "value": size} | ({"scale": scale} if scale else {})
    person = _drop_empty(person)
    fields = {name: name for name in Person.model_fields} | {"shoe_size": "shoe_size_value"}
    _validated(Person, person, fields, errors)
    return person


def parse_health(form: Form) -> tuple[Sections, Errors]:
    """Step 2: age and sex first (they decide which questions apply), then the screening questions;
    "not sure" and unanswered stay out."""
    errors: Errors = {}
    person = _person(form, errors, PERSON_FIELDS["health"])
    health: dict[str, Any] = {}
    for question in HEALTH_QUESTIONS:
        _tri(form, f"health-{question}", health, question)
    return {"health": health, "person": person}, errors


def parse_activity(form: Form) -> tuple[Sections, Errors]:
    """Step 3: standing, walking, running, sports and recent changes in load."""
    errors: Errors = {}
    sports = [s.strip() for s in first(form, "sports").replace(";", ",").split(",") if s.strip()]
    activity: dict[str, Any] = {
        "standing_hours_per_day": _number(form, "standing_hours_per_day", errors),
        "walking_km_per_week": _number(form, "walking_km_per_week", errors),
        "running_km_per_week": _number(form, "running_km_per_week", errors),
        "sports": sports,
    }
    _tri(form, "hard_surfaces", activity, "hard_surfaces")
    _tri(form, "recent_load_increase", activity, "recent_load_increase")
    activity = _drop_empty(activity)
    _validated(Activity, activity, {name: name for name in Activity.model_fields}, errors)
    return {"activity": activity}, errors


def parse_feet(form: Form) -> tuple[Sections, Errors]:
    """Step 4: self-reported arch, the flatten-on-standing check and the optional facts about the person."""
    errors: Errors = {}
    feet: dict[str, Any] = {}
    arch = first(form, "self_reported_arch")
    if arch:
        feet["self_reported_arch"] = arch
    _tri(form, "arch_flattens_when_standing", feet, "arch_flattens_when_standing")
    _validated(Feet, feet, {name: name for name in Feet.model_fields}, errors)
    person = _person(form, errors, PERSON_FIELDS["feet"])
    return {"feet": feet, "person": person}, errors


def merge_sections(current: Sections, step: str, new: Sections) -> None:
    """Put one step's sections into the draft's; the person's facts are shared by two steps, so each step
    replaces only the facts it asks."""
    for name, value in new.items():
        if name == "person":
            kept = {k: v for k, v in current.get("person", {}).items() if k not in PERSON_FIELDS[step]}
            value = {**kept, **value}
        current[name] = value


def age_conflicts(sections: Sections) -> list[tuple[int, float, int]]:
    """Pains said to have lasted longer than the person has lived: (index, weeks, age) each."""
    age = sections.get("person", {}).get("age_years")
    if age is None:
        return []
    return [
        (index, pain["duration_weeks"], age)
        for index, pain in enumerate(sections.get("pain", []))
        if pain.get("duration_weeks") is not None and pain["duration_weeks"] > (age + 1) * WEEKS_PER_YEAR
    ]


def parse_shoes(form: Form) -> tuple[Sections, Errors]:
    """Step 5: where the soles of the most worn shoes are worn, and whether the heel leans."""
    errors: Errors = {}
    wear: dict[str, Any] = {}
    for side in SHOE_SIDES:
        zones = list(dict.fromkeys(form.get(f"wear-{side}", [])))
        if any(zone not in WEAR_ZONES for zone in zones):
            errors[f"wear-{side}"] = "Tick places on the sole map or in the list."
        elif zones:
            wear[side] = zones
    tilt = first(form, "heel_counter_tilt")
    if tilt and tilt != UNSURE:
        wear["heel_counter_tilt"] = tilt
    _validated(ShoeWear, wear, {"heel_counter_tilt": "heel_counter_tilt"}, errors)
    return {"shoe_wear": wear}, errors


PARSERS = {
    "pain": parse_pain,
    "health": parse_health,
    "activity": parse_activity,
    "feet": parse_feet,
    "shoes": parse_shoes,
}
"""The steps answered by a plain form; footprint and gait take uploads, review only shows."""
