"""deadline columns: next escalation, reminder, who was warned

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 00:55:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.add_column(sa.Column("next_escalation_at", sa.DateTime(timezone=True)))
        batch_op.add_column(sa.Column("remind_at", sa.DateTime(timezone=True)))
        batch_op.add_column(sa.Column("reminded_at", sa.DateTime(timezone=True)))
        batch_op.add_column(
            sa.Column("escalated_to", sa.Text(), nullable=False, server_default="[]")
        )
        batch_op.create_index("ix_tickets_next_escalation_at", ["next_escalation_at"])
        batch_op.create_index("ix_tickets_remind_at", ["remind_at"])
    # Pending tickets opened by 0001 escalate at their stored deadline.
    op.execute(
        "UPDATE tickets SET next_escalation_at = deadline "
        "WHERE state = 'pending' AND escalations = 0"
    )


def downgrade() -> None:
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.drop_index("ix_tickets_remind_at")
        batch_op.drop_index("ix_tickets_next_escalation_at")
        batch_op.drop_column("escalated_to")
        batch_op.drop_column("reminded_at")
        batch_op.drop_column("remind_at")
        batch_op.drop_column("next_escalation_at")
