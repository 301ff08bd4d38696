"""The clinic fixtures give real users: their tokens and sessions are what the auth dependencies read."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from footchain.store import accounts
from footchain.web.auth import password_matches
from tests.clinic.conftest import ClinicUser


def test_users_are_stored_with_argon2_hashes_and_live_tokens(
    sessions: sessionmaker[Session], clinic_a: ClinicUser, clinic_b: ClinicUser
) -> None:
    with sessions() as session:
        stored = accounts.user_by_email(session, clinic_a.email)
        assert stored is not None and stored.password_hash.startswith("$argon2id$")
        assert password_matches(stored.password_hash, clinic_a.password)
        assert not password_matches(stored.password_hash, clinic_a.password + "x")
        token_user = accounts.api_token_user(session, clinic_a.token)
        assert token_user is not None and token_user.id == clinic_a.id
        assert accounts.api_token_user(session, clinic_a.token + "x") is None
    assert clinic_a.clinic_id != clinic_b.clinic_id
