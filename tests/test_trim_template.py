"""The 1:1 insole trim template: lengths in millimetres, the 100 mm bar in points, paper sizes, splitting."""

from __future__ import annotations

import io
import re

import numpy as np
import pytest
from pypdf import PdfReader

from footchain.errors import FootchainError
from footchain.knowledge import load_knowledge
from footchain.plan.insole import size_from_length
from footchain.present.trim_template import insole_length_mm, render_trim_template, trim_template
from footchain.types import InsoleSize

PT_PER_MM = 72 / 25.4


def size(foot_length_mm: float) -> InsoleSize:
    return size_from_length(foot_length_mm, load_knowledge().insole.sizing)


def svg_extent(svg: str, gid: str) -> tuple[float, float]:
    """Width and height, in points, of the path inside the SVG group ``gid``."""
    group = svg[svg.index(f'<g id="{gid}">') :]
    path = re.search(r'\sd="([^"]+)"', group)
    assert path is not None
    numbers = np.array([float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", path.group(1))]).reshape(-1, 2)
    return float(np.ptp(numbers[:, 0])), float(np.ptp(numbers[:, 1]))


@pytest.mark.parametrize("foot", [228.0, 253.0, 275.0])
def test_the_outline_is_the_size_length_plus_the_toe_allowance(foot: float) -> None:
    knowledge = load_knowledge().insole
    layout = trim_template(size(foot), "a4")
    uk = layout.size.uk
    expected = (uk - knowledge.sizing.uk_offset) * 25.4 / knowledge.sizing.uk_per_inch + 10.0
    assert insole_length_mm(uk) == pytest.approx(expected)
    assert expected >= foot + knowledge.shop.toe_allowance_mm  # never shorter than foot + allowance
    for outline in layout.outlines:
        assert outline.length_mm == pytest.approx(expected, abs=0.5)
    svg = render_trim_template(size(foot), "a4", format="svg").decode()
    _, height_pt = svg_extent(svg, "outline-right")
    if len(layout.pages) == 1:  # a split outline runs off page 1
        assert height_pt == pytest.approx(expected * PT_PER_MM, abs=0.5 * PT_PER_MM)


def test_the_scale_bar_is_100_mm_in_points() -> None:
    svg = render_trim_template(size(250.0), "letter", format="svg").decode()
    width_pt, height_pt = svg_extent(svg, "scale-bar")
    assert height_pt == pytest.approx(283.46, abs=0.05)
    assert width_pt == pytest.approx(0.0, abs=0.01)


@pytest.mark.parametrize(("paper", "points"), [("a4", (595.28, 841.89)), ("letter", (612.0, 792.0))])
def test_pages_are_exactly_the_paper(paper: str, points: tuple[float, float]) -> None:
    reader = PdfReader(io.BytesIO(render_trim_template(size(245.0), paper)))
    for page in reader.pages:
        assert float(page.mediabox.width) == pytest.approx(points[0], abs=0.01)
        assert float(page.mediabox.height) == pytest.approx(points[1], abs=0.01)
    text = reader.pages[0].extract_text()
    assert "100 mm" in text and "never cut" in text.lower() and "heel line" in text.lower()


def test_neighbouring_sizes_are_labelled_trim_lines() -> None:
    layout = trim_template(size(253.0), "a4")
    assert [line.uk for line in layout.trim_lines] == [layout.size.uk - 1, layout.size.uk + 1]
    for line in layout.trim_lines:
        assert line.label.startswith(f"UK {line.uk:g} · EU ")
        tip = np.nanmax(line.points[:, 1])
        assert tip == pytest.approx(line.length_mm, abs=0.5)


def test_a_long_insole_is_split_over_two_pages_with_a_join() -> None:
    short = trim_template(size(240.0), "a4")
    assert len(short.pages) == 1 and short.join_mm is None
    long = trim_template(size(300.0), "letter")
    assert len(long.pages) == 2 and long.join_mm is not None
    assert any("two pages" in step for step in long.steps)
    assert len(PdfReader(io.BytesIO(render_trim_template(size(300.0), "letter"))).pages) == 2
    # The second page reaches the longest toe line, and the pages overlap around the join.
    top_of_page_2 = long.pages[1].bottom_mm + long.page_height_mm
    assert top_of_page_2 > max(line.length_mm for line in long.trim_lines)
    assert long.pages[1].bottom_mm < long.join_mm < long.pages[0].bottom_mm + long.page_height_mm


def test_one_outline_says_flip_for_the_other_foot() -> None:
    (single,) = trim_template(size(260.0), "a4").outlines
    assert single.side == "right"
    assert "flip for the other foot" in single.label


def test_an_unknown_paper_is_refused() -> None:
    with pytest.raises(FootchainError, match="a4, letter"):
        trim_template(size(250.0), "a3")


def test_the_same_size_gives_the_same_bytes() -> None:
    assert render_trim_template(size(250.0), "a4") == render_trim_template(size(250.0), "a4")
