"""The printable 1:1 insole trim template for the recommended insole size (domain.md §8).

The template helps a person trim an off-the-shelf insole: "pick the band holding the shoe size, use the
shoe's own liner as the template, align heels, trim only the toe end a little at a time; never cut the
arch or heel cup". It shows, at actual size:

- the outline of an insole of the recommended length, for the left and the right foot when both fit
  beside the instructions (small sizes), otherwise one right outline labelled "flip for the other foot";
- the heel line the insole's heel is pushed against;
- the toe ends of the neighbouring sizes (one UK size smaller and larger), labelled with their sizes;
- shaded "never cut" zones over the heel cup and the arch;
- a 100 mm check bar (a print made with "fit to page" is smaller and the bar shows it) and the steps.

Length. The insole for UK size ``S`` is as long as the longest foot that size holds, plus room for the
toes: ``L(S) = (S - uk_offset) * 25.4 / uk_per_inch + toe_allowance_mm`` with the sizing formula and
the toe allowance (10 mm) of ``knowledge/insole.toml`` ([sizing], [shop], grey sources, grade M). The
recommended size is the one in the plan, so its outline is at least the foot length plus the allowance.

Shape. A generic insole outline, not the person's foot: a smooth closed curve (periodic cubic spline)
through fixed points given as fractions of the length (heel width 0.25 L, waist 0.24 L, ball 0.37 L at
0.72 L from the heel, the longest point just medial of the foot axis), then stretched so that heel to
toe is exactly ``L``. The ratios are footchain assumptions after common shoe-last proportions (ball at
about 72 % of the length, ball width about 0.37-0.40 L) from grey shoe-fitting guidance [M]; the "never cut" heel cup and arch zones are
fractions of the length from ``knowledge/insole.toml`` [never_cut].

Pages. Everything is drawn with matplotlib on a figure exactly the paper's size whose axes are
millimetres (as the calibration sheet, ``measure/footprint/sheet.py``). An outline longer than one page
(about UK 8 on A4, UK 7 on Letter) is split over two pages with a marked join line; the steps say how to
tape them together.
"""

from __future__ import annotations

import io
import textwrap
from dataclasses import dataclass

import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure
from matplotlib.patches import Polygon, Rectangle
from numpy.typing import NDArray
from scipy.interpolate import splev, splprep

from footchain.errors import FootchainError
from footchain.knowledge import MM_PER_INCH, load_knowledge
from footchain.measure.footprint.sheet import PAGE_MM, PAPERS, Paper
from footchain.plan.insole import size_from_length
from footchain.types import InsoleSize

Points = NDArray[np.float64]

MARGIN_MM = 8.0  # most printers cannot print closer to the edge
HEEL_FROM_BOTTOM_MM = 14.0  # the heel line sits this far above the page's bottom edge
TOP_ROOM_MM = 10.0  # room above the longest toe line for its label
TEXT_COLUMN_MM = 66.0  # the instructions beside the outline
GAP_MM = 8.0
SCALE_BAR_MM = 100.0
JOIN_OVERLAP_MM = 25.0  # the two halves of a split template overlap this much below the join line
TOE_FROM = 0.78  # a neighbouring size's trim line: its outline from 78 % of its length to the toe

# The right insole seen from above, toes up: (fraction of the length from the heel, sideways offset as a
# fraction of the length, lateral side positive), going round from the back of the heel.
RIGHT_OUTLINE = (
    (0.000, 0.000), (0.020, 0.085), (0.080, 0.122), (0.180, 0.126), (0.320, 0.132), (0.480, 0.152),
    (0.620, 0.178), (0.720, 0.182), (0.820, 0.162), (0.900, 0.122), (0.960, 0.068), (1.000, -0.030),
    (0.985, -0.100), (0.940, -0.152), (0.860, -0.180), (0.740, -0.188), (0.620, -0.165), (0.500, -0.122),
    (0.380, -0.106), (0.260, -0.112), (0.140, -0.122), (0.060, -0.110), (0.015, -0.070),
)  # fmt: skip
SAMPLES = 400


