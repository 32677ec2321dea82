"""`python -m bot serve`: the processes it starts and the settings it refuses."""

from __future__ import annotations

import pytest

from bot.cli import serve
from bot.config import get_settings


@pytest.fixture
def settings(monkeypatch):
    def configure(**env: str):
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        get_settings.cache_clear()
        return get_settings()

    yield configure
    get_settings.cache_clear()


def test_several_workers_need_redis(settings, monkeypatch):
    monkeypatch.delenv("CCE_REDIS_URL", raising=False)
    settings(CCE_WORKERS="2")
    with pytest.raises(SystemExit, match="CCE_REDIS_URL"):
        serve.child_environment()


def test_workers_reach_rasa_as_sanic_workers(settings):
    settings(CCE_WORKERS="2", CCE_REDIS_URL="redis://127.0.0.1:6379/1")
    assert serve.child_environment()["SANIC_WORKERS"] == "2"


def test_one_worker_by_default(settings, monkeypatch):
    monkeypatch.delenv("CCE_WORKERS", raising=False)
    settings()
    assert serve.child_environment()["SANIC_WORKERS"] == "1"


def test_the_lock_store_refuses_in_memory_locks_for_several_workers(settings, monkeypatch):
    from bot.storage.lock_store import ConfiguredLockStore

    monkeypatch.delenv("CCE_REDIS_URL", raising=False)
    settings(CCE_WORKERS="3")
    with pytest.raises(ValueError, match="CCE_REDIS_URL"):
        ConfiguredLockStore()


def test_servers_start_through_our_launchers():
    assert "bot.server.actions_run" in serve.actions_command(5055)
    assert "bot.server.rasa_run" in serve.rasa_command(5005, serve.PROJECT_ROOT / "m.tar.gz")


@pytest.mark.parametrize("timeout", ["0", "60", "120", "-1"])
def test_a_turn_timeout_the_web_server_would_cut_is_refused(settings, timeout):
    with pytest.raises(ValueError, match="CCE_TURN_TIMEOUT"):
        settings(CCE_TURN_TIMEOUT=timeout)


def test_rasas_own_workers_variable_is_held_to_the_same_rule(settings, monkeypatch):
    from bot.storage.lock_store import ConfiguredLockStore

    monkeypatch.delenv("CCE_REDIS_URL", raising=False)
    monkeypatch.delenv("CCE_WORKERS", raising=False)
    settings(SANIC_WORKERS="2")
    with pytest.raises(ValueError, match="CCE_REDIS_URL"):
        ConfiguredLockStore()


def test_actions_run_in_the_rasa_server_by_default(settings, monkeypatch):
    monkeypatch.delenv("CCE_ACTIONS", raising=False)
    assert settings().actions_in_process
    assert serve.child_environment()["CCE_ACTIONS"] == "in-process"
    started = []
    monkeypatch.setattr(serve.subprocess, "Popen", lambda command, **_: started.append(command))
    serve.start(5005, 5055, serve.PROJECT_ROOT / "m.tar.gz")
    assert [command[2] for command in started] == ["bot.server.rasa_run"]


def test_a_separate_action_server_on_request(settings, monkeypatch):
    settings(CCE_ACTIONS="server")
    started = []
    monkeypatch.setattr(serve.subprocess, "Popen", lambda command, **_: started.append(command))
    serve.start(5005, 5055, serve.PROJECT_ROOT / "m.tar.gz")
    assert [command[2] for command in started] == ["bot.server.actions_run", "bot.server.rasa_run"]
    # a Rasa server started alone (scale-out) always uses the action server
    assert serve.child_environment("server")["CCE_ACTIONS"] == "server"


def test_an_unknown_place_for_the_actions_is_refused(settings):
    with pytest.raises(ValueError, match="CCE_ACTIONS='elsewhere' is not known"):
        settings(CCE_ACTIONS="elsewhere")


def test_each_server_counts_in_an_emptied_folder_of_its_own(settings, monkeypatch, tmp_path):
    settings(CCE_METRICS_DIR=str(tmp_path), CCE_ACTIONS="server")
    stale = tmp_path / "serve-5005" / "counter_123.db"
    stale.parent.mkdir()
    stale.write_bytes(b"counts of the last run")
    started = []
    monkeypatch.setattr(serve.subprocess, "Popen", lambda command, **kw: started.append(kw["env"]))
    serve.start(5005, 5055, tmp_path / "model.tar.gz")
    # The action server and the Rasa server count in one folder, so the Rasa
    # server's /metrics shows the outcomes counted where the actions run.
    assert [env["PROMETHEUS_MULTIPROC_DIR"] for env in started] == [str(stale.parent)] * 2
    assert not stale.exists()


@pytest.mark.parametrize("key", ["short-key", "cluster-test-secret", "a" * 31])
def test_a_configured_secret_key_shorter_than_the_minimum_is_refused(settings, key):
    with pytest.raises(ValueError, match="CCE_SECRET_KEY is .* at least 32") as refused:
        settings(CCE_SECRET_KEY=key)
    assert key not in str(refused.value).replace("CCE_SECRET_KEY", "")  # never echoed


def test_a_long_secret_key_or_none_is_accepted(settings, monkeypatch):
    assert settings(CCE_SECRET_KEY="k" * 32).secret_key == "k" * 32
    monkeypatch.delenv("CCE_SECRET_KEY")
    assert settings().secret_key == ""
