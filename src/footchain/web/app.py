"""The FastAPI application: ``create_app(settings)`` wires the database, routers and error handlers.

The app keeps no state between requests except the database (DESIGN.md, scaling out): several app
servers can run behind a load balancer on one PostgreSQL.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path

from fastapi import FastAPI
from starlette.concurrency import run_in_threadpool

from footchain import __version__
from footchain.store.database import open_database
from footchain.web.errors import install_error_handlers
from footchain.web.limits import BodySizeLimit
from footchain.web.openapi_document import install_openapi_document
from footchain.web.security_headers import SecurityHeaders
from footchain.web.settings import Settings


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Run the background analysis of clinic visit files while the app serves (``web.worker``)."""
    from footchain.web.worker import AnalysisWorker

    settings: Settings = app.state.settings
    worker = AnalysisWorker(
        app.state.sessions,
        stale_after=timedelta(seconds=settings.queue_stale_s),
        heartbeat_s=settings.queue_stale_s / 4,
    )
    app.state.analysis_worker = worker
    worker.start()
    try:
        yield
    finally:
        await run_in_threadpool(worker.stop)


def create_app(settings: Settings | None = None) -> FastAPI:
    """The web app on the database of ``settings`` (migrated to the newest revision on start)."""
    from fastapi.staticfiles import StaticFiles

    from footchain.shop.catalogue import read_catalogue
    from footchain.web.auth import install_auth_handlers
    from footchain.web.routes import (
        api_assessments,
        api_auth,
        api_clinic,
        api_insoles,
        api_measurements,
        api_outcomes,
        auth_pages,
        clinic_pages,
        health,
        outcome_pages,
        results,
        wizard,
    )

    settings = settings or Settings.from_environment()
    app = FastAPI(
        title="footchain",
        version=__version__,
        description="Could your feet be behind your back, hip or leg pain? Assess, measure and plan.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.sessions = open_database(settings.database_url)
    app.state.catalogue = read_catalogue(settings.catalogue) if settings.catalogue else None
    install_error_handlers(app)
    install_auth_handlers(app)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_upload_bytes)  # 413 as the body streams in
    app.add_middleware(SecurityHeaders)  # outermost of ours: the 413 above gets the headers too
    # A malformed multipart body is answered 400; python-multipart's own warning about it (positions of
    # bad bytes) is not for the server's log, where it reached the terminal (benchmarks/fuzz.py).
    logging.getLogger("python_multipart").setLevel(logging.ERROR)
    app.include_router(health.router)
    app.include_router(api_assessments.router, prefix="/api/v1")
    app.include_router(api_measurements.router, prefix="/api/v1")
    app.include_router(api_insoles.router, prefix="/api/v1")
    app.include_router(api_auth.router, prefix="/api/v1")
    app.include_router(api_clinic.router, prefix="/api/v1")
    app.include_router(api_outcomes.router, prefix="/api/v1")
    app.include_router(auth_pages.router)
    app.include_router(clinic_pages.router)
    app.include_router(outcome_pages.router, include_in_schema=False)  # pages, like the other clinic pages
    app.include_router(wizard.router)
    app.include_router(results.router, include_in_schema=False)  # the results page and its print files
    install_openapi_document(app)
    app.mount("/static", StaticFiles(directory=Path(__file__).with_name("static")), name="static")
    return app
