"""collection_run: events read and stored by a run, and the file a drop or upload run read

Revision ID: 0009
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("collection_run") as batch:
        batch.add_column(
            sa.Column("events_accepted", sa.Integer(), nullable=False, server_default="0")
        )
        batch.add_column(
            sa.Column("events_changed", sa.Integer(), nullable=False, server_default="0")
        )
        batch.add_column(sa.Column("file_name", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("collection_run") as batch:
        batch.drop_column("file_name")
        batch.drop_column("events_changed")
        batch.drop_column("events_accepted")
