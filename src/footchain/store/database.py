"""Where the database is, how to connect, and bringing its schema up to date with Alembic.

SQLite in the user's data directory by default (zero set-up); PostgreSQL for clinics through
``--database`` or ``FOOTCHAIN_DATABASE_URL``.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

from footchain.errors import FootchainError

ENV_VAR = "FOOTCHAIN_DATABASE_URL"
MIGRATIONS = Path(__file__).with_name("migrations")
SQLITE_DRIVERS = ("sqlite", "sqlite+pysqlite")
POSTGRES_DRIVER = "postgresql+psycopg"
# Key of the PostgreSQL advisory lock held while migrating, so that app servers starting together
# upgrade one after the other instead of racing to create the same tables.
MIGRATION_LOCK_KEY = 0x666F6F74636861  # "footcha"
# What SQLite says when the file itself is the problem (place, permissions, not a database file).
SQLITE_FILE_PROBLEMS = ("unable to open", "readonly", "disk", "not a database")
URL_EXAMPLES = "sqlite:///path/to/footchain.db or postgresql://user@host:5432/name"


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
    except (ArgumentError, ValueError):
        raise DatabaseError(f"'{raw}' is not a database URL; use {URL_EXAMPLES}.") from None
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername=POSTGRES_DRIVER)
    if url.drivername.startswith("postgres") and url.drivername != POSTGRES_DRIVER:
        raise DatabaseError(
            f"footchain talks to PostgreSQL through psycopg 3, not '{url.drivername}': "
            "write the URL as postgresql://user@host:5432/name."
        )
    if url.drivername not in (*SQLITE_DRIVERS, POSTGRES_DRIVER):
        raise DatabaseError(
            f"footchain stores its data in SQLite or PostgreSQL, not '{url.drivername}'; use {URL_EXAMPLES}."
        )
    return url.render_as_string(hide_password=False)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """WAL lets readers and one writer work at once; a writer waits for a lock instead of failing."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA busy_timeout=10000")  # first, so that switching to WAL waits too
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


# One lock per SQLite database in this process, taken around every write transaction (write_transaction).
_SQLITE_WRITE_LOCKS: dict[str, threading.RLock] = {}
_SQLITE_WRITE_LOCKS_GUARD = threading.Lock()


def _sqlite_write_lock(url: URL) -> threading.RLock:
    """The process-wide write lock of the SQLite database at ``url`` (one per file, shared by engines)."""
    key = url.database or ":memory:"
    if not _in_memory(url):
        key = str(Path(key).expanduser().resolve())
    with _SQLITE_WRITE_LOCKS_GUARD:
        return _SQLITE_WRITE_LOCKS.setdefault(key, threading.RLock())


@contextmanager
def write_transaction(session: Session) -> Iterator[Session]:
    """Write with ``session`` and commit on leaving the block (roll back if it raises).

    On SQLite the block holds this process's write lock of the database file. SQLite allows one writer
    at a time and makes the others wait in its busy handler, which sleeps in growing steps of up to
    100 ms: under 16 concurrent writers that sleeping, not the work, pushed p99 latency to 0.5 s. Writers
    of this process queue on the lock instead, and the next one goes the moment it is released (other
    processes still meet the busy handler, as before). PostgreSQL takes row locks itself and gets no
    lock here: app servers there run their writes in parallel.

    The lock is re-entrant (a block may call code that opens another one), so never ``await`` inside
    the block: the event loop's thread would then hold it across requests. Reads before the block need
    no lock; in the block, write and commit, and keep slow work (analysis, rendering) outside it.

    The session takes its pooled connection before it waits for the lock: a holder of the lock must
    never wait for a connection that the threads queueing behind it are holding (a deadlock under load).
    """
    bind = session.get_bind()
    lock = _sqlite_write_lock(bind.engine.url) if bind.dialect.name == "sqlite" else None
    if lock is not None:
        session.connection()
        lock.acquire()
    try:
        try:
            yield session
        except BaseException:
            session.rollback()
            raise
        session.commit()
    finally:
        if lock is not None:
            lock.release()


