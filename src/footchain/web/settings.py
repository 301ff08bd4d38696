"""The web app's settings, from ``footchain serve`` options and the environment.

- ``FOOTCHAIN_DATABASE_URL``: the database (default: SQLite in the user's data directory).
- ``FOOTCHAIN_MAX_UPLOAD_MB``: the largest upload accepted (default 25 MB).
- ``FOOTCHAIN_DRAFT_DAYS``: unfinished self-assessments not touched for this many days are deleted,
  with their uploads (default 30).
- ``FOOTCHAIN_CATALOGUE``: a retailer's insole catalogue CSV for the results page and API.
- ``FOOTCHAIN_QUEUE_STALE_S``: a visit file whose measuring worker gave no sign of life for this many
  seconds (its server was stopped or killed) is measured again (default 90; the worker beats every
  quarter of it).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from footchain.errors import FootchainError

DEFAULT_MAX_UPLOAD_MB = 25.0
DEFAULT_DRAFT_DAYS = 30
DEFAULT_QUEUE_STALE_S = 90.0


def _max_upload_bytes() -> int:
    raw = os.environ.get("FOOTCHAIN_MAX_UPLOAD_MB")
    if raw is None:
        return int(DEFAULT_MAX_UPLOAD_MB * 1024 * 1024)
    try:
        megabytes = float(raw)
    except ValueError:
        megabytes = -1.0
    if not megabytes > 0:
        raise FootchainError(f"FOOTCHAIN_MAX_UPLOAD_MB must be a positive number of megabytes, not '{raw}'.")
    return int(megabytes * 1024 * 1024)


def _draft_days() -> int:
    raw = os.environ.get("FOOTCHAIN_DRAFT_DAYS")
    if raw is None:
        return DEFAULT_DRAFT_DAYS
    try:
        days = int(raw.strip())
    except ValueError:
        days = 0
    if days < 1:
        raise FootchainError(
            f"FOOTCHAIN_DRAFT_DAYS must be a whole number of days, 1 or more, not '{raw}' "
            f"(default {DEFAULT_DRAFT_DAYS})."
        )
    return days


def _queue_stale_s() -> float:
    raw = os.environ.get("FOOTCHAIN_QUEUE_STALE_S")
    if raw is None:
        return DEFAULT_QUEUE_STALE_S
    try:
        seconds = float(raw)
    except ValueError:
        seconds = -1.0
    if not seconds > 0:
        raise FootchainError(
            f"FOOTCHAIN_QUEUE_STALE_S must be a positive number of seconds, not '{raw}' "
            f"(default {DEFAULT_QUEUE_STALE_S:.0f})."
        )
    return seconds


@dataclass(frozen=True)
class Settings:
    database_url: str | None = None  # None: FOOTCHAIN_DATABASE_URL, else the SQLite default
    max_upload_bytes: int = int(DEFAULT_MAX_UPLOAD_MB * 1024 * 1024)
    catalogue: Path | None = None
    draft_days: int = (
        DEFAULT_DRAFT_DAYS  # unfinished self-assessments are kept this long after their last change
    )
    queue_stale_s: float = DEFAULT_QUEUE_STALE_S  # a running visit file without heartbeat this long: redo

    @classmethod
    def from_environment(cls, database_url: str | None = None) -> Settings:
        """Settings from the environment; ``database_url`` (``--database``) wins over the variable."""
        catalogue = os.environ.get("FOOTCHAIN_CATALOGUE")
        return cls(
            database_url=database_url,
            max_upload_bytes=_max_upload_bytes(),
            catalogue=Path(catalogue) if catalogue else None,
            draft_days=_draft_days(),
            queue_stale_s=_queue_stale_s(),
        )
