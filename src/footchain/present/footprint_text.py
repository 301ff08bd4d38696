"""A readable terminal summary of a footprint measurement (Rich)."""

from __future__ import annotations

import io

from rich.console import Console
from rich.table import Table

from footchain.measure.footprint.result import FootprintResult

ROWS = (
    ("Arch Index", "arch_index", "{:.3f}"),
    ("Chippaux-Smirak index", "chippaux_smirak_index", "{:.1f}"),
    ("Staheli index", "staheli_index", "{:.2f}"),
    ("Clarke's angle", "clarke_angle_deg", "{:.1f}°"),
    ("Foot length", "foot_length_mm", "{:.1f} mm"),
    ("Foot width", "foot_width_mm", "{:.1f} mm"),
)


def render_footprint_text(result: FootprintResult) -> str:
    """One table per file: a column per print, a row per measure, then the warnings."""
    buffer = io.StringIO()
    console = Console(file=buffer, width=100, highlight=False)
    source = result.source
    scale = (
        f"{source.mm_per_px:.4f} mm per pixel from the {source.scale_from}"
        if source.mm_per_px
        else "no scale"
    )
    table = Table(title=f"{source.path} ({source.kind}, {scale})", title_justify="left")
    table.add_column("Measure")
    for n, measured in enumerate(result.prints, 1):
        table.add_column(f"Print {n}: {measured.side} foot", justify="right")
    table.add_row("Arch type", *(p.arch_type for p in result.prints))
    for label, field, pattern in ROWS:
        values = [getattr(p, field) for p in result.prints]
        table.add_row(label, *("—" if v is None else pattern.format(v) for v in values))
    console.print(table)
    for n, measured in enumerate(result.prints, 1):
        for warning in measured.warnings:
            console.print(f"• print {n}: {warning}")
    for warning in result.warnings:
        console.print(f"• {warning}")
    if result.overlay:
        console.print(f"Overlay written to {result.overlay}")
    return buffer.getvalue()
