"""The webhooks' rate limits (bot/channels/rate_limits.py): the cell rate
algorithm on a fake clock, the same counts shared through Redis, and their settings."""

from __future__ import annotations

import asyncio
import os
import uuid

import pytest

from bot import bootstrap
from bot.channels import rate_limits
from bot.channels.rate_limits import MemoryLimiter, RedisLimiter, whole_seconds
from bot.config import RateLimit, parse_rate

REDIS_URL = os.environ.get("CCE_TEST_REDIS_URL_RATE", "redis://127.0.0.1:6379/10")


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def hits(limiter, key: str, rate: RateLimit, times: int) -> list[float]:  # type: ignore[no-untyped-def]
    async def run() -> list[float]:
        return [await limiter.hit(key, rate) for _ in range(times)]

    return asyncio.run(run())


def test_a_burst_of_count_passes_then_one_per_interval():
    clock = Clock()
    limiter = MemoryLimiter(clock)
    rate = RateLimit(3, 60.0)  # three a minute: one every 20 s after a burst of three
    assert hits(limiter, "a", rate, 4) == [0.0, 0.0, 0.0, pytest.approx(20.0)]
    clock.now += 19.0
    assert hits(limiter, "a", rate, 1)[0] == pytest.approx(1.0)
    clock.now += 1.0
    assert hits(limiter, "a", rate, 2) == [0.0, pytest.approx(20.0)]
    assert hits(limiter, "b", rate, 1) == [0.0]  # each key counts alone
    clock.now += 60.0
    assert hits(limiter, "a", rate, 3) == [0.0, 0.0, 0.0]  # a quiet minute refills the burst


def redis_or_skip() -> RedisLimiter:
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError as exc:
        pytest.skip(f"Redis not reachable at {REDIS_URL} ({type(exc).__name__})")
    return RedisLimiter(REDIS_URL)


def test_instances_sharing_redis_count_together():
    key = f"test-{uuid.uuid4().hex}"
    rate = RateLimit(3, 60.0)

    async def run() -> list[float]:
        one, two = redis_or_skip(), redis_or_skip()  # two instances of the server
        try:
            return [await limiter.hit(key, rate) for limiter in (one, two, one, two)]
        finally:
            await one.close()
            await two.close()

    waits = asyncio.run(run())
    assert waits[:3] == [0.0, 0.0, 0.0]
    assert 19.0 < waits[3] <= 20.0


def test_a_redis_that_cannot_be_reached_lets_requests_through(caplog):
    async def run() -> float:
        limiter = RedisLimiter("redis://127.0.0.1:1/0")  # nothing listens there
        try:
            return await limiter.hit("k", RateLimit(1, 60.0))
        finally:
            await limiter.close()

    assert asyncio.run(run()) == 0.0
    assert "Rate limits not applied" in caplog.text


def test_keys_are_digests_never_the_address_or_conversation(monkeypatch):
    seen: list[str] = []

    class Recording:
        async def hit(self, key: str, rate: RateLimit) -> float:
            seen.append(key)
            return 0.0

    monkeypatch.setattr(rate_limits, "limiter", lambda: Recording())
    monkeypatch.setenv("CCE_RATE_LIMIT_CLIENT", "5/minute")
    bootstrap.reset()
    asyncio.run(rate_limits.retry_after(rate_limits.CLIENT, "192.0.2.10"))
    bootstrap.reset()
    assert len(seen) == 1 and "192.0.2.10" not in seen[0]


def test_a_limit_set_off_counts_nothing(monkeypatch):
    monkeypatch.setenv("CCE_RATE_LIMIT_CONVERSATION", "off")
    bootstrap.reset()
    waits = asyncio.run(_many(rate_limits.CONVERSATION, "busy", 100))
    bootstrap.reset()
    assert set(waits) == {0.0}


async def _many(kind: str, key: str, times: int) -> list[float]:
    return [await rate_limits.retry_after(kind, key) for _ in range(times)]


def test_retry_after_is_whole_seconds_at_least_one():
    assert [whole_seconds(w) for w in (0.01, 1.0, 1.2, 19.99)] == [1, 1, 2, 20]


@pytest.mark.parametrize(
    ("text", "rate"),
    [
        ("30/minute", RateLimit(30, 60.0)),
        (" 5 / second ", RateLimit(5, 1.0)),
        ("1000/hour", RateLimit(1000, 3600.0)),
        ("off", RateLimit(0, 60.0)),
        ("0", RateLimit(0, 60.0)),
    ],
)
def test_rates_are_read_from_the_settings(text, rate):
    assert parse_rate("CCE_RATE_LIMIT_CLIENT", text) == rate


@pytest.mark.parametrize("text", ["30", "30/min", "-1/minute", "x/second", "1.5/minute"])
def test_a_rate_that_cannot_be_read_is_refused_with_the_way_to_write_it(text):
    with pytest.raises(ValueError, match="write e.g. '30/minute'"):
        parse_rate("CCE_RATE_LIMIT_CLIENT", text)
