"""A friendly terminal summary of an assessment for a lay person (Rich)."""

from __future__ import annotations

import io
import sys

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from footchain.knowledge import load_knowledge
from footchain.present.html import (
    ScreeningView,
    condition_name,
    held_back_words,
    referral_view,
    screening_view,
)
from footchain.types import Assessment, Intake

URGENCY_STYLE = {
    "emergency": "bold white on red",
    "urgent": "bold black on dark_orange",
    "soon": "bold black on yellow",
    "routine": "bold white on blue",
    "none": "bold white on green",
}


def _humanize(name: str) -> str:
    return name.replace("_", " ")


def _referral(assessment: Assessment) -> Panel:
    """What to do first: the same headline and advice as the HTML report (present/html.py)."""
    referral = assessment.referral
    view = referral_view(referral, bool(assessment.limits), complete=assessment.screening.complete)
    style = "bold black on yellow" if view.tag == "Not finished" else URGENCY_STYLE[referral.urgency]
    body = Text(view.headline + ".", style="bold")
    if referral.to:
        body.append(f"\nWho: {_humanize(referral.to)}")
    for reason in referral.reasons:
        body.append(f"\n• {reason.text}")
    for sentence in view.advice:
        body.append(f"\n{sentence}")
    if note := held_back_words(assessment):
        body.append(f"\n{note}", style="bold")
    return Panel(
        body,
        title=f"What to do first: {'not finished' if view.tag == 'Not finished' else referral.urgency}",
        title_align="left",
        border_style=style.split()[-1],
    )


def _open_questions(assessment: Assessment, screening: ScreeningView) -> Panel | None:
    """Emergency and urgent warning-sign questions not answered yet, emergency ones first."""
    if not screening:
        return None
    if not screening.first:
        title = "Questions still to answer"
        who = (
            "Tell the staff who see you" if assessment.referral.urgency == "emergency" else "Tell the doctor"
        )
        intro = f"These questions were not answered. {who} if any of them is true for you:"
    else:
        if screening.emergency:
            title = "Not answered yet: a “yes” could mean an emergency"
            act = "go to an emergency department or call emergency services (999 / 112 / 911)"
        else:
            title = "Not answered yet: a “yes” could mean seeing a doctor today"
            act = "be seen by a doctor today (out of hours: the urgent-care line, NHS 111 in the UK)"
        intro = (
            "We cannot tell whether you have these warning signs; a question left out is never read as "
            f"“no”. If any is true for you now or started recently, {act}:"
        )
    body = Text(intro, style="bold")
    for meaning, group in screening.groups:
        body.append(f"\n{meaning}:", style="bold")
        for question in group:
            body.append(f"\n• {question.words}", style="")
    if screening.facts:
        body.append(f"\nTo rule these signs out we also need {'; '.join(screening.facts)}.", style="")
    colour = "red" if screening.emergency else "dark_orange"
    return Panel(body, title=title, title_align="left", border_style=colour)


def _feet(assessment: Assessment) -> Table:
    table = Table(title="Your feet", title_justify="left", show_lines=False, expand=True)
    table.add_column("Foot")
    table.add_column("Arch")
    table.add_column("Posture")
    table.add_column("Based on")
    for side in ("left", "right"):
        finding = getattr(assessment.feet, side)
        table.add_row(side, finding.arch_type, _humanize(finding.posture), "; ".join(finding.basis))
    return table


def _chain(assessment: Assessment) -> Group:
    knowledge = load_knowledge()
    lines: list[Text | Table] = [Text("How your feet may link to your pain", style="bold underline")]
    for entry in assessment.chain:
        condition = knowledge.text.condition.get(entry.condition, _humanize(entry.condition))
        side = f"{entry.side} " if entry.side else ""
        lines.append(
            Text.assemble(
                (f"• {condition} → {side}{knowledge.text.region[entry.region]}", "bold"),
                f"  [{knowledge.text.evidence[entry.evidence].name.lower()}]\n  {entry.explanation}\n  Source: {'; '.join(entry.sources)}",
            )
        )
    for item in assessment.unexplained:
        lines.append(Text(f"• {knowledge.text.region[item.region]}: {item.text}"))
    if len(lines) == 1:
        lines.append(Text("No pain was reported, so there is no chain to follow."))
    return Group(*lines)


def _plan(assessment: Assessment) -> Group:
    insole = assessment.insole
    parts: list[Text] = [Text("Insoles", style="bold underline")]
    headline = {"recommended": "Recommended", "not_recommended": "Not recommended", "deferred": "Not yet"}[
        insole.status
    ]
    if insole.arch_height:
        headline += f": {_humanize(insole.arch_height)} arch"
    if insole.size:
        s = insole.size
        headline += f", size UK {s.uk:g} / US men {s.us_men:g} / US women {s.us_women:g} / EU {s.eu:g}"
    parts.append(Text(headline, style="bold"))
    parts += [Text(f"  {line}") for line in insole.why]
    parts += [Text(f"  {n}. {step}") for n, step in enumerate(insole.fitting, 1)]
    parts.append(Text(f"  What to expect: {insole.expected_benefit}", style="italic"))
    if assessment.care_plan:
        parts.append(Text("Self-care", style="bold underline"))
        for item in assessment.care_plan:
            parts.append(Text.assemble((f"• {item.text}", ""), (f"\n  How much: {item.dose}", "bold")))
            for caution in item.cautions:
                parts.append(Text(f"  Caution: {caution}", style="red"))
            if item.evidence:
                parts.append(Text(f"  Evidence: {item.evidence}", style="dim"))
    return Group(*parts)


def render_text(assessment: Assessment, intake: Intake, *, to_terminal: bool = False) -> str:
    """The assessment as a readable summary; coloured when written to a terminal."""
    del intake  # the summary reads everything it needs from the assessment
    buffer = io.StringIO()
    console = Console(
        file=buffer, width=100, force_terminal=to_terminal and sys.stdout.isatty(), highlight=False
    )
    before, after = screening_view(assessment.screening, assessment.referral)
    for panel in (
        _open_questions(assessment, before),
        _referral(assessment),
        _open_questions(assessment, after),
    ):
        if panel is not None:
            console.print(panel)
    console.print(_feet(assessment))
    if assessment.conditions:
        console.print(Text("Findings", style="bold underline"))
        for condition in assessment.conditions:
            side = f" ({condition.side})" if condition.side else ""
            console.print(
                f"• {condition_name(condition.id)}{side}, {condition.confidence} confidence: "
                + "; ".join(condition.because)
            )
    console.print(_chain(assessment))
    console.print(_plan(assessment))
    if assessment.limits:
        console.print(Text("What we could not judge", style="bold underline"))
        for limit in assessment.limits:
            console.print(f"• {limit}")
    console.print(Text(assessment.disclaimer, style="dim italic"))
    return buffer.getvalue()