@dataclass(frozen=True)
class Outline:
    """One insole outline in template millimetres: x to the right, y up from the heel line (y = 0)."""

    side: str  # "left" or "right"
    label: str
    points: Points

    @property
    def length_mm(self) -> float:
        return float(self.points[:, 1].max() - self.points[:, 1].min())


@dataclass(frozen=True)
class TrimLine:
    """The toe end of a neighbouring size's outline (template millimetres) and its label."""

    uk: float
    label: str
    length_mm: float
    points: Points  # one polyline per outline, concatenated with a NaN row between


@dataclass(frozen=True)
class PageWindow:
    """The part of the template one page shows: template y from ``bottom_mm`` to ``bottom_mm + height``."""

    number: int
    bottom_mm: float


@dataclass(frozen=True)
class TrimTemplate:
    """Where everything sits on the trim template; the PDF draws exactly this."""

    paper: Paper
    page_width_mm: float
    page_height_mm: float
    size: InsoleSize
    insole_length_mm: float
    outlines: tuple[Outline, ...]
    trim_lines: tuple[TrimLine, ...]
    pages: tuple[PageWindow, ...]
    join_mm: float | None  # template y of the join line when the template is split over two pages
    text_x_mm: float
    scale_bar: tuple[float, float, float]  # x, top y and bottom y on page 1, page millimetres (y down)
    steps: tuple[str, ...]
    note: str


def _check_paper(paper: str) -> Paper:
    if paper not in PAPERS:
        raise FootchainError(f"Unknown paper '{paper[:20]}': choose one of {', '.join(PAPERS)}.")
    return paper


def outline_points(length_mm: float, side: str = "right") -> Points:
    """A smooth closed insole outline (``SAMPLES`` points) exactly ``length_mm`` from heel to toe.

    The heel's back is at y = 0 and x = 0 is the heel's centre line; the left outline is the right one
    mirrored.
    """
    ratios = np.array(RIGHT_OUTLINE, dtype=np.float64)
    closed = np.vstack([ratios, ratios[:1]])
    tck, _ = splprep([closed[:, 1], closed[:, 0]], s=0.0, per=1)
    x, y = splev(np.linspace(0.0, 1.0, SAMPLES, endpoint=False), tck)
    x, y = np.asarray(x), np.asarray(y)
    y = (y - y.min()) / (y.max() - y.min())
    points = np.column_stack([x * length_mm, y * length_mm])
    if side == "left":
        points[:, 0] = -points[:, 0]
    return points


def insole_length_mm(uk: float) -> float:
    """The insole length for UK size ``uk``: the longest foot of that size plus the toe allowance."""
    knowledge = load_knowledge().insole
    sizing = knowledge.sizing
    foot = (uk - sizing.uk_offset) * MM_PER_INCH / sizing.uk_per_inch
    return foot + knowledge.shop.toe_allowance_mm


def _size_words(size: InsoleSize) -> str:
    return f"UK {size.uk:g} · EU {size.eu:g} · US men {size.us_men:g} · US women {size.us_women:g}"


def _toe_end(points: Points, length: float) -> Points:
    """The part of an outline from ``TOE_FROM`` of its length to the toe, as one open polyline."""
    keep = points[:, 1] >= TOE_FROM * length
    start = int(np.argmin(keep))  # the first point outside the toe end; the toe run follows it
    rolled = np.roll(points, -start, axis=0)
    kept = rolled[np.roll(keep, -start)]
    return kept


