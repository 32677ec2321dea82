"""The trackers a Rasa server process has just saved, so that the next turn of a
conversation does not rebuild its tracker from every stored event.

Rebuilding costs time in proportion to the conversation's length (reading and
deserialising every event since the session started): half of the time of turn
200 of a conversation went there. The tracker store
(:mod:`bot.storage.tracker_store`) keeps the tracker it saved here with the
*head* of the stored conversation (the last event's row id and the number of
rows); the next turn reuses it only if the database's head is still the same,
and otherwise reads just the rows added since (another instance may have
handled a turn) or, when anything else changed (erasure, retention), the whole
conversation again. The database stays the only source of truth.

An entry is *taken* (removed) when a turn starts and put back when the turn is
saved, so a turn that fails or times out before saving never leaves a half-done
tracker behind.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import NamedTuple

from rasa.shared.core.trackers import DialogueStateTracker


class Head(NamedTuple):
    """The last stored row id of a conversation and how many rows it has."""

    last_id: int
    rows: int


class TurnCache:
    """At most ``capacity`` trackers, least recently used dropped first."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self._entries: OrderedDict[str, DialogueStateTracker] = OrderedDict()

    def take(self, sender_id: str) -> DialogueStateTracker | None:
        return self._entries.pop(sender_id, None)

    def put(self, sender_id: str, tracker: DialogueStateTracker) -> None:
        if self.capacity <= 0:
            return
        self._entries[sender_id] = tracker
        self._entries.move_to_end(sender_id)
        while len(self._entries) > self.capacity:
            self._entries.popitem(last=False)

    def discard(self, sender_id: str) -> None:
        self._entries.pop(sender_id, None)

    def __len__(self) -> int:
        return len(self._entries)
