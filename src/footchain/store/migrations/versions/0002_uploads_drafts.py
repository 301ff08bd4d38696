"""Uploads (footprint images, gait recordings, their measurements and pictures) and wizard drafts.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "uploads",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("filename", sa.String(255), nullable=False),
        sa.Column("media_type", sa.String(100), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.Column("overlay_png", sa.LargeBinary(), nullable=True),
        sa.Column("figures", sa.JSON(), nullable=False),
        sa.Column(
            "assessment_id",
            sa.String(32),
            sa.ForeignKey("assessments.id", ondelete="SET NULL"),
            nullable=True,
        ),
    )
    op.create_index("ix_uploads_assessment_id", "uploads", ["assessment_id"])
    op.create_table(
        "drafts",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("drafts")
    op.drop_index("ix_uploads_assessment_id", table_name="uploads")
    op.drop_table("uploads")
