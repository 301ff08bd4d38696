"""The self-assessment pages through the real app and database: steps, drafts, red flags, uploads, submit."""

from __future__ import annotations

import html as html_module
import re
import time
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from footchain.errors import FootchainError
from footchain.intake import parse_intake
from footchain.knowledge import load_knowledge
from footchain.store.models import AssessmentRow, DraftRow, UploadRow
from footchain.web.app import create_app
from footchain.web.routes.wizard.drafts import COOKIE, draft_to_intake
from footchain.web.routes.wizard.steps import STEPS
from footchain.web.settings import Settings
from tests.footprint.photo_cases import sheet_photo_case
from tests.shared import DATA

BACK_PAIN = {
    "where": ["lower_back-midline", "knee-left"],
    "lower_back-midline-intensity": "6",
    "lower_back-midline-weeks": "3",
    "lower_back-midline-worst": ["sitting", "first_steps_morning"],
    "knee-left-intensity": "4",
    "knee-left-worst": ["stairs"],
}
NO_FLAGS = {
    f"health-{q}": "no"
    for q in ("saddle_numbness", "new_bladder_or_bowel_problem", "fever_or_feeling_unwell")
}


def _sessions(app: FastAPI) -> sessionmaker[Session]:
    factory: sessionmaker[Session] = app.state.sessions
    return factory


def _draft(app: FastAPI, client: TestClient) -> DraftRow:
    with _sessions(app)() as session:
        row = session.get(DraftRow, client.cookies[COOKIE])
        assert row is not None
        return row


def _count(app: FastAPI, table: type[UploadRow] | type[AssessmentRow] | type[DraftRow]) -> int:
    with _sessions(app)() as session:
        return int(session.scalar(select(func.count()).select_from(table)) or 0)


def _post(client: TestClient, step: str, data: Mapping[str, str | Sequence[str]]) -> str:
    response = client.post(f"/assess/{step}", data=dict(data), follow_redirects=False)
    assert response.status_code == 303, response.text[:500]
    return str(response.headers["location"])


def _field_error(html: str, name: str) -> str:
    match = re.search(
        rf'id="{re.escape(name)}-error"><span class="visually-hidden">Error: </span>([^<]*)<', html
    )
    assert match, f"no message next to {name}"
    return html_module.unescape(match.group(1))


@pytest.fixture(scope="module")
def photo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path, _truth = sheet_photo_case(7200, tmp_path_factory.mktemp("photo"), image_size=(2400, 1800))
    return path


