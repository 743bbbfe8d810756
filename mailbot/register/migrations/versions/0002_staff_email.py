"""staff email: where an approver gets the daily due-soon alert

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 08:19:14.059925
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("staff", schema=None) as batch_op:
        batch_op.add_column(sa.Column("email", sa.String(), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("staff", schema=None) as batch_op:
        batch_op.drop_column("email")
