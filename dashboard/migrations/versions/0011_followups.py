"""follow-ups (tindak lanjut): followup and followup_step

Revision ID: 0011
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

from dashboard.store.schema import BigId, UtcDateTime

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "followup",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("subject_kind", sa.String(16), nullable=False),
        sa.Column("subject", sa.String(100), nullable=False),
        sa.Column("region_code", sa.String(20), nullable=True),
        sa.Column("alert_id", BigId, nullable=True),
        sa.Column("skpd_id", sa.String(50), nullable=False),
        sa.Column("request", sa.Text(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("priority", sa.String(8), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("opened_by", sa.String(100), nullable=False),
        sa.Column("opened_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.Column("closed_at", UtcDateTime(), nullable=True),
        sa.Column("back_on_target_at", UtcDateTime(), nullable=True),
    )
    op.create_index("ix_followup_subject", "followup", ["subject"])
    op.create_index("ix_followup_skpd_id", "followup", ["skpd_id"])
    op.create_index("ix_followup_status_due", "followup", ["status", "due_on"])
    op.create_table(
        "followup_step",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("followup_id", BigId, sa.ForeignKey("followup.id"), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("at", UtcDateTime(), nullable=False),
        sa.Column("attachment_name", sa.String(200), nullable=True),
        sa.Column("attachment_sha256", sa.String(64), nullable=True),
        sa.Column("attachment_size", sa.Integer(), nullable=True),
    )
    op.create_index("ix_followup_step_followup_id", "followup_step", ["followup_id"])
    # The weekly brief goes out through the notification outbox: rows without an alert.
    with op.batch_alter_table("alert_notification") as batch:
        batch.alter_column("alert_id", existing_type=BigId, nullable=True)
        batch.add_column(sa.Column("brief_week", sa.String(10), nullable=True))
        batch.add_column(sa.Column("lang", sa.String(2), nullable=True))
    op.create_index(
        "uq_alert_notification_brief",
        "alert_notification",
        ["brief_week", "channel", "target"],
        unique=True,
    )


def downgrade() -> None:
    op.drop_index("uq_alert_notification_brief", "alert_notification")
    op.execute("DELETE FROM alert_notification WHERE alert_id IS NULL")
    with op.batch_alter_table("alert_notification") as batch:
        batch.drop_column("lang")
        batch.drop_column("brief_week")
        batch.alter_column("alert_id", existing_type=BigId, nullable=False)
    op.drop_index("ix_followup_step_followup_id", "followup_step")
    op.drop_table("followup_step")
    op.drop_index("ix_followup_status_due", "followup")
    op.drop_index("ix_followup_skpd_id", "followup")
    op.drop_index("ix_followup_subject", "followup")
    op.drop_table("followup")
