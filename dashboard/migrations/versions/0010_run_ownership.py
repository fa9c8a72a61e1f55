"""Run ownership: scheduler instances with leases, per-source lease rows, run owner/deadline

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "scheduler_instance",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("host", sa.String(255), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("renewed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("stopped_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_table(
        "source_lease",
        sa.Column("source_id", sa.String(64), primary_key=True),
        sa.Column("owner_id", sa.String(40), nullable=False),
        sa.Column("token", sa.String(80), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    )
    with op.batch_alter_table("collection_run") as batch:
        batch.add_column(sa.Column("owner_id", sa.String(40), nullable=True))
        batch.add_column(sa.Column("deadline_at", sa.DateTime(timezone=True), nullable=True))
        batch.create_index("ix_collection_run_status", ["status"])


def downgrade() -> None:
    with op.batch_alter_table("collection_run") as batch:
        batch.drop_index("ix_collection_run_status")
        batch.drop_column("deadline_at")
        batch.drop_column("owner_id")
    op.drop_table("source_lease")
    op.drop_table("scheduler_instance")
