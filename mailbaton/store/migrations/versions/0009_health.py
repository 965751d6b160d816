"""health: one row per server (mailbox, smtp) with its last success, failure and alert

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30 16:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    health = op.create_table(
        "health",
        sa.Column("component", sa.String(length=20), nullable=False),
        sa.Column("last_ok_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("signed_in_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("failing_since", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_failed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("sign_in_failed", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("alerted_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("component", name=op.f("pk_health")),
    )
    # The rows exist from the start, so every later write is a plain UPDATE (no race
    # between two replicas inserting the same row).
    op.bulk_insert(health, [{"component": "mailbox"}, {"component": "smtp"}])


def downgrade() -> None:
    op.drop_table("health")
