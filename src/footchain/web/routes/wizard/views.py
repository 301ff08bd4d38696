"""What each step's page shows beyond its own form: maps, questions, measured uploads, the summary.

Plain words for the choices live here too; the region and question wording comes from the knowledge's
``text.toml`` and the trigger wording from the report, so a person reads the same words everywhere.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from footchain.present.html import ARCH_WORDS, TRIGGER_WORDS, number, place
from footchain.store import repository
from footchain.web import screening
from footchain.web.routes.wizard import drafts, forms, maps, refill
from footchain.web.routes.wizard.drafts import Draft

ARCH_CHOICES: tuple[tuple[str, str, str], ...] = (
    ("flat", "Flat", "the print shows the whole sole, as wide in the middle as at the ball"),
    ("low", "Low", "a wide band joins the heel and the ball of the foot"),
    ("normal", "Medium", "a band about half as wide as the ball of the foot"),
    ("high", "High", "only a thin strip, or nothing, joins the heel and the ball"),
    ("unknown", "I don't know", ""),
)
SEX_CHOICES = (("female", "Female"), ("male", "Male"), ("other", "Other"), ("", "Prefer not to say"))
SIZE_SYSTEMS = (
    ("eu", "EU"),
    ("uk", "UK"),
    ("uk_children", "UK children's"),
    ("us_men", "US men's"),
    ("us_women", "US women's"),
    ("us_children", "US children's"),
    ("mondopoint", "Mondopoint (mm)"),
)
TILT_CHOICES = (
    ("none", "It stands straight"),
    ("medial", "It leans inwards (towards the other shoe)"),
    ("lateral", "It leans outwards"),
    ("unsure", "Not sure"),
)
TRI_WORDS = {"yes": "Yes", "no": "No", "unsure": "Not sure"}


@dataclass(frozen=True)
class PrintView:
    """One measured print of an upload; ``unsure`` when the analyser could not tell left from right,
    so the page offers the person a control to give the side."""

    index: int
    side: str
    arch_index: str
    arch_type: str
    length_mm: str
    warnings: tuple[str, ...]
    unsure: bool = False

    @property
    def foot(self) -> str:
        return f"{self.side.capitalize()} foot" if self.side in ("left", "right") else "Side not clear"


SIDE_UNSURE = "side uncertain"
"""How the footprint analyser's warning starts when it cannot tell which foot a print is."""
SIDE_GIVEN = "You said this print is of your {side} foot."
_COMMAND_LINE = re.compile(r",? or (?:scan it and )?give the scan's [^.;]*|\s*\(`footchain sheet`\)")
"""The command-line half of a measuring warning ("or give the scan's --dpi"): no use on a web page."""


def plain_warning(warning: str) -> str:
    """A measuring warning without its command-line advice (``--dpi``, ``footchain sheet``)."""
    return _COMMAND_LINE.sub("", warning)


@dataclass(frozen=True)
class UploadView:
    """A measured upload of this draft, in words."""

    id: str
    filename: str
    overlay_url: str | None
    prints: tuple[PrintView, ...] = ()
    facts: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class SummarySection:
    """One block of the review page: a step's answers in words and the link to change them."""

    title: str
    step: str
    lines: tuple[str, ...] = field(default_factory=tuple)


def _number(value: float) -> str:
    """A number without a useless ``.0`` (the report's wording), for ints too."""
    return number(float(value))


def _fmt(value: Any, digits: int = 2) -> str:
    return "not measured" if value is None else f"{float(value):.{digits}f}"


def footprint_view(row_id: str, filename: str, result: dict[str, Any], has_overlay: bool) -> UploadView:
    prints = tuple(
        PrintView(
            index=index,
            side=str(p.get("side", "unknown")),
            arch_index=_fmt(p.get("arch_index")),
            arch_type=ARCH_WORDS.get(p.get("arch_type", "unknown"), "Not known"),
            length_mm="not measured" if p.get("foot_length_mm") is None else f"{p['foot_length_mm']:.0f} mm",
            warnings=tuple(plain_warning(w) for w in p.get("warnings", [])),
            unsure=p.get("side") == "unknown"
            or any(w.startswith(SIDE_UNSURE) for w in p.get("warnings", [])),
        )
        for index, p in enumerate(result.get("prints", []))
    )
    overlay = f"/assess/footprint/{row_id}.png" if has_overlay else None
    warnings = tuple(plain_warning(w) for w in result.get("warnings", []))
    return UploadView(row_id, filename, overlay, prints=prints, warnings=warnings)


