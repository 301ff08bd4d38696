"""The PDF report: the HTML report printed by WeasyPrint, with its sections, A4 pages and inline pictures."""

from __future__ import annotations

import io
import re
import subprocess
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from pypdf import PdfReader

from footchain.present.html import Measurements, footprint_view, png_data_uri, render_html
from footchain.present.pdf import render_pdf
from footchain.types import Assessment, Intake
from tests.report_cases import CASES, emergency_example, runner_screened, runner_shipped

# A 2 × 2 red PNG, small enough to write out.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000002000000020802000000fdd49a73000000164944415478da63f8cfc0f0"
    "9f8181e13f030303000e1202fd8e2a7b940000000049454e44ae426082"
)


def pdf_text(reader: PdfReader) -> str:
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


def assert_in_order(text: str, order: list[str]) -> None:
    position = 0
    for words in order:  # each heading after the one before it
        position = text.index(words, position)


def test_the_pdf_has_the_reports_sections_in_order_on_a4() -> None:
    assessment, intake = CASES["emergency"]()
    reader = PdfReader(io.BytesIO(render_pdf(render_html(assessment, intake, made_on="8 December 2026"))))
    text = pdf_text(reader)
    assert_in_order(
        text,
        [
            "Made on 8 December 2026",
            "Go to an emergency department now",
            "What to tell the clinician",
            "Where it hurts",
            "footchain gives general information, not a diagnosis",
        ],
    )
    # Nothing routine beside an emergency: no feet table, no insoles, no self-care list, no list of
    # what could not be judged.
    assert "Your feet" not in text and "Insoles" not in text and "What to do now" not in text
    assert "What we could not judge" not in text
    for page in reader.pages:
        assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (595, 842)
    assert "page 1 of" in reader.pages[0].extract_text()


def test_a_runners_pdf_leads_with_what_to_do_and_fits_on_four_pages() -> None:
    """The runner of examples/ with every warning-sign question answered: answer, what to do (the knee,
    the worst pain, first), where it hurts, why, feet, insoles, limits, on at most four A4 pages."""
    assessment, intake = runner_screened()
    reader = PdfReader(io.BytesIO(render_pdf(render_html(assessment, intake))))
    text = pdf_text(reader)
    assert_in_order(
        text,
        [
            "Your feet may play a part in your knee and shin pain",
            "What to do now",
            "Strengthen the hip and thigh muscles",
            "Cut your running or walking back",
            "Where it hurts",
            "Why: how your feet may be involved",
            "Your feet",
            "Insoles: An off-the-shelf insole may help",
            "What we could not judge",
        ],
    )
    assert len(reader.pages) <= 4, len(reader.pages)
    # Plain words on paper: the research numbers stay in the clinician's copy.
    assert "odds ratio" not in text and "Arch Index 0.28" not in text


RUNNERS: dict[str, Callable[[], tuple[Assessment, Intake]]] = {
    "shipped": runner_shipped,
    "screened": runner_screened,
}
MIN_FILL = 0.75
"""Each page but the last is filled at least this far down: only a picture that cannot be split may
leave a gap (the runner's body map after "What to do now"), no forced break or unsplittable card."""


def page_fill(pdf: bytes, folder: Path) -> list[float]:
    """How far down each page its content reaches, as a share of the space between the margins
    (pdftoppm at 30 dpi; the footer under the bottom margin is left out)."""
    (folder / "report.pdf").write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-r", "30", "-gray", "-png", str(folder / "report.pdf"), str(folder / "p")], check=True
    )
    fills = []
    for page in sorted(folder.glob("p-*.png"), key=lambda path: int(path.stem.split("-")[1])):
        pixels = np.asarray(Image.open(page))
        top, bottom = round(pixels.shape[0] * 11 / 297), round(pixels.shape[0] * (1 - 14 / 297))
        inked = np.flatnonzero((pixels[:bottom] < 235).any(axis=1))
        fills.append(float((inked.max() - top) / (bottom - top)))
    return fills


