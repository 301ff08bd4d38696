"""When a patient's gear needs attention: top covers, insoles and shoe wear checks (domain.md §8).

- A top cover is due every ``[fitting] top_cover_months`` (about 6 months, or sooner when worn through
  [M]) from the day it was first worn.
- A whole insole is due every ``[shop] insole_months`` (12 months, a footchain assumption [M]); sooner
  when its arch no longer resists a thumb.
- Shoes: a wear check of the soles is due ``[gear] shoe_wear_check_months`` (3, a footchain assumption
  [M]) after the last check, or after the day they were first worn when never checked. No replacement
  distance is given for shoes: the usual 500–800 km figure comes from manufacturers, not from studies.

Each reminder is ``due`` on or after its date, ``due soon`` within ``[gear] due_soon_days`` (30) of it,
else ``ok``. Retired gear gets no reminder. Months are calendar months (31 January + 1 month is the last
day of February); a fractional month adds its share of an average month (30.44 days).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from footchain.knowledge import Insole, load_knowledge

GearKind = Literal["shoes", "insoles", "top_cover"]
GEAR_KINDS: tuple[GearKind, ...] = ("shoes", "insoles", "top_cover")
Status = Literal["due", "due soon", "ok"]
DAYS_PER_MONTH = 365.25 / 12
KIND_WORDS: dict[GearKind, str] = {"shoes": "Shoes", "insoles": "Insoles", "top_cover": "Top cover"}


@dataclass(frozen=True)
class GearItem:
    """What the reminders read of a gear record."""

    id: str
    kind: GearKind
    started_on: date
    wear_checked_on: date | None = None
    retired_on: date | None = None


@dataclass(frozen=True)
class Reminder:
    """One reminder: what to do by when, how urgent it is today, and why."""

    gear_id: str
    kind: GearKind
    action: str
    due_on: date
    status: Status
    why: str


def add_months(day: date, months: float) -> date:
    """``day`` plus ``months`` calendar months (day clamped to the month's end), plus any fraction in days."""
    whole = int(months)
    index = day.month - 1 + whole
    year, month = day.year + index // 12, index % 12 + 1
    moved = date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
    return moved + timedelta(days=round((months - whole) * DAYS_PER_MONTH))


def status_on(due_on: date, today: date, due_soon_days: int) -> Status:
    """``due`` from ``due_on`` on, ``due soon`` within ``due_soon_days`` before it, else ``ok``."""
    if today >= due_on:
        return "due"
    if (due_on - today).days <= due_soon_days:
        return "due soon"
    return "ok"


def reminder(item: GearItem, today: date, rules: Insole | None = None) -> Reminder | None:
    """The reminder of one gear item on ``today``; None for retired gear."""
    if item.retired_on is not None:
        return None
    rules = rules or load_knowledge().insole
    months: float
    if item.kind == "top_cover":
        months = rules.fitting.top_cover_months
        due_on = add_months(item.started_on, months)
        action = "Replace the top cover"
        why = (
            f"A top cover lasts about {_months(months)} (or until it wears through); "
            f"this one was first worn on {item.started_on.isoformat()}."
        )
    elif item.kind == "insoles":
        months = rules.shop.insole_months
        due_on = add_months(item.started_on, months)
        action = "Replace the insoles"
        why = (
            f"footchain suggests new insoles about every {_months(months)}, sooner when the arch no longer "
            f"resists a thumb; these were first worn on {item.started_on.isoformat()}."
        )
    else:
        months = rules.gear.shoe_wear_check_months
        since = item.wear_checked_on or item.started_on
        due_on = add_months(since, months)
        action = "Check the wear of the shoes"
        last = (
            f"last checked on {item.wear_checked_on.isoformat()}"
            if item.wear_checked_on
            else f"not checked since first worn on {item.started_on.isoformat()}"
        )
        why = f"Look at the soles about every {_months(months)} (a footchain suggestion); {last}."
    status = status_on(due_on, today, rules.gear.due_soon_days)
    return Reminder(item.id, item.kind, action, due_on, status, why)


def reminders(items: list[GearItem], today: date, rules: Insole | None = None) -> list[Reminder]:
    """The reminders of the gear still in use, the most urgent first (due, due soon, ok; then by date)."""
    order = {"due": 0, "due soon": 1, "ok": 2}
    found = [r for item in items if (r := reminder(item, today, rules)) is not None]
    return sorted(found, key=lambda r: (order[r.status], r.due_on))


def _months(months: float) -> str:
    shown = f"{months:g}"
    return f"{shown} month" if shown == "1" else f"{shown} months"
