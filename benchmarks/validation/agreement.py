"""Agreement statistics and pictures shared by the validation sections.

Bland and Altman's analysis: for paired measurements of the same quantity by footchain and by a
reference, the bias is the mean difference (footchain − reference) and the 95 % limits of agreement
are bias ± 1.96 standard deviations of the differences; the plot shows each difference against the
pair's mean. The share within a stated tolerance says how often a user may expect that accuracy.

Bland JM, Altman DG (1986). Statistical methods for assessing agreement between two methods of
clinical measurement. Lancet 327(8476):307-310.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs" / "reference"
IMG = DOCS / "img"
"""Figures of the validation page (``docs/reference/img``), linked as ``img/NAME.svg``."""


@dataclass(frozen=True)
class Agreement:
    """Bland–Altman summary of paired differences (footchain − reference), in the values' unit."""

    n: int
    bias: float
    low: float
    high: float
    within: float | None
    tolerance: float | None

    @classmethod
    def of(cls, differences: Sequence[float] | np.ndarray, tolerance: float | None = None) -> Agreement:
        """Bias, 95 % limits of agreement and the share of |difference| ≤ ``tolerance``."""
        d = np.asarray(differences, dtype=np.float64)
        if d.size == 0:
            return cls(0, float("nan"), float("nan"), float("nan"), None, tolerance)
        sd = float(np.std(d, ddof=1)) if d.size > 1 else 0.0
        bias = float(np.mean(d))
        within = None if tolerance is None else float(np.mean(np.abs(d) <= tolerance + 1e-9))
        return cls(int(d.size), bias, bias - 1.96 * sd, bias + 1.96 * sd, within, tolerance)

    def cells(self, digits: int = 0) -> list[str]:
        """``n``, bias, limits of agreement and share within tolerance, as table cells."""
        if self.n == 0:
            return ["0", "–", "–", "–"]
        share = "–" if self.within is None else f"{100 * self.within:.1f} %"
        return [
            str(self.n),
            f"{self.bias:+.{digits}f}",
            f"{self.low:+.{digits}f} to {self.high:+.{digits}f}",
            share,
        ]


def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A Markdown table (numbers right-aligned by the second column on)."""
    align = ["---"] + ["--:"] * (len(header) - 1)
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join(align) + " |"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def bland_altman_figure(
    name: str,
    means: Sequence[float] | np.ndarray,
    differences: Sequence[float] | np.ndarray,
    *,
    title: str,
    unit: str,
) -> str:
    """Draw a Bland–Altman plot to ``docs/reference/img/NAME.svg``; returns the page's Markdown link.

    The SVG is written without a date and with fixed element ids, so it only changes when the data do.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams["svg.hashsalt"] = "footchain-validation"
    m = np.asarray(means, dtype=np.float64)
    d = np.asarray(differences, dtype=np.float64)
    stats = Agreement.of(d)
    fig, ax = plt.subplots(figsize=(6.4, 3.8))
    ax.scatter(m, d, s=8, alpha=0.5, color="#2b6cb0", linewidths=0)
    for value, style, label in (
        (stats.bias, "-", f"bias {stats.bias:+.1f}"),
        (stats.low, "--", f"−1.96 SD {stats.low:+.1f}"),
        (stats.high, "--", f"+1.96 SD {stats.high:+.1f}"),
    ):
        ax.axhline(value, color="#444444", linestyle=style, linewidth=1)
        ax.annotate(
            label,
            (1.0, value),
            xycoords=("axes fraction", "data"),
            xytext=(4, 0),
            textcoords="offset points",
            va="center",
            fontsize=8,
        )
    ax.set_xlabel(f"mean of footchain and reference ({unit})")
    ax.set_ylabel(f"footchain − reference ({unit})")
    ax.set_title(f"{title} (n = {stats.n})", fontsize=10)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    IMG.mkdir(parents=True, exist_ok=True)
    fig.savefig(IMG / f"{name}.svg", format="svg", metadata={"Date": None}, bbox_inches="tight")
    plt.close(fig)
    return f"![{title}: Bland–Altman plot](img/{name}.svg)"
