"""The clinic pages: sign-in needed, CSRF-protected forms, the visit form's intake, timeline, compare, delete."""

from __future__ import annotations

import io
import re
import time
from datetime import date
from pathlib import Path
from typing import get_args

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from footchain.intake import parse_intake
from footchain.knowledge import load_knowledge
from footchain.store.models import PatientRow, VisitFileRow, VisitRow
from footchain.types import Region
from footchain.web.screening import levels
from tests.clinic.conftest import ClinicUser, sign_in_page
from tests.footprint.photo_cases import sheet_photo_case

PAGES = [
    "/clinic/patients",
    "/clinic/patients/{p}",
    "/clinic/patients/{p}/visits/new",
    "/clinic/visits/{v}",
    "/clinic/visits/{v}/report.pdf",
    "/clinic/visits/{v}/status",
    "/clinic/patients/{p}/compare",
    "/clinic/patients/{p}/export.json",
    "/clinic/patients/{p}/export.pdf",
]


def visit_form(csrf: str, **fields: str) -> dict[str, str]:
    """A filled-in visit form: heel pain, FPI-6 +1 on every left item and 0 on the right, outcome scores."""
    form = {
        "csrf_token": csrf, "visited_on": "2026-05-04", "kind": "assessment", "pain_score": "6",
        "psfs_activity_1": "walking to work", "psfs_score_1": "4", "pain_region_1": "heel", "pain_side_1": "left",
        "pain_intensity_1": "6", "pain_weeks_1": "8", "self_reported_arch": "low", "health_diabetes": "no",
    }  # fmt: skip
    for n in range(1, 7):
        form[f"fpi_left_{n}"] = "1"
        form[f"fpi_right_{n}"] = "0"
    return form | fields


