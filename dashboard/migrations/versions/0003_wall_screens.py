"""wall screens: commands an admin sends to a wall browser (reload), collected by its heartbeat

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

from dashboard.store.schema import UtcDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "wall_command",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("screen_id", sa.String(100), nullable=False),
        sa.Column("command", sa.String(16), nullable=False),
        sa.Column("requested_by", sa.String(100), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("delivered_at", UtcDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_wall_command"),
    )
    op.create_index(
        "ix_wall_command_screen_delivered", "wall_command", ["screen_id", "delivered_at"]
    )


def downgrade() -> None:
    op.drop_index("ix_wall_command_screen_delivered", table_name="wall_command")
    op.drop_table("wall_command")
