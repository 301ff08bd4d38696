"""Several writers at once (threads of one app server): no lost rows, no "database is locked"."""

from __future__ import annotations

import threading

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from footchain.store import repository
from footchain.store.models import AssessmentRow, UploadRow

WRITERS = 8
SAVES_EACH = 12


def test_concurrent_writers_lose_no_rows(sessions: sessionmaker[Session]) -> None:
    start = threading.Barrier(WRITERS)
    saved: list[str] = []
    failures: list[BaseException] = []
    lock = threading.Lock()

    def writer(number: int) -> None:
        try:
            start.wait()
            for save in range(SAVES_EACH):
                with sessions() as session:
                    upload_id = repository.save_upload(
                        session,
                        kind="footprint",
                        filename=f"{number}-{save}.png",
                        media_type="image/png",
                        content=bytes([number]) * 50_000,
                        result={"writer": number, "save": save},
                    )
                    assessment_id = repository.save_assessment(
                        session, {"writer": number, "save": save}, {"ok": True}, upload_ids=[upload_id]
                    )
                    session.commit()
                with lock:
                    saved.append(assessment_id)
        except BaseException as exc:  # collected and reported by the main thread
            with lock:
                failures.append(exc)

    threads = [threading.Thread(target=writer, args=(number,)) for number in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == []
    assert len(set(saved)) == WRITERS * SAVES_EACH
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(AssessmentRow)) == WRITERS * SAVES_EACH
        assert session.scalar(select(func.count()).select_from(UploadRow)) == WRITERS * SAVES_EACH
        pairs = {(row.intake["writer"], row.intake["save"]) for row in session.scalars(select(AssessmentRow))}
        assert pairs == {(w, s) for w in range(WRITERS) for s in range(SAVES_EACH)}
        for assessment_id in saved:
            (upload,) = repository.uploads_of(session, assessment_id)
            row = repository.get_assessment(session, assessment_id)
            assert row is not None and upload.result == row.intake
