"""The PostgreSQL test fixture itself: a database of its own per session, dropped after; fails, never skips."""

from __future__ import annotations

import socket

import psycopg
import pytest
from sqlalchemy.engine import make_url

from tests.databases import POSTGRES_ENV, postgres_database, postgres_server_url


def _libpq(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _database_names() -> set[str]:
    with psycopg.connect(_libpq(postgres_server_url()), autocommit=True) as connection:
        return {name for (name,) in connection.execute("SELECT datname FROM pg_database")}


def test_a_session_database_is_created_and_dropped_even_while_in_use(postgres_session_url: str) -> None:
    with postgres_database() as url:
        name = make_url(url).database
        assert url.startswith("postgresql+psycopg://")
        assert name is not None and name.startswith("footchain_test_")
        assert name != make_url(postgres_session_url).database
        assert name in _database_names()
        still_open = psycopg.connect(_libpq(url))
    try:
        assert name not in _database_names()
    finally:
        still_open.close()


def test_an_unreachable_server_fails_the_test_with_how_to_start_one() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    unreachable = postgres_database(f"postgresql://postgres@127.0.0.1:{port}/postgres")
    with pytest.raises(pytest.fail.Exception) as caught, unreachable:
        pass
    message = str(caught.value)
    assert f"none answers at postgresql://postgres@127.0.0.1:{port}/postgres" in message
    assert "bash scripts/postgres" in message and POSTGRES_ENV in message
