"""The assessment engine: intake (+ measurements) → red flags, feet, chain, plan.

A pure function of the intake, the knowledge files and gait already measured (files are measured
beforehand by ``footchain.measure.intake_files``): the same inputs always give the same assessment.
Red flags are screened first and always win over product advice.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from footchain.findings.chain import reason_chain
from footchain.findings.facts import derive_facts
from footchain.findings.feet import assess_feet
from footchain.findings.gait import assess_gait, merge_conditions
from footchain.findings.pathways import flat_feet_in_a_child, pathway_conditions
from footchain.findings.redflags import screen
from footchain.intake import parse_intake
from footchain.knowledge import Knowledge, load_knowledge
from footchain.measure.intake_files import MeasuredIntake
from footchain.plan.care import plan_care
from footchain.plan.insole import plan_insole
from footchain.plan.referral import held_back_note, missing_answers, refer, screening_status
from footchain.types import Assessment, GaitInput, Intake


def assess(
    intake: Intake | Mapping[str, Any],
    knowledge: Knowledge | None = None,
    *,
    gait: Sequence[GaitInput] = (),
) -> Assessment:
    """Assess one intake (a validated ``Intake`` or its JSON object) against footchain's knowledge.

    ``gait`` holds the measured recordings (``footchain gait`` results); they add gait conditions and
    limits but never change the referral.

    Red flags are screened first: unanswered emergency questions open the ``limits``, and any red-flag
    reason holds back the chain, insoles and self-care for the regions it concerns (domain.md §6).

    Raises ``IntakeError`` naming each bad field when a JSON object does not follow the intake schema.
    """
    if not isinstance(intake, Intake):
        intake = parse_intake(dict(intake))
    knowledge = knowledge or load_knowledge()
    feet, conditions, feet_limits = assess_feet(intake, knowledge)
    facts = derive_facts(intake, feet, knowledge)
    conditions = flat_feet_in_a_child(conditions, facts) + pathway_conditions(intake, facts, knowledge)
    gait_conditions, gait_limits = assess_gait(gait, knowledge)
    conditions = merge_conditions(conditions, gait_conditions)
    if gait:
        feet_limits = [text for text in feet_limits if not text.startswith("No gait recording:")]
    feet_limits += gait_limits
    screening = screen(facts, knowledge)
    referral = refer(screening, intake)
    status = screening_status(screening, knowledge)
    held = frozenset(status.held_back_regions)
    chain, unexplained, chain_limits = reason_chain(intake, feet, conditions, knowledge, held)
    insole = plan_insole(intake, feet, conditions, referral, status, facts, knowledge)
    care = plan_care(intake, conditions, status, {rule.id for rule in screening.fired}, facts, knowledge)
    limits = missing_answers(status)
    if note := held_back_note(status, referral, knowledge):
        limits.append(note)
    limits += feet_limits + chain_limits
    return Assessment(
        referral=referral,
        screening=status,
        feet=feet,
        conditions=conditions,
        chain=chain,
        unexplained=unexplained,
        insole=insole,
        care_plan=care,
        limits=limits,
        disclaimer=knowledge.text.disclaimer,
    )


def assess_measured(measured: MeasuredIntake, knowledge: Knowledge | None = None) -> Assessment:
    """Assess an intake whose files were measured; the measuring notes open the ``limits``."""
    assessment = assess(measured.intake, knowledge, gait=measured.gait)
    if not measured.notes:
        return assessment
    return assessment.model_copy(update={"limits": [*measured.notes, *assessment.limits]})