def register(client: TestClient, csrf: str, name: str = "Pat Page") -> str:
    response = client.post(
        "/clinic/patients",
        data={"csrf_token": csrf, "name": name, "birth_year": "1966"},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    match = re.fullmatch(r"/clinic/patients/([\w-]{32})", response.headers["location"])
    assert match
    return match.group(1)


def test_every_page_redirects_an_anonymous_visitor_to_sign_in(clinic_client: TestClient) -> None:
    for page in PAGES:
        url = page.format(p="a" * 32, v="b" * 32)
        response = clinic_client.get(url, follow_redirects=False)
        assert response.status_code == 303, url
        assert response.headers["location"].startswith("/login?next=/clinic/")
    for url in (
        "/clinic/patients",
        f"/clinic/patients/{'a' * 32}/visits/new",
        f"/clinic/patients/{'a' * 32}/delete",
    ):
        response = clinic_client.post(url, data={"name": "x"}, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"].startswith("/login")


def test_forms_without_the_csrf_token_are_refused(
    clinic_client: TestClient, clinic_a: ClinicUser, sessions: sessionmaker[Session]
) -> None:
    csrf = sign_in_page(clinic_client, sessions, clinic_a)
    patient_id = register(clinic_client, csrf)
    posts = [
        ("/clinic/patients", {"name": "No Token", "birth_year": "1970"}),
        (f"/clinic/patients/{patient_id}/visits/new", {"visited_on": "2026-01-01"}),
        (f"/clinic/patients/{patient_id}/delete", {"confirm": "yes"}),
    ]
    for url, data in posts:
        for token in (None, "forged"):
            sent = data if token is None else {**data, "csrf_token": token}
            assert clinic_client.post(url, data=sent, follow_redirects=False).status_code == 403, url
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(PatientRow)) == 1
        assert session.scalar(select(func.count()).select_from(VisitRow)) == 0


def test_register_search_and_open_a_patient(
    clinic_client: TestClient, clinic_a: ClinicUser, sessions: sessionmaker[Session]
) -> None:
    csrf = sign_in_page(clinic_client, sessions, clinic_a)
    patient_id = register(clinic_client, csrf, "Zoe <b>Bold</b>")
    register(clinic_client, csrf, "Other Person")
    found = clinic_client.get("/clinic/patients", params={"q": "zoe"}).text
    assert "Zoe &lt;b&gt;Bold&lt;/b&gt;" in found and "Other Person" not in found
    page = clinic_client.get(f"/clinic/patients/{patient_id}").text
    assert f'href="/clinic/patients/{patient_id}/visits/new"' in page
    assert f'value="{csrf}"' in page  # the delete form carries the token
    bad = clinic_client.post("/clinic/patients", data={"csrf_token": csrf, "name": "No Year"})
    assert bad.status_code == 422 and "birth_year" in bad.text and 'value="No Year"' in bad.text


def test_the_visit_form_explains_each_fpi6_item_in_our_words(
    clinic_client: TestClient, clinic_a: ClinicUser, sessions: sessionmaker[Session]
) -> None:
    csrf = sign_in_page(clinic_client, sessions, clinic_a)
    patient_id = register(clinic_client, csrf)
    page = clinic_client.get(f"/clinic/patients/{patient_id}/visits/new").text
    fpi6 = load_knowledge().text.fpi6
    assert "Redmond" in fpi6.source and "Clin Biomech 21" in fpi6.source
    for n, item in enumerate(fpi6.item, start=1):
        assert item.name in page and item.look.replace("'", "&#39;") in page
        for side in ("left", "right"):
            assert f'name="fpi_{side}_{n}"' in page
        for words in item.scores:
            assert words.replace("'", "&#39;") in page
    assert 'enctype="multipart/form-data"' in page and 'name="footprint_files"' in page


def test_a_visit_from_the_form_is_a_valid_intake_with_fpi6_totals_and_the_engines_reading(
    clinic_client: TestClient, clinic_a: ClinicUser, sessions: sessionmaker[Session]
) -> None:
    csrf = sign_in_page(clinic_client, sessions, clinic_a)
    patient_id = register(clinic_client, csrf)
    response = clinic_client.post(
        f"/clinic/patients/{patient_id}/visits/new", data=visit_form(csrf), follow_redirects=False
    )
    assert response.status_code == 303, response.text
    visit_id = response.headers["location"].rsplit("/", 1)[1]
    with sessions() as session:
        visit = session.get(VisitRow, visit_id)
        assert visit is not None
        intake = parse_intake(visit.intake)
        assert visit.pain_score == 6 and visit.psfs == [{"activity": "walking to work", "score": 4}]
        assert visit.assessment is not None
    assert intake.feet.fpi6 is not None and intake.feet.fpi6.left == [1] * 6
    assert intake.person.age_years == 60  # 2026 − 1966
    assert intake.health.diabetes is False and intake.health.saddle_numbness is None
    assert intake.pain[0].region == "heel" and intake.pain[0].duration_weeks == 8
    page = clinic_client.get(f"/clinic/visits/{visit_id}").text
    left = re.search(r'data-side="left">([^<]*)<', page)
    assert left and "total +6" in left.group(1) and "pronated posture" in left.group(1)
    right = re.search(r'data-side="right">([^<]*)<', page)
    assert right and "total 0" in right.group(1) and "normal posture" in right.group(1)
    assert "walking to work: 4" in page


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"fpi_left_3": ""}, "FPI-6 left foot: score all six items"),
        ({"pain_intensity_1": ""}, "pain 1: give the intensity"),
        ({"psfs_score_1": ""}, "PSFS activity 1: rate"),
        ({"visited_on": ""}, "visit date"),
        ({"pain_score": "12"}, "pain_score"),
    ],
)
def test_visit_form_mistakes_are_shown_with_the_answers_kept(
    clinic_client: TestClient, clinic_a: ClinicUser, sessions: sessionmaker[Session], fields: dict[str, str],
    message: str,
) -> None:  # fmt: skip
    csrf = sign_in_page(clinic_client, sessions, clinic_a)
    patient_id = register(clinic_client, csrf)
    response = clinic_client.post(
        f"/clinic/patients/{patient_id}/visits/new", data=visit_form(csrf, **fields)
    )
    assert response.status_code == 422
    assert message in response.text
    assert 'value="walking to work"' in response.text
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(VisitRow)) == 0


def test_files_on_the_form_are_queued_with_the_visit_and_their_status_goes_live(
    clinic_client: TestClient, clinic_a: ClinicUser, sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    csrf = sign_in_page(clinic_client, sessions, clinic_a)
    patient_id = register(clinic_client, csrf)
    wrong = clinic_client.post(
        f"/clinic/patients/{patient_id}/visits/new",
        data=visit_form(csrf),
        files=[("footprint_files", ("scan.png", b"%PDF-1.5 not an image", "image/png"))],
    )
    assert wrong.status_code == 415 and "scan.png is a PDF document" in wrong.text
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(VisitRow)) == 0

    photo, _truth = sheet_photo_case(7201, tmp_path, image_size=(1600, 1200))
    response = clinic_client.post(
        f"/clinic/patients/{patient_id}/visits/new",
        data=visit_form(csrf),
        files=[("footprint_files", ("print.jpg", photo.read_bytes(), "image/jpeg"))],
        follow_redirects=False,
    )
    assert response.status_code == 303
    visit_id = response.headers["location"].rsplit("/", 1)[1]
    deadline = time.monotonic() + 120
    status = clinic_client.get(f"/clinic/visits/{visit_id}/status").json()
    while status["pending"] and time.monotonic() < deadline:
        time.sleep(0.1)
        status = clinic_client.get(f"/clinic/visits/{visit_id}/status").json()
    assert [f["status"] for f in status["files"]] == ["done"]
    page = clinic_client.get(f"/clinic/visits/{visit_id}").text
    file_id = status["files"][0]["id"]
    assert f"/clinic/visits/{visit_id}/files/{file_id}/overlay.png" in page and "data-pending" not in page
    overlay = clinic_client.get(f"/clinic/visits/{visit_id}/files/{file_id}/overlay.png")
    assert overlay.status_code == 200 and overlay.content.startswith(b"\x89PNG")