def trim_template(size: InsoleSize, paper: str = "a4") -> TrimTemplate:
    """The layout of the trim template for ``size`` (the plan's insole size) on ``paper``."""
    name = _check_paper(paper)
    width, height = PAGE_MM[name]
    knowledge = load_knowledge().insole
    length = insole_length_mm(size.uk)
    neighbours = (size.uk - 1.0, size.uk + 1.0)
    largest = insole_length_mm(max(neighbours))
    single = outline_points(length, "right")
    outline_width = float(np.ptp(outline_points(largest)[:, 0]))
    both_fit = 2 * outline_width + GAP_MM + TEXT_COLUMN_MM <= width - 2 * MARGIN_MM
    sides = ("left", "right") if both_fit else ("right",)
    centres: list[float] = []
    x = MARGIN_MM + 4.0
    for side in sides:
        points = outline_points(largest, side)
        centres.append(x - float(points[:, 0].min()))
        x += outline_width + GAP_MM
    outlines = tuple(
        Outline(
            side=side,
            label=f"{side.upper()} insole" + ("" if both_fit else " · flip for the other foot"),
            points=outline_points(length, side) + np.array([centre, 0.0]),
        )
        for side, centre in zip(sides, centres, strict=True)
    )
    trim_lines = []
    for uk in neighbours:
        if uk < 0.5:
            continue
        uk_length = insole_length_mm(uk)
        neighbour = size_from_length(uk_length - knowledge.shop.toe_allowance_mm, knowledge.sizing)
        parts = [
            _toe_end(outline_points(uk_length, side) + np.array([centre, 0.0]), uk_length)
            for side, centre in zip(sides, centres, strict=True)
        ]
        nan = np.full((1, 2), np.nan)
        joined = np.vstack([p for part in parts for p in (part, nan)][:-1])
        trim_lines.append(
            TrimLine(uk=uk, label=f"UK {uk:g} · EU {neighbour.eu:g}", length_mm=uk_length, points=joined)
        )
    page_top = height - HEEL_FROM_BOTTOM_MM  # template y at the page's top edge on page 1
    needed = largest + TOP_ROOM_MM
    if needed <= page_top - MARGIN_MM:
        pages: tuple[PageWindow, ...] = (PageWindow(1, -HEEL_FROM_BOTTOM_MM),)
        join = None
    else:
        join = page_top - MARGIN_MM - 12.0
        second = min(join - JOIN_OVERLAP_MM, needed + MARGIN_MM - height)
        if needed > second + height - MARGIN_MM:
            raise FootchainError(f"An insole of {length:.0f} mm does not fit on two {name.upper()} pages.")
        pages = (PageWindow(1, -HEEL_FROM_BOTTOM_MM), PageWindow(2, second))
    text_x = MARGIN_MM + 4.0 + len(sides) * (outline_width + GAP_MM) + 2.0
    steps: tuple[str, ...] = (
        "Print at 100 % / actual size, not 'fit to page'. Measure the bar: if it is not 100 mm, print again.",
        "Insoles are sold in bands of 2–3 sizes: pick the band that holds your shoe size.",
        "Best template: the shoe's own liner. Lay it on the new insole, heels lined up, and trim to it.",
        "No liner? Lay the insole on the outline, top side up, its heel pushed against the heel line.",
        "Trim only the toe end, a little at a time, towards the line of your size. Try the insole in the "
        "shoe after each cut.",
        "Never cut the shaded heel cup or arch: they are what supports your foot.",
    )
    if not both_fit:
        steps += ("For the other foot, lay that insole top side down on the same outline.",)
    if join is not None:
        steps += (
            "This template is on two pages. Cut page 2 along its JOIN line, lay it on page 1 so the "
            "JOIN lines and the + marks meet, and tape it.",
        )
    note = (
        f"Outline: a generic insole {length:.0f} mm long: the longest foot of UK {size.uk:g} "
        f"({length - knowledge.shop.toe_allowance_mm:.0f} mm) plus {knowledge.shop.toe_allowance_mm:g} mm "
        f"room for the toes. Your measured foot: {size.foot_length_mm:g} mm."
    )
    return TrimTemplate(
        paper=name,
        page_width_mm=width,
        page_height_mm=height,
        size=size,
        insole_length_mm=float(single[:, 1].max() - single[:, 1].min()),
        outlines=outlines,
        trim_lines=tuple(trim_lines),
        pages=pages,
        join_mm=join,
        text_x_mm=text_x,
        scale_bar=(
            width - MARGIN_MM - 6.0,
            height - HEEL_FROM_BOTTOM_MM - SCALE_BAR_MM,
            height - HEEL_FROM_BOTTOM_MM,
        ),
        steps=steps,
        note=note,
    )


