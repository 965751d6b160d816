"""inbound uid and uidvalidity as 64-bit (IMAP allows up to 2**32 - 1); replies found by index

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24 01:25:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("inbound", schema=None) as batch_op:
        batch_op.alter_column("uidvalidity", type_=sa.BigInteger(), existing_type=sa.Integer())
        batch_op.alter_column("uid", type_=sa.BigInteger(), existing_type=sa.Integer())
    # Replies are matched on the handoff's Message-ID: one lookup per References entry.
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.alter_column(
            "handoff_message_id", type_=sa.String(length=400), existing_type=sa.Text()
        )
        batch_op.create_index("ix_tickets_handoff_message_id", ["handoff_message_id"])


def downgrade() -> None:
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.drop_index("ix_tickets_handoff_message_id")
        batch_op.alter_column(
            "handoff_message_id", type_=sa.Text(), existing_type=sa.String(length=400)
        )
    with op.batch_alter_table("inbound", schema=None) as batch_op:
        batch_op.alter_column("uid", type_=sa.Integer(), existing_type=sa.BigInteger())
        batch_op.alter_column("uidvalidity", type_=sa.Integer(), existing_type=sa.BigInteger())