@pytest.mark.parametrize("reader", ["person", "clinician"])
@pytest.mark.parametrize("runner", sorted(RUNNERS))
def test_a_runners_pdf_is_at_most_four_well_filled_pages(runner: str, reader: str, tmp_path: Path) -> None:
    """The runner as shipped (many warning-sign questions open) and fully screened, in the person's and
    the clinician's copy: at most four pages, "What to do now" on the first, pages filled sensibly."""
    assessment, intake = RUNNERS[runner]()
    patient = "Ana Ferreira" if reader == "clinician" else None
    pdf = render_pdf(render_html(assessment, intake, made_on="8 December 2026, 04:00 UTC", patient=patient))
    pages = PdfReader(io.BytesIO(pdf)).pages
    assert len(pages) <= 4, len(pages)
    first = re.sub(r"\s+", " ", pages[0].extract_text())
    knee_first = "Hip and thigh strengthening" if patient else "Strengthen the hip and thigh muscles"
    assert "What to do now" in first and knee_first in first
    if runner == "shipped":  # the open questions lead, and every one of them is on the first page
        assert first.index("could mean an emergency") < first.index("What to do now")
        assert "8 more where a “yes” could mean seeing a doctor today" in first
    fills = page_fill(pdf, tmp_path)
    assert all(fill >= MIN_FILL for fill in fills[:-1]), fills


def test_a_referral_only_pdf_is_one_or_two_pages() -> None:
    for make in (CASES["emergency"], emergency_example):
        assessment, intake = make()
        reader = PdfReader(io.BytesIO(render_pdf(render_html(assessment, intake))))
        assert 1 <= len(reader.pages) <= 2, (make.__name__, len(reader.pages))


def test_measurement_pictures_travel_inside_the_html_and_the_pdf() -> None:
    assessment, intake = CASES["chain"]()
    result = {
        "prints": [{"side": "left", "arch_index": 0.31, "arch_type": "flat", "warnings": []}],
        "warnings": [],
    }
    measurements = Measurements(footprints=(footprint_view("print.jpg", result, png_data_uri(PNG)),))
    html = render_html(assessment, intake, measurements)
    assert "http://" not in html and "https://" not in html
    assert re.findall(r'<img src="([^"]{0,22})', html) == ["data:image/png;base64,"]
    assert "Footprint: print.jpg" in html and "Flat (low arch)" in html
    reader = PdfReader(io.BytesIO(render_pdf(html)))
    without = PdfReader(io.BytesIO(render_pdf(render_html(assessment, intake))))
    images = sum(len(page.images) for page in reader.pages)
    assert images > sum(len(page.images) for page in without.pages)  # the footprint picture
    assert "What we measured" in " ".join(page.extract_text() for page in reader.pages)


def test_the_clinicians_pdf_is_about_the_patient_and_shows_the_research_numbers() -> None:
    assessment, intake = runner_screened()
    reader = PdfReader(io.BytesIO(render_pdf(render_html(assessment, intake, patient="Ana Ferreira"))))
    text = pdf_text(reader)
    assert "footchain report: Ana Ferreira" in text and "Your footchain report" not in text
    assert "The patient’s feet may play a part in the patient’s knee and shin pain" in text
    assert "odds ratio 1.3 in 1,903 people" in text and "Arch Index 0.28" in text
    assert "What to tell the clinician" not in text


def test_the_pdf_is_tagged_with_its_language_and_title() -> None:
    """PDF/UA as far as WeasyPrint goes: a structure tree, marked content, the language and the title."""
    assessment, intake = runner_screened()
    reader = PdfReader(io.BytesIO(render_pdf(render_html(assessment, intake))))
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"]
    assert root["/Lang"] == "en"
    assert reader.metadata is not None and reader.metadata.title == "Your footchain report"
