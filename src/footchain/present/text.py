"""A friendly terminal summary of an assessment for a lay person (Rich)."""

from __future__ import annotations

import io
import sys

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from footchain.knowledge import load_knowledge
from footchain.plan.referral import SEE_FIRST
from footchain.present.html import (
    ARCH_HEIGHT_WORDS,
    ARCH_WORDS,
    LINK_NAMES,
    POSTURE_WORDS,
    ScreeningView,
    basis_words,
    held_back_words,
    insole_headline,
    insole_line,
    number,
    pain_views,
    referral_view,
    screening_view,
    shown_limits,
    size_words,
)
from footchain.present.summary import actions, plain_words, region_whys, shown_reasons, summary_line
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
    for reason in shown_reasons(referral):
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


def _answer(assessment: Assessment, intake: Intake) -> Text:
    """The one-line answer that opens the report, as in the HTML report."""
    line = summary_line(assessment, intake, complete=assessment.screening.complete)
    return Text(line, style="bold")


def _what_to_do(assessment: Assessment, intake: Intake) -> Group | None:
    """What to do now: the first self-care items and the insole in one line; the rest listed after."""
    todo = actions(assessment, intake)
    line = insole_line(assessment)
    if not todo.now and line is None:
        return None
    parts: list[Text] = [Text("What to do now", style="bold underline")]
    for index, item in enumerate((*todo.now, *todo.more), start=1):
        if index == len(todo.now) + 1:
            parts.append(Text("More you can do", style="bold"))
        parts.append(Text.assemble((f"{index}. {item.text}", ""), (f"\n   How much: {item.dose}", "bold")))
        for caution in item.cautions:
            parts.append(Text(f"   Caution: {caution}", style="red"))
        if index == len(todo.now) and line is not None:
            parts.append(Text(f"Insoles: {line}"))
    if not todo.now and line is not None:
        parts.append(Text(f"Insoles: {line}"))
    return Group(*parts)


def _where_it_hurts(intake: Intake) -> Group:
    parts: list[Text] = [Text("Where it hurts", style="bold underline")]
    for pain in pain_views(intake):
        details = "".join(f" · {detail}" for detail in pain.details)
        parts.append(Text(f"• {pain.place[:1].upper()}{pain.place[1:]}: {pain.intensity}/10{details}"))
    if len(parts) == 1:
        parts.append(Text("No pain was reported."))
    return Group(*parts)


def _why(assessment: Assessment) -> Group:
    """The chain per painful region in plain words, left and right merged; sources at the end of each."""
    lines: list[Text] = [Text("Why: how your feet may be involved", style="bold underline")]
    for why in region_whys(assessment.chain, LINK_NAMES):
        lines.append(Text(f"{why.name}", style="bold"))
        for link in why.links:
            side = f" ({link.side_words})" if link.side_words else ""
            lines.append(
                Text.assemble(
                    (f"  {link.number}. {link.condition}{side}", "bold"),
                    f"  [{link.style.name.lower()}]\n     {link.plain}\n     Source: {'; '.join(link.sources)}",
                )
            )
    for item in assessment.unexplained:
        region = load_knowledge().text.region[item.region]
        lines.append(Text(f"• {region[:1].upper()}{region[1:]}: {plain_words(item.text)}"))
    if len(lines) == 1:
        lines.append(Text("No pain was reported, so there is no chain to follow."))
    return Group(*lines)


def _feet(assessment: Assessment) -> Table:
    table = Table(title="Your feet", title_justify="left", show_lines=False, expand=True)
    table.add_column("Foot")
    table.add_column("Arch")
    table.add_column("Posture")
    table.add_column("Based on")
    for side in ("left", "right"):
        finding = getattr(assessment.feet, side)
        table.add_row(
            side, ARCH_WORDS[finding.arch_type], POSTURE_WORDS[finding.posture], basis_words(finding.basis)
        )
    return table


def _insoles(assessment: Assessment) -> Group | None:
    """The insole details, only when an insole is advised."""
    insole = assessment.insole
    if insole.status != "recommended" or assessment.referral.urgency in SEE_FIRST:
        return None
    parts: list[Text] = [Text(f"Insoles: {insole_headline(assessment)}", style="bold underline")]
    if insole.arch_height:
        parts.append(Text(f"Choose {ARCH_HEIGHT_WORDS[insole.arch_height]}.", style="bold"))
    if insole.size:
        parts.append(Text(f"Size: {size_words(insole.size)} (foot {number(insole.size.foot_length_mm)} mm)"))
    parts += [Text(f"  {plain_words(line)}") for line in insole.why]
    parts += [Text(f"  {n}. {step}") for n, step in enumerate(insole.fitting, 1)]
    parts.append(Text(f"  What to expect: {plain_words(insole.expected_benefit)}", style="italic"))
    return Group(*parts)


def render_text(assessment: Assessment, intake: Intake, *, to_terminal: bool = False) -> str:
    """The assessment as a readable summary in the HTML report's order: the answer and what to do first,
    then where it hurts, why, the feet, insoles when advised, and what could not be judged."""
    buffer = io.StringIO()
    console = Console(
        file=buffer, width=100, force_terminal=to_terminal and sys.stdout.isatty(), highlight=False
    )
    console.print(_answer(assessment, intake))
    before, after = screening_view(assessment.screening, assessment.referral)
    see_first = assessment.referral.urgency in SEE_FIRST
    sections = [
        _open_questions(assessment, before),
        _referral(assessment),
        _open_questions(assessment, after),
        _what_to_do(assessment, intake),
        _where_it_hurts(intake),
        None if see_first else _why(assessment),
        None if see_first else _feet(assessment),
        _insoles(assessment),
    ]
    for section in sections:
        if section is not None:
            console.print(section)
    limits = shown_limits(assessment)
    if limits and not see_first:
        console.print(Text("What we could not judge", style="bold underline"))
        for limit in limits:
            console.print(f"• {limit}")
    console.print(Text(assessment.disclaimer, style="dim italic"))
    return buffer.getvalue()
