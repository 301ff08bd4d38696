"""Store fixtures: every test that asks for ``sessions`` runs on SQLite and on a real PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.orm import Session, sessionmaker

from footchain.store.database import open_database
from tests.databases import empty_database_url, postgres_session_url  # noqa: F401


@pytest.fixture
def sessions(empty_database_url: str) -> Iterator[sessionmaker[Session]]:  # noqa: F811
    """A session factory on an empty database migrated to the newest revision."""
    factory = open_database(empty_database_url)
    yield factory
    engine = factory.kw["bind"]
    engine.dispose()
