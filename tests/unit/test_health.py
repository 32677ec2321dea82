"""Readiness without a server: which checks run for which settings, each bounded
in time, and a report that names the failing check and the kind of error only."""

from __future__ import annotations

import asyncio
import json
from types import SimpleNamespace

import pytest

from bot import bootstrap
from bot.monitoring import health
from tests.integration.live import free_port

PASSWORD = "s3cret-password"


@pytest.fixture
def settings(monkeypatch):
    def configure(**env: str):
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        bootstrap.reset()
        return bootstrap.app().settings

    yield configure
    bootstrap.reset()


async def ok() -> str:
    return health.OK


async def hangs() -> str:
    await asyncio.sleep(60)
    return health.OK


async def breaks() -> str:
    raise ConnectionRefusedError(f"postgresql://user:{PASSWORD}@db/cce")


def test_ready_when_every_check_is():
    ready, body = asyncio.run(health.readiness({"a": ok, "b": ok}))
    assert ready and body == {"status": "ready", "checks": {"a": "ok", "b": "ok"}}


def test_a_failing_or_hanging_check_is_named_without_its_details():
    ready, body = asyncio.run(health.readiness({"a": ok, "b": breaks, "c": hangs}, timeout=0.2))
    assert not ready and body["status"] == "not ready"
    assert body["checks"] == {
        "a": "ok",
        "b": "unavailable (ConnectionRefusedError)",
        "c": "no answer within 0.2 s",
    }
    assert PASSWORD not in json.dumps(body)


def test_the_checks_follow_the_settings(settings):
    settings(CCE_ACTIONS="in-process")
    assert list(health.checks_for(None)) == ["model", "conversations_database", "records_database"]
    settings(CCE_REDIS_URL="redis://127.0.0.1:6379/13", CCE_ACTIONS="server")
    assert list(health.checks_for(None))[-2:] == ["redis", "action_server"]


def test_the_model_is_ready_once_rasa_has_loaded_its_agent():
    check = health.model_check(SimpleNamespace(ctx=SimpleNamespace()))
    assert asyncio.run(check()) == "not loaded"
    loading = SimpleNamespace(ctx=SimpleNamespace(agent=SimpleNamespace(is_ready=lambda: False)))
    assert asyncio.run(health.model_check(loading)()) == "not loaded"
    loaded = SimpleNamespace(ctx=SimpleNamespace(agent=SimpleNamespace(is_ready=lambda: True)))
    assert asyncio.run(health.model_check(loaded)()) == "ok"


def test_services_that_are_not_there_make_it_not_ready(settings, tmp_path):
    closed = free_port()  # nothing listens there
    settings(
        CCE_DATABASE_URL=f"postgresql://user:{PASSWORD}@127.0.0.1:{closed}/cce",
        CCE_REDIS_URL=f"redis://:{PASSWORD}@127.0.0.1:{closed}/13",
        CCE_ACTIONS="server",
        CCE_ACTION_SERVER_URL=f"http://127.0.0.1:{closed}/webhook",
    )
    checks = health.checks_for(None)
    ready, body = asyncio.run(health.readiness(checks))
    assert not ready
    assert body["checks"]["model"] == "not loaded"
    for name in ("records_database", "redis", "action_server"):
        assert body["checks"][name].startswith("unavailable ("), (name, body)
    assert PASSWORD not in json.dumps(body) and str(closed) not in json.dumps(body)


def test_the_records_database_and_redis_answer_when_they_are_there(settings, tmp_path):
    redis = pytest.importorskip("redis")
    url = "redis://127.0.0.1:6379/13"
    try:
        redis.Redis.from_url(url, socket_timeout=2).ping()
    except Exception as exc:  # noqa: BLE001
        pytest.skip(f"Redis not reachable at {url} ({type(exc).__name__})")
    settings(CCE_DATABASE_URL=f"sqlite:///{tmp_path / 'cce.db'}", CCE_REDIS_URL=url)
    assert asyncio.run(health.records_check()) == "ok"
    assert asyncio.run(health.redis_check()) == "ok"


def test_the_action_servers_health_is_beside_its_webhook():
    url = health.action_server_health_url("http://actions:5055/webhook")
    assert url == "http://actions:5055/health"
    assert health.action_server_health_url("http://actions:5055/") == "http://actions:5055/health"
