"""The background analysis of visit files: footprints and gait recordings uploaded to a clinic visit.

Uploads are stored as ``queued`` rows of ``visit_files`` (the queue lives in the database, so it survives
restarts and several app servers share it). Each app server runs one ``AnalysisWorker`` thread, started
and stopped by the app's lifespan. The thread claims one queued row at a time (an atomic conditional
UPDATE, ``store.patients.claim_next_file``), measures it exactly like ``footchain footprint`` /
``footchain gait`` (``web.uploads``), stores the result with its pictures, or ``failed`` with the clear
message the command line would print, and then re-assesses the visit with every finished measurement
(footprint metrics merged into the intake with ``merge_footprints``, gait results as ``GaitInput``).

Log lines name file ids and exception types only, never file names, patients or results.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from footchain.engine import assess_measured
from footchain.errors import FootchainError
from footchain.intake import parse_intake
from footchain.measure.footprint.result import FootprintResult
from footchain.measure.intake_files import MeasuredIntake, merge_footprints
from footchain.store import patients
from footchain.store.accounts import now
from footchain.store.database import write_transaction
from footchain.store.models import VisitFileRow, VisitRow
from footchain.types import GaitInput
from footchain.web.uploads import AnalysedUpload, analyze_footprint_upload, analyze_gait_upload

log = logging.getLogger(__name__)

IDLE_WAIT_S = (
    1.0  # how long an idle worker sleeps before looking at the queue again (woken earlier on upload)
)
# While a file is measured its worker refreshes the row's started_at every HEARTBEAT_S; a "running" file
# not refreshed for STALE_AFTER was left by a server that was stopped or killed, and is queued again by
# whichever worker looks next (the restarted server's, or another server's).
STALE_AFTER = timedelta(seconds=90)
HEARTBEAT_S = 20.0
CRASH_MESSAGE = (
    "footchain could not measure this file because of an internal error (it has been logged). "
    "Try uploading it again; if it fails again, the file's format may not be supported yet."
)


def visit_assessment(intake_data: dict[str, Any], files: Sequence[VisitFileRow]) -> dict[str, Any] | None:
    """The assessment contract of a visit: its intake with its finished measurements merged in.

    None when the visit has neither an intake nor a finished measurement (a bare follow-up). A visit
    with measured files but no intake is assessed from the measurements alone.
    """
    done = [row for row in files if row.status == "done" and row.result is not None]
    if not intake_data and not done:
        return None
    intake = parse_intake(intake_data or {"schema_version": 1})
    footprints = [
        (row.filename, FootprintResult.model_validate(row.result)) for row in done if row.kind == "footprint"
    ]
    notes: list[str] = []
    if footprints:
        intake, notes = merge_footprints(intake, footprints)
    gait = [GaitInput(name=row.filename, result=row.result or {}) for row in done if row.kind == "gait"]
    return assess_measured(MeasuredIntake(intake=intake, gait=gait, notes=notes)).to_json_dict()


def lock_visit(session: Session, clinic_id: str, visit_id: str) -> VisitRow | None:
    """The visit, locked for this transaction on PostgreSQL (``SELECT … FOR UPDATE``), so that two files
    finishing at once, or a file and an edit, re-assess one after the other and neither result is lost.
    (SQLite writers are serialised by ``write_transaction`` already.)"""
    query = (
        select(VisitRow)
        .where(VisitRow.id == visit_id, VisitRow.clinic_id == clinic_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return session.scalars(query).first()


def reassess_visit(session: Session, visit: VisitRow) -> None:
    """Assess the visit again from its intake and finished files (inside the caller's transaction)."""
    visit.assessment = visit_assessment(visit.intake, patients.files_of(session, visit.clinic_id, visit.id))
    visit.updated_at = now()


def measure(kind: str, filename: str, content: bytes) -> AnalysedUpload:
    """Measure one visit file like the command line does; raises ``FootchainError`` with a clear message."""
    if kind == "footprint":
        return analyze_footprint_upload(filename, content)
    return analyze_gait_upload([(filename, content)])


class AnalysisWorker:
    """A thread that measures queued visit files until ``stop()`` (one file at a time)."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        *,
        idle_wait_s: float = IDLE_WAIT_S,
        stale_after: timedelta = STALE_AFTER,
        heartbeat_s: float = HEARTBEAT_S,
    ) -> None:
        self.sessions = sessions
        self.idle_wait_s = idle_wait_s
        self.stale_after = stale_after
        self.heartbeat_s = heartbeat_s
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="footchain-analysis", daemon=True)
        self._thread.start()

    def wake(self) -> None:
        """Look at the queue now (called after an upload was queued)."""
        self._wake.set()

    def stop(self, timeout_s: float = 60.0) -> None:
        """Stop after the file being measured (if any) is stored; wait for the thread to end."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout_s)
            self._thread = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                worked = self.run_once()
            except Exception as exc:  # a database hiccup must not end the worker
                log.error("analysis worker: queue step failed (%s)", type(exc).__name__)
                worked = False
            if not worked:
                self._wake.wait(self.idle_wait_s)
                self._wake.clear()

    def run_once(self) -> bool:
        """Claim and measure one queued file; whether there was one."""
        with self.sessions() as session:
            with write_transaction(session):
                patients.requeue_stale(session, self.stale_after)
                file_id = patients.claim_next_file(session)
            if file_id is None:
                return False
            row = session.get(VisitFileRow, file_id)
            if row is None:  # deleted with its patient between claim and read
                return True
            kind, filename, content = row.kind, row.filename, row.content
            clinic_id, visit_id = row.clinic_id, row.visit_id
            session.expunge_all()
        analysed: AnalysedUpload | None = None
        error: str | None = None
        measured = threading.Event()
        heartbeat = threading.Thread(target=self._beat, args=(file_id, measured), daemon=True)
        heartbeat.start()
        try:
            analysed = measure(kind, filename, content)
        except FootchainError as exc:
            error = str(exc)
        except Exception as exc:
            log.error("analysis of visit file %s crashed (%s)", file_id, type(exc).__name__)
            error = CRASH_MESSAGE
        finally:
            measured.set()
            heartbeat.join()
        self._store(file_id, clinic_id, visit_id, analysed, error)
        return True

    def _beat(self, file_id: str, measured: threading.Event) -> None:
        """Tell the queue this file is still being measured, every ``heartbeat_s`` until ``measured``."""
        while not measured.wait(self.heartbeat_s):
            try:
                with self.sessions() as session, write_transaction(session):
                    patients.still_running(session, file_id)
            except Exception as exc:  # a database hiccup: the next beat tries again
                log.error("analysis worker: heartbeat failed (%s)", type(exc).__name__)

    def _store(
        self, file_id: str, clinic_id: str, visit_id: str, analysed: AnalysedUpload | None, error: str | None
    ) -> None:
        """Save the measurement (or the error) and re-assess the visit, in one transaction."""
        with self.sessions() as session, write_transaction(session):
            visit = lock_visit(session, clinic_id, visit_id)
            row = session.get(VisitFileRow, file_id)
            if visit is None or row is None:  # the patient was deleted meanwhile: nothing to keep
                return
            row.finished_at = now()
            if analysed is None:
                row.status, row.error = "failed", error
            else:
                row.status, row.error = "done", None
                row.media_type = analysed.media_type
                row.result = analysed.result
                row.overlay_png = analysed.overlay_png
                row.figures = dict(analysed.figures)
            session.flush()
            try:
                reassess_visit(session, visit)
            except FootchainError as exc:  # the stored intake no longer parses: keep the measurement
                log.error("re-assessing a visit failed (%s)", type(exc).__name__)
