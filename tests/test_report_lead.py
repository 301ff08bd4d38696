"""The top of the report (issue 15): open warning-sign questions compact but first, "What to do now"
ranked by what helps most, and the clinician's variant written about the patient."""

from __future__ import annotations

import json
import re
from collections import Counter
from html import unescape
from pathlib import Path
from typing import Any

import pytest

from footchain.engine import assess
from footchain.knowledge import load_knowledge
from footchain.present.html import about_the_patient, render_html
from footchain.present.summary import TOP_ACTIONS, actions, ranked_care, worst_pain_served
from footchain.types import Assessment, CareItem, Health, Intake
from tests.report_cases import (
    CASES,
    emergency_example,
    nurse_shipped,
    runner_screened,
    runner_shipped,
)

SHORT_PHRASE_CHARS = 55
"""Short enough for three columns on a desktop and two on paper."""


def section(html: str, name: str) -> str:
    match = re.search(rf'<section id="{name}".*?</section>', html, re.S)
    assert match is not None, name
    return match.group(0)


def words(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_every_screening_question_has_a_short_phrase() -> None:
    short = load_knowledge().text.question_short
    assert set(Health.model_fields) <= set(short)
    for name, phrase in short.items():
        assert 0 < len(phrase) <= SHORT_PHRASE_CHARS, (name, phrase)
        assert len(phrase) <= len(load_knowledge().text.question[name]), f"{name}: longer than the question"


def test_the_open_questions_box_is_first_compact_and_hides_none() -> None:
    """The runner as shipped: every open emergency and urgent question is in the box before the
    referral, the emergency ones as short phrases in the open, the urgent ones folded."""
    assessment, intake = runner_shipped()
    html = render_html(assessment, intake)
    box = section(html, "unanswered")
    assert html.index('id="answer"') < html.index('id="unanswered"') < html.index('id="referral"')
    assert html.index('id="referral"') < html.index('id="plan"')
    short = load_knowledge().text.question_short
    shown = re.findall(r'data-question="([^"]+)" data-level="([^"]+)">([^<]+)<', box)
    expected = {
        (q.id, q.could_mean)
        for q in assessment.screening.unanswered
        if q.could_mean in ("emergency", "urgent")
    }
    assert {(question, level) for question, level, _ in shown} == expected
    for question, _, text in shown:
        assert text.lower().startswith(short[question][:20].lower()), (question, text)
    folded = box[box.index("<details") :]
    assert 'data-level="emergency"' not in folded and 'data-level="urgent"' in folded
    assert "could mean an emergency" in box and "never read as a “no”" in box
    assert "call 999 (UK), 112 (Europe) or 911" in box


def _item(identifier: str, reasons: list[str]) -> CareItem:
    return CareItem(id=identifier, text="t", dose="d", for_=reasons)


def test_what_to_do_now_puts_the_worst_pain_then_the_stronger_evidence_first() -> None:
    assessment, intake = runner_shipped()  # knee 5/10, shin 4/10, lower back 2/10
    plan = [
        _item("ball_rolling", ["flat_foot"]),  # foot regions: nothing there hurts
        _item("stay_active_back", ["lower_back"]),  # 2/10, moderate
        _item("softer_surfaces", ["hard_surfaces"]),  # a fact: every painful region, theoretical
        _item("gradual_load", ["runner_with_leg_pain"]),  # a fact: every painful region, limited
        _item("hip_knee_strengthening", ["knee"]),  # 5/10, strong
        _item("stop_running", ["bone_stress_injury"]),  # safety advice
    ]
    ranked = ranked_care(assessment.model_copy(update={"care_plan": plan}), intake)
    assert [item.id for item in ranked] == [
        "stop_running",
        "hip_knee_strengthening",
        "gradual_load",
        "softer_surfaces",
        "stay_active_back",
        "ball_rolling",
    ]
    assert [worst_pain_served(item, intake) for item in ranked[1:]] == [5, 5, 5, 2, 0]


@pytest.mark.parametrize("make", [runner_shipped, runner_screened, nurse_shipped])
def test_the_first_actions_are_never_outranked_by_the_rest(make: object) -> None:
    assessment, intake = make()  # type: ignore[operator]
    todo = actions(assessment, intake)
    assert len(todo.now) == min(TOP_ACTIONS, len(assessment.care_plan))
    grade = {rule.id: rule.grade for rule in load_knowledge().care.item}
    rank = {"strong": 0, "moderate": 1, "limited": 2, "very_limited": 3, "theoretical": 4}

    def key(item: CareItem) -> tuple[int, int]:
        return (-worst_pain_served(item, intake), rank[grade[item.id]])

    for now in todo.now:
        for later in todo.more:
            assert key(now) <= key(later), (now.id, later.id)
    html = render_html(assessment, intake)
    listed = re.findall(r'data-care="([^"]+)"', section(html, "plan"))
    assert listed == [item.id for item in (*todo.now, *todo.more)]


YOU = re.compile(r"\b(?:you|your|yours|yourself)\b", re.I)
REPO = Path(__file__).resolve().parent.parent
SHIPPED_INTAKES = sorted((*REPO.glob("examples/*.json"), *REPO.glob("contracts/examples/*.json")))
SEVERAL_RED_FLAGS: dict[str, dict[str, Any]] = {
    "same_day": {
        "schema_version": 1,
        "person": {"age_years": 45, "sex": "female"},
        "pain": [
            {"region": "knee", "side": "right", "intensity": 6, "duration_weeks": 2},
            {"region": "calf", "side": "right", "intensity": 5},
            {"region": "arch", "side": "right", "intensity": 4},
        ],
        "health": {
            "history_of_cancer": True,
            "hot_swollen_joint": True,
            "calf_swelling_one_leg": True,
            "diabetes": True,
            "hot_red_swollen_foot": True,
            "loss_of_foot_sensation": True,
            "taking_fluoroquinolone": True,
        },
    },
    "routine": {
        "schema_version": 1,
        "person": {"age_years": 58, "sex": "female"},
        "pain": [
            {"region": "arch", "side": "left", "intensity": 8, "duration_weeks": 20},
            {"region": "knee", "side": "left", "intensity": 5},
        ],
        "feet": {"self_reported_arch": "flat"},
        "health": {"diabetes": True, "loss_of_foot_sensation": True, "calf_pain_walking_eased_by_rest": True},
    },
    "soon": {
        "schema_version": 1,
        "person": {"age_years": 30, "sex": "female"},
        "activity": {"running_km_per_week": 40},
        "pain": [
            {"region": "heel", "side": "left", "intensity": 6, "duration_weeks": 8},
            {"region": "lower_back", "side": "midline", "intensity": 4, "duration_weeks": 30},
        ],
        "health": {
            "unexplained_weight_loss": True,
            "focal_bone_pain": True,
            "missed_periods_or_low_energy": True,
            "swollen_small_joints": True,
            "psoriasis_or_family_spondyloarthritis": True,
            "unremitting_night_pain": True,
        },
    },
}
"""Intakes that fire several red flags at once (same-day, routine and two-week referrals)."""
SCREENED_KNEE: dict[str, Any] = {
    "schema_version": 1,
    "person": {"age_years": 40, "sex": "male", "shoe_size": {"system": "eu", "value": 44}},
    "pain": [{"region": "knee", "side": "left", "intensity": 5, "duration_weeks": 6}],
    "health": {name: False for name in Health.model_fields},
}
TWO_ARCHES = {
    **SCREENED_KNEE,
    "feet": {
        "footprint": {
            "left": {"arch_index": 0.18, "foot_length_mm": 250},
            "right": {"arch_index": 0.30, "foot_length_mm": 250},
        }
    },
}
"""Screened knee pain, a high and a flat footprint and a shoe size far from the measured foot: the insole
plan's lines about two different feet and a shoe size that does not fit."""
VERY_HIGH_ARCH = {
    **SCREENED_KNEE,
    "feet": {"footprint": {"left": {"arch_index": 0.10}, "right": {"arch_index": 0.12}}},
}
"""The insole plan's very-high-arch line, sized from the shoe size."""


def _assessed(data: dict[str, Any]) -> tuple[Assessment, Intake]:
    intake = Intake.model_validate(data)
    return assess(intake), intake


def _reports() -> list[object]:
    shipped = [
        pytest.param(json.loads(path.read_text()), id=str(path.relative_to(REPO).with_suffix("")))
        for path in SHIPPED_INTAKES
    ]
    made = [pytest.param(data, id=name) for name, data in SEVERAL_RED_FLAGS.items()]
    return [
        *shipped,
        *made,
        pytest.param(TWO_ARCHES, id="two_arches"),
        pytest.param(VERY_HIGH_ARCH, id="very_high"),
    ]


@pytest.mark.parametrize("make", [runner_shipped, runner_screened, nurse_shipped, emergency_example])
def test_the_clinicians_care_and_referral_are_about_the_patient(make: object) -> None:
    assessment, intake = make()  # type: ignore[operator]
    _assert_about_the_patient(assessment, intake)


@pytest.mark.parametrize("data", _reports())
def test_the_clinicians_copy_of_every_example_is_about_the_patient(data: dict[str, Any]) -> None:
    assessment, intake = _assessed(data)
    _assert_about_the_patient(assessment, intake)


def _assert_about_the_patient(assessment: Assessment, intake: Intake) -> None:
    """No "you" in the clinician's copy outside the questions to put to the patient: referral (its reasons
    and held-back note included), plan, body map, links, feet, insoles, answers and the closing
    disclaimer (the limits list names open questions in the words to ask them in); the same decision as
    the person's copy, and every reason shown in the clinician's words."""
    html = render_html(assessment, intake, patient="Ana Ferreira")
    person = render_html(assessment, intake)
    disclaimer = re.findall(r'<p class="disclaimer"[^>]*>([^<]+)</p>', html)
    assert disclaimer and not YOU.search(" ".join(disclaimer)), disclaimer
    for name in ("referral", "plan", "body-map", "links", "feet", "insoles", "answers"):
        if f'id="{name}"' not in html:
            continue
        text = words(section(html, name)).split("Warning-sign questions")[0]  # the questions as asked
        assert not YOU.search(text), (name, YOU.findall(text), text[:400])
    # The same decision: the same urgency tag, reasons and care items, in the same order.
    for pattern in (r'<span class="tag">([^<]+)<', r'data-reason="([^"]+)"', r'data-care="([^"]+)"'):
        assert re.findall(pattern, html) == re.findall(pattern, person), pattern
    clinician_text = {rule.id: rule.clinician_text for rule in load_knowledge().redflags.rule}
    for reason, text in re.findall(r'<li data-reason="([^"]+)">([^<]+)</li>', html):
        assert unescape(text) == clinician_text[reason]


def test_every_red_flag_reason_has_clinician_words_with_the_same_numbers() -> None:
    """The clinician's wording of a red flag keeps every number (ages, hours, phone numbers, scores)."""
    for rule in load_knowledge().redflags.rule:
        assert not YOU.search(rule.clinician_text), (rule.id, rule.clinician_text)
        assert rule.clinician_text != rule.text, rule.id
        missing = Counter(re.findall(r"\d+", rule.text)) - Counter(re.findall(r"\d+", rule.clinician_text))
        assert not missing, (rule.id, sorted(missing))


WHERE_AND_WHEN = (
    "emergency department", "emergency services", "diabetic foot team", "maternity unit", "podiatrist",
    "physiotherapist", "doctor", "x-ray", "now", "today", "within", "hours", "days", "two weeks",
    "one working day", "sooner",
)  # fmt: skip
"""Where to send the patient and how soon: words a red flag's clinician wording keeps from the person's."""


def test_every_red_flag_reason_keeps_its_destination_and_time_frame_for_the_clinician() -> None:
    for rule in load_knowledge().redflags.rule:
        for term in WHERE_AND_WHEN:
            said = re.compile(rf"\b{term}\b", re.I)
            if said.search(rule.text):
                assert said.search(rule.clinician_text), (rule.id, term)


def test_every_insole_text_the_knowledge_holds_reads_about_the_patient() -> None:
    """The knowledge's insole lines (why, fitting) as the clinician reads them; the plan's own lines
    ("Your flat arch", "Size from your shoe size") come through the example reports above."""
    knowledge = load_knowledge()
    fitting = knowledge.insole.fitting
    lines = [
        *knowledge.text.insole.values(),
        knowledge.insole.arch_height.text,
        *fitting.steps,
        fitting.high_arch_cushioning,
        fitting.top_cover,
        fitting.replace_when,
    ]
    for line in lines:
        assert not YOU.search(about_the_patient(line)), about_the_patient(line)


@pytest.mark.parametrize("data", [TWO_ARCHES, VERY_HIGH_ARCH], ids=["two_arches", "very_high"])
def test_the_insole_plan_lines_of_feet_that_differ_read_about_the_patient(data: dict[str, Any]) -> None:
    assessment, intake = _assessed(data)
    person = render_html(assessment, intake)
    assert YOU.search(words(section(person, "insoles")))  # the lines this test is about are there
    html = render_html(assessment, intake, patient="Ana Ferreira")
    assert not YOU.search(words(section(html, "insoles")))
    assert "The patient’s" in section(html, "insoles")


def test_every_care_item_has_clinician_words_without_you() -> None:
    for rule in load_knowledge().care.item:
        for text in (
            rule.clinician_text,
            rule.clinician_dose or rule.dose,
            rule.clinician_caution or rule.caution,
        ):
            assert not YOU.search(text), (rule.id, text)


def test_a_hand_built_report_keeps_its_own_care_words_for_the_clinician() -> None:
    assessment, intake = CASES["chain"]()
    plan = [CareItem(id="not_in_the_knowledge_file", text="Rest it.", dose="a week", for_=["knee"])]
    html = render_html(assessment.model_copy(update={"care_plan": plan}), intake, patient="the patient")
    assert "Rest it." in section(html, "plan")


def test_the_lead_holds_the_answer_the_open_questions_the_referral_and_the_plan_only() -> None:
    assessment, intake = runner_shipped()
    html = render_html(assessment, intake, made_on="8 December 2026, 04:00 UTC")
    lead = html[html.index('<div class="report-lead has-plan">') : html.index('<section id="body-map"')]
    assert [re.sub(r'"', "", found) for found in re.findall(r'<section id=("[^"]+")', lead)] == [
        "unanswered",
        "referral",
        "plan",
    ]
    assert "Made on 8 December 2026, 04:00 UTC" in lead
