"""alert.clear_since: an alert whose condition has cleared waits resolve_after_seconds before it resolves

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

from dashboard.store.schema import UtcDateTime

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("alert") as batch:
        batch.add_column(sa.Column("clear_since", UtcDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("alert") as batch:
        batch.drop_column("clear_since")
