"""the ledger indexed by sender: a name is looked up there for every reminder and
escalation, which read the whole ledger without it (40 ms a notice at 100,000 rows)

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 17:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_inbound_sender", "inbound", ["sender"])


def downgrade() -> None:
    op.drop_index("ix_inbound_sender", table_name="inbound")
