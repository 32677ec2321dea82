"""The conversation lock store: Redis when ``CCE_REDIS_URL`` is set (several Rasa
instances sharing one tracker store must lock conversations across processes),
in memory otherwise (one instance, the embedded default)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlparse

from rasa.core.lock_store import InMemoryLockStore, LockStore, RedisLockStore

from bot import bootstrap


class ConfiguredLockStore:
    """Factory Rasa calls from ``endpoints.yml``; returns the lock store to use."""

    def __new__(cls, endpoint_config: Any = None, **kwargs: Any) -> LockStore:
        settings = bootstrap.app().settings
        url = settings.redis_url
        if not url:
            if settings.workers > 1:
                raise ValueError(
                    f"CCE_WORKERS={settings.workers} but CCE_REDIS_URL is not set: in-memory "
                    "locks cannot keep several processes from handling one conversation "
                    "at once. Set CCE_REDIS_URL or CCE_WORKERS=1."
                )
            return InMemoryLockStore()
        parsed = urlparse(url)
        return RedisLockStore(
            host=parsed.hostname or "localhost",
            port=parsed.port or 6379,
            db=int(parsed.path.lstrip("/") or 1),
            username=parsed.username,
            password=parsed.password,
            use_ssl=parsed.scheme == "rediss",
            key_prefix="cce",
        )
