"""Routers per resource (FastAPI's "bigger applications" layout)."""
