"""The ``footchain`` command line (Typer + Rich).

Heavy modules are imported inside the commands that need them, so ``footchain --help`` and
``--version`` start fast. Errors a person can fix are printed without a traceback, exit code 2.
"""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from footchain import __version__
from footchain.errors import FootchainError

app = typer.Typer(
    name="footchain",
    help="Could your feet be behind your back, hip or leg pain? Assess, measure and plan.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


class ReportFormat(StrEnum):
    text = "text"
    json = "json"
    html = "html"


def _version(value: bool) -> None:
    if value:
        typer.echo(f"footchain {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")
    ] = False,
) -> None:
    """footchain: feet, gait and the lower kinetic chain."""


@app.command()
def assess(
    intake: Annotated[Path, typer.Argument(help="Intake JSON file (see contracts/intake.schema.json).")],
    format: Annotated[
        ReportFormat, typer.Option("--format", "-f", help="Output format.")
    ] = ReportFormat.text,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file instead of the screen.")
    ] = None,
) -> None:
    """Assess an intake: red flags, feet, chain links with evidence grades, and a plan."""
    from footchain.engine import assess as run_assessment
    from footchain.intake import load_intake
    from footchain.present.write import write_output

    loaded = load_intake(intake)
    assessment = run_assessment(loaded)
    if format is ReportFormat.json:
        import json

        content = json.dumps(assessment.to_json_dict(), indent=2, ensure_ascii=False) + "\n"
    elif format is ReportFormat.html:
        from footchain.present.html import render_html

        content = render_html(assessment, loaded)
    else:
        from footchain.present.text import render_text

        content = render_text(assessment, loaded, to_terminal=output is None)
    if output is None:
        sys.stdout.write(content)
    else:
        write_output(output, content)
        typer.echo(f"Wrote {format.value} report to {output}", err=True)


def main() -> None:
    """Entry point: run the app, turning FootchainError into a clear message and exit code 2."""
    try:
        app()
    except FootchainError as exc:
        typer.echo(f"footchain: {exc}", err=True)
        sys.exit(2)