def test_compare_shows_two_visits_side_by_side(
    clinic_client: TestClient, clinic_a: ClinicUser, sessions: sessionmaker[Session]
) -> None:
    csrf = sign_in_page(clinic_client, sessions, clinic_a)
    patient_id = register(clinic_client, csrf)
    url = f"/clinic/patients/{patient_id}/visits/new"
    clinic_client.post(url, data=visit_form(csrf))
    later = {f"fpi_left_{n}": "-1" for n in range(1, 7)} | {"visited_on": "2026-07-01", "pain_score": "2"}
    clinic_client.post(url, data=visit_form(csrf, **later))
    page = clinic_client.get(f"/clinic/patients/{patient_id}/compare").text
    row = re.search(r"FPI-6 total, left</th>(.*?)</tr>", page)
    assert row and re.findall(r"<td>([^<]*)</td>", row.group(1)) == ["+6", "-6"]
    pain = re.search(r"Pain \(0–10\)</th>(.*?)</tr>", page)
    assert pain and re.findall(r"<td>([^<]*)</td>", pain.group(1)) == ["6", "2"]
    assert (
        clinic_client.get(f"/clinic/patients/{patient_id}/compare", params={"a": "x" * 32}).status_code == 404
    )


def test_two_visits_on_one_day_are_told_apart_by_time_and_the_visit_page_is_for_the_clinician(
    clinic_client: TestClient, clinic_a: ClinicUser, sessions: sessionmaker[Session]
) -> None:
    """Issue 15: the timeline, the comparison lists and the outcome table show the time a visit was
    entered; the visit page's report is about the patient by name, not addressed to "you"."""
    csrf = sign_in_page(clinic_client, sessions, clinic_a)
    patient_id = register(clinic_client, csrf, name="Ana Ferreira")
    url = f"/clinic/patients/{patient_id}/visits/new"
    first = clinic_client.post(url, data=visit_form(csrf), follow_redirects=False)
    second = clinic_client.post(url, data=visit_form(csrf, pain_score="3"), follow_redirects=False)
    with sessions() as session:  # entered at 09:10 and 16:45 on the same day
        for location, when in ((first, "09:10"), (second, "16:45")):
            row = session.get(VisitRow, location.headers["location"].rsplit("/", 1)[1])
            assert row is not None
            hour, minute = map(int, when.split(":"))
            row.created_at = row.created_at.replace(hour=hour, minute=minute)
        session.commit()
    patient_page = clinic_client.get(f"/clinic/patients/{patient_id}").text
    compare = clinic_client.get(f"/clinic/patients/{patient_id}/compare").text
    for page in (patient_page, compare):
        assert "2026-05-04, 09:10 UTC" in page and "2026-05-04, 16:45 UTC" in page
    visit = clinic_client.get(first.headers["location"]).text
    assert "footchain report: Ana Ferreira" in visit and "Your footchain report" not in visit
    assert "The patient’s" in visit and "What to tell the clinician" not in visit
    pdf = clinic_client.get(first.headers["location"] + "/report.pdf")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    pdf_text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "footchain report: Ana Ferreira" in pdf_text and "Made on 4 May 2026" in pdf_text
    assert "Your footchain report" not in pdf_text
    form = clinic_client.get(url).text
    assert (
        'type="checkbox" name="pain_worst_1" value="stairs"' in form
        and '<select name="pain_worst' not in form
    )


