"""The cards with buttons the bot sent, so that once one of its buttons is
clicked the card can be replaced by one without buttons (a second click on an
old question would otherwise answer whatever the check asks by then).

A click arrives with ``replyToId``, the id the Bot Connector gave the card; the
card's text lines and its buttons' titles are kept under that id (with a hash of
the user it was sent to: in a group chat, another person's click on it answers
in their own conversation and leaves the card alone). They are the bot's own
words, never a user's. The first click on a card claims it; a second one (a
double click, or a click Teams sent before the card was updated) is ignored.
Kept for ``TTL_SECONDS`` in Redis when ``CCE_REDIS_URL`` is set (a click may
reach another instance), in memory otherwise; a card no longer known keeps its
buttons, and a click on it works as before.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

logger = logging.getLogger(__name__)

TTL_SECONDS = 24 * 3600.0
MAX_REMEMBERED = 5000
REDIS_PREFIX = "cce:teams:card:"
REDIS_CLAIMED = "cce:teams:card-claimed:"
FIRST, AGAIN, UNKNOWN = "first", "again", "unknown"  # what a click on a card is


@dataclass(frozen=True)
class SentCard:
    """What a card showed: its text lines, and its buttons' titles by payload."""

    lines: tuple[str, ...]
    titles: dict[str, str]

    def to_json(self, user: str) -> str:
        return json.dumps({"user": user, "lines": list(self.lines), "titles": self.titles})

    @classmethod
    def from_json(cls, raw: str | bytes) -> tuple[str, SentCard]:
        data = json.loads(raw)
        return str(data["user"]), cls(tuple(data["lines"]), dict(data["titles"]))


def _digest(*parts: str) -> str:
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:40]


class SentCards:
    def __init__(
        self,
        redis_url: str = "",
        ttl: float = TTL_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.redis_url = redis_url
        self.ttl = ttl
        self._clock = clock
        # key -> (expiry, the card as JSON, claimed)
        self._memory: OrderedDict[str, tuple[float, str, bool]] = OrderedDict()
        self._redis: Any = None

    def _client(self) -> Any:
        if self._redis is None:
            import redis.asyncio as redis  # only when configured

            self._redis = redis.from_url(self.redis_url, socket_timeout=2, socket_connect_timeout=2)
        return self._redis

    def _expire(self) -> None:
        now = self._clock()
        while self._memory and next(iter(self._memory.values()))[0] <= now:
            self._memory.popitem(last=False)  # insertion order = expiry order

    def _redis_failed(self, error: Exception) -> None:
        logger.warning(
            "Redis unavailable for the Teams cards' buttons (%s); this instance keeps "
            "its own cards until it is back.",
            type(error).__name__,
        )

    async def remember(
        self, conversation_id: str, activity_id: str, user_id: str, card: SentCard
    ) -> None:
        key = _digest(conversation_id, activity_id)
        value = card.to_json(_digest(user_id))
        if self.redis_url:
            try:
                await self._client().set(REDIS_PREFIX + key, value, ex=max(1, int(self.ttl)))
                return
            except Exception as error:  # noqa: BLE001 - any Redis failure: fall back
                self._redis_failed(error)
        self._expire()
        self._memory[key] = (self._clock() + self.ttl, value, False)
        while len(self._memory) > MAX_REMEMBERED:
            self._memory.popitem(last=False)

    async def claim(
        self, conversation_id: str, activity_id: str, user_id: str
    ) -> tuple[str, SentCard | None]:
        """What a click by ``user_id`` on the card ``activity_id`` is: (FIRST, the
        card) the first time, (AGAIN, None) after that, (UNKNOWN, None) for a card
        not known here or sent to someone else."""
        key = _digest(conversation_id, activity_id)
        if self.redis_url:
            try:
                return await self._claim_in_redis(key, user_id)
            except Exception as error:  # noqa: BLE001
                self._redis_failed(error)
        self._expire()
        kept = self._memory.get(key)
        if kept is None:
            return UNKNOWN, None
        expiry, raw, claimed = kept
        user, card = SentCard.from_json(raw)
        if user != _digest(user_id):
            return UNKNOWN, None
        if claimed:
            return AGAIN, None
        self._memory[key] = (expiry, raw, True)
        return FIRST, card

    async def _claim_in_redis(self, key: str, user_id: str) -> tuple[str, SentCard | None]:
        client = self._client()
        raw = await client.get(REDIS_PREFIX + key)
        if raw is None:
            return UNKNOWN, None
        user, card = SentCard.from_json(raw)
        if user != _digest(user_id):
            return UNKNOWN, None
        first = await client.set(REDIS_CLAIMED + key, b"1", nx=True, ex=max(1, int(self.ttl)))
        return (FIRST, card) if first else (AGAIN, None)
