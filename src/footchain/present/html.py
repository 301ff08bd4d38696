"""The self-contained HTML report: one file with inline CSS and an inline SVG body map, and no scripts.

The report is written for the person in pain. It opens with the referral (red flags before anything
else), then shows where it hurts and how the feet may be involved on a body map, then the feet, the
links up the chain with their evidence grades, the plan, and what could not be judged. Rendering is a
pure function of the assessment and the intake: no dates, no randomness, the same bytes every time.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import TYPE_CHECKING, Any, Literal

from footchain.findings.redflags import URGENCY_RANK
from footchain.knowledge import load_knowledge
from footchain.plan.referral import ALL_REGIONS, SEE_FIRST, held_back_note, missing_answers
from footchain.present.body_map import (
    EVIDENCE_STYLES,
    MARKER_RADIUS,
    PAIN_COLOURS,
    REGION_NAMES,
    build_body_map,
    text_colour,
)
from footchain.present.summary import (
    actions,
    answers_summary,
    has_numbers,
    plain_words,
    region_whys,
    shown_reasons,
    summary_line,
    tell_clinician,
)
from footchain.types import (
    ArchType,
    Assessment,
    ChainLink,
    Confidence,
    Health,
    InsoleArch,
    InsoleSize,
    InsoleStatus,
    Intake,
    PainTrigger,
    Posture,
    Referral,
    ReferTo,
    Region,
    ScreeningStatus,
    Side,
    Urgency,
)

if TYPE_CHECKING:
    import jinja2


@cache
def _templates() -> jinja2.Environment:
    """The report templates (jinja2 is imported here, not at start: the text report needs only this
    module's wording helpers, and ``footchain assess`` starts faster without it)."""
    import jinja2

    return jinja2.Environment(
        loader=jinja2.PackageLoader("footchain.present", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


_URGENCY_TAGS: dict[Urgency, str] = {
    "emergency": "Emergency",
    "urgent": "Urgent",
    "soon": "Soon",
    "routine": "Routine",
    "none": "No referral needed",
}
_WHO: dict[ReferTo, str] = {
    "emergency_department": "an emergency department",
    "doctor": "a doctor",
    "diabetic_foot_team": "your diabetic foot team",
    "podiatrist": "a podiatrist",
    "physiotherapist": "a physiotherapist",
}
_AFTER_BEING_SEEN = "The rest of this report can wait until you have been seen."

ARCH_WORDS: dict[ArchType, str] = {
    "flat": "Flat (low arch)",
    "normal": "Typical arch",
    "high": "High arch",
    "unknown": "Not known",
}
POSTURE_WORDS: dict[Posture, str] = {
    "highly_pronated": "Rolls in a lot (highly pronated)",
    "pronated": "Rolls in (pronated)",
    "normal": "Neutral",
    "supinated": "Rolls out (supinated)",
    "highly_supinated": "Rolls out a lot (highly supinated)",
    "unknown": "Not known",
}
CONFIDENCE_WORDS: dict[Confidence, str] = {
    "high": "High confidence",
    "moderate": "Moderate confidence",
    "low": "Low confidence",
}
INSOLE_HEADLINES: dict[InsoleStatus, str] = {
    "recommended": "An off-the-shelf insole may help",
    "not_recommended": "Off-the-shelf insoles are not advised for you",
    "deferred": "Insole advice is on hold until a clinician has seen you",
}
DEFERRED_FOR_ANSWERS = "Insole advice is on hold until a few more answers are given"
"""An insole plan held back by missing answers (arch, size, diabetes) rather than by a referral."""


INSOLE_HEADLINES_FOR_CLINICIAN: dict[InsoleStatus, str] = {
    "recommended": "An off-the-shelf insole may help",
    "not_recommended": "Off-the-shelf insoles are not advised for the patient",
    "deferred": "Insole advice is on hold until a clinician has seen the patient",
}


def insole_headline(assessment: Assessment, *, clinician: bool = False) -> str:
    """The insole plan's headline: a deferral says whether a clinician or missing answers hold it back;
    ``clinician`` words it about the patient."""
    status = assessment.insole.status
    if status == "deferred" and assessment.referral.urgency not in ("emergency", "urgent"):
        return DEFERRED_FOR_ANSWERS
    return (INSOLE_HEADLINES_FOR_CLINICIAN if clinician else INSOLE_HEADLINES)[status]


ARCH_HEIGHT_WORDS: dict[InsoleArch, str] = {
    "low": "a low-arch insole (made for flat feet)",
    "medium": "a medium-arch insole (made for typical arches)",
    "high": "a high-arch insole (made for high arches)",
    "extra_high": "an extra-high-arch insole (made for very high arches)",
}
"""Insole arch heights as a shop names them, with the foot each is made for: "low arch support" alone
reads to a lay person as "little support"."""
TRIGGER_WORDS: dict[PainTrigger, str] = {
    "first_steps_morning": "first steps in the morning",
    "after_rest": "after rest",
    "standing": "standing",
    "walking": "walking",
    "running": "running",
    "stairs": "stairs",
    "sitting": "sitting",
    "night": "at night",
    "constant": "all the time",
}
LINK_NAMES: dict[ChainLink, str] = {
    "toes": "toes",
    "foot": "foot",
    "ankle": "ankle",
    "shin": "shin",
    "knee": "knee",
    "thigh": "thigh",
    "hip": "hip",
    "pelvis": "pelvis",
    "lower_back": "lower back",
}


@dataclass(frozen=True)
class ReferralView:
    """The referral box in words: a tag, a headline that says what to do, and advice around it.

    ``call`` is true when the advice is to call emergency services (999, 112 or 911): the web page then
    offers the numbers as ``tel:`` links.
    """

    urgency: Urgency
    tag: str
    headline: str
    advice: tuple[str, ...]
    call: bool = False


SCREENING_ANSWERS = frozenset(Health.model_fields)
"""The yes/no screening answers; other open items (an age, how far one runs) are asked for in words."""


@dataclass(frozen=True)
class OpenQuestionView:
    """A warning-sign question not answered yet, in words, and what a "yes" could mean."""

    id: str
    words: str
    level: Urgency
    short: str = ""
    """The question as a short phrase (text.toml ``question_short``) for the compact list; else ``words``."""

    @property
    def phrase(self) -> str:
        text = self.short or self.words
        return text[:1].upper() + text[1:]


@dataclass(frozen=True)
class ScreeningView:
    """The warning-sign questions still open (emergency ones first) and where the report shows them.

    ``first`` is true for the questions that open the report, before the referral (a "yes" could mean
    something more urgent than the referral itself); the others come right after the referral.
    """

    questions: tuple[OpenQuestionView, ...]
    first: bool

    @property
    def emergency(self) -> bool:
        return any(q.level == "emergency" for q in self.questions)

    @property
    def groups(self) -> tuple[tuple[str, tuple[OpenQuestionView, ...]], ...]:
        """The yes/no questions by level, emergency first, each under words saying what a "yes" could mean."""
        return tuple(
            (LEVEL_MEANING[level][:1].upper() + LEVEL_MEANING[level][1:], group)
            for level in OPEN_LEVELS
            if (group := tuple(q for q in self.questions if q.level == level and q.id in SCREENING_ANSWERS))
        )

    @property
    def lead(self) -> tuple[str, tuple[OpenQuestionView, ...]] | None:
        """The most urgent group, listed in full at the top of the box."""
        return self.groups[0] if self.groups else None

    @property
    def folded(self) -> tuple[tuple[str, tuple[OpenQuestionView, ...]], ...]:
        """The less urgent groups, folded under the lead group so that the box stays short."""
        return self.groups[1:]

    @property
    def facts(self) -> tuple[str, ...]:
        """Other things the rules wait for that are not yes/no questions ("your age"), in words."""
        words = (q.words[:1].lower() + q.words[1:] for q in self.questions if q.id not in SCREENING_ANSWERS)
        return tuple(dict.fromkeys(words))

    def __bool__(self) -> bool:
        return bool(self.questions)


@dataclass(frozen=True)
class PainView:
    """One reported pain as a line of the "where it hurts" list."""

    place: str
    intensity: int
    fill: str
    text_colour: str
    details: tuple[str, ...]


def condition_name(identifier: str) -> str:
    """A condition id (or a region a care item serves) in plain words; other ids lose their underscores."""
    text = load_knowledge().text
    regions: dict[str, str] = {str(key): words for key, words in text.region.items()}
    words = text.condition.get(identifier) or regions.get(identifier) or identifier.replace("_", " ")
    return words[:1].upper() + words[1:]


def helps_with(targets: list[str]) -> tuple[str, ...]:
    """The conditions and painful regions a care item serves, in words; internal facts it was chosen for
    ("runner with leg pain") are left out, since they are no names a person would recognise."""
    facts = {name for item in load_knowledge().care.item for name in (*item.when, *item.with_flags)}
    return tuple(condition_name(target) for target in targets if target not in facts)


def place(region: Region, side: Side | None) -> str:
    """Where a pain or a link sits, in words, e.g. "left knee", "knee, both sides", "lower back, middle"."""
    name = REGION_NAMES[region]
    if side in ("left", "right"):
        return f"{side} {name}"
    if side == "both":
        return f"{name}, both sides"
    if side == "midline":
        return f"{name}, middle"
    return name if region in ("lower_back", "pelvis") else f"{name} (side not given)"


def number(value: float) -> str:
    """A size or length without a useless ``.0``: 9.5 stays 9.5, 11.0 becomes 11."""
    rounded = round(value, 1)
    return str(int(rounded)) if rounded.is_integer() else f"{rounded:.1f}"


CALL_NUMBERS: tuple[tuple[str, str], ...] = (("999", "UK"), ("112", "Europe"), ("911", "US and Canada"))
"""Emergency numbers named when the advice is to call emergency services (domain.md §6)."""
CALL_WORDS = "Call 999 (UK), 112 (Europe) or 911 (US and Canada) now"
OPEN_LEVELS: tuple[Urgency, ...] = ("emergency", "urgent")
"""Open questions of these levels keep "No warning signs found" from being said (domain.md §6)."""
LEVEL_MEANING: dict[Urgency, str] = {
    "emergency": "a “yes” could mean an emergency",
    "urgent": "a “yes” could mean seeing a doctor today",
}


ReferralCase = Literal["call", "emergency", "diabetic_foot", "urgent", "soon", "routine", "open", "clear"]
_Words = tuple[str, tuple[str, ...]]  # the headline ({who}: the destination) and the advice


def _referral_case(referral: Referral, complete: bool) -> ReferralCase:
    """Which referral box the decision calls for; decided once, then worded for each reader."""
    urgency = referral.urgency
    if urgency == "emergency":
        return "call" if referral.call_emergency_services else "emergency"
    if urgency == "urgent":
        return "diabetic_foot" if referral.to == "diabetic_foot_team" else "urgent"
    if urgency in ("soon", "routine"):
        return urgency
    return "clear" if complete else "open"


_PERSON_WORDS: dict[ReferralCase, _Words] = {
    "call": (
        CALL_WORDS,
        (
            "Call an ambulance now: these signs need help within minutes. Do not drive yourself.",
            _AFTER_BEING_SEEN,
        ),
    ),
    "emergency": (
        "Go to an emergency department now",
        (
            "Do not wait. If you cannot get there safely, call emergency services: 999 (UK), 112 (Europe) "
            "or 911 (US and Canada).",
            _AFTER_BEING_SEEN,
        ),
    ),
    "diabetic_foot": (
        "See your diabetic foot team within one working day",
        (
            "Ring them today. If you cannot reach them, be seen by a doctor the same day (out of hours: the "
            "urgent-care line, NHS 111 in the UK). If you get much worse, go to an emergency department.",
            _AFTER_BEING_SEEN,
        ),
    ),
    "urgent": (
        "See {who} today",
        (
            "Ring today to be seen the same day. Out of hours, call the urgent-care line (NHS 111 in the UK). "
            "If you get much worse, go to an emergency department.",
            _AFTER_BEING_SEEN,
        ),
    ),
    "soon": (
        "See {who} within about two weeks",
        (
            "Book the appointment now. If new warning signs appear (numbness between the legs, a change "
            "in bladder or bowel control, weakness in both legs, fever), get help straight away.",
        ),
    ),
    "routine": (
        "Book an appointment with {who}",
        ("This is not urgent, but it is worth a professional's look.",),
    ),
    "open": (
        "Some warning-sign questions are not answered yet",
        (
            "We cannot say that there are no warning signs until they are answered: a question left out is "
            "never read as a “no”. The questions are listed in this report; answer them, and see a doctor "
            "if any of them is true for you.",
        ),
    ),
    "clear": (
        "No warning signs found: self-care is a reasonable start",
        (
            "Nothing in your answers points to a need to see a professional now. If the pain gets "
            "worse, new symptoms appear, or nothing improves within a few weeks, see a doctor or "
            "physiotherapist.",
        ),
    ),
}
"""The referral box spoken to the person."""

_SEEN_FIRST = "The rest of this report can wait until the patient has been seen."
_WHO_FOR_CLINICIAN: dict[ReferTo, str] = {**_WHO, "diabetic_foot_team": "the diabetic foot team"}
_CLINICIAN_WORDS: dict[ReferralCase, _Words] = {
    "call": (
        CALL_WORDS,
        (
            "Call an ambulance now: these signs need help within minutes. The patient must not drive.",
            _SEEN_FIRST,
        ),
    ),
    "emergency": (
        "Send the patient to an emergency department now",
        (
            "Do not wait. If the patient cannot get there safely, call emergency services: 999 (UK), "
            "112 (Europe) or 911 (US and Canada).",
            _SEEN_FIRST,
        ),
    ),
    "diabetic_foot": (
        "Diabetic foot team within one working day",
        (
            "Contact them today. If they cannot be reached, a doctor the same day (out of hours: the "
            "urgent-care line, NHS 111 in the UK); if the patient gets much worse, an emergency department.",
            _SEEN_FIRST,
        ),
    ),
    "urgent": (
        "Same-day assessment by {who}",
        (
            "Arrange to have the patient seen today. Out of hours: the urgent-care line (NHS 111 in the UK). "
            "If the patient gets much worse, an emergency department.",
            _SEEN_FIRST,
        ),
    ),
    "soon": (
        "Refer to {who} within about two weeks",
        (
            "Book the appointment now. New warning signs (numbness between the legs, a change in bladder "
            "or bowel control, weakness in both legs, fever) need help straight away.",
        ),
    ),
    "routine": (
        "Routine referral to {who}",
        ("Not urgent, but worth a professional's look.",),
    ),
    "open": (
        "Some warning-sign questions are not answered yet",
        (
            "No warning sign can be ruled out until they are answered: a question left out is never read "
            "as a “no”. Ask them first; they are listed in this report.",
        ),
    ),
    "clear": (
        "No warning signs found: self-care is a reasonable start",
        (
            "Nothing in the answers points to a referral now. Review if the pain gets worse, new symptoms "
            "appear, or nothing improves within a few weeks.",
        ),
    ),
}
"""The same boxes written for the clinician: about the patient instead of to them."""

_DEFAULT_WHO: dict[ReferralCase, str] = {"routine": "a podiatrist or physiotherapist"}
"""Who to see when the rule names no destination (else "a doctor")."""


def referral_view(
    referral: Referral, has_limits: bool, *, complete: bool = True, clinician: bool = False
) -> ReferralView:
    """The referral box's words: the most urgent action first, in the plainest terms (domain.md §6).

    ``has_limits`` says whether some things could not be judged; a "no referral" box then points to them,
    because a missing screening answer is never read as "no". ``complete`` is the screening's own verdict:
    only a complete screening with no referral may say "No warning signs found". ``clinician`` words the
    same decision for the clinic's visit report: the case is decided once (``_referral_case``), and only
    its words differ.
    """
    case = _referral_case(referral, complete)
    headline, advice = (_CLINICIAN_WORDS if clinician else _PERSON_WORDS)[case]
    if referral.to is not None:
        who = (_WHO_FOR_CLINICIAN if clinician else _WHO)[referral.to]
    else:
        who = _DEFAULT_WHO.get(case, "a doctor")
    if case == "clear" and has_limits:
        advice += ("Some things could not be checked: see “What we could not judge” at the end.",)
    urgency = referral.urgency
    tag = "Not finished" if case == "open" else _URGENCY_TAGS[urgency]
    return ReferralView(
        urgency=urgency, tag=tag, headline=headline.format(who=who), advice=advice, call=case == "call"
    )


def screening_view(screening: ScreeningStatus, referral: Referral) -> tuple[ScreeningView, ScreeningView]:
    """The emergency and urgent questions still unanswered, in the person's words, split in two: those
    whose "yes" could mean something more urgent than the referral open the report (domain.md §6: an
    open emergency question comes before everything unless the referral is already an emergency); the
    rest follow the referral."""
    short = load_knowledge().text.question_short
    questions = [
        OpenQuestionView(q.id, q.question[:1].upper() + q.question[1:], q.could_mean, short.get(q.id, ""))
        for level in OPEN_LEVELS
        for q in screening.unanswered
        if q.could_mean == level
    ]
    more = [q for q in questions if URGENCY_RANK[q.level] > URGENCY_RANK[referral.urgency]]
    return (
        ScreeningView(questions=tuple(more), first=True),
        ScreeningView(questions=tuple(q for q in questions if q not in more), first=False),
    )


HELD_BACK_FOR_CLINICIAN = (
    "Because of the warning sign above, footchain holds back the foot links, insole advice and self-care "
    "until a clinician has seen the patient; only safety advice stays."
)


def held_back_words(assessment: Assessment, *, clinician: bool = False) -> str | None:
    """Why the chain, insoles or self-care are held back, shown next to the referral (domain.md §6);
    ``clinician`` words the whole-report hold about the patient (the per-region one names no person)."""
    note = held_back_note(assessment.screening, assessment.referral, load_knowledge())
    held = set(assessment.screening.held_back_regions)
    whole = assessment.referral.urgency in SEE_FIRST or held == set(ALL_REGIONS)
    return HELD_BACK_FOR_CLINICIAN if note is not None and clinician and whole else note


def pain_views(intake: Intake) -> tuple[PainView, ...]:
    """The intake's pains, worst first, each with its duration and what makes it worse."""
    views: list[PainView] = []
    for pain in sorted(intake.pain, key=lambda p: -p.intensity):
        details: list[str] = []
        if pain.duration_weeks is not None:
            weeks = number(pain.duration_weeks)
            details.append(f"for {weeks} week{'' if weeks == '1' else 's'}")
        if pain.worst_with:
            details.append("worst with " + ", ".join(TRIGGER_WORDS[t] for t in pain.worst_with))
        views.append(
            PainView(
                place=place(pain.region, pain.side),
                intensity=pain.intensity,
                fill=PAIN_COLOURS[pain.intensity],
                text_colour=text_colour(pain.intensity),
                details=tuple(details),
            )
        )
    return tuple(views)


def size_rows(size: InsoleSize) -> tuple[tuple[str, str], ...]:
    """The insole size in every sizing system, as (system, value) rows."""
    return (
        ("Foot length", f"{number(size.foot_length_mm)} mm"),
        ("UK", number(size.uk)),
        ("EU", number(size.eu)),
        ("US men", number(size.us_men)),
        ("US women", number(size.us_women)),
        ("Mondopoint", number(size.mondopoint)),
    )


@dataclass(frozen=True)
class PrintView:
    """One measured footprint (one foot) as a small table of values with its warnings."""

    title: str
    rows: tuple[tuple[str, str], ...]
    warnings: tuple[str, ...]


@dataclass(frozen=True)
class FootprintView:
    """One uploaded footprint file: its overlay picture (a URL or a ``data:`` URI) and each print found."""

    filename: str
    picture: str | None
    alt: str
    prints: tuple[PrintView, ...]
    warnings: tuple[str, ...]


@dataclass(frozen=True)
class FigureView:
    """One gait figure: the picture (a URL or a ``data:`` URI) and what it shows, in words."""

    picture: str
    alt: str


@dataclass(frozen=True)
class GaitView:
    """One walking recording: left and right values side by side, values for both, figures, warnings."""

    filename: str
    sides: tuple[tuple[str, str, str], ...]
    overall: tuple[tuple[str, str], ...]
    figures: tuple[FigureView, ...]
    warnings: tuple[str, ...]


@dataclass(frozen=True)
class Measurements:
    """The measured uploads shown under "What we measured"; empty when nothing was uploaded."""

    footprints: tuple[FootprintView, ...] = ()
    gait: tuple[GaitView, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.footprints or self.gait)


FIGURE_WORDS: dict[str, str] = {
    "force": "How hard each foot pressed on the ground during the walk, step by step.",
    "strides": "How long each stride took, left and right: steadier walking gives flatter lines.",
    "cop": "The path the pressure took under each foot, from heel to toe.",
}
_FOOTPRINT_VALUES = (
    ("arch_type", "Arch", None),
    ("arch_index", "Arch index", ""),
    ("chippaux_smirak_index", "Chippaux-Smirak index", " %"),
    ("staheli_index", "Staheli index", ""),
    ("clarke_angle_deg", "Clarke angle", "°"),
    ("foot_length_mm", "Foot length", " mm"),
    ("foot_width_mm", "Foot width", " mm"),
)


def png_data_uri(content: bytes) -> str:
    """A PNG as a ``data:`` URI, so a standalone report or a PDF carries its pictures inside."""
    return "data:image/png;base64," + base64.b64encode(content).decode("ascii")


def svg_data_uri(svg: str) -> str:
    """An SVG document as a ``data:`` URI (an image, so its styles cannot leak into the report)."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def _value(value: object, unit: str = "", digits: int = 2) -> str:
    if value is None:
        return "not measured"
    if isinstance(value, int | float):
        rounded = round(float(value), digits)
        text = str(int(rounded)) if rounded.is_integer() else f"{rounded:g}"
        return text + unit
    return str(value)


def footprint_view(filename: str, result: Mapping[str, Any], picture: str | None) -> FootprintView:
    """A measured footprint (the footprint measurement contract) with its overlay ``picture``."""
    prints: list[PrintView] = []
    for found in result.get("prints", []):
        side = found.get("side", "unknown")
        rows = []
        for key, name, unit in _FOOTPRINT_VALUES:
            if unit is None:
                rows.append((name, ARCH_WORDS.get(found.get(key), "Not known")))
            else:
                rows.append((name, _value(found.get(key), unit, 1 if unit.strip() else 3)))
        title = f"{side.capitalize()} foot" if side in ("left", "right") else "A foot whose side is not clear"
        prints.append(PrintView(title=title, rows=tuple(rows), warnings=tuple(found.get("warnings", []))))
    alt = (
        f"Your footprint picture from {filename}, with the outline footchain found and the lines it measured."
    )
    return FootprintView(
        filename=filename,
        picture=picture,
        alt=alt,
        prints=tuple(prints),
        warnings=tuple(result.get("warnings", [])),
    )


def _summary_value(summary: Mapping[str, Any], key: str, unit: str, digits: int = 2) -> str:
    value = summary.get(key)
    if isinstance(value, Mapping):
        mean, cv = value.get("mean"), value.get("cv_percent")
        text = _value(mean, unit, digits)
        return text if cv is None else f"{text} (varies {_value(cv, ' %', 1)})"
    return _value(value, unit, digits)


def gait_view(filename: str, result: Mapping[str, Any], figures: Mapping[str, str]) -> GaitView:
    """A measured walking recording (the gait measurement contract) with its figures (name → picture)."""
    feet = result.get("feet", {})
    left, right = feet.get("left", {}).get("summary", {}), feet.get("right", {}).get("summary", {})
    measures = (
        ("Strides used", "strides", "", 0),
        ("Stride time", "stride_time_s", " s", 2),
        ("Stance (foot on the ground)", "stance_percent", " % of the stride", 1),
        ("Steps per minute", "cadence_steps_per_min", "", 0),
    )
    sides = tuple(
        (name, _summary_value(left, key, unit, digits), _summary_value(right, key, unit, digits))
        for name, key, unit, digits in measures
    )
    summary = result.get("summary", {})
    symmetry = summary.get("symmetry_index_percent", {})
    overall: list[tuple[str, str]] = []
    if symmetry.get("stride_time") is not None:
        overall.append(("Left–right difference in stride time", _value(symmetry["stride_time"], " %", 1)))
    if symmetry.get("stance_time") is not None:
        overall.append(("Left–right difference in stance time", _value(symmetry["stance_time"], " %", 1)))
    if summary.get("double_support_percent") is not None:
        overall.append(("Both feet on the ground", _value(summary["double_support_percent"], " %", 1)))
    shown = [name for name in ("force", "strides", "cop") if name in figures]
    shown += sorted(name for name in figures if name not in FIGURE_WORDS)
    return GaitView(
        filename=filename,
        sides=sides,
        overall=tuple(overall),
        figures=tuple(
            FigureView(picture=figures[name], alt=FIGURE_WORDS.get(name, name.replace("_", " ")))
            for name in shown
        ),
        warnings=tuple(result.get("warnings", [])),
    )


_BASIS_WORDS: tuple[tuple[str, str, str], ...] = (
    ("measured footprint", "your measured footprint", "measured footprint"),
    ("FPI-6", "a foot posture check", "FPI-6"),
    ("navicular drop", "how far your arch drops when you stand", "navicular drop"),
    ("self-reported", "what you told us about your arch", "the patient’s own account"),
    ("no information", "nothing measured", "nothing measured"),
)
"""What a foot finding was based on, in plain words (for the person, then for the clinician); the measured
values are under "The evidence"."""


def basis_words(basis: list[str], *, clinician: bool = False) -> str:
    """The sources of a foot finding in plain words, e.g. "your measured footprint, a foot posture check"
    (``clinician``: about the patient)."""
    words = []
    for item in basis:
        plain = next(
            (
                clinic if clinician else person
                for prefix, person, clinic in _BASIS_WORDS
                if item.startswith(prefix)
            ),
            None,
        )
        if plain is not None:
            words.append(plain)
    return ", ".join(dict.fromkeys(words)) or "nothing measured"


def size_words(size: InsoleSize) -> str:
    """The insole size in one line: "UK 7 · EU 40.5 · US women 9.5 · US men 8"."""
    return (
        f"UK {number(size.uk)} · EU {number(size.eu)} · US women {number(size.us_women)} · "
        f"US men {number(size.us_men)}"
    )


ABOUT_THE_PATIENT: tuple[tuple[str, str], ...] = (
    ("with your thumb", "with a thumb"),
    ("resists your thumb", "resists a thumb"),
    ("to support you.", "to support the foot."),
    ("lets you refresh", "lets the patient refresh"),
    ("see you first", "see the patient first"),
    ("so you do not need", "so the patient does not need"),
    ("Your ", "The patient’s "),
    ("your ", "the patient’s "),
)
"""The insole plan's lines (plan/insole.py, knowledge/insole.toml and text.toml [insole]) speak to the
person; these swaps, in this order, say the same about the patient for the clinician's copy. The few
"you" phrases come first; every "your" then becomes "the patient’s"."""


def about_the_patient(line: str) -> str:
    """One insole plan line worded for the clinician (``ABOUT_THE_PATIENT``)."""
    for person, patient in ABOUT_THE_PATIENT:
        line = line.replace(person, patient)
    return line


def insole_lines(lines: list[str], *, clinician: bool) -> list[str]:
    """The insole plan's lines as the reader gets them: the person's as they are, the clinician's about
    the patient."""
    return [about_the_patient(line) for line in lines] if clinician else lines


def size_source(assessment: Assessment, *, clinician: bool = False) -> str | None:
    """Where the insole size came from, in words, from the plan's own reasons ("from the measured foot")."""
    for line in insole_lines(assessment.insole.why, clinician=clinician):
        if line.startswith("Size from"):
            return plain_words(line[:1].lower() + line[1:].rstrip("."))
    return None


def insole_line(assessment: Assessment, *, clinician: bool = False) -> str | None:
    """The insole advice in one line for "What to do now"; None beside an emergency or same-day referral."""
    insole = assessment.insole
    if assessment.referral.urgency in SEE_FIRST:
        return None
    if insole.status == "recommended":
        text = "an off-the-shelf insole may help"
        if insole.arch_height:
            text += f": {ARCH_HEIGHT_WORDS[insole.arch_height]}"
        if insole.size is not None:
            text += f", size {size_words(insole.size)}"
        return text[:1].upper() + text[1:] + ". Details under “Insoles”."
    reasons = [plain_words(line) for line in insole_lines(insole.why, clinician=clinician)]
    return insole_headline(assessment, clinician=clinician) + (": " + " ".join(reasons) if reasons else ".")


def shown_limits(assessment: Assessment) -> tuple[str, ...]:
    """What could not be judged, without the requests for emergency and urgent answers: the report lists
    those questions in their own box near the top, and a second copy would only lengthen it."""
    status = assessment.screening
    open_first = status.model_copy(
        update={"unanswered": [q for q in status.unanswered if q.could_mean in OPEN_LEVELS]}
    )
    shown = set(missing_answers(open_first))
    return tuple(limit for limit in assessment.limits if limit not in shown)


def _trusted(markup: str | None) -> Any:
    """The caller's own markup, to be inserted as it is (never text that came from a person)."""
    from markupsafe import Markup

    return None if markup is None else Markup(markup)


def _context(
    assessment: Assessment,
    intake: Intake,
    measurements: Measurements | None,
    made_on: str | None,
    patient: str | None = None,
    tools: str | None = None,
    answer_action: str | None = None,
) -> dict[str, Any]:
    open_before, open_after = screening_view(assessment.screening, assessment.referral)
    complete = assessment.screening.complete
    insole = assessment.insole
    advised = insole.status == "recommended"
    clinician = patient is not None
    why = insole_lines(insole.why, clinician=clinician)
    numbers = [line for line in (*why, insole.expected_benefit) if has_numbers(line)]
    return {
        "made_on": made_on,
        "tools": _trusted(tools),
        "answer_action": _trusted(answer_action),
        "limits": shown_limits(assessment),
        "answers": answers_summary(intake, clinician=clinician),
        "disclaimer": load_knowledge().text.disclaimer_clinician if clinician else assessment.disclaimer,
        "clinician": patient is not None,
        "patient": patient or "",
        "summary": summary_line(
            assessment, intake, complete=complete, whose="your" if patient is None else "the patient’s"
        ),
        "reasons": shown_reasons(assessment.referral, clinician=patient is not None),
        "tell": tell_clinician(intake) if patient is None else (),
        "call_numbers": CALL_NUMBERS,
        "see_first": assessment.referral.urgency in SEE_FIRST,
        "actions": actions(assessment, intake, clinician=patient is not None),
        "insole_line": insole_line(assessment, clinician=clinician),
        "insole_advised": advised,
        "insole_numbers": numbers if advised else [],
        "insole_why": why,
        "insole_fitting": insole_lines(insole.fitting, clinician=clinician),
        "size_source": size_source(assessment, clinician=clinician),
        "whys": region_whys(assessment.chain, LINK_NAMES),
        "marker_radius": MARKER_RADIUS,
        "plain_words": plain_words,
        "basis_words": basis_words,
        "helps_with": helps_with,
        "a": assessment,
        "referral": referral_view(
            assessment.referral,
            bool(assessment.limits),
            complete=assessment.screening.complete,
            clinician=patient is not None,
        ),
        "open_before": open_before,
        "open_after": open_after,
        "level_meaning": LEVEL_MEANING,
        "held_back": held_back_words(assessment, clinician=patient is not None),
        "body": build_body_map(assessment, intake, clinician=clinician),
        "pains": pain_views(intake),
        "sizes": size_rows(insole.size) if advised and insole.size is not None else (),
        "size_line": f"{size_words(insole.size)} · foot {number(insole.size.foot_length_mm)} mm"
        if insole.size is not None
        else "",
        "measurements": measurements or Measurements(),
        "evidence_styles": EVIDENCE_STYLES,
        "pain_colours": PAIN_COLOURS,
        "arch_words": ARCH_WORDS,
        "posture_words": POSTURE_WORDS,
        "confidence_words": CONFIDENCE_WORDS,
        "insole_headline": insole_headline(assessment, clinician=patient is not None),
        "arch_height_words": ARCH_HEIGHT_WORDS,
        "condition_name": condition_name,
        "place": place,
        "text_colour": text_colour,
    }


def made_on_words(when: datetime) -> str:
    """``when`` in words, to date a report: "8 December 2026, 04:12 UTC" (``when`` in UTC)."""
    return f"{when.day} {when:%B %Y}, {when:%H:%M} UTC"


def render_html(
    assessment: Assessment,
    intake: Intake,
    measurements: Measurements | None = None,
    *,
    made_on: str | None = None,
    patient: str | None = None,
) -> str:
    """The whole report as one self-contained HTML document (inline CSS and SVG, no scripts).

    ``measurements`` adds "What we measured"; give its pictures as ``data:`` URIs (``png_data_uri``,
    ``svg_data_uri``) to keep the document self-contained. ``made_on`` (a date in words) dates the report;
    without it the same inputs always give the same string. ``patient`` (a name, or "the patient") makes
    the clinician's variant: written about the patient, with the research numbers shown.
    """
    template = _templates().get_template("report.html.j2")
    return template.render(_context(assessment, intake, measurements, made_on, patient))


def report_css() -> str:
    """The report's style sheet, for a page that shows ``render_report_body`` inside its own layout."""
    return _templates().get_template("report_style.css.j2").render()


def render_report_body(
    assessment: Assessment,
    intake: Intake,
    measurements: Measurements | None = None,
    *,
    made_on: str | None = None,
    patient: str | None = None,
    tools: str | None = None,
    answer_action: str | None = None,
) -> str:
    """The report's content (from the title to the disclaimer) without the document around it.

    The web page shows exactly this inside the site's layout, so the page, the standalone report and the
    PDF come from one template and cannot drift apart. ``made_on`` dates it as the PDF is dated. ``tools``
    (the page's own markup, e.g. download links; inserted as it is) follow what to do now: advice first.
    ``answer_action`` (the page's markup too: a way to answer the open warning-sign questions) closes the
    box of questions that opens the report.
    """
    return (
        _templates()
        .get_template("report_body.html.j2")
        .render(_context(assessment, intake, measurements, made_on, patient, tools, answer_action))
    )
