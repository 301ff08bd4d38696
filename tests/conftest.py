"""Test-session checks that turn a missing prerequisite into one clear message."""

from __future__ import annotations

import pytest

from tests.shared import SHARED


def pytest_configure(config: pytest.Config) -> None:
    if not (SHARED / "contracts" / "intake.schema.json").is_file():
        raise pytest.UsageError(
            f"The shared contracts and data were not found at {SHARED}. Lay the 'shared' folder beside "
            "the repository, or set FOOTCHAIN_SHARED to its path."
        )
