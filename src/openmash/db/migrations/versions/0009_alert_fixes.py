"""alert fixes: e-mail deliveries record failures

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 23:20:00.000000

``alert_deliveries`` gains a status (sent, failed), the number of attempts and the last error (the kind of
failure only, never an address), and ``delivered_at`` is empty until the e-mail is sent: a failed e-mail is
recorded and retried by the next run instead of undoing the whole run (alerts/senders.py).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
import openmash.db.base


revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("alert_deliveries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("status", sa.String(length=10), nullable=False, server_default="sent"))
        batch_op.add_column(sa.Column("attempts", sa.Integer(), nullable=False, server_default="1"))
        batch_op.add_column(sa.Column("last_error", sa.String(length=200), nullable=True))
        batch_op.alter_column(
            "delivered_at", existing_type=openmash.db.base.UTCDateTime(timezone=True), nullable=True
        )


def downgrade() -> None:
    op.execute("DELETE FROM alert_deliveries WHERE status <> 'sent'")
    with op.batch_alter_table("alert_deliveries", schema=None) as batch_op:
        batch_op.alter_column(
            "delivered_at", existing_type=openmash.db.base.UTCDateTime(timezone=True), nullable=False
        )
        batch_op.drop_column("last_error")
        batch_op.drop_column("attempts")
        batch_op.drop_column("status")