def with_side(result: dict[str, Any], index: int, side: str) -> dict[str, Any]:
    """A footprint measurement with the side of print ``index`` given by the person: the analyser's
    "side uncertain" warning is replaced by a note that the person gave it."""
    prints = [dict(p) for p in result.get("prints", [])]
    chosen = prints[index]
    chosen["side"] = side
    chosen["warnings"] = [
        *(w for w in chosen.get("warnings", []) if not w.startswith(SIDE_UNSURE)),
        SIDE_GIVEN.format(side=side),
    ]
    return {**result, "prints": prints}


def gait_view(row_id: str, filename: str, result: dict[str, Any]) -> UploadView:
    facts: list[str] = []
    for side in ("left", "right"):
        summary = (result.get("feet", {}).get(side) or {}).get("summary") or {}
        strides = summary.get("strides")
        if strides:
            cadence = summary.get("cadence_steps_per_min")
            stride = (summary.get("stride_time_s") or {}).get("mean")
            facts.append(
                f"{side.capitalize()} foot: {strides} strides"
                + (f", {cadence:.0f} steps a minute" if cadence is not None else "")
                + (f", {stride:.2f} s a stride" if stride is not None else "")
            )
    symmetry = ((result.get("summary") or {}).get("symmetry_index_percent") or {}).get("stride_time")
    if symmetry is not None:
        facts.append(f"Left and right stride times differ by {symmetry:.1f} %")
    return UploadView(row_id, filename, None, facts=tuple(facts), warnings=tuple(result.get("warnings", [])))


def uploads(session: Session, draft: Draft, kind: str) -> list[UploadView]:
    """The draft's uploads of one kind, measured, oldest first."""
    views = []
    for upload_id in draft.files(kind):
        row = repository.get_upload(session, upload_id, kind)
        if row is None:
            continue
        if kind == "footprint":
            views.append(footprint_view(row.id, row.filename, row.result, row.overlay_png is not None))
        else:
            views.append(gait_view(row.id, row.filename, row.result))
    return views


def _tri(value: object) -> str:
    return "yes" if value is True else "no" if value is False else "not sure"


