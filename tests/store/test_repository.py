"""Every repository function, round-tripped through a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime, timedelta, timezone

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, sessionmaker

from footchain.store import repository
from footchain.store.models import AssessmentRow, DraftRow, UploadRow

URL_SAFE_32 = re.compile(r"[A-Za-z0-9_-]{32}")

INTAKE = {
    "schema_version": 1,
    "person": {"name": "Zoë Ångström-Nuñez", "note": "Schmerz im Rücken — 腰痛 🦶"},
    "pain": [{"region": "lower_back", "intensity_0_10": 6.5, "worse": ["walking", "standing"]}],
    "flags": {"numbness_saddle": False, "night_pain": None},
}
RESULT = {"foot_type": {"left": "planus", "right": "neutral"}, "summary": "Füße → Knie → Hüfte ✓", "n": 3}
MEASUREMENT = {"kind": "footprint", "arch_index": {"left": 0.27, "right": 0.31}, "warnings": ["ünïcode"]}


def _upload(session: Session, kind: str = "footprint", content: bytes = b"\x89PNG\r\n\x1a\nfake") -> str:
    return repository.save_upload(
        session, kind=kind, filename="fuß.png", media_type="image/png", content=content, result=MEASUREMENT
    )


def test_new_ids_are_unique_url_safe_and_32_characters() -> None:
    ids = {repository.new_id() for _ in range(2000)}
    assert len(ids) == 2000
    assert all(URL_SAFE_32.fullmatch(one) for one in ids)


def test_assessment_round_trip_keeps_unicode_json_exactly(sessions: sessionmaker[Session]) -> None:
    before = datetime.now(UTC)
    with sessions() as session:
        assessment_id = repository.save_assessment(session, INTAKE, RESULT)
        session.commit()
    assert URL_SAFE_32.fullmatch(assessment_id)
    with sessions() as session:
        row = repository.get_assessment(session, assessment_id)
        assert row is not None
        assert row.intake == INTAKE
        assert row.result == RESULT
        assert row.created_at.tzinfo is not None
        assert before - timedelta(seconds=1) <= row.created_at <= datetime.now(UTC) + timedelta(seconds=1)


def test_every_save_gets_its_own_id(sessions: sessionmaker[Session]) -> None:
    with sessions() as session:
        ids = [repository.save_assessment(session, INTAKE, RESULT) for _ in range(5)]
        ids += [_upload(session) for _ in range(5)]
        ids += [repository.create_draft(session) for _ in range(5)]
        session.commit()
    assert len(set(ids)) == 15
    assert all(URL_SAFE_32.fullmatch(one) for one in ids)


def test_unknown_ids_give_none(sessions: sessionmaker[Session]) -> None:
    with sessions() as session:
        known = repository.save_assessment(session, INTAKE, RESULT)
        session.commit()
        for unknown in (
            repository.new_id(),
            known.swapcase(),
            "",
            "x" * 200,
            "'; DROP TABLE assessments; --",
        ):
            assert repository.get_assessment(session, unknown) is None
            assert repository.get_upload(session, unknown) is None
            assert repository.get_draft(session, unknown) is None
            assert repository.uploads_of(session, unknown) == []
        assert repository.get_assessment(session, known) is not None


def test_large_binary_upload_round_trips_byte_for_byte(sessions: sessionmaker[Session]) -> None:
    content = os.urandom(25 * 1024 * 1024)  # the web app's upload limit
    overlay = os.urandom(3 * 1024 * 1024)
    figures = {"strides": "<svg xmlns='http://www.w3.org/2000/svg'><text>Schritt ½</text></svg>"}
    with sessions() as session:
        upload_id = repository.save_upload(
            session,
            kind="gait",
            filename="gang_aufnahme.csv",
            media_type="text/csv",
            content=content,
            result=MEASUREMENT,
            overlay_png=overlay,
            figures=figures,
        )
        session.commit()
    with sessions() as session:
        row = repository.get_upload(session, upload_id)
        assert row is not None
        assert row.content == content
        assert row.size_bytes == len(content)
        assert row.overlay_png == overlay
        assert row.figures == figures
        assert row.result == MEASUREMENT
        assert (row.kind, row.filename, row.media_type) == ("gait", "gang_aufnahme.csv", "text/csv")
        assert row.assessment_id is None


def test_upload_defaults_and_long_filenames(sessions: sessionmaker[Session]) -> None:
    long_name = "ü" * 300 + ".png"
    with sessions() as session:
        upload_id = repository.save_upload(
            session, kind="footprint", filename=long_name, media_type="image/png", content=b"", result={}
        )
        session.commit()
    with sessions() as session:
        row = repository.get_upload(session, upload_id)
        assert row is not None
        assert row.filename == long_name[:255]
        assert (row.content, row.size_bytes, row.overlay_png, row.figures) == (b"", 0, None, {})


def test_get_upload_checks_the_kind_when_asked(sessions: sessionmaker[Session]) -> None:
    with sessions() as session:
        footprint = _upload(session, "footprint")
        gait = _upload(session, "gait")
        session.commit()
        assert repository.get_upload(session, footprint, "footprint") is not None
        assert repository.get_upload(session, footprint, "gait") is None
        assert repository.get_upload(session, gait, "gait") is not None
        assert repository.get_upload(session, gait, "footprint") is None


def test_saving_an_assessment_links_only_the_uploads_it_used(sessions: sessionmaker[Session]) -> None:
    with sessions() as session:
        first, second, other = _upload(session), _upload(session, "gait"), _upload(session)
        assessment_id = repository.save_assessment(
            session, INTAKE, RESULT, upload_ids=[first, second, repository.new_id()]
        )
        session.commit()
    with sessions() as session:
        linked = repository.uploads_of(session, assessment_id)
        assert {row.id for row in linked} == {first, second}
        assert [row.created_at for row in linked] == sorted(row.created_at for row in linked)
        unlinked = repository.get_upload(session, other)
        assert unlinked is not None and unlinked.assessment_id is None
        lone = repository.save_assessment(session, INTAKE, RESULT)
        session.commit()
        assert repository.uploads_of(session, lone) == []


def test_a_rolled_back_save_leaves_nothing_half_written(sessions: sessionmaker[Session]) -> None:
    with sessions() as session:
        upload_id = _upload(session)
        session.commit()
        repository.save_assessment(session, INTAKE, RESULT, upload_ids=[upload_id])
        session.rollback()
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(AssessmentRow)) == 0
        row = repository.get_upload(session, upload_id)
        assert row is not None and row.assessment_id is None


def test_deleting_an_assessment_unlinks_its_uploads(sessions: sessionmaker[Session]) -> None:
    """The foreign key says ON DELETE SET NULL; SQLite enforces it only with foreign_keys=ON."""
    with sessions() as session:
        upload_id = _upload(session)
        assessment_id = repository.save_assessment(session, INTAKE, RESULT, upload_ids=[upload_id])
        session.commit()
        session.execute(delete(AssessmentRow).where(AssessmentRow.id == assessment_id))
        session.commit()
    with sessions() as session:
        row = repository.get_upload(session, upload_id)
        assert row is not None and row.assessment_id is None


def test_drafts_start_empty_and_keep_the_latest_answers(sessions: sessionmaker[Session]) -> None:
    with sessions() as session:
        draft_id = repository.create_draft(session)
        session.commit()
    with sessions() as session:
        draft = repository.get_draft(session, draft_id)
        assert draft is not None
        assert draft.answers == {}
        assert draft.created_at == draft.updated_at
        created = draft.created_at
    step_one = {"age_years": 47, "pain_regions": ["lower_back"], "note": "Rücken 🙁"}
    step_two = {**step_one, "red_flags": {"saddle_numbness": False}, "note": "besser"}
    for answers in (step_one, step_two):
        with sessions() as session:
            repository.update_draft(session, draft_id, answers)
            session.commit()
    with sessions() as session:
        draft = repository.get_draft(session, draft_id)
        assert draft is not None
        assert draft.answers == step_two
        assert draft.created_at == created
        assert draft.updated_at >= created


def test_updating_an_unknown_draft_creates_nothing(sessions: sessionmaker[Session]) -> None:
    with sessions() as session:
        repository.update_draft(session, repository.new_id(), {"age_years": 30})
        session.commit()
        assert session.scalar(select(func.count()).select_from(DraftRow)) == 0


def test_times_are_stored_in_utc_and_come_back_aware(sessions: sessionmaker[Session]) -> None:
    """SQLite keeps no time zone; the store must still hand back the same moment, marked as UTC."""
    moment = datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    kolkata = timezone(timedelta(hours=5, minutes=30))
    with sessions() as session:
        upload_id = _upload(session)
        row = session.get(UploadRow, upload_id)
        assert row is not None
        row.created_at = moment.astimezone(kolkata)
        session.commit()
    with sessions() as session:
        row = session.get(UploadRow, upload_id)
        assert row is not None
        assert row.created_at == moment
        assert row.created_at.utcoffset() == timedelta(0)


def test_uploads_named_come_in_the_order_named_of_the_kind_asked(sessions: sessionmaker[Session]) -> None:
    with sessions() as session:
        first, second, gait = _upload(session), _upload(session), _upload(session, "gait")
        session.commit()
        named = [second, repository.new_id(), first, second, gait]
        assert [row.id for row in repository.uploads_named(session, named)] == [second, first, gait]
        assert [row.id for row in repository.uploads_named(session, named, "footprint")] == [second, first]
        assert [row.id for row in repository.uploads_named(session, named, "gait")] == [gait]
        assert repository.uploads_named(session, []) == []


def test_delete_upload_and_delete_draft_say_whether_they_deleted(sessions: sessionmaker[Session]) -> None:
    with sessions() as session:
        upload_id, kept_upload = _upload(session), _upload(session)
        draft_id, kept_draft = repository.create_draft(session), repository.create_draft(session)
        session.commit()
        assert repository.delete_upload(session, upload_id) is True
        assert repository.delete_draft(session, draft_id) is True
        session.commit()
        assert repository.delete_upload(session, upload_id) is False
        assert repository.delete_draft(session, draft_id) is False
        assert repository.delete_upload(session, repository.new_id()) is False
        assert repository.delete_draft(session, "'; DROP TABLE drafts; --") is False
        session.commit()
    with sessions() as session:
        assert (
            repository.get_upload(session, upload_id) is None
            and repository.get_draft(session, draft_id) is None
        )
        assert repository.get_upload(session, kept_upload) is not None
        assert repository.get_draft(session, kept_draft) is not None


def test_deleting_a_used_upload_leaves_the_assessment(sessions: sessionmaker[Session]) -> None:
    with sessions() as session:
        upload_id = _upload(session)
        assessment_id = repository.save_assessment(session, INTAKE, RESULT, upload_ids=[upload_id])
        session.commit()
        assert repository.delete_upload(session, upload_id) is True
        session.commit()
    with sessions() as session:
        assert repository.get_assessment(session, assessment_id) is not None
        assert repository.uploads_of(session, assessment_id) == []


def _age(session: Session, draft_id: str, days: float) -> None:
    row = session.get(DraftRow, draft_id)
    assert row is not None
    row.updated_at = datetime.now(UTC) - timedelta(days=days)


def test_expire_drafts_deletes_old_drafts_and_their_unused_uploads(sessions: sessionmaker[Session]) -> None:
    with sessions() as session:
        old_photo, used_photo, old_walk, fresh_photo = (
            _upload(session),
            _upload(session),
            _upload(session, "gait"),
            _upload(session),
        )
        repository.save_assessment(session, INTAKE, RESULT, upload_ids=[used_photo])
        old = repository.create_draft(session)
        repository.update_draft(
            session,
            old,
            {"files": {"footprint_images": [old_photo, used_photo], "gait_recordings": [old_walk]}},
        )
        empty_old = repository.create_draft(session)
        fresh = repository.create_draft(session)
        repository.update_draft(session, fresh, {"files": {"footprint_images": [fresh_photo]}})
        edge = repository.create_draft(session)
        session.flush()
        _age(session, old, 45)
        _age(session, empty_old, 30.01)
        _age(session, edge, 29.9)
        session.commit()

        assert repository.expire_drafts(session, timedelta(days=30)) == 2
        session.commit()
    with sessions() as session:
        remaining = set(session.scalars(select(DraftRow.id)))
        assert remaining == {fresh, edge}
        uploads = set(session.scalars(select(UploadRow.id)))
        assert uploads == {used_photo, fresh_photo}, "an upload an assessment used is kept"
        assert repository.expire_drafts(session, timedelta(days=30)) == 0
        assert repository.expire_drafts(session, timedelta(days=29)) == 1
        session.commit()
        assert set(session.scalars(select(DraftRow.id))) == {fresh}


def test_expire_drafts_copes_with_many_at_once(sessions: sessionmaker[Session]) -> None:
    """More drafts than one IN (...) list holds."""
    count = repository.CHUNK * 2 + 7
    with sessions() as session:
        ids = [repository.create_draft(session) for _ in range(count)]
        session.flush()
        session.execute(DraftRow.__table__.update().values(updated_at=datetime.now(UTC) - timedelta(days=60)))
        keep = repository.create_draft(session)
        session.commit()
        assert repository.expire_drafts(session, timedelta(days=30)) == len(ids)
        session.commit()
        assert list(session.scalars(select(DraftRow.id))) == [keep]
