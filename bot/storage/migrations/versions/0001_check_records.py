"""Create check_records.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "check_records",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("created_at", sa.DateTime(timezone=False), nullable=False),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("outcome", sa.String(40), nullable=False),
        sa.Column("nrm_referral", sa.Boolean, nullable=False),
        sa.Column("indicators", sa.Text, nullable=False),
        sa.Column("vulnerabilities", sa.Text, nullable=False),
        sa.Column("answers", sa.Text, nullable=False),
        sa.Column("sender_hash", sa.String(64), nullable=False),
    )
    op.create_index("ix_check_records_created_at", "check_records", ["created_at"])
    op.create_index("ix_check_records_outcome", "check_records", ["outcome"])
    op.create_index("ix_check_records_sender_hash", "check_records", ["sender_hash"])


def downgrade() -> None:
    op.drop_table("check_records")
