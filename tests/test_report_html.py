"""The HTML report: order of sections, body map shapes, chain lines, escaping, self-containment."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from itertools import pairwise

import pytest
from markupsafe import escape

from footchain.present.body_map import NEUTRAL_FILL, PAIN_COLOURS, build_body_map, mirror_path
from footchain.present.html import render_html
from footchain.types import Assessment, Intake, Referral, ScreeningStatus
from tests.report_cases import CASES, chain_both_sides, emergency, no_pain


class _Elements(HTMLParser):
    """Every start tag of a document, in order, as (tag, attributes)."""

    def __init__(self) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))


def elements(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Elements()
    parser.feed(html)
    return parser.elements


def region_shapes(html: str) -> dict[tuple[str, str], dict[str, str | None]]:
    """The body map's region paths keyed by (data-region, data-side)."""
    shapes: dict[tuple[str, str], dict[str, str | None]] = {}
    for tag, attrs in elements(html):
        if tag == "path" and "region" in (attrs.get("class") or "").split():
            key = (str(attrs["data-region"]), str(attrs["data-side"]))
            assert key not in shapes, f"two shapes for {key}"
            shapes[key] = attrs
    return shapes


def render(case: str) -> str:
    assessment, intake = CASES[case]()
    return render_html(assessment, intake)


@pytest.mark.parametrize("case", sorted(CASES))
def test_referral_comes_first_then_the_body_map_then_the_rest(case: str) -> None:
    """The answer and the referral first, then what to do now, then where it hurts, then the why, then
    the details (issue 15): a person in pain reads the decision before the reasoning."""
    html = render(case)
    order = ['id="answer"', 'id="referral"', 'id="plan"', '<svg class="body-map"', 'id="links"', 'id="feet"']
    positions = [html.index(marker) for marker in [*order, 'id="limits"'] if marker in html]
    assert positions == sorted(positions)
    assert html.index("Your footchain report") < positions[0]
    assert 'id="referral"' in html and '<svg class="body-map"' in html


@pytest.mark.parametrize(
    ("urgency", "to", "headline"),
    [
        ("emergency", "emergency_department", "Go to an emergency department now"),
        ("urgent", "diabetic_foot_team", "See your diabetic foot team within one working day"),
        ("urgent", None, "See a doctor today"),
        ("soon", "doctor", "See a doctor within about two weeks"),
        ("routine", "physiotherapist", "Book an appointment with a physiotherapist"),
        ("none", None, "No warning signs found: self-care is a reasonable start"),
    ],
)
def test_referral_box_says_what_to_do_and_is_coloured_by_urgency(
    urgency: str, to: str | None, headline: str
) -> None:
    assessment, intake = emergency()
    referral = Referral.model_validate(
        {"urgency": urgency, "to": to, "reasons": [{"id": "r1", "text": "the reason in words"}]}
    )
    html = render_html(assessment.model_copy(update={"referral": referral}), intake)
    section = html[html.index('<section id="referral"') : html.index("</section>")]
    assert f"urgency-{urgency}" in section
    assert f'<h2 id="referral-title">{headline}</h2>' in section
    assert '<li data-reason="r1">the reason in words</li>' in section


def test_emergency_puts_the_reason_and_defers_everything_else() -> None:
    html = render("emergency")
    referral = html[html.index('<section id="referral"') : html.index("</section>")]
    assert "cauda equina syndrome" in referral
    assert "The rest of this report can wait until you have been seen." in referral
    # Nothing routine beside an emergency: no insole advice, sizes or shop, and no routine reason.
    assert 'id="insoles"' not in html and 'class="insole-line"' not in html and "Your insole size" not in html
    assert "routine visit" not in html


def test_each_painful_region_is_filled_with_its_intensity_colour() -> None:
    shapes = region_shapes(render("chain"))
    # Lower back pain without a side covers the whole lower back (both halves and the middle).
    expected = {
        ("shin", "left"): 6,
        ("knee", "left"): 4,
        ("knee", "right"): 3,
        ("heel", "left"): 7,
        ("hip", "left"): 2,
        ("lower_back", "left"): 5,
        ("lower_back", "midline"): 5,
        ("lower_back", "right"): 5,
    }
    for key, intensity in expected.items():
        assert shapes[key]["data-intensity"] == str(intensity), key
        assert shapes[key]["fill"] == PAIN_COLOURS[intensity], key
    for key, attrs in shapes.items():
        if key not in expected:
            assert "data-intensity" not in attrs, key
            assert attrs["fill"] == NEUTRAL_FILL, key