def test_another_clinics_pages_are_404(
    clinic_client: TestClient, clinic_a: ClinicUser, clinic_b: ClinicUser, sessions: sessionmaker[Session]
) -> None:
    csrf_a = sign_in_page(clinic_client, sessions, clinic_a)
    patient_id = register(clinic_client, csrf_a)
    visit = clinic_client.post(
        f"/clinic/patients/{patient_id}/visits/new", data=visit_form(csrf_a), follow_redirects=False
    )
    visit_id = visit.headers["location"].rsplit("/", 1)[1]
    csrf_b = sign_in_page(clinic_client, sessions, clinic_b)
    for page in PAGES[1:]:
        assert clinic_client.get(page.format(p=patient_id, v=visit_id)).status_code == 404, page
    assert (
        clinic_client.post(
            f"/clinic/patients/{patient_id}/delete", data={"csrf_token": csrf_b, "confirm": "yes"}
        ).status_code
        == 404
    )
    assert (
        clinic_client.post(f"/clinic/patients/{patient_id}/visits/new", data=visit_form(csrf_b)).status_code
        == 404
    )
    assert "Pat Page" not in clinic_client.get("/clinic/patients").text
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(VisitRow)) == 1


def test_deleting_from_the_page_needs_the_confirmation(
    clinic_client: TestClient, clinic_a: ClinicUser, sessions: sessionmaker[Session]
) -> None:
    csrf = sign_in_page(clinic_client, sessions, clinic_a)
    patient_id = register(clinic_client, csrf)
    clinic_client.post(f"/clinic/patients/{patient_id}/visits/new", data=visit_form(csrf))
    unconfirmed = clinic_client.post(f"/clinic/patients/{patient_id}/delete", data={"csrf_token": csrf})
    assert unconfirmed.status_code == 422
    confirmed = clinic_client.post(
        f"/clinic/patients/{patient_id}/delete",
        data={"csrf_token": csrf, "confirm": "yes"},
        follow_redirects=False,
    )
    assert confirmed.status_code == 303 and confirmed.headers["location"] == "/clinic/patients?deleted=1"
    with sessions() as session:
        for table in (PatientRow, VisitRow, VisitFileRow):
            assert session.scalar(select(func.count()).select_from(table)) == 0
    assert clinic_client.get(f"/clinic/patients/{patient_id}").status_code == 404


def _clinic_questions(page: str) -> list[tuple[str, str]]:
    return re.findall(r'<tr data-question="(\w+)" data-level="(\w+)">', page)


@pytest.mark.parametrize(
    ("age", "sex", "limp", "pregnancy"),
    [(12, "male", True, False), (40, "male", False, False), (30, "female", False, True)],
)
def test_the_visit_forms_screening_asks_emergency_questions_first_and_only_what_can_apply(
    clinic_client: TestClient,
    clinic_a: ClinicUser,
    sessions: sessionmaker[Session],
    age: int,
    sex: str,
    limp: bool,
    pregnancy: bool,
) -> None:
    csrf = sign_in_page(clinic_client, sessions, clinic_a)
    created = clinic_client.post(
        "/clinic/patients",
        data={
            "csrf_token": csrf,
            "name": "Sam Screen",
            "birth_year": str(date.today().year - age),
            "sex": sex,
        },
        follow_redirects=False,
    )
    patient_id = created.headers["location"].rsplit("/", 1)[1]
    page = clinic_client.get(f"/clinic/patients/{patient_id}/visits/new").text
    questions = _clinic_questions(page)
    levels = [level for _, level in questions]
    order = ["emergency", "urgent", "soon", "routine", "none"]
    assert levels[0] == "emergency" and levels == sorted(levels, key=order.index)
    headings = re.findall(r'<h3 class="screening-group group-\w+" id="screening-\w+">([^<]+)</h3>', page)
    assert headings[:2] == ["Signs that need help now", "Signs that need a doctor today"]
    assert headings[-1] == "Other health questions"
    names = [name for name, _ in questions]
    assert ("limp" in names) is limp
    assert ("pregnant_or_postpartum" in names) is pregnancy
    assert {"saddle_numbness", "breathless_or_chest_pain", "diabetes"} <= set(names)
    assert len(names) == len(set(names))


def test_the_visit_form_and_the_wizard_ask_in_the_same_order(
    clinic_client: TestClient, clinic_a: ClinicUser, sessions: sessionmaker[Session]
) -> None:
    csrf = sign_in_page(clinic_client, sessions, clinic_a)
    patient_id = register(clinic_client, csrf)  # born 1966, sex not recorded
    clinic = [
        name
        for name, _ in _clinic_questions(clinic_client.get(f"/clinic/patients/{patient_id}/visits/new").text)
    ]
    person = {"age_years": date.today().year - 1966}
    pains = [{"region": region, "side": "both", "intensity": 5} for region in get_args(Region)]
    wizard = list(levels(parse_intake({"schema_version": 1, "person": person, "pain": pains})))
    assert clinic[: len(wizard)] == wizard, "the same questions, in the same order, emergency first"
