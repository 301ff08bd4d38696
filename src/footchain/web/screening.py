"""The screening questions as the web asks them: which, in what order, under which heading, and what a
"yes" would mean — shared by the self-assessment's health step and the clinic's visit form.

Which questions are worth asking is the engine's decision (``findings.redflags.relevant_questions``):
children's questions only under 16, pregnancy questions only where they apply, tendon questions only when
a tendon region hurts. The emergency questions come first (domain.md §6). A question is never answered
for the person: a missing or "not sure" answer stays out of the intake and is never read as "no".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, get_args

from footchain.findings.facts import derive_facts
from footchain.findings.feet import assess_feet
from footchain.findings.redflags import URGENCY_RANK, relevant_questions, screen
from footchain.knowledge import load_knowledge
from footchain.plan.referral import SEE_FIRST, refer
from footchain.types import Health, Intake, Person, Region, Urgency

HEALTH_QUESTIONS: tuple[str, ...] = tuple(Health.model_fields)
PLAN_QUESTIONS: tuple[str, ...] = ("pain_radiates_down_leg",)
"""Asked with any pain even when no red-flag rule waits for them: the insole plan reads them."""
GROUPS: tuple[tuple[str, str, frozenset[str]], ...] = (
    ("now", "Signs that need help now", frozenset({"emergency"})),
    ("today", "Signs that need a doctor today", frozenset({"urgent"})),
    ("other", "Other health questions", frozenset({"soon", "routine", "none"})),
)
EVERY_REGION: tuple[Region, ...] = get_args(Region)


@dataclass(frozen=True)
class QuestionFlag:
    """A screening question whose "yes" would, with the answers so far, call for help at once."""

    urgency: Urgency
    advice: tuple[str, ...]


@dataclass(frozen=True)
class Question:
    """One question to ask: its id, plain words, the most urgent thing a "yes" could mean, and whether it
    applies to the person as known so far (``applies`` false: kept on the page but hidden)."""

    name: str
    words: str
    level: Urgency
    applies: bool = True
    flag: QuestionFlag | None = None


@dataclass(frozen=True)
class Group:
    """Questions under one heading, most urgent first."""

    key: str
    title: str
    questions: tuple[Question, ...]

    @property
    def applies(self) -> bool:
        return any(q.applies for q in self.questions)


def question_words() -> dict[str, str]:
    """Each screening question in plain words, from the knowledge's ``text.toml``, capitalised."""
    words = load_knowledge().text.question
    return {q: words[q][:1].upper() + words[q][1:] for q in HEALTH_QUESTIONS}


def _without_person_facts(intake: Intake) -> Intake:
    """The intake with age and sex unknown: every question that could apply to anyone stays in."""
    person = intake.person.model_copy(update={"age_years": None, "sex": None})
    return intake.model_copy(update={"person": person})


def levels(intake: Intake) -> dict[str, Urgency]:
    """The questions worth asking this person, most urgent first, with what a "yes" could mean."""
    knowledge = load_knowledge()
    asked = relevant_questions(intake, assess_feet(intake, knowledge)[0], knowledge)
    if intake.pain:
        asked.update({q: "none" for q in PLAN_QUESTIONS if q not in asked})
    return asked


def flags(intake: Intake, questions: list[str]) -> dict[str, QuestionFlag]:
    """Which questions are red flags on top of the answers given, decided by the engine's own rules.

    Each question is answered "yes" (and then "no"); when "yes" brings an emergency or urgent reason
    that "no" does not, the reason's words come with the question, so a "yes" can show the advice at
    once. Only the referral is worked out (the rules, not the whole assessment), so even 47 questions
    take a few milliseconds.
    """
    knowledge = load_knowledge()
    feet = assess_feet(intake, knowledge)[0]
    found: dict[str, QuestionFlag] = {}
    for question in questions:
        referrals = {}
        for answer in (True, False):
            variant = intake.model_copy(
                update={"health": intake.health.model_copy(update={question: answer})}
            )
            referrals[answer] = refer(screen(derive_facts(variant, feet, knowledge), knowledge), variant)
        yes, no = referrals[True], referrals[False]
        if yes.urgency not in SEE_FIRST:
            continue
        before = {reason.id for reason in no.reasons}
        new = tuple(reason.text for reason in yes.reasons if reason.id not in before)
        if new:
            found[question] = QuestionFlag(urgency=yes.urgency, advice=new)
    return found


def _grouped(questions: list[Question]) -> tuple[Group, ...]:
    groups = []
    for key, title, members in GROUPS:
        chosen = tuple(q for q in questions if q.level in members)
        if chosen:
            groups.append(Group(key, title, chosen))
    return tuple(groups)


def wizard_groups(intake: Intake, *, with_flags: bool = True) -> tuple[Group, ...]:
    """The health step's questions: every one that could apply whatever the age and sex (so a page
    without scripts asks them all), those that do not apply to the age and sex given marked so.

    Order and level come from the intake with age and sex unknown, so the page never reorders itself
    when the age is typed.
    """
    anyone = levels(_without_person_facts(intake))
    person_known = intake.person.age_years is not None or intake.person.sex is not None
    applying = levels(intake) if person_known else anyone
    words = question_words()
    found = flags(intake, list(anyone)) if with_flags else {}
    questions = [
        Question(name, words[name], level, applies=name in applying, flag=found.get(name))
        for name, level in anyone.items()
    ]
    return _grouped(questions)


def applying_questions(intake: Intake) -> list[str]:
    """The question ids that apply to this intake's person (for the page's script)."""
    return list(levels(intake))


def clinic_groups(person: dict[str, Any]) -> tuple[Group, ...]:
    """The visit form's questions for a patient of known age and sex, before the pain is entered.

    The order and grouping are the wizard's (emergency first); pain is not known yet, so every region is
    taken as painful on both sides, which leaves in every question a pain could make relevant. Questions
    no rule reads for this patient (a child's questions for an adult, pregnancy for a man) are left out;
    the rest of the record's questions follow under "Other health questions".
    """
    pains = [{"region": region, "side": "both", "intensity": 5} for region in EVERY_REGION]
    intake = Intake.model_validate(
        {
            "schema_version": 1,
            "person": Person.model_validate(person).model_dump(exclude_none=True),
            "pain": pains,
        }
    )
    asked = levels(intake)
    every_age = levels(_without_person_facts(intake))
    words = question_words()
    questions = [Question(name, words[name], level) for name, level in asked.items()]
    # A record keeps the answers that no rule reads for anyone (a clinician may still note them), but not
    # those ruled out by the patient's age or sex.
    questions += [
        Question(name, words[name], "none")
        for name in HEALTH_QUESTIONS
        if name not in asked and name not in every_age
    ]
    questions.sort(key=lambda q: -URGENCY_RANK[q.level])
    return _grouped(questions)