def test_midline_and_both_sides_fill_the_right_parts() -> None:
    shapes = region_shapes(render("emergency"))
    assert shapes[("lower_back", "midline")]["data-intensity"] == "8"
    assert "data-intensity" not in shapes[("lower_back", "left")]
    assert "data-intensity" not in shapes[("lower_back", "right")]
    assert shapes[("thigh", "left")]["data-intensity"] == "5"
    assert shapes[("thigh", "right")]["data-intensity"] == "5"


def test_the_worst_of_overlapping_pains_wins() -> None:
    assessment, _ = no_pain()
    intake = Intake.model_validate(
        {
            "schema_version": 1,
            "pain": [
                {"region": "knee", "side": "both", "intensity": 3},
                {"region": "knee", "side": "right", "intensity": 9},
            ],
        }
    )
    shapes = region_shapes(render_html(assessment, intake))
    assert shapes[("knee", "left")]["data-intensity"] == "3"
    assert shapes[("knee", "right")]["data-intensity"] == "9"
    assert shapes[("knee", "right")]["fill"] == PAIN_COLOURS[9]


def test_every_region_is_drawn_for_both_sides_with_a_tooltip() -> None:
    html = render("no-pain")
    shapes = region_shapes(html)
    regions = {region for region, _ in shapes}
    assert len(regions) == 13
    for region in regions:
        assert (region, "left") in shapes
        assert (region, "right") in shapes
    assert set(shapes) - {(r, s) for r in regions for s in ("left", "right")} == {
        ("lower_back", "midline"),
        ("pelvis", "midline"),
    }
    assert html.count("<title>") >= len(shapes) + 1
    assert "<title>Left knee: no pain marked</title>" in html
    assert "You did not mark any pain" in html


def test_the_svg_is_an_accessible_image_with_left_and_right_labelled() -> None:
    html = render("chain")
    svg = next(attrs for tag, attrs in elements(html) if tag == "svg" and attrs.get("class") == "body-map")
    assert svg["role"] == "img"
    label = svg["aria-label"] or ""
    assert "seen from behind" in label
    assert "left shin 6 of 10" in label
    assert "4 possible links" in label
    assert ">LEFT</text>" in html
    assert ">RIGHT</text>" in html
    assert "seen from behind" in html


def test_each_chain_entry_is_drawn_and_listed() -> None:
    assessment, intake = chain_both_sides()
    html = render_html(assessment, intake)
    groups = [attrs for tag, attrs in elements(html) if tag == "g" and attrs.get("class") == "chain"]
    drawn = [
        (g["data-number"], g["data-condition"], g["data-region"], g["data-side"], g["data-evidence"])
        for g in groups
    ]
    assert drawn == [
        (str(n), e.condition, e.region, e.side, e.evidence) for n, e in enumerate(assessment.chain, start=1)
    ]
    for number, entry in enumerate(assessment.chain, start=1):
        item = html[html.index(f'<li id="link-{number}"') :]
        item = item[: item.index("</li>")]
        assert str(escape(entry.explanation)) in item
        for source in entry.sources:
            assert str(escape(source)) in item
    assert "Path up the chain: foot → ankle → shin → knee → thigh → hip" in html
    assert 'class="pill evidence-very_limited">Very limited evidence<' in html


def test_chain_lines_are_styled_by_evidence_grade() -> None:
    html = render("chain")
    lines = [
        attrs for tag, attrs in elements(html) if tag == "polyline" and attrs.get("class") == "chain-line"
    ]
    by_width = [(float(str(line["stroke-width"])), line.get("stroke-dasharray")) for line in lines]
    strong, very_limited, limited, theoretical = by_width
    assert strong[1] is None and strong[0] > limited[0]
    assert limited[1] is not None and very_limited[1] is not None and theoretical[1] is not None
    assert limited[1] != very_limited[1]
    assert lines[3]["stroke"] != lines[0]["stroke"]  # theoretical is grey, not blue


def test_a_chain_entry_without_a_side_is_drawn_on_both_sides() -> None:
    assessment, intake = chain_both_sides()
    entry = assessment.chain[2].model_copy(update={"side": None})
    html = render_html(assessment.model_copy(update={"chain": [entry]}), intake)
    sides = [
        attrs["data-side"] for tag, attrs in elements(html) if tag == "g" and attrs.get("class") == "chain"
    ]
    assert sides == ["left", "right"]
    assert "(side not given)" in html


