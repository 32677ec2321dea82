"""SQLAlchemy table definitions. Only what a partnership needs to see patterns:
no free text, no names, and the sender id only as a keyed hash."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, DateTime, Float, Integer, MetaData, String, Table, Text

metadata = MetaData()

check_records = Table(
    "check_records",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("created_at", DateTime(timezone=False), nullable=False, index=True),  # UTC
    Column("channel", String(32), nullable=False),
    Column("outcome", String(40), nullable=False, index=True),
    Column("nrm_referral", Boolean, nullable=False),
    Column("indicators", Text, nullable=False),  # JSON list of catalogue ids
    Column("vulnerabilities", Text, nullable=False),  # JSON list of catalogue ids
    Column("answers", Text, nullable=False),  # JSON object question -> yes/no/unknown
    Column("sender_hash", String(64), nullable=False, index=True),  # HMAC-SHA256, hex
    # The summary's random reference code (quoted in case notes) and the rules that
    # applied: a check can be traced to its advice, not to a person.
    Column("reference", String(16), nullable=False, server_default="", index=True),
    Column("rules", Text, nullable=False, server_default="[]"),  # JSON list of rule ids
)

# Each guidance answer given: what was answered and how surely, the question as
# stored (redacted), and the practitioner's feedback if any. For the guidance
# owner's content-gap report (`python -m bot report`), never about a person.
answer_records = Table(
    "answer_records",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("answer_id", String(32), nullable=False, unique=True),  # random, sent with the answer
    Column("created_at", DateTime(timezone=False), nullable=False, index=True),  # UTC
    Column("channel", String(32), nullable=False),
    Column("sender_hash", String(64), nullable=False, index=True),  # as for check records
    Column("topic", String(64), nullable=False, index=True),  # answered, or best offered
    # classifier | question | follow_up | search | clarify
    Column("route", String(16), nullable=False),
    Column("confidence", Float, nullable=False),
    Column("question", Text, nullable=False),  # the question, redacted as stored
    Column("helpful", Boolean, nullable=True),  # the practitioner's feedback; null: none
    Column("reason", String(32), nullable=True),  # with "not helpful": one of a short list
)
