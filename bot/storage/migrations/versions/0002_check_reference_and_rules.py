"""Add each check's reference code and the rules that applied, so that a summary
quoted in case notes can be traced to the advice it gave.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("check_records") as batch:
        batch.add_column(sa.Column("reference", sa.String(16), nullable=False, server_default=""))
        batch.add_column(sa.Column("rules", sa.Text, nullable=False, server_default="[]"))
    op.create_index("ix_check_records_reference", "check_records", ["reference"])


def downgrade() -> None:
    op.drop_index("ix_check_records_reference", "check_records")
    with op.batch_alter_table("check_records") as batch:
        batch.drop_column("rules")
        batch.drop_column("reference")
