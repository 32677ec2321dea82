"""Activities already handled, so one that Teams sends again (it retries when it
thinks a bot was slow) is answered once.

Kept for ``TTL_SECONDS`` in Redis when ``CCE_REDIS_URL`` is set (so every
instance behind a load balancer knows what the others have seen), in memory
otherwise (one instance). If Redis fails, the instance falls back to memory and
says so in the log.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

logger = logging.getLogger(__name__)

TTL_SECONDS = 3600.0
MAX_REMEMBERED = 50_000
REDIS_PREFIX = "cce:teams:seen:"


def activity_key(conversation_id: str, activity_id: str) -> str:
    # Activity ids are unique within a conversation, not across conversations.
    return hashlib.sha256(f"{conversation_id}\n{activity_id}".encode()).hexdigest()[:40]


class SeenActivities:
    def __init__(
        self,
        redis_url: str = "",
        ttl: float = TTL_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.redis_url = redis_url
        self.ttl = ttl
        self._clock = clock
        self._memory: OrderedDict[str, float] = OrderedDict()
        self._redis: Any = None

    def _client(self) -> Any:
        if self._redis is None:
            import redis.asyncio as redis  # only when configured

            self._redis = redis.from_url(self.redis_url, socket_timeout=2, socket_connect_timeout=2)
        return self._redis

    def _first_time_in_memory(self, key: str) -> bool:
        now = self._clock()
        while self._memory and next(iter(self._memory.values())) <= now:
            self._memory.popitem(last=False)  # expired (insertion order = expiry order)
        if key in self._memory:
            return False
        self._memory[key] = now + self.ttl
        while len(self._memory) > MAX_REMEMBERED:
            self._memory.popitem(last=False)
        return True

    async def first_time(self, conversation_id: str, activity_id: str) -> bool:
        """True the first time this activity is seen (and remembers it), else False."""
        key = activity_key(conversation_id, activity_id)
        if self.redis_url:
            try:
                added = await self._client().set(
                    REDIS_PREFIX + key, b"1", nx=True, ex=max(1, int(self.ttl))
                )
                return bool(added)
            except Exception as error:  # noqa: BLE001 - any Redis failure: fall back
                logger.warning(
                    "Redis unavailable for Teams retry detection (%s); this instance "
                    "remembers activities itself until it is back.",
                    type(error).__name__,
                )
        return self._first_time_in_memory(key)
