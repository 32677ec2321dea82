"""Add answer_records: each guidance answer's topic, route and confidence, the
question as stored (redacted) and the practitioner's feedback, for the content
gaps report.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "answer_records",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("answer_id", sa.String(32), nullable=False, unique=True),
        sa.Column("created_at", sa.DateTime(timezone=False), nullable=False),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("sender_hash", sa.String(64), nullable=False),
        sa.Column("topic", sa.String(64), nullable=False),
        sa.Column("route", sa.String(16), nullable=False),
        sa.Column("confidence", sa.Float, nullable=False),
        sa.Column("question", sa.Text, nullable=False),
        sa.Column("helpful", sa.Boolean, nullable=True),
        sa.Column("reason", sa.String(32), nullable=True),
    )
    op.create_index("ix_answer_records_created_at", "answer_records", ["created_at"])
    op.create_index("ix_answer_records_sender_hash", "answer_records", ["sender_hash"])
    op.create_index("ix_answer_records_topic", "answer_records", ["topic"])


def downgrade() -> None:
    op.drop_table("answer_records")