def _is_sqlite(url: URL) -> bool:
    return url.drivername.startswith("sqlite")


def _in_memory(url: URL) -> bool:
    return url.database in (None, "", ":memory:")


def make_engine(url: str) -> Engine:
    """An engine for ``url``; SQLite files get their folder created and WAL mode.

    An in-memory SQLite database lives in one shared connection, so every session sees the same tables.
    """
    parsed = make_url(url)
    if not _is_sqlite(parsed):
        # pool_pre_ping: a connection the server dropped (restart, failover) is replaced before use, so
        # the app recovers by itself; connect_timeout and pool_timeout keep a request from hanging while
        # the server is away (it gets 503 with Retry-After from web.errors instead).
        return create_engine(
            url,
            pool_pre_ping=True,
            pool_size=10,
            max_overflow=20,
            pool_timeout=10,
            connect_args={"connect_timeout": 5},
        )
    if _in_memory(parsed):
        engine = create_engine(url, connect_args={"check_same_thread": False}, poolclass=StaticPool)
    else:
        folder = Path(parsed.database or "").expanduser().parent
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            reason = (
                "a file is in the way"
                if isinstance(exc, FileExistsError | NotADirectoryError)
                else exc.strerror
            )
            raise DatabaseError(
                f"Cannot create the folder {folder} for the SQLite database ({reason}). "
                "Choose a folder you can write to with --database sqlite:///path/to/footchain.db "
                f"or {ENV_VAR}."
            ) from None
        engine = create_engine(url, connect_args={"check_same_thread": False})
    event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def alembic_config(url: str) -> Any:
    """Alembic's configuration for ``url``, with the migrations that ship inside the package."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def _lock_for_migration(connection: Connection) -> None:
    """Make concurrent migrations of one database wait for each other (held until commit).

    PostgreSQL: a transaction-level advisory lock. SQLite: ``BEGIN IMMEDIATE`` takes the write lock
    now (other writers wait up to the busy timeout) and makes the whole upgrade one transaction.
    """
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
    elif connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def _first_line(exc: DBAPIError) -> str:
    lines = str(exc.orig).strip().splitlines()
    return lines[0] if lines else type(exc.orig).__name__


def _migration_error(url: URL, exc: DBAPIError) -> DatabaseError:
    """A message a person can act on, without the driver's traceback."""
    shown = url.render_as_string(hide_password=True)
    reason = _first_line(exc)
    if _is_sqlite(url) and any(word in reason for word in SQLITE_FILE_PROBLEMS):
        return DatabaseError(
            f"Cannot open the SQLite database {url.database}: {reason}. Choose a file in a folder "
            f"you can write to with --database sqlite:///path/to/footchain.db or {ENV_VAR}."
        )
    if isinstance(exc, OperationalError) and not _is_sqlite(url):
        return DatabaseError(
            f"Cannot reach the database at {shown}: {reason}. Check that the PostgreSQL server "
            f"is running and that the URL (--database or {ENV_VAR}) is right."
        )
    return DatabaseError(f"Cannot bring the database at {shown} up to date: {reason}.")


def migrate(engine: Engine, revision: str = "head") -> None:
    """Upgrade the database behind ``engine`` to ``revision`` (creating it when it is empty).

    Safe to run again (nothing to do) and from several processes at once (they take turns).
    """
    from alembic import command
    from alembic.util.exc import CommandError

    config = alembic_config(engine.url.render_as_string(hide_password=False))
    try:
        with engine.begin() as connection:
            _lock_for_migration(connection)
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
    except DBAPIError as exc:
        raise _migration_error(engine.url, exc) from None
    except CommandError as exc:
        raise DatabaseError(
            f"Cannot bring the database at {engine.url.render_as_string(hide_password=True)} up to date: "
            f"{exc}. Was it written by a newer footchain? Upgrade footchain or use another database."
        ) from None


def open_database(url: str | None = None) -> sessionmaker[Session]:
    """Resolve the URL, migrate the database to the newest revision, and return a session factory."""
    engine = make_engine(database_url(url))
    migrate(engine)
    return sessionmaker(engine, expire_on_commit=False)