def test_home_says_what_footchain_is_and_is_not_and_links_start_and_sheets(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200
    assert "not a diagnosis" in page.text and 'href="/assess"' in page.text
    assert 'href="/sheet.pdf?paper=a4"' in page.text and 'href="/sheet.pdf?paper=letter"' in page.text
    # A privacy notice: what is stored, for how long, and who can open a report (issue 15).
    assert 'id="privacy"' in page.text and "deleted after 30 days without a change" in page.text
    assert "anyone who has the link can open it" in page.text


@pytest.mark.parametrize("paper", ["a4", "letter"])
def test_calibration_sheet_downloads_as_pdf(client: TestClient, paper: str) -> None:
    response = client.get(f"/sheet.pdf?paper={paper}")
    assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF") and paper in response.headers["content-disposition"]


def test_unknown_paper_is_a_clear_422(client: TestClient) -> None:
    response = client.get("/sheet.pdf?paper=a3")
    assert response.status_code == 422 and "'a4' or 'letter'" in response.json()["detail"]


def test_start_creates_a_draft_and_a_private_cookie(app: FastAPI, client: TestClient) -> None:
    response = client.get("/assess", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/assess/pain"
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE}=") and "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert "Secure" not in cookie
    assert _draft(app, client).answers == {}
    again = client.get("/assess", follow_redirects=False)
    assert "set-cookie" in again.headers and _count(app, DraftRow) == 1, "a second visit resumes the draft"
    client.get("/assess?fresh=1", follow_redirects=False)
    assert _count(app, DraftRow) == 2


def test_cookie_is_secure_over_https(app: FastAPI) -> None:
    with TestClient(app, base_url="https://testserver") as secure:
        cookie = secure.get("/assess", follow_redirects=False).headers["set-cookie"]
    assert "Secure" in cookie


def test_every_step_has_progress_and_a_back_link(client: TestClient) -> None:
    client.get("/assess")
    previous = "/"
    for number, step in enumerate(STEPS, start=1):
        page = client.get(f"/assess/{step.name}")
        assert page.status_code == 200
        assert f"Step {number} of {len(STEPS)}" in page.text and f"<h1>{step.title}" in page.text
        assert f'class="back" href="{previous}"' in page.text
        previous = f"/assess/{step.name}"


def test_steps_follow_each_other_and_answers_survive_a_reload(app: FastAPI, client: TestClient) -> None:
    client.get("/assess")
    assert _post(client, "pain", BACK_PAIN) == "/assess/health"
    page = client.get("/assess/pain").text
    assert re.search(r'value="knee-left" id="where-knee-left" checked', page)
    assert (
        'name="knee-left-intensity" value="4" id="knee-left-intensity-4" checked' in page
        and 'name="lower_back-midline-weeks" value="3"' in page
    )
    assert re.search(r'value="stairs" checked', page) and 'aria-checked="true" aria-label="left knee"' in page
    assert 'value="knee-right" id="where-knee-right">' in page
    assert _post(client, "health", NO_FLAGS) == "/assess/activity"
    assert 'name="health-saddle_numbness" value="no" checked' in client.get("/assess/health").text
    pains = _draft(app, client).answers["sections"]["pain"]
    assert {"region": "knee", "side": "left", "intensity": 4, "worst_with": ["stairs"]} in pains


def test_bad_values_come_back_with_a_message_beside_the_field_and_nothing_is_lost(
    app: FastAPI, client: TestClient
) -> None:
    client.get("/assess")
    _post(client, "health", {"age_years": "44"})
    _post(client, "feet", {"height_cm": "170", "self_reported_arch": "low"})
    response = client.post(
        "/assess/feet",
        data={"height_cm": "tall", "weight_kg": "470,5", "shoe_size_value": "42"},
    )
    assert response.status_code == 422
    assert _field_error(response.text, "height_cm") == "Height: enter a number, like 42 or 7.5."
    assert _field_error(response.text, "weight_kg") == "Weight: enter a number no higher than 400 kg."
    assert "Shoe size: choose the size system" in _field_error(response.text, "shoe_size_system")
    assert 'value="470,5"' in response.text
    assert 'class="error-summary"' in response.text and "Traceback" not in response.text
    stored = _draft(app, client).answers
    assert (
        stored["sections"]["person"] == {"age_years": 44, "height_cm": 170}
        and stored["sections"]["feet"]["self_reported_arch"] == "low"
    )
    old_age = client.post("/assess/health", data={"age_years": "400"})
    assert old_age.status_code == 422
    assert _field_error(old_age.text, "age_years") == "Age: enter a number no higher than 120 years."
    bad_pain = client.post("/assess/pain", data={"where": ["knee-left"], "knee-left-intensity": "11"})
    assert bad_pain.status_code == 422
    assert _field_error(bad_pain.text, "knee-left-intensity") == (
        "How much your left knee hurts: enter a number no higher than 10."
    )
    made_up = client.post("/assess/pain", data={"where": ["elbow-left"]})
    assert made_up.status_code == 422 and "tick places" in _field_error(made_up.text, "where")


def test_an_untouched_pain_score_is_asked_for_not_recorded_as_five(app: FastAPI, client: TestClient) -> None:
    """Ticking a place without choosing how much it hurts is an answer still to give (issue 15)."""
    client.get("/assess")
    page = client.get("/assess/pain").text
    assert (
        'type="range"' not in page
        and 'name="knee-left-intensity" value="5" id="knee-left-intensity-5">' in page
    )
    response = client.post("/assess/pain", data={"where": ["knee-left"], "knee-left-weeks": "2"})
    assert response.status_code == 422
    assert _field_error(response.text, "knee-left-intensity") == (
        "How much your left knee hurts: choose from 0 to 10."
    )
    assert not _draft(app, client).answers.get("pain")


@pytest.mark.parametrize(
    ("step", "data", "field", "message"),
    [
        ("activity", {"running_km_per_week": "401"}, "running_km_per_week",
         "Running a week: enter a number no higher than 400 km."),
        ("activity", {"walking_km_per_week": "701"}, "walking_km_per_week",
         "Walking a week: enter a number no higher than 700 km."),
        ("activity", {"standing_hours_per_day": "-1"}, "standing_hours_per_day",
         "Hours on your feet a day: enter a number no lower than 0 hours."),
        ("pain", {"where": ["heel-left"], "heel-left-intensity": "4", "heel-left-weeks": "6000"}, "heel-left-weeks",
         "How long your left heel has hurt: enter a number no higher than 5218."),
        ("feet", {"shoe_size_value": "14", "shoe_size_system": "uk_children"}, "shoe_size_value",
         "Shoe size: UK children's size 14 does not exist: sizes run from 0 to 13.5."),
        ("feet", {"shoe_size_value": "60", "shoe_size_system": "eu"}, "shoe_size_value",
         "Shoe size: EU size 60 does not exist: sizes run from 15 to 55."),
    ],
)  # fmt: skip
def test_implausible_numbers_are_refused_with_a_message_naming_the_field(
    client: TestClient, step: str, data: dict[str, str | list[str]], field: str, message: str
) -> None:
    client.get("/assess")
    response = client.post(f"/assess/{step}", data=data)
    assert response.status_code == 422
    assert _field_error(response.text, field) == message
    summary = response.text[response.text.index('class="error-summary"') :]
    summary = html_module.unescape(summary[: summary.index("</ul>")])
    assert message in summary, "the summary at the top names the field too"


def test_number_fields_carry_their_plausibility_limits(client: TestClient) -> None:
    client.get("/assess")
    pages = {step: client.get(f"/assess/{step}").text for step in ("health", "activity", "feet")}
    for step, name, low, high in [
        ("health", "age_years", "0", "120"),
        ("activity", "running_km_per_week", "0", "400"),
        ("activity", "walking_km_per_week", "0", "700"),
        ("activity", "standing_hours_per_day", "0", "24"),
        ("feet", "height_cm", "40", "260"),
        ("feet", "weight_kg", "2", "400"),
    ]:
        tag = re.search(rf'<input [^>]*name="{name}"[^>]*>', pages[step])
        assert tag is not None, name
        assert f'min="{low}"' in tag.group(0) and f'max="{high}"' in tag.group(0), tag.group(0)
        assert 'type="number"' in tag.group(0)


def test_a_pain_longer_than_the_persons_life_is_refused_on_either_step(client: TestClient) -> None:
    client.get("/assess")
    _post(client, "pain", {"where": ["knee-left"], "knee-left-intensity": "4", "knee-left-weeks": "800"})
    response = client.post("/assess/health", data={"age_years": "10"})
    assert response.status_code == 422
    assert _field_error(response.text, "age_years").startswith("Age: a pain you marked has lasted 800 weeks")
    _post(client, "pain", {"where": ["knee-left"], "knee-left-intensity": "4", "knee-left-weeks": "8"})
    _post(client, "health", {"age_years": "10"})
    again = client.post(
        "/assess/pain", data={"where": ["knee-left"], "knee-left-intensity": "4", "knee-left-weeks": "800"}
    )
    assert again.status_code == 422
    assert _field_error(again.text, "knee-left-weeks").startswith(
        "How long your left knee has hurt: 800 weeks is longer than your age (10 years)"
    )


def test_childrens_shoe_sizes_are_stored_on_the_childrens_scale(app: FastAPI, client: TestClient) -> None:
    client.get("/assess")
    _post(client, "feet", {"shoe_size_value": "12", "shoe_size_system": "uk_children"})
    assert _draft(app, client).answers["sections"]["person"]["shoe_size"] == {
        "system": "uk", "value": 12, "scale": "children"
    }  # fmt: skip
    _post(client, "feet", {"shoe_size_value": "2.5", "shoe_size_system": "us_children"})
    assert _draft(app, client).answers["sections"]["person"]["shoe_size"] == {
        "system": "us_men", "value": 2.5, "scale": "children"
    }  # fmt: skip
    assert "Shoe size: US children's 2.5" in html_module.unescape(client.get("/assess/review").text)
    page = client.get("/assess/feet").text
    assert '<option value="uk_children" ' not in page and '<option value="uk_children">UK children' in page
    assert '<option value="us_children" selected>' in page


def test_a_whole_walk_through_maps_to_a_valid_intake_with_every_answer(
    app: FastAPI, client: TestClient
) -> None:
    client.get("/assess")
    _post(client, "pain", BACK_PAIN)
    _post(
        client,
        "health",
        {**NO_FLAGS, "age_years": "38", "sex": "female", "health-diabetes": "no",
         "health-history_of_cancer": "unsure"},
    )  # fmt: skip
    _post(
        client,
        "activity",
        {"standing_hours_per_day": "7.5", "hard_surfaces": "yes", "running_km_per_week": "12",
         "sports": "football, tennis", "recent_load_increase": "unsure"},
    )  # fmt: skip
    _post(
        client,
        "feet",
        {"self_reported_arch": "flat", "arch_flattens_when_standing": "yes",
         "height_cm": "168", "weight_kg": "64,5", "shoe_size_value": "39", "shoe_size_system": "eu"},
    )  # fmt: skip
    _post(
        client,
        "shoes",
        {"wear-left": ["medial_heel", "big_toe"], "wear-right": ["even"], "heel_counter_tilt": "medial"},
    )
    assert _post(client, "footprint", {"action": "continue"}) == "/assess/gait"
    assert _post(client, "gait", {"action": "continue"}) == "/assess/review"
    intake = draft_to_intake(_draft(app, client).answers)
    parsed = parse_intake(intake)
    assert parsed.person.age_years == 38 and parsed.person.weight_kg == 64.5
    assert parsed.person.sex == "female"
    assert parsed.person.shoe_size is not None and parsed.person.shoe_size.system == "eu"
    assert [(p.region, p.side, p.intensity) for p in parsed.pain] == [
        ("lower_back", "midline", 6),
        ("knee", "left", 4),
    ]
    assert (
        parsed.pain[0].worst_with == ["sitting", "first_steps_morning"] and parsed.pain[0].duration_weeks == 3
    )
    assert parsed.health.saddle_numbness is False and parsed.health.history_of_cancer is None
    assert parsed.activity.sports == ["football", "tennis"] and parsed.activity.recent_load_increase is None
    assert parsed.activity.hard_surfaces is True and parsed.activity.standing_hours_per_day == 7.5
    assert parsed.feet.self_reported_arch == "flat" and parsed.feet.arch_flattens_when_standing is True
    assert (
        parsed.shoe_wear.left == ["medial_heel", "big_toe"] and parsed.shoe_wear.heel_counter_tilt == "medial"
    )
    review = client.get("/assess/review").text
    assert "Left knee: 4 out of 10, worst with stairs" in review and "Sports: football, tennis" in review
    assert "Left shoe: inner edge of the heel, under the big toe" in review
    health = review[review.index("<h2>Health questions</h2>") : review.index("<h2>Your day</h2>")]
    assert "Age: 38" in health and "Sex: female" in health
    feet = review[review.index("<h2>Your feet</h2>") : review.index("<h2>Your shoes</h2>")]
    assert "Height: 168 cm" in feet and "Age" not in feet


def test_saddle_numbness_with_a_bladder_change_shows_the_emergency_advice_first(client: TestClient) -> None:
    client.get("/assess")
    _post(client, "pain", BACK_PAIN)
    where = _post(
        client, "health", {"health-saddle_numbness": "yes", "health-new_bladder_or_bowel_problem": "yes"}
    )
    assert where == "/assess/referral?next=activity"
    page = client.get(where).text
    main = page[page.index("<main") :]
    assert main.index("Go to an emergency department now") < main.index(
        "Continue to the rest of the questions"
    )
    assert "cauda equina" in main and 'action="/assess/submit"' in main and 'href="/assess/activity"' in main
    # The one action, what to tell them, and nothing routine beside the emergency (issue 15).
    tell = main[main.index('id="tell"') :]
    assert "What to tell the doctor" in tell and "Pain in my lower back: 6 out of 10" in tell
    assert "new numbness around the genitals" in tell
    assert "routine" not in main.lower()
    assert _post(client, "activity", {}) == "/assess/feet", "advice already shown is not forced again"
    assert "Go to an emergency department now" in client.get("/assess/feet").text, "the banner stays"


def test_an_urgent_flag_found_later_still_comes_first(client: TestClient) -> None:
    client.get("/assess")
    _post(client, "health", {"health-history_of_cancer": "yes"})
    assert _post(client, "pain", BACK_PAIN) == "/assess/referral?next=health"
    page = client.get("/assess/referral?next=health").text
    assert "See a doctor today" in page and "history of cancer" in page


def test_no_warning_sign_goes_straight_on(client: TestClient) -> None:
    client.get("/assess")
    _post(client, "pain", BACK_PAIN)
    assert _post(client, "health", NO_FLAGS) == "/assess/activity"
    assert "referral-banner" not in client.get("/assess/activity").text


def test_screening_questions_use_the_knowledge_wording_and_mark_red_flags(client: TestClient) -> None:
    words = load_knowledge().text.question
    client.get("/assess")
    page = client.get("/assess/health").text
    assert words["saddle_numbness"][:1].upper() + words["saddle_numbness"][1:] in page
    assert 'data-redflag="urgent"' in page  # leg weakness that gets worse needs no pain to count
    _post(client, "pain", BACK_PAIN)
    page = client.get("/assess/health").text
    assert re.search(r'id="health-saddle_numbness"[^>]*data-redflag="emergency"', page)
    assert not re.search(r'id="health-diabetes"[^>]*data-redflag', page)
    assert re.search(r'id="health-history_of_cancer"[^>]*data-redflag="urgent"', page)


def _questions(page: str) -> list[tuple[str, str]]:
    """(question, level) in page order, and only those shown (not hidden)."""
    return [
        (name, level)
        for tag, name, level in re.findall(
            r'(<fieldset [^>]*data-question="(\w+)" data-level="(\w+)"[^>]*>)', page
        )
        if " hidden" not in tag
    ]


def test_health_step_asks_age_and_sex_first_then_emergency_questions_before_any_other(
    client: TestClient,
) -> None:
    client.get("/assess")
    _post(client, "pain", BACK_PAIN)
    page = client.get("/assess/health").text
    assert page.index('name="age_years"') < page.index('name="sex"') < page.index("data-question=")
    questions = _questions(page)
    levels = [level for _, level in questions]
    assert levels[0] == "emergency" and "urgent" in levels and "soon" in levels
    last_emergency = max(i for i, level in enumerate(levels) if level == "emergency")
    first_other = min(i for i, level in enumerate(levels) if level not in ("emergency", "urgent"))
    assert last_emergency < first_other, "every emergency question comes before every routine one"
    assert levels == sorted(levels, key=["emergency", "urgent", "soon", "routine", "none"].index)
    headings = re.findall(r'<h2 class="question-intro" id="group-\w+">([^<]+)</h2>', page)
    assert headings == [
        "Signs that need help now",
        "Signs that need a doctor today",
        "Other health questions",
    ]
    assert page.index("Signs that need help now") < page.index('data-question="saddle_numbness"')
    feet = client.get("/assess/feet").text
    assert 'name="age_years"' not in feet and 'name="sex"' not in feet, "age and sex moved to the health step"


KNEE = {"where": ["knee-left"], "knee-left-intensity": "5", "knee-left-weeks": "2"}


def test_childrens_questions_only_for_children(client: TestClient) -> None:
    client.get("/assess")
    _post(client, "pain", KNEE)
    unknown = dict(_questions(client.get("/assess/health").text))
    assert "limp" in unknown, "without an age every question that could apply is asked"
    _post(client, "health", {"age_years": "12"})
    child = dict(_questions(client.get("/assess/health").text))
    assert "limp" in child and child["limp"] in ("emergency", "urgent")
    _post(client, "health", {"age_years": "40", "sex": "female"})
    adult = dict(_questions(client.get("/assess/health").text))
    assert "limp" not in adult
    assert 'id="health-limp"' in client.get("/assess/health").text, "kept hidden for the page's script"
    api = client.get("/assess/health/questions", params={"age": "12", "sex": "female"}).json()
    assert "limp" in api["show"] and api["shown_for"] == "12|female"
    assert "limp" not in client.get("/assess/health/questions", params={"age": "40"}).json()["show"]


def test_pregnancy_questions_not_for_a_man(client: TestClient) -> None:
    client.get("/assess")
    _post(client, "pain", KNEE)
    assert "pregnant_or_postpartum" in dict(_questions(client.get("/assess/health").text))
    _post(client, "health", {"age_years": "30", "sex": "female"})
    assert "pregnant_or_postpartum" in dict(_questions(client.get("/assess/health").text))
    _post(client, "health", {"age_years": "30", "sex": "male"})
    man = dict(_questions(client.get("/assess/health").text))
    assert "pregnant_or_postpartum" not in man and "headache_or_visual_change" not in man
    show = client.get("/assess/health/questions", params={"age": "30", "sex": "male"}).json()["show"]
    assert "pregnant_or_postpartum" not in show


def test_without_a_script_questions_newly_due_to_the_age_typed_are_asked_before_going_on(
    app: FastAPI, client: TestClient
) -> None:
    client.get("/assess")
    _post(client, "pain", KNEE)
    _post(client, "health", {"age_years": "40", "sex": "male"})
    response = client.post(
        "/assess/health",
        data={"age_years": "12", "sex": "male", "shown_for": "40|male", "health-diabetes": "no"},
    )
    assert response.status_code == 200 and 'id="added-questions"' in response.text
    assert 'href="#health-limp"' in response.text
    assert "limp" in dict(_questions(response.text))
    assert _draft(app, client).answers["sections"]["person"]["age_years"] == 12, "nothing typed is lost"
    assert _draft(app, client).answers["sections"]["health"] == {"diabetes": False}
    answered = client.post(
        "/assess/health",
        data={"age_years": "12", "sex": "male", "shown_for": "12|male", "health-limp": "unsure"},
        follow_redirects=False,
    )
    assert answered.status_code == 303 and answered.headers["location"] == "/assess/activity"


def test_a_childs_limp_with_knee_pain_shows_the_urgent_advice_at_once(client: TestClient) -> None:
    client.get("/assess")
    _post(client, "pain", KNEE)
    _post(client, "health", {"age_years": "12"})
    page = client.get("/assess/health").text
    assert re.search(r'id="health-limp"[^>]*data-redflag="urgent"', page)
    where = _post(client, "health", {"age_years": "12", "shown_for": "12|", "health-limp": "yes"})
    assert where == "/assess/referral?next=activity"
    assert "See a doctor today" in client.get(where).text


def test_the_health_page_is_fast_with_every_question(client: TestClient) -> None:
    client.get("/assess")
    _post(client, "pain", {**BACK_PAIN, "where": [*BACK_PAIN["where"], "calf-right", "heel-left"],
                           "calf-right-intensity": "3", "heel-left-intensity": "4"})  # fmt: skip
    client.get("/assess/health")  # warm up
    times = []
    for _ in range(5):
        started = time.perf_counter()
        assert client.get("/assess/health").status_code == 200
        times.append(time.perf_counter() - started)
    assert min(times) < 0.150, f"the health page took {min(times) * 1000:.0f} ms"


def test_an_unknown_cookie_starts_a_new_draft_gracefully(app: FastAPI, client: TestClient) -> None:
    page = client.get("/assess/activity", headers={"Cookie": f"{COOKIE}=no-such-draft"})
    assert page.status_code == 200 and "starting afresh" in page.text
    new_id = re.match(rf"{COOKIE}=([^;]+);", page.headers["set-cookie"])
    assert new_id and new_id.group(1) != "no-such-draft"
    client.cookies.clear()
    saved = client.post(
        "/assess/activity",
        data={"walking_km_per_week": "20"},
        headers={"Cookie": f"{COOKIE}=expired-draft"},
        follow_redirects=False,
    )
    assert saved.status_code == 303 and saved.headers["location"] == "/assess/feet"
    assert _draft(app, client).answers["sections"]["activity"] == {"walking_km_per_week": 20.0}


def test_unknown_step_is_a_404(client: TestClient) -> None:
    assert client.get("/assess/elbows").status_code == 404


def test_footprint_photo_is_measured_shown_and_kept_private(
    app: FastAPI, client: TestClient, photo: Path
) -> None:
    client.get("/assess")
    response = client.post(
        "/assess/footprint",
        data={"action": "upload"},
        files={"files": ("my foot.jpg", photo.read_bytes(), "image/jpeg")},
        follow_redirects=False,
    )
    assert response.status_code == 303 and response.headers["location"] == "/assess/footprint#measured"
    page = client.get("/assess/footprint").text
    upload_id = _draft(app, client).answers["files"]["footprint_images"][0]
    assert f'src="/assess/footprint/{upload_id}.png"' in page
    assert re.search(r'class="arch-index">0\.\d\d<', page) and re.search(r'class="foot-length">\d+ mm<', page)
    overlay = client.get(f"/assess/footprint/{upload_id}.png")
    assert overlay.status_code == 200 and overlay.content.startswith(b"\x89PNG")
    with TestClient(app) as stranger:
        stranger.get("/assess")
        assert stranger.get(f"/assess/footprint/{upload_id}.png").status_code == 404
    client.post("/assess/footprint/remove", data={"upload_id": upload_id})
    assert _draft(app, client).answers["files"]["footprint_images"] == [] and _count(app, UploadRow) == 0


@pytest.mark.parametrize(
    ("name", "content", "status", "words"),
    [
        ("foot.jpg", b"%PDF-1.7\n" + b"0" * 200, 415, "foot.jpg is not a photo: it is a PDF document."),
        ("foot.jpg", b"left;right\n1;2\n3;4\n" * 40, 415, "foot.jpg is not a photo: it is a text table."),
        ("foot.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF" + b"\x00" * 500, 422, "foot.jpg"),
        ("sheet.jpg", None, 422, "no footprint"),
    ],
)
def test_bad_footprint_files_are_explained_on_the_page_and_nothing_is_stored(
    app: FastAPI, client: TestClient, name: str, content: bytes | None, status: int, words: str
) -> None:
    from tests.footprint.sheet_photo import photograph_sheet

    if content is None:  # the sheet with no print on it
        empty = photograph_sheet("a4", None, jpeg_quality=90, image_size=(2400, 1800), seed=3)
        assert isinstance(empty, bytes)
        content = empty
    client.get("/assess")
    response = client.post(
        "/assess/footprint", data={"action": "upload"}, files={"files": (name, content, "image/jpeg")}
    )
    assert response.status_code == status
    assert words.lower() in _field_error(response.text, "files").lower() and "Traceback" not in response.text
    assert _count(app, UploadRow) == 0 and not _draft(app, client).answers.get("files", {}).get(
        "footprint_images"
    )


@pytest.mark.parametrize(
    ("step", "name", "content", "opening"),
    [
        ("footprint", "foot.jpg", b"a note I wrote\nabout my feet\n" * 20, "foot.jpg is not a photo: it is a text table."),
        ("gait", "walk.txt", b"a note about my walk\n" * 20, "walk.txt is not a walking recording footchain can read."),
    ],
)  # fmt: skip
def test_a_bad_upload_is_told_in_one_or_two_plain_sentences(
    client: TestClient, step: str, name: str, content: bytes, opening: str
) -> None:
    """A text file named .jpg, a note instead of a recording: what it is and what to do, without the
    list of formats, NumPy or command-line flags."""
    client.get("/assess")
    response = client.post(
        f"/assess/{step}",
        data={"action": "upload"},
        files={"files": (name, content, "application/octet-stream")},
    )
    message = _field_error(response.text, "files")
    assert response.status_code == 415
    assert message.startswith(opening) and "Continue without a" in message
    assert len(re.findall(r"[.!?](\s|$)", message)) <= 2 and len(message.split()) <= 40, message
    assert not any(word in message for word in ("NumPy", "--", "pressure", "matrix", "gaitpdb"))


def test_a_chosen_file_is_measured_even_when_continue_is_pressed(app: FastAPI, client: TestClient) -> None:
    """Choosing a file and then "Continue without a photo" does not drop it silently: it is read, and
    a bad file is explained on the same page."""
    client.get("/assess")
    response = client.post(
        "/assess/footprint",
        data={"action": "continue"},
        files={"files": ("foot.jpg", b"%PDF-1.7\n" + b"0" * 200, "image/jpeg")},
    )
    assert response.status_code == 415
    assert "foot.jpg is not a photo" in _field_error(response.text, "files")


def test_upload_without_a_file_asks_for_one(client: TestClient) -> None:
    client.get("/assess")
    response = client.post("/assess/footprint", data={"action": "upload"})
    assert response.status_code == 422 and "Choose a file first" in response.text


def test_gait_recording_is_measured(app: FastAPI, client: TestClient) -> None:
    client.get("/assess")
    recording = DATA / "gaitpdb" / "GaCo01_01.txt"
    response = client.post(
        "/assess/gait",
        data={"action": "upload"},
        files=[("files", (recording.name, recording.read_bytes(), "text/plain"))],
        follow_redirects=False,
    )
    assert response.status_code == 303
    page = client.get("/assess/gait").text
    assert "GaCo01_01.txt" in page and re.search(r"Left foot: \d+ strides, \d+ steps a minute", page)
    assert len(_draft(app, client).answers["files"]["gait_recordings"]) == 1


def test_submit_stores_the_assessment_with_its_photo_and_forgets_the_draft(
    app: FastAPI, client: TestClient, photo: Path
) -> None:
    client.get("/assess")
    _post(client, "pain", BACK_PAIN)
    _post(client, "health", NO_FLAGS)
    client.post(
        "/assess/footprint",
        data={"action": "upload"},
        files={"files": ("foot.jpg", photo.read_bytes(), "image/jpeg")},
    )
    draft_id = client.cookies[COOKIE]
    response = client.post("/assess/submit", follow_redirects=False)
    assert response.status_code == 303
    assessment_id = response.headers["location"].removeprefix("/assessments/")
    with _sessions(app)() as session:
        row = session.get(AssessmentRow, assessment_id)
        assert row is not None and session.get(DraftRow, draft_id) is None
        assert row.intake["pain"][1] == {
            "region": "knee",
            "side": "left",
            "intensity": 4,
            "worst_with": ["stairs"],
        }
        assert "footprint" in row.intake["feet"] and row.result["referral"]["urgency"] != "emergency"
        upload = session.scalars(select(UploadRow)).one()
        assert upload.assessment_id == assessment_id
    assert COOKIE not in client.cookies


def test_too_large_uploads_and_wrong_recordings_are_refused_and_nothing_is_stored(tmp_path: Path) -> None:
    small = create_app(Settings(database_url=f"sqlite:///{tmp_path / 'small.db'}", max_upload_bytes=1024))
    with TestClient(small) as client:
        client.get("/assess")
        page = client.get("/assess/footprint").text
        assert 'data-max-bytes="1024"' in page, "the page tells its script the limit, to warn before sending"
        big = client.post(
            "/assess/footprint",
            data={"action": "upload"},
            files={"files": ("big.jpg", b"\xff\xd8\xff" + b"0" * 4096)},
        )
        assert big.status_code == 413 and "larger than this server's limit" in big.text
        picture = client.post(
            "/assess/gait",
            data={"action": "upload"},
            files={"files": ("walk.txt", b"\x89PNG\r\n\x1a\n" + b"0" * 100)},
        )
        assert picture.status_code == 415
        assert "walk.txt is a PNG image, not a gait recording" in _field_error(picture.text, "files")
        assert _count(small, UploadRow) == 0


def test_typed_answers_and_file_names_are_shown_back_as_text_never_as_markup(client: TestClient) -> None:
    client.get("/assess")
    _post(client, "activity", {"sports": "<script>alert(1)</script>"})
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in client.get("/assess/activity").text
    assert "<script>alert(1)" not in client.get("/assess/review").text
    response = client.post(
        "/assess/footprint",
        data={"action": "upload"},
        files={"files": ('<img src=x onerror="alert(1)">.jpg', b"%PDF-1.7\n" + b"0" * 200)},
    )
    assert (
        response.status_code == 415 and "<img src=x" not in response.text and "&lt;img src=x" in response.text
    )


def _age_draft(app: FastAPI, draft_id: str, days: float) -> None:
    with _sessions(app)() as session:
        row = session.get(DraftRow, draft_id)
        assert row is not None
        row.updated_at = datetime.now(UTC) - timedelta(days=days)
        session.commit()


def test_a_draft_left_longer_than_draft_days_is_gone_and_deleted_with_its_uploads(
    app: FastAPI, client: TestClient
) -> None:
    client.get("/assess")
    recording = DATA / "gaitpdb" / "GaCo01_01.txt"
    client.post(
        "/assess/gait",
        data={"action": "upload"},
        files=[("files", (recording.name, recording.read_bytes(), "text/plain"))],
    )
    old_id = client.cookies[COOKIE]
    (upload_id,) = _draft(app, client).answers["files"]["gait_recordings"]
    with TestClient(app) as other:  # someone else's draft, recent: it stays
        other.get("/assess")
        recent_id = other.cookies[COOKIE]
    _age_draft(app, recent_id, 29)
    _age_draft(app, old_id, 31)  # the default keeps drafts 30 days

    page = client.get("/assess/activity")
    assert page.status_code == 200 and "starting afresh" in page.text
    assert client.cookies[COOKIE] not in (old_id, recent_id)
    with _sessions(app)() as session:
        assert session.get(DraftRow, old_id) is None and session.get(UploadRow, upload_id) is None
        assert session.get(DraftRow, recent_id) is not None
    assert _count(app, DraftRow) == 2


def test_how_long_drafts_are_kept_comes_from_the_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FOOTCHAIN_DRAFT_DAYS", "7")
    settings = Settings.from_environment(f"sqlite:///{tmp_path / 'week.db'}")
    assert settings.draft_days == 7 and Settings().draft_days == 30
    week = create_app(settings)
    with TestClient(week) as client:
        cookie = client.get("/assess", follow_redirects=False).headers["set-cookie"]
        assert f"Max-Age={7 * 24 * 3600}" in cookie, "the cookie lasts as long as the draft"
        _age_draft(week, client.cookies[COOKIE], 8)
        draft_id = client.cookies[COOKIE]
        client.get("/assess", follow_redirects=False)
        assert client.cookies[COOKIE] != draft_id, "an 8-day-old draft is not resumed after 7 days"
    for bad in ("0", "-3", "a week", "2.5"):
        monkeypatch.setenv("FOOTCHAIN_DRAFT_DAYS", bad)
        with pytest.raises(FootchainError, match=f"FOOTCHAIN_DRAFT_DAYS must be a whole number.*'{bad}'"):
            Settings.from_environment()


def test_removing_an_upload_deletes_it_unless_an_assessment_used_it(app: FastAPI, client: TestClient) -> None:
    recording = DATA / "gaitpdb" / "GaCo01_01.txt"
    client.get("/assess")
    for _ in range(2):
        client.post(
            "/assess/gait",
            data={"action": "upload"},
            files=[("files", (recording.name, recording.read_bytes(), "text/plain"))],
        )
    used, unused = _draft(app, client).answers["files"]["gait_recordings"]
    api = client.post(
        "/api/v1/assessments",
        json={"schema_version": 1, "files": {"gait_recordings": [used]}},
    )
    assert api.status_code == 201, api.text
    for upload_id in (used, unused):
        client.post("/assess/gait/remove", data={"upload_id": upload_id})
    assert _draft(app, client).answers["files"]["gait_recordings"] == []
    with _sessions(app)() as session:
        assert session.get(UploadRow, unused) is None
        kept = session.get(UploadRow, used)
        assert kept is not None and kept.assessment_id == api.json()["id"]
