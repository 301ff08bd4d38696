"""The FastAPI application: ``create_app(settings)`` wires the database, routers and error handlers.

The app keeps no state between requests except the database (DESIGN.md, scaling out): several app
servers can run behind a load balancer on one PostgreSQL.
"""

from __future__ import annotations

from fastapi import FastAPI

from footchain import __version__
from footchain.store.database import open_database
from footchain.web.errors import install_error_handlers
from footchain.web.settings import Settings


def create_app(settings: Settings | None = None) -> FastAPI:
    """The web app on the database of ``settings`` (migrated to the newest revision on start)."""
    from footchain.web.routes import health

    settings = settings or Settings.from_environment()
    app = FastAPI(
        title="footchain",
        version=__version__,
        description="Could your feet be behind your back, hip or leg pain? Assess, measure and plan.",
    )
    app.state.settings = settings
    app.state.sessions = open_database(settings.database_url)
    install_error_handlers(app)
    app.include_router(health.router)
    return app
