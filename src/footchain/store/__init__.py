"""Persistence: SQLAlchemy 2 models, repository functions and Alembic migrations.

The store keeps what the measure → assess → plan line produces; nothing in that line imports it.
"""
