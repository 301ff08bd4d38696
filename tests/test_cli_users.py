"""``footchain users create``: the first admin of a clinic, run as a real subprocess on SQLite and PostgreSQL."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from footchain.store import accounts
from footchain.store.database import open_database
from footchain.web.auth import password_matches
from tests.databases import empty_database_url, postgres_session_url  # noqa: F401

FOOTCHAIN = Path(sys.executable).with_name("footchain")
PASSWORD = "a long enough passphrase"


def run(*args: str | Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run the installed script; a new session has no terminal, so a prompt reads the piped stdin."""
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "100", "TERM": "dumb"}
    env.pop("FOOTCHAIN_DATABASE_URL", None)
    return subprocess.run(
        [str(FOOTCHAIN), *map(str, args)],
        input=stdin if stdin is not None else "",
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
        start_new_session=True,
    )


def password_file(folder: Path, password: str = PASSWORD) -> Path:
    path = folder / "password.txt"
    path.write_text(password + "\n", encoding="utf-8")
    return path


def test_creates_the_first_admin_and_the_clinic(tmp_path: Path, empty_database_url: str) -> None:  # noqa: F811
    result = run(
        "users", "create", "--clinic", "Hill Street Podiatry", "--email", "Admin@Hill.example",
        "--role", "admin", "--password-file", password_file(tmp_path), "--database", empty_database_url,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "Created admin admin@hill.example in new clinic 'Hill Street Podiatry'" in result.stdout
    assert PASSWORD not in result.stdout + result.stderr
    with open_database(empty_database_url)() as session:
        user = accounts.user_by_email(session, "admin@hill.example")
        clinic = accounts.clinic_by_name(session, "Hill Street Podiatry")
        assert user is not None and clinic is not None and user.clinic_id == clinic.id
        assert user.role == "admin" and user.active and password_matches(user.password_hash, PASSWORD)
    second = run(
        "users", "create", "--clinic", "Hill Street Podiatry", "--email", "nurse@hill.example",
        "--role", "clinician", "--password-file", password_file(tmp_path), "--database", empty_database_url,
    )  # fmt: skip
    assert second.returncode == 0 and "in existing clinic" in second.stdout
    with open_database(empty_database_url)() as session:
        assert len(accounts.users_of(session, clinic.id)) == 2


def test_a_prompted_password_is_asked_twice_and_never_shown(tmp_path: Path) -> None:
    database = f"sqlite:///{tmp_path / 'cli.db'}"
    result = run(
        "users", "create", "--clinic", "Fit Shop", "--email", "fitter@shop.example", "--role", "clinician",
        "--database", database, stdin=f"{PASSWORD}\n{PASSWORD}\n",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "Created clinician fitter@shop.example" in result.stdout
    assert "Repeat for confirmation" in result.stdout + result.stderr
    assert PASSWORD not in result.stdout + result.stderr
    with open_database(database)() as session:
        user = accounts.user_by_email(session, "fitter@shop.example")
        assert user is not None and password_matches(user.password_hash, PASSWORD)


def test_a_duplicate_email_is_a_clear_error(tmp_path: Path) -> None:
    database = f"sqlite:///{tmp_path / 'cli.db'}"
    args = ("users", "create", "--clinic", "A", "--email", "same@a.example", "--role", "admin")
    assert run(*args, "--password-file", password_file(tmp_path), "--database", database).returncode == 0
    again = run(*args, "--password-file", password_file(tmp_path), "--database", database)
    assert again.returncode == 2 and "already exists" in again.stderr and "Traceback" not in again.stderr
    other_clinic = run(
        "users", "create", "--clinic", "B", "--email", "SAME@a.example", "--role", "admin",
        "--password-file", password_file(tmp_path), "--database", database,
    )  # fmt: skip
    assert other_clinic.returncode == 2 and "already exists" in other_clinic.stderr
    with open_database(database)() as session:
        assert accounts.clinic_by_name(session, "B") is None  # no empty clinic left behind


def test_a_weak_password_is_refused(tmp_path: Path) -> None:
    database = f"sqlite:///{tmp_path / 'cli.db'}"
    result = run(
        "users", "create", "--clinic", "A", "--email", "a@a.example", "--role", "admin",
        "--password-file", password_file(tmp_path, "eleven char"), "--database", database,
    )  # fmt: skip
    assert result.returncode == 2 and "at least 12 characters" in result.stderr
    with open_database(database)() as session:
        assert accounts.user_by_email(session, "a@a.example") is None


def test_an_unknown_role_or_bad_email_is_refused(tmp_path: Path) -> None:
    database = f"sqlite:///{tmp_path / 'cli.db'}"
    role = run(
        "users", "create", "--clinic", "A", "--email", "a@a.example", "--role", "owner",
        "--password-file", password_file(tmp_path), "--database", database,
    )  # fmt: skip
    assert role.returncode == 2 and "'owner' is not one of 'admin', 'clinician'" in role.stderr
    email = run(
        "users", "create", "--clinic", "A", "--email", "not-an-email", "--role", "admin",
        "--database", database,
    )  # fmt: skip
    assert email.returncode == 2 and "email address" in email.stderr  # refused before asking a password


def test_a_missing_password_file_is_named(tmp_path: Path) -> None:
    result = run(
        "users", "create", "--clinic", "A", "--email", "a@a.example", "--role", "admin",
        "--password-file", tmp_path / "nope.txt", "--database", f"sqlite:///{tmp_path / 'cli.db'}",
    )  # fmt: skip
    assert result.returncode == 2 and "nope.txt" in result.stderr and "Traceback" not in result.stderr
