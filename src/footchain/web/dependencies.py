"""FastAPI dependencies shared by the routers: a database session per request, the settings."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session, sessionmaker

from footchain.web.settings import Settings


def get_session(request: Request) -> Iterator[Session]:
    """A session for one request. Handlers commit what they write before they answer, so that a
    returned id is readable at once; anything uncommitted is rolled back when the session closes."""
    factory: sessionmaker[Session] = request.app.state.sessions
    with factory() as session:
        yield session


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


DbSession = Annotated[Session, Depends(get_session)]
AppSettings = Annotated[Settings, Depends(get_settings)]
