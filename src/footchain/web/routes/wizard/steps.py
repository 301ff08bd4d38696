"""The self-assessment's steps, in order: one page each, with a plain title and whether it may be skipped.

Red flags sit on the second step, never behind an optional one, so a person who stops early has still
been screened.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Step:
    """One page of the self-assessment."""

    name: str
    title: str
    optional: bool = False


STEPS: tuple[Step, ...] = (
    Step("pain", "Where it hurts"),
    Step("health", "Health questions"),
    Step("activity", "Your day"),
    Step("feet", "Your feet"),
    Step("shoes", "Your shoes"),
    Step("footprint", "Footprint photo", optional=True),
    Step("gait", "Walking recording", optional=True),
    Step("review", "Check and finish"),
)
FIRST = STEPS[0].name
_INDEX = {step.name: index for index, step in enumerate(STEPS)}


def step_named(name: str) -> Step | None:
    """The step called ``name``, or None."""
    index = _INDEX.get(name)
    return None if index is None else STEPS[index]


def number_of(name: str) -> int:
    """The step's place, counting from 1 (for "Step 3 of 8")."""
    return _INDEX[name] + 1


def next_step(name: str) -> str | None:
    """The step after ``name``; None after the last."""
    index = _INDEX[name] + 1
    return STEPS[index].name if index < len(STEPS) else None


def previous_step(name: str) -> str | None:
    """The step before ``name``; None before the first."""
    index = _INDEX[name] - 1
    return STEPS[index].name if index >= 0 else None
