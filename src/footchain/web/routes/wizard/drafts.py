"""Self-assessment drafts: the answers kept in the database between pages, and what they mean so far.

A draft's ``answers`` hold, per step, the form as typed (``forms``, to fill the page in again) and the
intake sections it gave (``sections``), plus the ids of uploads (``files``), the referral reasons the
person has already been shown (``referral_seen``) and, in a draft made from a stored assessment
(``refill.py``), the foot measurements no page asks (``kept``) and ``again`` (the health page says so).
``draft_to_intake`` is the one place that turns a draft into an intake; the engine then decides what
is a red flag, never the page code.

The browser holds only the draft's unguessable id, in the ``footchain_draft`` cookie. A draft not changed
for ``Settings.draft_days`` (``FOOTCHAIN_DRAFT_DAYS``, 30 by default) is treated as gone, and is deleted
(with its unused uploads) the next time someone starts a draft.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import Request, Response
from sqlalchemy.orm import Session

from footchain.engine import assess
from footchain.intake import parse_intake
from footchain.plan.referral import SEE_FIRST
from footchain.store import repository
from footchain.store.database import write_transaction
from footchain.types import Assessment, Intake, Referral
from footchain.web import screening
from footchain.web.dependencies import get_settings
from footchain.web.screening import QuestionFlag

COOKIE = "footchain_draft"
DAY_S = 24 * 3600
SECTIONS = ("person", "pain", "activity", "feet", "shoe_wear", "health")
FILE_LISTS = {"footprint": "footprint_images", "gait": "gait_recordings"}
"""Referral urgencies shown at once, before any other question."""


@dataclass
class Draft:
    """An open draft: its id, a copy of its answers to change, and whether it was started just now."""

    id: str
    answers: dict[str, Any]
    started: bool = False
    lost: bool = False  # the browser named a draft that no longer exists

    def forms(self) -> dict[str, dict[str, list[str]]]:
        forms: dict[str, dict[str, list[str]]] = self.answers.setdefault("forms", {})
        return forms

    def files(self, kind: str) -> list[str]:
        """The upload ids of one kind (``footprint`` or ``gait``), oldest first."""
        files: dict[str, list[str]] = self.answers.setdefault("files", {})
        return files.setdefault(FILE_LISTS[kind], [])

    def mark_done(self, step: str) -> None:
        done: list[str] = self.answers.setdefault("done", [])
        if step not in done:
            done.append(step)


def _kept_for(request: Request) -> timedelta:
    """How long a draft is kept after its last change."""
    return timedelta(days=get_settings(request).draft_days)


def new_draft(session: Session, request: Request, *, lost: bool = False) -> Draft:
    """A new, empty draft, committed at once; drafts abandoned longer than ``draft_days`` go first."""
    with write_transaction(session):
        repository.expire_drafts(session, _kept_for(request))
        draft_id = repository.create_draft(session)
    return Draft(id=draft_id, answers={}, started=True, lost=lost)


def open_draft(session: Session, request: Request, *, create: bool = True) -> Draft | None:
    """The draft the browser's cookie names, or a new one (committed) when there is none.

    A draft not changed for ``draft_days`` counts as gone even before it is deleted.
    """
    draft_id = request.cookies.get(COOKIE, "")
    row = repository.get_draft(session, draft_id[:64]) if draft_id else None
    if row is not None and row.updated_at >= datetime.now(UTC) - _kept_for(request):
        return Draft(id=row.id, answers=copy.deepcopy(row.answers))
    if not create:
        return None
    return new_draft(session, request, lost=bool(draft_id))


def save(session: Session, draft: Draft) -> None:
    """Store the draft's answers and commit (with whatever else the session holds)."""
    with write_transaction(session):
        repository.update_draft(session, draft.id, draft.answers)


def discard(session: Session, draft_id: str) -> None:
    """Delete a finished draft (its answers now live in the stored assessment); the caller commits."""
    repository.delete_draft(session, draft_id)


def remember(response: Response, request: Request, draft: Draft) -> None:
    """Point the browser's cookie at the draft (HttpOnly, SameSite=Lax, Secure over https) for as long
    as the draft is kept."""
    response.set_cookie(
        COOKIE,
        draft.id,
        max_age=get_settings(request).draft_days * DAY_S,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        path="/",
    )


def forget(response: Response) -> None:
    response.delete_cookie(COOKIE, path="/")


def draft_to_intake(answers: dict[str, Any]) -> dict[str, Any]:
    """The intake JSON (schema v1) that a draft's answers make; empty sections are left out."""
    sections = answers.get("sections", {})
    intake: dict[str, Any] = {"schema_version": 1}
    kept_feet = answers.get("kept", {}).get("feet", {})
    for name in SECTIONS:
        value = {**sections.get("feet", {}), **kept_feet} if name == "feet" else sections.get(name)
        if value:
            intake[name] = value
    files = {key: ids for key, ids in answers.get("files", {}).items() if ids}
    if files:
        intake["files"] = files
    return intake


def screening_intake(answers: dict[str, Any]) -> Intake:
    """The draft's intake without its uploads: enough for the red-flag rules, which read no measurement."""
    intake = draft_to_intake(answers)
    intake.pop("files", None)
    return parse_intake(intake)


def assess_draft(answers: dict[str, Any]) -> Assessment:
    """The engine's assessment of the answers so far."""
    return assess(screening_intake(answers))


def urgent_referral(answers: dict[str, Any]) -> Referral | None:
    """The referral when the answers so far call for an emergency or same-day visit, else None."""
    referral = assess_draft(answers).referral
    return referral if referral.urgency in SEE_FIRST else None


def unseen_referral(answers: dict[str, Any]) -> Referral | None:
    """An urgent referral with a reason the person has not been shown yet; records it as shown."""
    referral = urgent_referral(answers)
    if referral is None:
        return None
    seen = set(answers.get("referral_seen", []))
    reasons = [reason.id for reason in referral.reasons]
    if set(reasons) <= seen:
        return None
    answers["referral_seen"] = sorted(seen | set(reasons))
    return referral


def red_flag_questions(answers: dict[str, Any]) -> dict[str, QuestionFlag]:
    """Which screening questions are red flags for this person, decided by the engine's rules: a "yes"
    on top of the saved answers that brings an emergency or urgent reason "no" does not bring."""
    intake = screening_intake(answers)
    return screening.flags(intake, list(screening.levels(intake)))


def health_groups(answers: dict[str, Any]) -> tuple[screening.Group, ...]:
    """The health step's questions for the answers so far, grouped, emergency first."""
    return screening.wizard_groups(screening_intake(answers))
