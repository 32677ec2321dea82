"""`python -m bot serve`: the processes it starts and the settings it refuses."""

from __future__ import annotations

import pytest

from bot import bootstrap
from bot.cli import serve


@pytest.fixture
def settings(monkeypatch):
    def configure(**env: str):
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        bootstrap.reset()
        return bootstrap.app().settings

    yield configure
    bootstrap.reset()


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
    assert "bot.entrypoints.actions_run" in serve.actions_command(5055)
    assert "bot.entrypoints.rasa_run" in serve.rasa_command(5005, serve.PROJECT_ROOT / "m.tar.gz")


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
    assert [command[2] for command in started] == ["bot.entrypoints.rasa_run"]


def test_a_separate_action_server_on_request(settings, monkeypatch):
    settings(CCE_ACTIONS="server")
    started = []
    monkeypatch.setattr(serve.subprocess, "Popen", lambda command, **_: started.append(command))
    serve.start(5005, 5055, serve.PROJECT_ROOT / "m.tar.gz")
    assert [command[2] for command in started] == [
        "bot.entrypoints.actions_run",
        "bot.entrypoints.rasa_run",
    ]
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


MODEL = serve.PROJECT_ROOT / "m.tar.gz"


def test_the_servers_listen_on_this_machine_only_by_default(settings, monkeypatch):
    monkeypatch.delenv("CCE_HOST", raising=False)
    settings()
    command = serve.rasa_command(5005, MODEL)
    assert command[command.index("--interface") + 1] == "127.0.0.1"
    assert serve.child_environment()["SANIC_HOST"] == "127.0.0.1"  # rasa-sdk's action server


def test_cce_host_is_honoured(settings):
    settings(CCE_HOST="0.0.0.0")  # in a container, behind the reverse proxy
    command = serve.rasa_command(5005, MODEL)
    assert command[command.index("--interface") + 1] == "0.0.0.0"
    assert serve.child_environment()["SANIC_HOST"] == "0.0.0.0"
    assert serve.local_url("0.0.0.0", 5005) == "http://127.0.0.1:5005"
    assert serve.local_url("::1", 5005) == "http://[::1]:5005"


def test_the_api_token_is_never_on_a_command_line(settings):
    token = "api-token-0123456789abcdef"
    settings(CCE_ENABLE_API="1", CCE_API_TOKEN=token)
    command = " ".join(serve.rasa_command(5005, MODEL))
    assert "--enable-api" in command
    assert "--auth-token" not in command and token not in command
    assert serve.child_environment()["CCE_API_TOKEN"] == token


def test_the_action_servers_secret_is_handed_over_in_the_environment(settings):
    settings(CCE_ACTION_SECRET="action-secret-0123456789", CCE_ACTIONS="server")
    commands = " ".join(serve.rasa_command(5005, MODEL) + serve.actions_command(5055))
    assert "action-secret-0123456789" not in commands
    assert serve.child_environment()["CCE_ACTION_SECRET"] == "action-secret-0123456789"


def test_the_rest_token_is_handed_over_in_the_environment(settings):
    token = "rest-token-0123456789abcdef"
    settings(CCE_ENABLE_REST="1", CCE_REST_TOKEN=token)
    assert token not in " ".join(serve.rasa_command(5005, MODEL))
    assert serve.child_environment()["CCE_REST_TOKEN"] == token


@pytest.mark.parametrize("token", ["", "short"])
def test_rest_turned_on_without_a_long_token_refuses_to_start(settings, token):
    settings(CCE_ENABLE_REST="1", CCE_REST_TOKEN=token)
    with pytest.raises(SystemExit, match="CCE_REST_TOKEN"):
        serve.rasa_command(5005, MODEL)


def test_an_unknown_rest_setting_is_refused(settings):
    with pytest.raises(ValueError, match="CCE_ENABLE_REST='maybe' is not known"):
        settings(CCE_ENABLE_REST="maybe")


def test_rest_local_makes_a_token_for_the_children(settings, tmp_path):
    settings(
        CCE_ENABLE_REST="local", CCE_REST_TOKEN="", CCE_VAR_DIR=str(tmp_path), CCE_HOST="127.0.0.1"
    )
    token = serve.child_environment()["CCE_REST_TOKEN"]
    assert len(token) >= 32 and (tmp_path / "rest.token").read_text() == token