def summary(session: Session, draft: Draft) -> tuple[SummarySection, ...]:
    """Every answer of the draft in words, step by step, for the review page."""
    sections = draft.answers.get("sections", {})
    forms = draft.forms()
    names = maps.part_names()
    pain_lines = []
    for pain in sections.get("pain", []):
        # a pain kept from a stored report may be on "both" sides, as the report words it
        where = names.get(maps.part_key_of(pain)) or place(pain["region"], pain.get("side"))
        line = f"{where[:1].upper()}{where[1:]}: {pain['intensity']} out of 10"
        if "duration_weeks" in pain:
            line += f", for {_number(pain['duration_weeks'])} weeks"
        if pain.get("worst_with"):
            line += ", worst with " + ", ".join(TRIGGER_WORDS[t] for t in pain["worst_with"])
        pain_lines.append(line)
    words = screening.question_words()
    health = sections.get("health", {})
    yes = [words[q] for q, answer in health.items() if answer is True]
    no = sum(1 for answer in health.values() if answer is False)
    person = sections.get("person", {})
    about = [f"Age: {_number(person['age_years'])}"] if "age_years" in person else []
    about += (
        [f"Sex: {dict(SEX_CHOICES).get(person['sex'], person['sex']).lower()}"] if "sex" in person else []
    )
    asked = screening.applying_questions(drafts.screening_intake(draft.answers))
    unsure = sum(1 for q in asked if q not in health)
    health_lines = (
        about
        + [f"Yes: {w}" for w in yes]
        + [f"No: {no} question{'' if no == 1 else 's'}; not sure or not answered: {unsure}"]
    )
    activity = sections.get("activity", {})
    activity_lines = [
        text
        for key, text in (
            ("standing_hours_per_day", "Hours on your feet a day: {}"),
            ("walking_km_per_week", "Walking a week: {} km"),
            ("running_km_per_week", "Running a week: {} km"),
        )
        if key in activity
        for text in [text.format(_number(activity[key]))]
    ]
    if activity.get("sports"):
        activity_lines.append("Sports: " + ", ".join(activity["sports"]))
    for key, words_ in (
        ("hard_surfaces", "Mostly on hard floors"),
        ("recent_load_increase", "Recent jump in load"),
    ):
        if key in activity:
            activity_lines.append(f"{words_}: {_tri(activity[key])}")
    feet_form = forms.get("feet", {})
    arch = dict((value, label) for value, label, _ in ARCH_CHOICES)
    feet_lines = []
    if feet_form.get("self_reported_arch", [""])[0]:
        feet_lines.append(f"Your arch: {arch.get(feet_form['self_reported_arch'][0], '')}")
    flattens = feet_form.get("arch_flattens_when_standing", [""])[0]
    if flattens:
        feet_lines.append(f"Arch flattens when you stand: {TRI_WORDS.get(flattens, '')}")
    for key, text in (
        ("height_cm", "Height: {} cm"),
        ("weight_kg", "Weight: {} kg"),
    ):
        if key in person:
            feet_lines.append(text.format(_number(person[key])))
    if "shoe_size" in person:
        size = person["shoe_size"]
        feet_lines.append(f"Shoe size: {size_system_words(size)} {_number(size['value'])}")
    kept = draft.answers.get("kept", {}).get("feet", {})
    if kept:
        feet_lines.append("Kept from your earlier report: " + ", ".join(refill.KEPT_FEET[k] for k in kept))
    wear = sections.get("shoe_wear", {})
    zones = maps.zone_words()
    shoe_lines = [
        f"{side.capitalize()} shoe: " + ", ".join(zones[z].lower() for z in wear[side])
        for side in ("left", "right")
        if wear.get(side)
    ]
    if "heel_counter_tilt" in wear:
        shoe_lines.append("Heel from behind: " + dict(TILT_CHOICES)[wear["heel_counter_tilt"]].lower())
    foot_lines = [
        f"{u.filename}: " + "; ".join(f"{p.foot.lower()}, arch {p.arch_type.lower()}" for p in u.prints)
        for u in uploads(session, draft, "footprint")
    ]
    gait_lines = [u.filename for u in uploads(session, draft, "gait")]
    none = ("Nothing entered",)
    return (
        SummarySection("Where it hurts", "pain", tuple(pain_lines) or ("No pain marked",)),
        SummarySection(
            "Health questions", "health", tuple(health_lines) if health or about else ("Not answered",)
        ),
        SummarySection("Your day", "activity", tuple(activity_lines) or none),
        SummarySection("Your feet", "feet", tuple(feet_lines) or none),
        SummarySection("Your shoes", "shoes", tuple(shoe_lines) or none),
        SummarySection("Footprint photo", "footprint", tuple(foot_lines) or ("No photo",)),
        SummarySection("Walking recording", "gait", tuple(gait_lines) or ("No recording",)),
    )


def step_context(step: str, draft: Draft, session: Session) -> dict[str, Any]:
    """The extra things one step's template shows."""
    if step == "pain":
        return {
            "rows": maps.body_rows(),
            "viewbox": maps.BODY_VIEWBOX,
            "triggers": maps.TRIGGERS,
            "limits": forms.limits(),
        }
    if step == "health":
        return health_context(draft)
    if step == "activity":
        return {"limits": forms.limits()}
    if step == "feet":
        return {"arch_choices": ARCH_CHOICES, "size_systems": SIZE_SYSTEMS, "limits": forms.limits()}
    if step == "shoes":
        return {"soles": maps.soles(), "zone_words": maps.zone_words(), "tilt_choices": TILT_CHOICES}
    if step in ("footprint", "gait"):
        return {"uploads": uploads(session, draft, step)}
    if step == "review":
        return {"summary": summary(session, draft)}
    return {}


def size_system_words(size: dict[str, Any]) -> str:
    """A stored shoe size's system as the form names it, e.g. "UK children's"."""
    choice = next(
        (key for key, value in forms.SIZE_CHOICES.items() if value == (size["system"], size.get("scale"))),
        size["system"],
    )
    return dict(SIZE_SYSTEMS).get(choice, choice)


def shown_for(person: dict[str, Any]) -> str:
    """The age and sex the health page was drawn for, e.g. "41|female" ("|" when neither is known)."""
    return f"{person.get('age_years', '')}|{person.get('sex', '')}"


def health_context(draft: Draft) -> dict[str, Any]:
    """The health step: age and sex, then the questions that could apply, emergency ones first."""
    person = draft.answers.get("sections", {}).get("person", {})
    return {
        "groups": drafts.health_groups(draft.answers),
        "sex_choices": SEX_CHOICES,
        "limits": forms.limits(),
        "shown_for": shown_for(person),
        "again": bool(draft.answers.get("again")),
    }
