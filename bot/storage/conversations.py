"""Retention and erasure of conversations in the tracker store's ``events`` table
(Rasa's SQL tracker store schema: one row per event, keyed by ``sender_id``)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import column, delete, func, inspect, select, table
from sqlalchemy.engine import Connection

from bot.storage.repository import Transaction

events = table("events", column("sender_id"), column("timestamp"))


class ConversationRepository:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection
        self._exists = inspect(connection).has_table("events")

    def delete_inactive_since(self, cutoff: datetime) -> tuple[int, int]:
        """Deletes every conversation whose last event is before ``cutoff``;
        returns (conversations, events) deleted."""
        if not self._exists:
            return 0, 0
        stale = (
            select(events.c.sender_id)
            .group_by(events.c.sender_id)
            .having(func.max(events.c.timestamp) < cutoff.timestamp())
        )
        senders = [row[0] for row in self._connection.execute(stale)]
        deleted = 0
        for start in range(0, len(senders), 500):
            chunk = senders[start : start + 500]
            result = self._connection.execute(delete(events).where(events.c.sender_id.in_(chunk)))
            deleted += int(result.rowcount or 0)
        return len(senders), deleted

    def delete_conversation(self, sender_id: str) -> int:
        """Deletes every event of one conversation; returns how many."""
        if not self._exists:
            return 0
        result = self._connection.execute(delete(events).where(events.c.sender_id == sender_id))
        return int(result.rowcount or 0)


class TrackerUnitOfWork(Transaction):
    """The conversations (the tracker store's database), in one transaction."""

    def _open(self, connection: Connection) -> None:
        self.conversations = ConversationRepository(connection)
