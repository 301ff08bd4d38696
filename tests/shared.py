"""Where the tests find the contracts and the real recordings.

The contracts live in the repository (``contracts/``: the project's intake schema, the assessment
and measurement contracts, the example intakes, and ``contracts/shared-v1/`` the v1 intake schema as
first agreed, which the project's schema must stay compatible with).

The recordings are other people's published data (sources and licences in
``src/footchain/data_registry.toml`` and docs/data.md). ``DATA`` is a folder holding all of them,
found by :func:`footchain.data.fetch_all`: ``$FOOTCHAIN_DATA``, then ``../shared/data`` beside the
repository (``$FOOTCHAIN_SHARED/data`` when set), then the download cache, then the network. It is
resolved once, when first asked for (``conftest.py`` asks at the start of the session and turns a
failure into one sentence saying what to set).
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
CONTRACTS = REPO / "contracts"
SHARED_V1 = CONTRACTS / "shared-v1"
SHARED = Path(os.environ.get("FOOTCHAIN_SHARED", REPO.parent / "shared"))


@cache
def data_dir() -> Path:
    """A folder with every registered recording (raises footchain.data.DataUnavailable otherwise)."""
    from footchain.data import fetch_all

    return fetch_all(extra=[SHARED / "data"])


def __getattr__(name: str) -> Any:
    if name == "DATA":
        return data_dir()
    raise AttributeError(f"module 'tests.shared' has no attribute {name!r}")
