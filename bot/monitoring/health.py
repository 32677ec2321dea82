"""Liveness and readiness, for a load balancer or an orchestrator's probes.

- ``GET /health/live``: the process answers requests (200). Nothing else is
  checked, so a database outage never gets a healthy process restarted.
- ``GET /health/ready``: this instance can hold a conversation: its model is
  loaded, the conversations database and the records database answer, and so
  do Redis (when ``CCE_REDIS_URL`` is set) and the action server (when the
  actions run in one). 200 when all do, 503 otherwise; the body names each
  check and, for one that failed, the kind of error only (never a URL, a
  password or anything of a conversation).

Each check has ``CHECK_TIMEOUT`` seconds, and they run side by side, so a probe
is answered within about that time even when a server hangs.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from bot import bootstrap

CHECK_TIMEOUT = 2.0  # seconds for each check
OK = "ok"
Check = Callable[[], Awaitable[str]]  # OK, or what is wrong in a few words


def _failure(error: BaseException) -> str:
    return f"unavailable ({type(error).__name__})"


async def _in_thread(probe: Callable[[], bool], failed: str) -> str:
    """Runs a blocking probe (a database driver) off the event loop."""
    loop = asyncio.get_running_loop()
    return OK if await loop.run_in_executor(None, probe) else failed


def model_check(app: Any) -> Check:
    async def check() -> str:
        agent = getattr(getattr(app, "ctx", None), "agent", None)
        if agent is None or not agent.is_ready():
            return "not loaded"
        return OK

    return check


def conversations_check(app: Any) -> Check:
    async def check() -> str:
        from bot.storage.tracker_store import tracker_store_in

        store = tracker_store_in(getattr(app, "ctx", None))
        if store is None:
            return "not loaded"
        return await _in_thread(store.available, "unavailable")

    return check


def _records_answer() -> bool:
    from sqlalchemy import text

    from bot.storage.database import get_engine

    with get_engine(bootstrap.app().settings.effective_database_url).connect() as connection:
        connection.execute(text("SELECT 1"))
    return True


async def records_check() -> str:
    return await _in_thread(_records_answer, "unavailable")


async def redis_check() -> str:
    import redis.asyncio as redis

    client = redis.from_url(bootstrap.app().settings.redis_url, socket_timeout=CHECK_TIMEOUT,
                            socket_connect_timeout=CHECK_TIMEOUT)  # fmt: skip
    try:
        await client.ping()
    finally:
        await client.close()
    return OK


def action_server_health_url(action_server_url: str) -> str:
    """rasa-sdk's ``/health`` beside the ``/webhook`` the Rasa server calls."""
    base = action_server_url.rstrip("/")
    if base.endswith("/webhook"):
        base = base[: -len("/webhook")]
    return f"{base}/health"


async def action_server_check() -> str:
    import aiohttp

    url = action_server_health_url(bootstrap.app().settings.action_server_url)
    timeout = aiohttp.ClientTimeout(total=CHECK_TIMEOUT)
    async with aiohttp.ClientSession(timeout=timeout) as session, session.get(url) as answer:
        return OK if answer.status == 200 else f"unavailable (status {answer.status})"


def checks_for(app: Any) -> dict[str, Check]:
    """What readiness means for this server, from its settings."""
    settings = bootstrap.app().settings
    checks: dict[str, Check] = {
        "model": model_check(app),
        "conversations_database": conversations_check(app),
        "records_database": records_check,
    }
    if settings.redis_url:
        checks["redis"] = redis_check
    if not settings.actions_in_process:
        checks["action_server"] = action_server_check
    return checks


async def _bounded(check: Check, timeout: float) -> str:
    try:
        return await asyncio.wait_for(check(), timeout)
    except asyncio.TimeoutError:
        return f"no answer within {timeout:g} s"
    except Exception as error:  # noqa: BLE001 - any failure is a reason not to be ready
        return _failure(error)


async def readiness(
    checks: dict[str, Check], timeout: float = CHECK_TIMEOUT
) -> tuple[bool, dict[str, Any]]:
    """(ready, the JSON body): every check run side by side, each within ``timeout``."""
    results = await asyncio.gather(*(_bounded(check, timeout) for check in checks.values()))
    report = dict(zip(checks, results, strict=True))
    ready = all(result == OK for result in results)
    body: dict[str, Any] = {"status": "ready" if ready else "not ready", "checks": report}
    return ready, body
