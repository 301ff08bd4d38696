"""Where the database is, how to connect, and bringing its schema up to date with Alembic.

SQLite in the user's data directory by default (zero set-up); PostgreSQL for clinics through
``--database`` or ``FOOTCHAIN_DATABASE_URL``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import Session, sessionmaker

from footchain.errors import FootchainError

ENV_VAR = "FOOTCHAIN_DATABASE_URL"
MIGRATIONS = Path(__file__).with_name("migrations")


class DatabaseError(FootchainError):
    """The database URL is wrong or the database cannot be reached or migrated."""


def default_database_url() -> str:
    """A SQLite file in the user's data directory (``footchain.db``)."""
    from platformdirs import user_data_dir

    folder = Path(user_data_dir("footchain", appauthor=False))
    return f"sqlite:///{folder / 'footchain.db'}"


def database_url(explicit: str | None = None) -> str:
    """The URL to use: ``explicit`` (``--database``), else ``FOOTCHAIN_DATABASE_URL``, else the default.

    ``postgresql://`` URLs are given the psycopg 3 driver, the one footchain installs.
    """
    raw = explicit or os.environ.get(ENV_VAR) or default_database_url()
    try:
        url = make_url(raw)
    except ArgumentError:
        raise DatabaseError(
            f"'{raw}' is not a database URL; use sqlite:///path/to/footchain.db or "
            "postgresql://user@host:5432/name."
        ) from None
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")
    if not url.drivername.startswith(("sqlite", "postgresql")):
        raise DatabaseError(f"footchain stores its data in SQLite or PostgreSQL, not '{url.drivername}'.")
    return url.render_as_string(hide_password=False)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """WAL lets readers and one writer work at once; a writer waits for a lock instead of failing."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def make_engine(url: str) -> Engine:
    """An engine for ``url``; SQLite files get their folder created and WAL mode."""
    parsed = make_url(url)
    if parsed.drivername.startswith("sqlite"):
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


def alembic_config(url: str) -> Any:
    """Alembic's configuration for ``url``, with the migrations that ship inside the package."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def migrate(engine: Engine, revision: str = "head") -> None:
    """Upgrade the database behind ``engine`` to ``revision`` (creating it when it is empty)."""
    from alembic import command
    from sqlalchemy.exc import OperationalError

    config = alembic_config(engine.url.render_as_string(hide_password=False))
    try:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
    except OperationalError as exc:
        raise DatabaseError(
            f"Cannot reach the database at {engine.url.render_as_string(hide_password=True)}: "
            f"{str(exc.orig).strip().splitlines()[0]}"
        ) from None


def open_database(url: str | None = None) -> sessionmaker[Session]:
    """Resolve the URL, migrate the database to the newest revision, and return a session factory."""
    engine = make_engine(database_url(url))
    migrate(engine)
    return sessionmaker(engine, expire_on_commit=False)
