"""the outbox indexed by channel and state: status names the webhook posts not sent,
which read the whole outbox without it (~0.5 s at a million mails sent)

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30 17:30:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_outbox_channel_state", "outbox", ["channel", "state"])


def downgrade() -> None:
    op.drop_index("ix_outbox_channel_state", table_name="outbox")
