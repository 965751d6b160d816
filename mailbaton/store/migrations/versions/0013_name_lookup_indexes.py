"""names looked up by address read the newest 20 rows of it: (address, id) indexes, not
(address) alone. PostgreSQL read every row of the address and sorted them (2.8 ms for 200
rows at a million tickets, 0.2 ms with these; a person with 20,000 mails cost ~0.3 s a
lookup, at every handoff they sent and every escalation to them). SQLite's indexes already
ended in the rowid; they are rebuilt the same for one schema on both.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-30 20:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = (
    ("ix_inbound_sender", "inbound", "sender"),
    ("ix_tickets_thrower", "tickets", "thrower"),
    ("ix_tickets_catcher", "tickets", "catcher"),
)


def upgrade() -> None:
    for name, table, column in INDEXES:
        op.drop_index(name, table_name=table)
        op.create_index(name, table, [column, "id"])


def downgrade() -> None:
    for name, table, column in INDEXES:
        op.drop_index(name, table_name=table)
        op.create_index(name, table, [column])