def _wrap(text: str, width_mm: float, fontsize_pt: float) -> str:
    chars = max(12, int(width_mm / (fontsize_pt * 0.2)))
    return "\n".join(textwrap.wrap(text, chars))


def _draw_template(ax: Axes, layout: TrimTemplate) -> None:
    """The outlines, zones, heel and trim lines on axes in template millimetres (y up from the heel)."""
    length = layout.insole_length_mm
    never_cut = load_knowledge().insole.never_cut
    for outline in layout.outlines:
        shape = Polygon(outline.points, closed=True, facecolor="white", edgecolor="none")
        ax.add_patch(shape)
        xs = outline.points[:, 0]
        for start, end, words in (
            (0.0, never_cut.heel_cup_end, "NEVER CUT\nheel cup"),
            (never_cut.heel_cup_end, never_cut.arch_end, "NEVER CUT\narch"),
        ):
            zone = Rectangle(
                (xs.min() - 2, start * length),
                np.ptp(xs) + 4,
                (end - start) * length,
                facecolor="#f3d9d4",
                edgecolor="#b42318",
                hatch="///",
                linewidth=0.0,
                alpha=0.9,
            )
            zone.set_clip_path(shape)
            ax.add_patch(zone)
            ax.text(float(xs.mean()), (start + end) / 2 * length, words, ha="center", va="center", fontsize=8,
                    fontweight="bold", color="#7a1a12")  # fmt: skip
        edge = Polygon(
            outline.points, closed=True, facecolor="none", edgecolor="black", linewidth=1.4, zorder=3
        )
        edge.set_gid(f"outline-{outline.side}")
        ax.add_patch(edge)
        ax.text(float(xs.mean()), 0.86 * length, "trim only\nthis end", ha="center", va="center", fontsize=7.5,
                color="#1d4ed8")  # fmt: skip
        ax.text(float(xs.mean()), 0.66 * length, outline.label, ha="center", va="center", fontsize=7.5,
                fontweight="bold", rotation=90)  # fmt: skip
        tip = outline.points[np.argmax(outline.points[:, 1])]
        ax.text(float(tip[0]), length + 1.0, f"your size: UK {layout.size.uk:g}", ha="center", va="bottom",
                fontsize=6.5, fontweight="bold")  # fmt: skip
    left = min(float(o.points[:, 0].min()) for o in layout.outlines) - 3
    right = max(float(o.points[:, 0].max()) for o in layout.outlines) + 3
    ax.plot([left, right], [0.0, 0.0], color="black", linewidth=1.0)
    ax.text(left, -2.0, "HEEL LINE: push the heel of the insole against this line", fontsize=7, va="top")
    for line in layout.trim_lines:
        style = ":" if line.length_mm < length else "--"
        ax.plot(line.points[:, 0], line.points[:, 1], color="#1d4ed8", linewidth=0.7, linestyle=style)
        for outline in layout.outlines:
            tip = outline.points[np.argmax(outline.points[:, 1])]
            ax.text(float(tip[0]), line.length_mm + 0.8, line.label, fontsize=6, color="#1d4ed8", ha="center",
                    va="bottom")  # fmt: skip
    if layout.join_mm is not None:
        ax.plot([left, right], [layout.join_mm] * 2, color="#444444", linewidth=0.8, linestyle="-.")
        ax.text(right, layout.join_mm + 1.0, "JOIN", fontsize=7, ha="right", va="bottom", fontweight="bold")
        for x in (left + 2, right - 2):
            ax.plot([x - 3, x + 3], [layout.join_mm - 8] * 2, color="black", linewidth=0.6)
            ax.plot([x, x], [layout.join_mm - 11, layout.join_mm - 5], color="black", linewidth=0.6)


