"""health.component up to 50 characters: with several mailboxes each has its rows,
"mailbox:NAME" and "smtp:NAME" (NAME up to 30 characters)

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30 19:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("health") as batch:
        batch.alter_column(
            "component", type_=sa.String(length=50), existing_type=sa.String(length=20)
        )


def downgrade() -> None:
    with op.batch_alter_table("health") as batch:
        batch.alter_column(
            "component", type_=sa.String(length=20), existing_type=sa.String(length=50)
        )
