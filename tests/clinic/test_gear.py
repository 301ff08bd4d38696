"""Gear reminders: top covers every 6 months, insoles every 12, shoe wear checks every 3 (domain.md §8)."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from footchain.clinic.gear import GearItem, add_months, reminder, reminders, status_on
from footchain.knowledge import load_knowledge

TODAY = date(2026, 6, 15)


def test_intervals_come_from_the_knowledge_files() -> None:
    insole = load_knowledge().insole
    assert insole.fitting.top_cover_months == 6 and insole.shop.insole_months == 12
    assert insole.gear.shoe_wear_check_months == 3 and insole.gear.due_soon_days == 30
    assert insole.gear.grade == "M" and "assumption" in insole.gear.source


def test_add_months_clamps_to_the_end_of_the_month() -> None:
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2026, 8, 15), 6) == date(2027, 2, 15)
    assert add_months(date(2026, 1, 1), 0.5) == date(2026, 1, 16)


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 1, 1)), st.integers(0, 48))
def test_add_months_moves_by_whole_months(day: date, months: int) -> None:
    moved = add_months(day, months)
    assert (moved.year * 12 + moved.month) - (day.year * 12 + day.month) == months
    assert moved.day <= day.day


def test_status_boundaries() -> None:
    due = date(2026, 7, 15)
    assert status_on(due, due, 30) == "due"
    assert status_on(due, due + timedelta(days=1), 30) == "due"
    assert status_on(due, due - timedelta(days=30), 30) == "due soon"
    assert status_on(due, due - timedelta(days=31), 30) == "ok"


def test_top_cover_insoles_and_shoes() -> None:
    cover = reminder(GearItem("c", "top_cover", date(2025, 12, 15)), TODAY)
    assert cover is not None and (cover.due_on, cover.status) == (date(2026, 6, 15), "due")
    assert "6 months" in cover.why
    insoles = reminder(GearItem("i", "insoles", date(2025, 7, 1)), TODAY)
    assert insoles is not None and (insoles.due_on, insoles.status) == (date(2026, 7, 1), "due soon")
    shoes = reminder(GearItem("s", "shoes", date(2026, 1, 10), wear_checked_on=date(2026, 5, 1)), TODAY)
    assert shoes is not None and (shoes.due_on, shoes.status) == (date(2026, 8, 1), "ok")
    assert "last checked on 2026-05-01" in shoes.why
    never = reminder(GearItem("n", "shoes", date(2026, 1, 10)), TODAY)
    assert never is not None and (never.due_on, never.status) == (date(2026, 4, 10), "due")


def test_retired_gear_has_no_reminder_and_urgent_ones_come_first() -> None:
    items = [
        GearItem("ok", "insoles", date(2026, 6, 1)),
        GearItem("soon", "insoles", date(2025, 7, 1)),
        GearItem("old", "top_cover", date(2025, 1, 1), retired_on=date(2025, 9, 1)),
        GearItem("due", "top_cover", date(2025, 11, 1)),
    ]
    assert [r.gear_id for r in reminders(items, TODAY)] == ["due", "soon", "ok"]
    assert reminder(items[2], TODAY) is None


@given(st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 1, 1)), st.integers(0, 800))
def test_a_reminder_only_gets_more_urgent_with_time(started: date, days: int) -> None:
    order = {"ok": 0, "due soon": 1, "due": 2}
    item = GearItem("x", "top_cover", started)
    earlier = reminder(item, started + timedelta(days=days))
    later = reminder(item, started + timedelta(days=days + 1))
    assert earlier is not None and later is not None
    assert order[earlier.status] <= order[later.status]
