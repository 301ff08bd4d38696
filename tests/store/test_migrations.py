"""Migrations upgrade an empty database and a database of the previous revision (SQLite and PostgreSQL)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from footchain.store import repository
from footchain.store.database import DatabaseError, alembic_config, make_engine, migrate
from footchain.store.models import Base, ClinicRow
from footchain.store.repository import new_id

TABLES = {"assessments", "uploads", "drafts"} | {
    "clinics", "users", "web_sessions", "api_tokens", "login_attempts", "patients", "visits", "visit_files",
    "gear", "audit_log",
}  # fmt: skip


@pytest.fixture
def engine(empty_database_url: str) -> Iterator[Engine]:
    engine = make_engine(empty_database_url)
    yield engine
    engine.dispose()


def _head() -> str:
    head = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
    assert head is not None
    return head


def _revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def _tables(engine: Engine) -> set[str]:
    return set(sa.inspect(engine).get_table_names()) - {"alembic_version"}


def _downgrade(engine: Engine, revision: str) -> None:
    config = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


def _differences(engine: Engine) -> list[Any]:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, Base.metadata))


def test_the_revisions_form_one_line_ending_at_the_newest() -> None:
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    assert script.get_heads() == ["0003"]
    assert [rev.revision for rev in script.walk_revisions()] == ["0003", "0002", "0001"]


def test_an_empty_database_is_upgraded_to_the_newest_revision(engine: Engine) -> None:
    assert _tables(engine) == set()
    migrate(engine)
    assert _revision(engine) == _head()
    assert _tables(engine) == TABLES


def test_the_models_match_the_migrations(engine: Engine) -> None:
    migrate(engine)
    assert _differences(engine) == []


def test_the_comparison_would_notice_a_difference(engine: Engine) -> None:
    """Guards the test above: a model column the migrations lack must show up as a difference."""
    migrate(engine)
    with engine.begin() as connection:
        connection.execute(sa.text("DROP INDEX ix_uploads_assessment_id"))
    assert [diff[0] for diff in _differences(engine)] == ["add_index"]


def test_a_database_at_the_previous_revision_keeps_its_rows(engine: Engine) -> None:
    migrate(engine, "0001")
    assert _revision(engine) == "0001"
    assert _tables(engine) == {"assessments"}
    old_table = sa.table(
        "assessments",
        sa.column("id", sa.String),
        sa.column("created_at", sa.DateTime(timezone=True)),
        sa.column("intake", sa.JSON),
        sa.column("result", sa.JSON),
    )
    written = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    rows = [
        {
            "id": new_id(),
            "created_at": written,
            "intake": {"n": n, "note": "Fußschmerz ✓"},
            "result": {"n": n},
        }
        for n in range(3)
    ]
    with engine.begin() as connection:
        connection.execute(old_table.insert(), rows)

    migrate(engine)

    assert _revision(engine) == _head()
    assert _tables(engine) == TABLES
    with sa.orm.Session(engine) as session:
        for old in rows:
            row = repository.get_assessment(session, old["id"])
            assert row is not None
            assert (row.intake, row.result, row.created_at) == (old["intake"], old["result"], written)
        upload_id = repository.save_upload(
            session, kind="footprint", filename="a.png", media_type="image/png", content=b"png", result={}
        )
        session.commit()
        linked = repository.save_assessment(session, {}, {}, upload_ids=[upload_id])
        draft_id = repository.create_draft(session)
        repository.update_draft(session, draft_id, {"step": 2})
        session.commit()
        assert [row.id for row in repository.uploads_of(session, linked)] == [upload_id]
        draft = repository.get_draft(session, draft_id)
        assert draft is not None and draft.answers == {"step": 2}


def test_a_database_before_clinic_mode_keeps_its_uploads_and_drafts(engine: Engine) -> None:
    migrate(engine, "0002")
    assert _tables(engine) == {"assessments", "uploads", "drafts"}
    with sa.orm.Session(engine) as session:
        upload_id = repository.save_upload(
            session,
            kind="gait",
            filename="walk.txt",
            media_type="text/plain",
            content=b"1 2",
            result={"a": 1},
        )
        assessment_id = repository.save_assessment(session, {"schema_version": 1}, {"b": 2}, [upload_id])
        draft_id = repository.create_draft(session)
        repository.update_draft(session, draft_id, {"step": "feet"})
        session.commit()

    migrate(engine)

    assert _revision(engine) == _head()
    assert _tables(engine) == TABLES
    with sa.orm.Session(engine) as session:
        assert [row.id for row in repository.uploads_of(session, assessment_id)] == [upload_id]
        draft = repository.get_draft(session, draft_id)
        assert draft is not None and draft.answers == {"step": "feet"}
        session.add(ClinicRow(id=new_id(), name="Clinic A", created_at=datetime.now(UTC)))
        session.commit()


def test_downgrade_to_base_and_up_again(engine: Engine) -> None:
    migrate(engine)
    _downgrade(engine, "base")
    assert _revision(engine) is None
    assert _tables(engine) == set()
    migrate(engine)
    assert _tables(engine) == TABLES
    assert _differences(engine) == []
    with sa.orm.Session(engine) as session:
        assessment_id = repository.save_assessment(session, {"again": True}, {})
        session.commit()
        assert repository.get_assessment(session, assessment_id) is not None


def test_migrating_twice_is_harmless(engine: Engine) -> None:
    migrate(engine)
    with sa.orm.Session(engine) as session:
        assessment_id = repository.save_assessment(session, {"kept": "ja"}, {})
        session.commit()
    migrate(engine)
    assert _revision(engine) == _head()
    with sa.orm.Session(engine) as session:
        row = repository.get_assessment(session, assessment_id)
        assert row is not None and row.intake == {"kept": "ja"}


def test_a_database_from_a_newer_footchain_is_a_clear_error(engine: Engine) -> None:
    migrate(engine)
    with engine.begin() as connection:
        connection.execute(sa.text("UPDATE alembic_version SET version_num = '9999'"))
    with pytest.raises(DatabaseError, match="Was it written by a newer footchain") as caught:
        migrate(engine)
    assert caught.value.__cause__ is None


STARTERS = 4
START_ONE = """
import sys, time
from footchain.store.database import open_database
while time.time() < float(sys.argv[2]):
    time.sleep(0.001)
open_database(sys.argv[1])
"""


def test_app_servers_starting_together_on_an_empty_database_all_start(
    empty_database_url: str, engine: Engine
) -> None:
    """Several processes migrate one empty database at the same moment; none may fail."""
    import time

    start_at = str(time.time() + 4)  # after every process has imported footchain
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", START_ONE, empty_database_url, start_at],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(STARTERS)
    ]
    outcomes = [(process.communicate(timeout=120)[1], process.returncode) for process in processes]
    assert [code for _, code in outcomes] == [0] * STARTERS, "\n".join(err for err, _ in outcomes)
    assert _revision(engine) == _head()
    assert _tables(engine) == TABLES
