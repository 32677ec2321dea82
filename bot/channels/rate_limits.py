"""Rate limits on the public webhooks: per client and per conversation.

Two limits (:mod:`bot.config`): ``CCE_RATE_LIMIT_CLIENT``, requests one client
(IP address) may send to the REST and widget webhooks, and
``CCE_RATE_LIMIT_CONVERSATION``, messages one conversation may send in any
channel. Beyond either, the request is refused with 429 and ``Retry-After``
(a Teams user, whose messages the Bot Connector delivers, is told in the chat).
Teams is not limited per client: all its messages come from Microsoft's
servers, authenticated.

Each limit is a generic cell rate algorithm: a key's next allowed time moves on
by ``seconds / count`` per request and may run up to ``seconds`` ahead, so up
to ``count`` requests pass in a burst and then one every ``seconds / count``.
One number per key, kept in this process (:class:`MemoryLimiter`) or, with
``CCE_REDIS_URL``, in Redis (:class:`RedisLimiter`: one Lua script, atomic, on
Redis's clock), so every instance counts together. Keys are SHA-256 digests of
the address or conversation id, never the values. If Redis cannot be reached
the request is let through (and logged): a limit must not take the service down.

(The ``limits`` package would do this, but every release needs
``packaging>=21``, which rasa 3.6 forbids.)
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import math
import time
import weakref
from collections.abc import Callable
from typing import Any, Protocol

from bot import bootstrap
from bot.config import RateLimit

logger = logging.getLogger(__name__)
CLIENT, CONVERSATION = "client", "conversation"
MAX_MEMORY_KEYS = 100_000  # past this, keys whose window has passed are dropped
REDIS_TIMEOUT = 0.5  # seconds per Redis call


class Limiter(Protocol):
    async def hit(self, key: str, rate: RateLimit) -> float:
        """Counts a request; 0 if it may go on, else the seconds until one may."""


class MemoryLimiter:
    """Per-process counts (one instance, one Sanic worker)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._next: dict[str, float] = {}  # key -> theoretical arrival time

    async def hit(self, key: str, rate: RateLimit) -> float:
        now = self._clock()
        interval = rate.seconds / rate.count
        arrival = max(self._next.get(key, now), now)
        allowed_at = arrival + interval - rate.seconds
        if now < allowed_at:
            return allowed_at - now
        self._next[key] = arrival + interval
        if len(self._next) > MAX_MEMORY_KEYS:
            self._next = {k: t for k, t in self._next.items() if t > now}
        return 0.0


# KEYS[1]: the key; ARGV: interval, period (seconds). Returns the wait as a string
# (Lua numbers would come back truncated to integers).
GCRA_SCRIPT = """
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
local interval = tonumber(ARGV[1])
local period = tonumber(ARGV[2])
local arrival = tonumber(redis.call('GET', KEYS[1]) or now)
if arrival < now then arrival = now end
local allowed_at = arrival + interval - period
if now < allowed_at then return tostring(allowed_at - now) end
local next_arrival = arrival + interval
redis.call('SET', KEYS[1], tostring(next_arrival), 'PX', math.ceil((next_arrival - now) * 1000) + 1)
return '0'
"""


class RedisLimiter:
    """Counts shared by every instance through Redis."""

    def __init__(self, url: str) -> None:
        import redis.asyncio as redis

        self._client = redis.Redis.from_url(
            url, socket_timeout=REDIS_TIMEOUT, socket_connect_timeout=REDIS_TIMEOUT
        )
        self._script = self._client.register_script(GCRA_SCRIPT)
        self._warned_at = 0.0

    async def hit(self, key: str, rate: RateLimit) -> float:
        try:
            wait = await self._script(
                keys=[f"cce:rate:{key}"], args=[rate.seconds / rate.count, rate.seconds]
            )
            return float(wait)
        except Exception as exc:  # noqa: BLE001 - any Redis failure lets the request through
            if time.monotonic() - self._warned_at > 60:
                self._warned_at = time.monotonic()
                logger.warning("Rate limits not applied: Redis failed (%s).", type(exc).__name__)
            return 0.0

    async def close(self) -> None:
        await self._client.close()


# One per event loop (a Redis client belongs to one); a closed loop's goes with it.
_limiters: weakref.WeakKeyDictionary[Any, Limiter] = weakref.WeakKeyDictionary()


def limiter() -> Limiter:
    loop = asyncio.get_running_loop()
    found = _limiters.get(loop)
    if found is None:
        url = bootstrap.app().settings.redis_url
        found = _limiters[loop] = RedisLimiter(url) if url else MemoryLimiter()
    return found


def digest(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8", "replace")).hexdigest()[:32]


async def retry_after(kind: str, key: str) -> float:
    """Counts one request of ``key`` (a client address or a conversation id)
    against its limit; 0 if it may go on, else the seconds to wait."""
    settings = bootstrap.app().settings
    rate = settings.rate_limit_client if kind == CLIENT else settings.rate_limit_conversation
    if not rate.on:
        return 0.0
    return await limiter().hit(f"{kind}:{digest(key)}", rate)


def whole_seconds(wait: float) -> int:
    """A ``Retry-After`` value: whole seconds, at least 1."""
    return max(1, math.ceil(wait))


def client_address(request: Any) -> str:
    """The client's address: the one the trusted proxies name (Sanic's
    ``remote_addr``, with ``PROXIES_COUNT`` set from ``CCE_TRUSTED_PROXIES``), or
    the connection's own."""
    return str(getattr(request, "remote_addr", "") or getattr(request, "ip", "") or "unknown")
