"""Test-session checks that turn a missing prerequisite into one clear message."""

from __future__ import annotations

import pytest

from tests.shared import data_dir


def pytest_configure(config: pytest.Config) -> None:
    from footchain.data import DataUnavailable

    try:
        data_dir()
    except DataUnavailable as error:
        message = str(error)
        raise pytest.UsageError(f"{message[0].upper()}{message[1:]}.") from None
