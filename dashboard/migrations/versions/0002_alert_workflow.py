"""alert workflow: notification outbox, shift log, one open alert per (rule, subject)

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

from dashboard.store.schema import UtcDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "alert_notification",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("alert_id", BigId, nullable=False),
        sa.Column("event", sa.String(16), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("target", sa.String(100), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("next_attempt_at", UtcDateTime(), nullable=False),
        sa.Column("sent_at", UtcDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["alert_id"], ["alert.id"], name="fk_alert_notification_alert_id_alert"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_alert_notification"),
    )
    op.create_index("ix_alert_notification_alert_id", "alert_notification", ["alert_id"])
    op.create_index(
        "ix_alert_notification_status_next", "alert_notification", ["status", "next_attempt_at"]
    )
    op.create_table(
        "shift_note",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("author", sa.String(100), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("alert_id", BigId, nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_shift_note"),
    )
    op.create_index("ix_shift_note_created_at", "shift_note", ["created_at"])
    # De-duplication the store enforces: two evaluators racing cannot open the same alert twice.
    op.create_index(
        "uq_alert_open_rule_subject",
        "alert",
        ["rule_id", "subject"],
        unique=True,
        sqlite_where=sa.text("state <> 'resolved'"),
        postgresql_where=sa.text("state <> 'resolved'"),
    )


def downgrade() -> None:
    op.drop_index("uq_alert_open_rule_subject", table_name="alert")
    op.drop_index("ix_shift_note_created_at", table_name="shift_note")
    op.drop_table("shift_note")
    op.drop_index("ix_alert_notification_status_next", table_name="alert_notification")
    op.drop_index("ix_alert_notification_alert_id", table_name="alert_notification")
    op.drop_table("alert_notification")
