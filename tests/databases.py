"""Databases for tests: a fresh SQLite file, and a real PostgreSQL database made for the test session.

PostgreSQL comes from ``FOOTCHAIN_TEST_POSTGRES_URL`` (default
``postgresql://postgres@127.0.0.1:5432/postgres``): a server where that user may create databases.
The session fixture creates a uniquely named database there and drops it at the end. A server that
does not answer fails the tests with how to start one; it never skips them.

Use in a ``conftest.py``::

    from tests.databases import empty_database_url, postgres_session_url  # noqa: F401

``empty_database_url`` is parametrized over both backends: each test using it runs once on a new
SQLite file and once on the session's PostgreSQL database, emptied first.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
from psycopg import sql
from sqlalchemy.engine import make_url

POSTGRES_ENV = "FOOTCHAIN_TEST_POSTGRES_URL"
DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
BACKENDS = ("sqlite", "postgresql")


def sqlite_url(folder: Path, name: str = "footchain.db") -> str:
    """The URL of a (new) SQLite file in ``folder``."""
    return f"sqlite:///{folder / name}"


def postgres_server_url() -> str:
    """The PostgreSQL server the tests may create databases on."""
    return os.environ.get(POSTGRES_ENV) or DEFAULT_POSTGRES_URL


def _libpq(url: str, database: str | None = None) -> str:
    """``url`` as a libpq connection string (no SQLAlchemy driver suffix), optionally another database."""
    parsed = make_url(url).set(drivername="postgresql")
    if database is not None:
        parsed = parsed.set(database=database)
    return parsed.render_as_string(hide_password=False)


def _sqlalchemy(url: str, database: str) -> str:
    return make_url(url).set(drivername="postgresql+psycopg", database=database).render_as_string(False)


def _connect(conninfo: str) -> psycopg.Connection[tuple[object, ...]]:
    """An autocommit connection, or a test failure that says how to get a server."""
    try:
        return psycopg.connect(conninfo, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    shown = make_url(conninfo).render_as_string(hide_password=True)
    pytest.fail(
        f"The store tests need a PostgreSQL server, and none answers at {shown} ({reason}).\n"
        "Start one with 'sudo bash scripts/postgres' (it installs Debian's postgresql and starts a "
        f"local server with trust authentication), or set {POSTGRES_ENV} to the URL of a server where "
        "the user may create databases.",
        pytrace=False,
    )


@contextmanager
def postgres_database(server_url: str | None = None) -> Iterator[str]:
    """Create a uniquely named database on the server, yield its SQLAlchemy URL, drop it afterwards."""
    server = server_url or postgres_server_url()
    name = f"footchain_test_{secrets.token_hex(6)}"
    with _connect(_libpq(server)) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield _sqlalchemy(server, name)
    finally:
        with _connect(_libpq(server)) as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def empty_postgres(url: str) -> None:
    """Empty the database at ``url``: end other connections to it and recreate its public schema."""
    with _connect(_libpq(url)) as connection:
        connection.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        connection.execute("DROP SCHEMA public CASCADE")
        connection.execute("CREATE SCHEMA public")


@pytest.fixture(scope="session")
def postgres_session_url() -> Iterator[str]:
    """A PostgreSQL database of its own for this test session (SQLAlchemy URL), dropped at the end."""
    with postgres_database() as url:
        yield url


@pytest.fixture(params=BACKENDS)
def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of an empty database: a new SQLite file, or the session's PostgreSQL database emptied."""
    if request.param == "sqlite":
        return sqlite_url(tmp_path)
    url: str = request.getfixturevalue("postgres_session_url")
    empty_postgres(url)
    return url
