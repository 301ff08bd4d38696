"""Which database footchain uses, and clear messages (never tracebacks) when it cannot use it."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from footchain.store.database import ENV_VAR, DatabaseError, database_url, open_database
from tests.databases import postgres_server_url


def test_explicit_url_beats_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(ENV_VAR, f"sqlite:///{tmp_path / 'from-env.db'}")
    assert database_url(f"sqlite:///{tmp_path / 'explicit.db'}") == f"sqlite:///{tmp_path / 'explicit.db'}"


def test_environment_beats_the_default(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(ENV_VAR, f"sqlite:///{tmp_path / 'from-env.db'}")
    assert database_url() == f"sqlite:///{tmp_path / 'from-env.db'}"
    assert database_url(None) == database_url("")


def test_default_is_a_sqlite_file_in_the_user_data_folder(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv(ENV_VAR, raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert database_url() == f"sqlite:///{tmp_path / 'data' / 'footchain' / 'footchain.db'}"


def test_default_database_is_created_on_first_use(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv(ENV_VAR, raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    sessions = open_database()
    sessions.kw["bind"].dispose()
    assert (tmp_path / "data" / "footchain" / "footchain.db").is_file()


@pytest.mark.parametrize(
    ("given", "used"),
    [
        (
            "postgresql://clinic@db.example:5432/footchain",
            "postgresql+psycopg://clinic@db.example:5432/footchain",
        ),
        ("postgres://clinic@db.example/footchain", "postgresql+psycopg://clinic@db.example/footchain"),
        (
            "postgresql+psycopg://clinic:s%40cret@db.example/fc",
            "postgresql+psycopg://clinic:s%40cret@db.example/fc",
        ),
        ("sqlite:///relative.db", "sqlite:///relative.db"),
        ("sqlite+pysqlite:////abs/footchain.db", "sqlite+pysqlite:////abs/footchain.db"),
    ],
)
def test_postgresql_urls_get_the_psycopg_driver(given: str, used: str) -> None:
    assert database_url(given) == used


@pytest.mark.parametrize("bad", ["footchain.db", "not a url", "postgresql://user@host:port/name", "://"])
def test_a_malformed_url_is_named_with_examples(bad: str) -> None:
    with pytest.raises(DatabaseError, match="is not a database URL; use sqlite:///") as caught:
        database_url(bad)
    assert bad in str(caught.value)


@pytest.mark.parametrize("backend", ["mysql://u@h/db", "oracle://u@h/db", "mssql+pyodbc://u@h/db"])
def test_unsupported_backends_are_refused(backend: str) -> None:
    with pytest.raises(DatabaseError, match="stores its data in SQLite or PostgreSQL, not"):
        database_url(backend)


@pytest.mark.parametrize("driver", ["postgresql+psycopg2", "postgresql+asyncpg", "postgresql+pg8000"])
def test_other_postgresql_drivers_are_refused_with_the_url_to_write(driver: str) -> None:
    with pytest.raises(DatabaseError, match=r"through psycopg 3.*postgresql://user@host:5432/name"):
        database_url(f"{driver}://u@h/db")


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _assert_no_traceback_chain(error: BaseException) -> None:
    assert error.__cause__ is None and error.__suppress_context__


def test_unreachable_postgresql_is_a_clear_error() -> None:
    url = f"postgresql://postgres@127.0.0.1:{_closed_port()}/footchain"
    with pytest.raises(DatabaseError) as caught:
        open_database(url)
    message = str(caught.value)
    assert message.startswith("Cannot reach the database at postgresql+psycopg://postgres@127.0.0.1:")
    assert "Connection refused" in message
    assert "Check that the PostgreSQL server is running" in message and ENV_VAR in message
    _assert_no_traceback_chain(caught.value)


def test_a_missing_postgresql_database_is_a_clear_error(postgres_session_url: str) -> None:
    from sqlalchemy.engine import make_url

    missing = make_url(postgres_server_url()).set(database="footchain_no_such_database")
    with pytest.raises(DatabaseError, match='database "footchain_no_such_database" does not exist') as caught:
        open_database(missing.render_as_string(hide_password=False))
    _assert_no_traceback_chain(caught.value)


def test_the_password_is_never_shown() -> None:
    url = f"postgresql://postgres:hunter2@127.0.0.1:{_closed_port()}/footchain"
    with pytest.raises(DatabaseError) as caught:
        open_database(url)
    assert "hunter2" not in str(caught.value)
    assert "***" in str(caught.value)


def test_sqlite_under_a_file_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("not a folder")
    with pytest.raises(DatabaseError) as caught:
        open_database(f"sqlite:///{tmp_path / 'notes.txt' / 'footchain.db'}")
    message = str(caught.value)
    assert f"Cannot create the folder {tmp_path / 'notes.txt'} for the SQLite database" in message
    assert "a file is in the way" in message and "--database sqlite:///" in message
    _assert_no_traceback_chain(caught.value)


@pytest.mark.parametrize("where", ["/proc/footchain.db", "/proc/footchain/footchain.db", "folder"])
def test_sqlite_in_an_unwritable_place_is_a_clear_error(where: str, tmp_path: Path) -> None:
    """/proc takes no new files or folders, even for root; a folder is no database file either."""
    path = tmp_path if where == "folder" else Path(where)
    with pytest.raises(
        DatabaseError, match=r"^Cannot (open the SQLite database|create the folder)"
    ) as caught:
        open_database(f"sqlite:///{path}")
    assert "Choose a" in str(caught.value) and ENV_VAR in str(caught.value)
    _assert_no_traceback_chain(caught.value)


def test_the_cli_prints_the_message_without_a_traceback(tmp_path: Path) -> None:
    import subprocess
    import sys

    (tmp_path / "notes.txt").write_text("not a folder")
    url = f"sqlite:///{tmp_path / 'notes.txt' / 'x.db'}"
    footchain = Path(sys.executable).with_name("footchain")
    done = subprocess.run(
        [footchain, "serve", "--database", url], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 2
    assert done.stderr.startswith("footchain: Cannot create the folder")
    assert "Traceback" not in done.stderr + done.stdout


def test_a_file_that_is_no_database_is_a_clear_error(tmp_path: Path) -> None:
    notes = tmp_path / "notes.db"
    notes.write_text("shopping list: insoles, plasters, " * 100)
    with pytest.raises(
        DatabaseError, match=f"^Cannot open the SQLite database {notes}: file is not a database"
    ):
        open_database(f"sqlite:///{notes}")
    assert notes.read_text().startswith("shopping list")