def test_unexplained_regions_are_hatched_and_explained() -> None:
    html = render("chain")
    shapes = region_shapes(html)
    hatched = {key for key, attrs in shapes.items() if attrs.get("data-unexplained") == "true"}
    assert hatched == {("lower_back", "left"), ("lower_back", "midline"), ("lower_back", "right")}
    overlays = [
        attrs for tag, attrs in elements(html) if tag == "path" and attrs.get("class") == "unexplained"
    ]
    assert {(a["data-region"], a["data-side"]) for a in overlays} == hatched
    assert "Feet unlikely the main driver." in html
    assert "the feet are unlikely to be the main driver" in html


def test_feet_conditions_and_plan_are_shown() -> None:
    html = render("chain")
    assert "Flat (low arch)" in html and "Rolls in a lot (highly pronated)" in html
    assert "High arch" in html and "Rolls out (supinated)" in html
    assert "FPI-6 total +9" in html[html.index('<details class="evidence">') :]
    assert 'class="pill confidence-high">High confidence<' in html
    assert "<strong>a medium-arch insole (made for typical arches)</strong>" in html
    for system, value in [("Foot length", "245 mm"), ("UK", "6.5"), ("EU", "40"), ("US men", "7.5")]:
        assert f'<tr><th scope="row">{system}</th><td>{value}</td></tr>' in html
    assert '<tr><th scope="row">US women</th><td>9</td></tr>' in html
    assert '<tr><th scope="row">Mondopoint</th><td>245</td></tr>' in html
    fitting = html[html.index('<ol class="fitting">') :]
    fitting = fitting[: fitting.index("</ol>")]
    assert fitting.index("Take the shoe") < fitting.index("Trim the new") < fitting.index("Wear it for")
    assert "How much: 3 × 30 seconds per leg, twice a day" in html
    assert "Helps with: Plantar fasciitis (heel pain), Foot rolls inwards (overpronation)" in html
    assert "Helps with: Medial tibial stress" in html
    assert "<li>Stop if the stretch causes sharp pain.</li>" in html
    assert "Gait not recorded: walking asymmetry could not be judged." in html
    assert "footchain gives general information, not a diagnosis." in html


def test_text_from_the_assessment_is_escaped() -> None:
    html = render("chain")
    assert "&lt;b&gt;arch drops&lt;/b&gt; &amp; flattens" in html
    assert "<b>arch drops" not in html

    assessment, intake = emergency()
    hostile = Referral.model_validate(
        {
            "urgency": "urgent",
            "to": "doctor",
            "reasons": [{"id": 'x" onmouseover="alert(1)', "text": "<script>alert('hi')</script>"}],
        }
    )
    html = render_html(assessment.model_copy(update={"referral": hostile}), intake)
    assert "<script" not in html
    assert "&lt;script&gt;alert(&#39;hi&#39;)&lt;/script&gt;" in html
    assert 'onmouseover="alert(1)"' not in html
    reason = next(attrs for tag, attrs in elements(html) if tag == "li" and "data-reason" in attrs)
    assert reason["data-reason"] == 'x" onmouseover="alert(1)'


@pytest.mark.parametrize("case", sorted(CASES))
def test_the_report_is_self_contained(case: str) -> None:
    html = render(case)
    assert "http://" not in html and "https://" not in html
    assert not re.search(r"<(script|link|img|iframe|object|embed)\b", html)
    assert "@import" not in html
    for tag, attrs in elements(html):
        for name in ("src", "href"):
            value = attrs.get(name)
            assert value is None or value.startswith("#"), (tag, name, value)


@pytest.mark.parametrize("case", sorted(CASES))
def test_the_same_input_gives_the_same_bytes(case: str) -> None:
    first = render(case)
    second = render(case)
    assert first == second
    assessment, intake = CASES[case]()
    rebuilt = render_html(
        Assessment.model_validate(assessment.model_dump()),
        Intake.model_validate(intake.model_dump(exclude_none=True)),
    )
    assert rebuilt.encode() == first.encode()


