"""alert silences: an operator silences a rule (one subject or all) for a while

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

from dashboard.store.schema import UtcDateTime

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "alert_silence",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("rule_id", sa.String(100), nullable=False),
        sa.Column("subject", sa.String(200), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("starts_at", UtcDateTime(), nullable=False),
        sa.Column("ends_at", UtcDateTime(), nullable=False),
        sa.Column("lifted_at", UtcDateTime(), nullable=True),
        sa.Column("lifted_by", sa.String(100), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_alert_silence"),
    )
    op.create_index("ix_alert_silence_ends", "alert_silence", ["ends_at"])


def downgrade() -> None:
    op.drop_index("ix_alert_silence_ends", table_name="alert_silence")
    op.drop_table("alert_silence")
