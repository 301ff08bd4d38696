"""The top of the report (issue 15): open warning-sign questions compact but first, "What to do now"
ranked by what helps most, and the clinician's variant written about the patient."""

from __future__ import annotations

import re

import pytest

from footchain.knowledge import load_knowledge
from footchain.present.html import render_html
from footchain.present.summary import TOP_ACTIONS, actions, ranked_care, worst_pain_served
from footchain.types import CareItem, Health
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


@pytest.mark.parametrize("make", [runner_shipped, runner_screened, nurse_shipped, emergency_example])
def test_the_clinicians_care_and_referral_are_about_the_patient(make: object) -> None:
    assessment, intake = make()  # type: ignore[operator]
    html = render_html(assessment, intake, patient="Ana Ferreira")
    person = render_html(assessment, intake)
    for name in ("referral", "plan"):
        if f'id="{name}"' not in html:
            continue
        # The red-flag reasons are clinically reviewed text (knowledge/redflags.toml), quoted as they are.
        text = words(re.sub(r'<ul class="reasons">.*?</ul>', "", section(html, name), flags=re.S))
        assert not YOU.search(text), (name, YOU.findall(text), text[:400])
    # The same decision: the same urgency tag and the same care items, in the same order.
    assert re.findall(r'<span class="tag">([^<]+)<', html) == re.findall(
        r'<span class="tag">([^<]+)<', person
    )
    assert re.findall(r'data-care="([^"]+)"', html) == re.findall(r'data-care="([^"]+)"', person)


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
