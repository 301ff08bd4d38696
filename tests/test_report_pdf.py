"""The PDF report: the HTML report printed by WeasyPrint, with its sections, A4 pages and inline pictures."""

from __future__ import annotations

import io
import re

from pypdf import PdfReader

from footchain.present.html import Measurements, footprint_view, png_data_uri, render_html
from footchain.present.pdf import render_pdf
from tests.report_cases import CASES

# A 2 × 2 red PNG, small enough to write out.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000002000000020802000000fdd49a73000000164944415478da63f8cfc0f0"
    "9f8181e13f030303000e1202fd8e2a7b940000000049454e44ae426082"
)


def test_the_pdf_has_the_reports_sections_in_order_on_a4() -> None:
    assessment, intake = CASES["emergency"]()
    reader = PdfReader(io.BytesIO(render_pdf(render_html(assessment, intake))))
    text = re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))
    order = [
        "Go to an emergency department now",
        "Where it hurts, and how your feet may be involved",
        "What we found",
        "How your feet may link to your pain",
        "What to do",
        "What we could not judge",
    ]
    position = 0
    for words in order:  # each heading after the one before it
        position = text.index(words, position)
    for page in reader.pages:
        assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (595, 842)
    assert "page 1 of" in reader.pages[0].extract_text()


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
