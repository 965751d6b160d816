"""the thrower's message and a cancel reason on tickets; senders' names in the ledger;
answers counted per sender for the loop ceiling

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 14:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.add_column(sa.Column("message", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("cancel_reason", sa.Text(), nullable=True))
    with op.batch_alter_table("inbound", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sender_name", sa.Text(), nullable=False, server_default=""))
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("answer_to", sa.String(length=320), nullable=True))
        batch_op.create_index("ix_outbox_answer_to", ["answer_to", "created_at"])


def downgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_answer_to")
        batch_op.drop_column("answer_to")
    with op.batch_alter_table("inbound", schema=None) as batch_op:
        batch_op.drop_column("sender_name")
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.drop_column("cancel_reason")
        batch_op.drop_column("message")
