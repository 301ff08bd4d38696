"""A readable terminal summary of an insole offer (Rich): ranked products, left-out products, advice."""

from __future__ import annotations

import io
import sys

from rich.console import Console
from rich.table import Table
from rich.text import Text

from footchain.knowledge import load_knowledge
from footchain.shop.matching import InsoleOffer

SHOWN_EXCLUDED = 20


def render_insoles_text(offer: InsoleOffer, *, to_terminal: bool = False) -> str:
    """The offer as text: the headline, a table of offered products with their reasons, what was left
    out and why (the first ``SHOWN_EXCLUDED``; ``--format json`` lists all), then the fitting advice."""
    buffer = io.StringIO()
    console = Console(
        file=buffer, width=100, force_terminal=to_terminal and sys.stdout.isatty(), highlight=False
    )
    for line in offer.why:
        console.print(line, markup=False)
    if offer.products:
        table = Table(title="Insoles that fit your plan", title_justify="left")
        table.add_column("Rank", justify="right")
        table.add_column("Product")
        table.add_column("Size band")
        table.add_column("Trim", justify="right")
        table.add_column("3-year cost", justify="right")
        systems = load_knowledge().text.shop.system
        for offered in offer.products:
            p = offered.product
            table.add_row(
                str(offered.rank),
                Text(f"{p.name} ({p.id})"),
                f"{systems[p.size_system]} {p.size_min:g}–{p.size_max:g}",
                f"{offered.trim_mm} mm",
                f"{offered.three_year_cost:.2f}",
            )
        console.print(table)
        for offered in offer.products:
            console.print(Text(f"{offered.rank}. {offered.product.name}", style="bold"))
            for reason in offered.reasons:
                console.print(f"   • {reason}", markup=False)
    if offer.status in ("offered", "none_fit"):
        console.print(Text("Left out", style="bold underline"))
        for excluded in offer.excluded[:SHOWN_EXCLUDED]:
            console.print(f"• {excluded.name} ({excluded.id}): {excluded.why}", markup=False)
        hidden = len(offer.excluded) - SHOWN_EXCLUDED
        if hidden > 0:
            console.print(f"… and {hidden} more (use --format json to see all).", markup=False)
    elif offer.excluded:
        console.print(f"All {len(offer.excluded)} products of the catalogue are held back.", markup=False)
    if offer.advice:
        console.print(Text("Fitting and checking", style="bold underline"))
        for line in offer.advice:
            console.print(f"• {line}", markup=False)
    console.print(Text(offer.expected_benefit, style="dim italic"), markup=False)
    return buffer.getvalue()