def _page(layout: TrimTemplate, window: PageWindow) -> Figure:
    width, height = layout.page_width_mm, layout.page_height_mm
    fig = Figure(figsize=(width / MM_PER_INCH, height / MM_PER_INCH), facecolor="white")
    drawing = fig.add_axes((0.0, 0.0, 1.0, 1.0))
    drawing.set_xlim(0.0, width)
    drawing.set_ylim(window.bottom_mm, window.bottom_mm + height)
    drawing.set_axis_off()
    _draw_template(drawing, layout)
    page = fig.add_axes((0.0, 0.0, 1.0, 1.0), facecolor="none")
    page.set_xlim(0.0, width)
    page.set_ylim(height, 0.0)  # page millimetres, y down
    page.set_axis_off()
    column = width - MARGIN_MM - layout.text_x_mm - 14.0
    x, y = layout.text_x_mm, MARGIN_MM + 4.0
    total = len(layout.pages)
    title = "footchain insole trim template" + (f" · page {window.number} of {total}" if total > 1 else "")
    page.text(x, y, _wrap(title, column, 10), fontsize=10, fontweight="bold", va="top")
    y += 12.0
    if window.number == 1:
        page.text(x, y, _wrap("Your size: " + _size_words(layout.size), column, 8), fontsize=8, va="top")
        y += 12.0
        for number, step in enumerate(layout.steps, start=1):
            wrapped = _wrap(f"{number}. {step}", column, 7.5)
            page.text(x, y, wrapped, fontsize=7.5, va="top", linespacing=1.25)
            y += 3.4 * (wrapped.count("\n") + 1) + 2.0
        y += 2.0
        page.text(x, y, _wrap(layout.note, column, 6.5), fontsize=6.5, va="top", color="#4f5965")
        bar_x, bar_top, bar_bottom = layout.scale_bar
        (bar,) = page.plot([bar_x, bar_x], [bar_top, bar_bottom], color="black", linewidth=1.2,
                           solid_capstyle="butt")  # fmt: skip
        bar.set_gid("scale-bar")
        for mm in range(0, int(SCALE_BAR_MM) + 1, 10):
            tick = 3.0 if mm % 50 else 5.0
            page.plot([bar_x - tick, bar_x], [bar_bottom - mm] * 2, color="black", linewidth=0.5)
        page.text(bar_x - 6.0, (bar_top + bar_bottom) / 2,
                  "Measure this: if it isn't 100 mm, print at 100 % / actual size", rotation=90, fontsize=7,
                  ha="center", va="center")  # fmt: skip
    else:
        words = (
            "The toe end. Cut this page along the JOIN line, lay it on page 1 so that the JOIN lines and "
            "the + marks meet, and tape it."
        )
        page.text(x, y, _wrap(words, column, 8), fontsize=8, va="top")
    return fig


def render_trim_template(size: InsoleSize, paper: str = "a4", *, format: str = "pdf") -> bytes:
    """The trim template as a PDF (one page, or two when the insole is longer than the paper).

    ``format="svg"`` gives the first page as SVG (for checking the drawing's coordinates, in points).
    The PDF's pages are exactly the paper's size; no creation date is written, so the bytes repeat.
    """
    layout = trim_template(size, paper)
    buffer = io.BytesIO()
    if format == "svg":
        _page(layout, layout.pages[0]).savefig(buffer, format="svg", metadata={"Date": None})
        return buffer.getvalue()
    with PdfPages(buffer, metadata={"CreationDate": None, "Creator": "footchain"}) as pdf:
        for window in layout.pages:
            pdf.savefig(_page(layout, window))
    return buffer.getvalue()
