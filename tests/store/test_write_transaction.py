"""``write_transaction``: commit or roll back as a block, and on SQLite one writer of the process at a time.

Serialisation is proved by the state of the lock and the order of events, never by timing.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from footchain.store import repository
from footchain.store.database import _sqlite_write_lock, make_engine, open_database, write_transaction
from footchain.store.models import AssessmentRow, UploadRow

WAIT_S = 60  # a hang guard, not a speed target
WRITERS = 16
SAVES_EACH = 6


def _count(sessions: sessionmaker[Session]) -> int:
    with sessions() as session:
        return int(session.scalar(select(func.count()).select_from(AssessmentRow)) or 0)


def test_the_block_commits_on_leaving(sessions: sessionmaker[Session]) -> None:
    with sessions() as session, write_transaction(session):
        assessment_id = repository.save_assessment(session, {"n": 1}, {"ok": True})
    with sessions() as other:
        assert repository.get_assessment(other, assessment_id) is not None


def test_an_error_in_the_block_rolls_everything_back(sessions: sessionmaker[Session]) -> None:
    with sessions() as session:
        with pytest.raises(ValueError, match="half-way"), write_transaction(session):
            repository.save_assessment(session, {"n": 1}, {"ok": True})
            raise ValueError("failed half-way")
        assert _count(sessions) == 0
        with write_transaction(session):  # the session is usable again
            repository.save_assessment(session, {"n": 2}, {"ok": True})
    assert _count(sessions) == 1


def _held_elsewhere(sessions: sessionmaker[Session]) -> bool:
    """Whether another thread, asking now, would find the SQLite write lock taken (never waits)."""
    engine = sessions.kw["bind"]
    answer: list[bool] = []

    def probe() -> None:
        lock = _sqlite_write_lock(engine.url)
        got = lock.acquire(blocking=False)
        if got:
            lock.release()
        answer.append(not got)

    thread = threading.Thread(target=probe)
    thread.start()
    thread.join(WAIT_S)
    return answer[0]


def test_on_sqlite_the_block_holds_the_process_write_lock(tmp_path: Path) -> None:
    sessions = open_database(f"sqlite:///{tmp_path / 'lock.db'}")
    assert not _held_elsewhere(sessions)
    with sessions() as session, write_transaction(session):
        assert _held_elsewhere(sessions)
        with write_transaction(session):  # re-entrant: code that writes may call code that writes
            repository.save_assessment(session, {"n": 1}, {"ok": True})
            assert _held_elsewhere(sessions)
        assert _held_elsewhere(sessions), "an inner block does not release the outer one's lock"
    assert not _held_elsewhere(sessions)
    with sessions() as session, pytest.raises(RuntimeError), write_transaction(session):
        raise RuntimeError
    assert not _held_elsewhere(sessions), "an error releases the lock"


def test_engines_on_one_file_share_the_lock_and_other_files_do_not(tmp_path: Path) -> None:
    one = make_engine(f"sqlite:///{tmp_path / 'one.db'}")
    same = make_engine(f"sqlite:///{tmp_path}/./one.db")
    other = make_engine(f"sqlite:///{tmp_path / 'two.db'}")
    assert _sqlite_write_lock(one.url) is _sqlite_write_lock(same.url)
    assert _sqlite_write_lock(one.url) is not _sqlite_write_lock(other.url)


def test_postgresql_blocks_run_side_by_side(sessions: sessionmaker[Session], empty_database_url: str) -> None:
    """Two threads are inside their blocks at the same moment (a barrier only both can pass) on
    PostgreSQL; on SQLite the second waits for the first to leave."""
    postgres = empty_database_url.startswith("postgresql")
    both_inside = threading.Barrier(2, timeout=WAIT_S)
    first_inside = threading.Event()
    events: list[str] = []
    failures: list[BaseException] = []

    def writer(name: str) -> None:
        try:
            if name == "second":
                assert first_inside.wait(WAIT_S)
            with sessions() as session, write_transaction(session):
                events.append(f"{name} in")
                repository.save_assessment(session, {"writer": name}, {"ok": True})
                if postgres:
                    both_inside.wait()
                else:
                    first_inside.set()
                    if name == "first":
                        assert _held_elsewhere(sessions), "the second writer could start now"
                events.append(f"{name} out")
        except BaseException as exc:  # reported by the main thread
            failures.append(exc)

    threads = [threading.Thread(target=writer, args=(name,)) for name in ("first", "second")]
    if postgres:
        first_inside.set()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(WAIT_S)
    assert failures == []
    if postgres:
        assert events[:2] in (["first in", "second in"], ["second in", "first in"])
    else:
        assert events == ["first in", "first out", "second in", "second out"]
    assert _count(sessions) == 2


def test_many_writers_in_blocks_lose_nothing_and_never_see_a_locked_database(
    sessions: sessionmaker[Session],
) -> None:
    start = threading.Barrier(WRITERS, timeout=WAIT_S)
    failures: list[BaseException] = []

    def writer(number: int) -> None:
        try:
            start.wait()
            for save in range(SAVES_EACH):
                with sessions() as session, write_transaction(session):
                    upload_id = repository.save_upload(
                        session,
                        kind="footprint",
                        filename=f"{number}-{save}.png",
                        media_type="image/png",
                        content=bytes([number]) * 20_000,
                        result={},
                    )
                    repository.save_assessment(session, {"w": number, "s": save}, {}, upload_ids=[upload_id])
        except BaseException as exc:  # reported by the main thread
            failures.append(exc)

    threads = [threading.Thread(target=writer, args=(number,)) for number in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(WAIT_S)
    assert failures == []
    assert _count(sessions) == WRITERS * SAVES_EACH
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(UploadRow)) == WRITERS * SAVES_EACH
