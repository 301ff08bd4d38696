"""Where the benchmarks find the public recordings: :mod:`footchain.data`, as the tests do.

``$FOOTCHAIN_DATA`` first, then the project's ``../shared/data`` when it sits beside the clone, then
the download cache and the recordings' public homes (pinned by SHA-256). A clone without
``../shared`` runs the benchmarks with ``FOOTCHAIN_DATA`` set, or online.
"""

from __future__ import annotations

from pathlib import Path

from footchain.data import fetch_all, registry

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"


def recordings(*folders: str) -> Path:
    """A folder laid out like the registry holding every registered recording under ``folders``
    (e.g. ``"imu_ipol"``; all recordings when none is named)."""
    prefixes = tuple(f"{folder.rstrip('/')}/" for folder in folders)
    names = [name for name in registry() if name.startswith(prefixes)] if prefixes else None
    return fetch_all(names, extra=[SHARED])
