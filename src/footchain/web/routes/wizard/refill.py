"""A stored assessment's answers as a new draft, so a person can answer the questions they left open.

``forms_from_intake`` is the inverse of ``forms.py``: it writes each step's form as the person would
have typed it, so every page shows what was given and ``PARSERS`` turn those forms back into the same
intake sections. ``draft_answers`` builds the whole draft: the intake's sections, those forms, the
upload ids reused (an upload may serve several assessments: ``results.py``), and the few answers no
page asks (FPI-6 scores, navicular drop or footprint numbers typed into the API) kept aside in ``kept``,
so that posting the feet page cannot erase them; they go into the new intake unchanged.

Two answers are written the way the pages ask them: a pain on "both" sides (or with no side) is ticked
on each part of its region, as the body map ticks it, and a shoe size is written with the page's
choice of system (a US women's children's size as US children's, an EU "children's" size as EU). The
engine reads them the same way (``findings.pathways`` joins the sides of one region; the size ranges
are the same).
"""

from __future__ import annotations

import copy
from typing import Any

from footchain.present.body_map import parts_for_side
from footchain.web.routes.wizard.drafts import SECTIONS
from footchain.web.routes.wizard.forms import SIZE_CHOICES, Form, part_key
from footchain.web.screening import HEALTH_QUESTIONS

YES_NO_WORDS = {True: "yes", False: "no"}
KEPT_FEET = {
    "fpi6": "foot posture index (FPI-6) scores",
    "navicular_drop_mm": "navicular drop",
    "footprint": "footprint measurements",
}
"""Foot measurements no page asks, in words for the review page; ``footprint`` is kept only when no
photo measured it (the photo's numbers come back when the draft is assessed with the same upload)."""
STEPS_FILLED = ("pain", "health", "activity", "feet", "shoes", "footprint", "gait")


def number_text(value: float) -> str:
    """A number as a person types it: ``6`` rather than ``6.0``, every digit of ``7.25`` kept."""
    number = float(value)
    return str(int(number)) if number.is_integer() else repr(number)


def _put(form: Form, name: str, value: Any) -> None:
    """Write one answer into a form; an absent answer leaves the field out (never an empty value)."""
    if value is None or value == []:
        return
    if isinstance(value, bool):
        form[name] = [YES_NO_WORDS[value]]
    elif isinstance(value, int | float):
        form[name] = [number_text(value)]
    elif isinstance(value, list):
        form[name] = [str(item) for item in value]
    else:
        form[name] = [str(value)]


def pain_form(pains: list[dict[str, Any]]) -> Form:
    """The body map ticked where each pain is, with its rating, weeks and triggers."""
    form: Form = {"where": []}
    for pain in pains:
        for part in parts_for_side(pain["region"], pain.get("side")):
            key = part_key(pain["region"], part)
            if key in form["where"]:  # the page has one set of answers per place: the first is kept
                continue
            form["where"].append(key)
            _put(form, f"{key}-intensity", pain["intensity"])
            _put(form, f"{key}-weeks", pain.get("duration_weeks"))
            _put(form, f"{key}-worst", pain.get("worst_with"))
    return form if form["where"] else {}


def health_form(health: dict[str, Any], person: dict[str, Any]) -> Form:
    form: Form = {}
    _put(form, "age_years", person.get("age_years"))
    _put(form, "sex", person.get("sex"))
    for question in HEALTH_QUESTIONS:
        _put(form, f"health-{question}", health.get(question))
    return form


def activity_form(activity: dict[str, Any]) -> Form:
    form: Form = {}
    for name in ("standing_hours_per_day", "walking_km_per_week", "running_km_per_week"):
        _put(form, name, activity.get(name))
    if activity.get("sports"):
        form["sports"] = [", ".join(activity["sports"])]
    _put(form, "hard_surfaces", activity.get("hard_surfaces"))
    _put(form, "recent_load_increase", activity.get("recent_load_increase"))
    return form


def size_choice(size: dict[str, Any]) -> str:
    """The form's size-system choice of a stored shoe size: a UK or US children's size is the page's
    children's choice (US children's sizes are one scale for girls and boys), any other the adult one
    (EU and Mondopoint have one scale for all)."""
    system = size["system"]
    if size.get("scale") == "children" and system in ("uk", "us_men", "us_women"):
        return "uk_children" if system == "uk" else "us_children"
    return next(choice for choice, stored in SIZE_CHOICES.items() if stored == (system, None))


def feet_form(feet: dict[str, Any], person: dict[str, Any]) -> Form:
    form: Form = {}
    _put(form, "self_reported_arch", feet.get("self_reported_arch"))
    _put(form, "arch_flattens_when_standing", feet.get("arch_flattens_when_standing"))
    _put(form, "height_cm", person.get("height_cm"))
    _put(form, "weight_kg", person.get("weight_kg"))
    if size := person.get("shoe_size"):
        _put(form, "shoe_size_value", size["value"])
        form["shoe_size_system"] = [size_choice(size)]
    return form


def shoes_form(wear: dict[str, Any]) -> Form:
    form: Form = {}
    _put(form, "wear-left", wear.get("left"))
    _put(form, "wear-right", wear.get("right"))
    _put(form, "heel_counter_tilt", wear.get("heel_counter_tilt"))
    return form


def forms_from_intake(intake: dict[str, Any]) -> dict[str, Form]:
    """Each step's form, as typed, that gives the intake's answers (intake JSON, ``exclude_none``)."""
    person = intake.get("person", {})
    forms = {
        "pain": pain_form(intake.get("pain", [])),
        "health": health_form(intake.get("health", {}), person),
        "activity": activity_form(intake.get("activity", {})),
        "feet": feet_form(intake.get("feet", {}), person),
        "shoes": shoes_form(intake.get("shoe_wear", {})),
    }
    return {step: form for step, form in forms.items() if form}


def kept_feet(intake: dict[str, Any]) -> dict[str, Any]:
    """The foot measurements no page asks, to go into the new intake unchanged."""
    feet = intake.get("feet", {})
    measured_by_photo = bool(intake.get("files", {}).get("footprint_images"))
    return {
        name: feet[name]
        for name in KEPT_FEET
        if name in feet and not (name == "footprint" and measured_by_photo)
    }


def draft_answers(intake: dict[str, Any]) -> dict[str, Any]:
    """A draft holding everything a stored intake (JSON, ``exclude_none``) gave, every step filled in.

    The sections are the intake's own, so a page the person does not post again keeps its answers word
    for word (a pain on "both" sides stays one pain); a page posted again gives the same answers the way
    the page asks them (``forms_from_intake``).
    """
    forms = forms_from_intake(intake)
    kept = kept_feet(intake)
    sections = {name: copy.deepcopy(intake[name]) for name in SECTIONS if intake.get(name)}
    feet = {name: value for name, value in sections.pop("feet", {}).items() if name not in KEPT_FEET}
    if feet:
        sections["feet"] = feet
    answers: dict[str, Any] = {
        "forms": forms,
        "sections": sections,
        "done": list(STEPS_FILLED),
        "again": True,  # the health page says the answers are kept and a new report will be made
    }
    files = {name: list(ids) for name, ids in intake.get("files", {}).items() if ids}
    if files:
        answers["files"] = files
    if kept:
        answers["kept"] = {"feet": kept}
    return answers