def test_margin_labels_never_overlap() -> None:
    assessment, _ = no_pain()
    regions = ["lower_back", "pelvis", "hip", "buttock", "thigh", "knee", "shin", "calf"]
    regions += ["ankle", "heel", "arch", "forefoot", "toes"]
    intake = Intake.model_validate(
        {"schema_version": 1, "pain": [{"region": r, "side": "both", "intensity": 5} for r in regions]}
    )
    body = build_body_map(assessment, intake)
    for anchor in ("start", "end"):
        ys = sorted(label.badge[1] for label in body.labels if label.anchor == anchor)
        assert all(b - a >= 28 for a, b in pairwise(ys)), ys
        assert ys[-1] <= 836
    assert len(body.labels) == 2 + 11 * 2  # lower back and pelvis get one label each, in the middle


def test_mirroring_reflects_about_the_midline_and_flips_arcs() -> None:
    assert mirror_path("M 150 10 L 160 20 C 170 30 180 40 190 50 Q 195 55 199 60 Z") == (
        "M 250 10 L 240 20 C 230 30 220 40 210 50 Q 205 55 201 60 Z"
    )
    assert mirror_path("M 180 800 A 8 12 0 1 0 196 800 Z") == "M 220 800 A 8 12 0 1 1 204 800 Z"
    path = "M 140 30 L 182.5 30 C 133 85 138 55 140 30 Z"
    assert mirror_path(mirror_path(path)) == path


def _open(questions: list[tuple[str, str]]) -> dict[str, object]:
    return {
        "complete": False,
        "unanswered": [{"id": q, "question": f"words of {q}", "could_mean": level} for q, level in questions],
        "held_back_regions": [],
        "held_back_because": [],
    }


def test_unanswered_emergency_questions_open_the_report_and_no_warning_signs_is_not_said() -> None:
    assessment, intake = CASES["chain"]()
    screening = ScreeningStatus.model_validate(
        _open([("saddle_numbness", "emergency"), ("limp", "urgent"), ("swollen_small_joints", "soon")])
    )
    html = render_html(assessment.model_copy(update={"screening": screening}), intake)
    assert html.index('id="unanswered"') < html.index('id="referral"') < html.index('<svg class="body-map"')
    section = html[html.index('<section id="unanswered"') : html.index('<section id="referral"')]
    assert "could mean an emergency" in section
    assert section.index('data-question="saddle_numbness"') < section.index('data-question="limp"')
    assert 'data-question="swollen_small_joints"' not in section, "only emergency and urgent questions"
    assert "No warning signs found" not in html
    assert "Some warning-sign questions are not answered yet" in html


def test_no_warning_signs_found_only_when_the_screening_is_complete() -> None:
    assessment, intake = CASES["chain"]()
    assert assessment.referral.urgency == "none" and assessment.screening.complete
    html = render_html(assessment, intake)
    assert "No warning signs found" in html and 'id="unanswered"' not in html


def test_an_emergency_referral_comes_before_the_unanswered_questions() -> None:
    assessment, intake = emergency()
    screening = ScreeningStatus.model_validate(_open([("breathless_or_chest_pain", "emergency")]))
    html = render_html(assessment.model_copy(update={"screening": screening}), intake)
    assert html.index('id="referral"') < html.index('id="unanswered"') < html.index('<svg class="body-map"')
    assert "Tell the staff who see you" in html


def test_a_call_for_emergency_services_is_the_headline_and_the_held_back_note_is_beside_it() -> None:
    assessment, intake = emergency()
    referral = assessment.referral.model_copy(update={"call_emergency_services": True})
    html = render_html(assessment.model_copy(update={"referral": referral}), intake)
    section = html[html.index('<section id="referral"') : html.index("</section>")]
    assert '<h2 id="referral-title">Call 999 (UK), 112 (Europe) or 911 (US and Canada) now</h2>' in section
    assert 'id="held-back"' in section and "holds back" in section


def test_open_questions_no_more_urgent_than_the_referral_follow_it() -> None:
    assessment, intake = emergency()
    urgent = Referral.model_validate(
        {"urgency": "urgent", "to": "doctor", "reasons": [{"id": "suspected_dvt", "text": "calf"}]}
    )
    today = ScreeningStatus.model_validate(_open([("limp", "urgent")]))
    html = render_html(assessment.model_copy(update={"referral": urgent, "screening": today}), intake)
    assert html.index('id="referral"') < html.index('id="unanswered"')
    now = ScreeningStatus.model_validate(_open([("limp", "urgent"), ("signs_of_sepsis", "emergency")]))
    html = render_html(assessment.model_copy(update={"referral": urgent, "screening": now}), intake)
    assert html.index('id="unanswered"') < html.index('id="referral"')
