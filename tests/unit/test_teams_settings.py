"""The Teams settings a deployer can get wrong, refused at start with a message
that says what to set: no tenant list (unless every tenant is asked for), a key
re-fetch interval out of range, key metadata or token endpoints not over https."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest

from bot.config import PROJECT_ROOT, SettingsError, load_settings
from tests.integration.live import free_port

TEAMS = {"CCE_TEAMS_APP_ID": "11111111-2222-3333-4444-555555555555",
         "CCE_TEAMS_APP_PASSWORD": "an-invented-secret"}  # fmt: skip


@pytest.fixture
def env(monkeypatch):
    for name in list(os.environ):
        if name.startswith("CCE_TEAMS_"):
            monkeypatch.delenv(name)

    def set_env(**values: str) -> None:
        for name, value in values.items():
            monkeypatch.setenv(name, value)

    return set_env


def refused(words: str) -> str:
    with pytest.raises(SettingsError) as error:
        load_settings()
    assert words in str(error.value)
    return str(error.value)


def test_teams_without_a_tenant_list_refuses_to_start(env):
    env(**TEAMS)
    message = refused("CCE_TEAMS_ALLOWED_TENANTS")
    assert "CCE_TEAMS_ALLOW_ANY_TENANT=true" in message
    env(CCE_TEAMS_ALLOWED_TENANTS="tenant-a, tenant-b")
    assert load_settings().teams_allowed_tenants == ("tenant-a", "tenant-b")


def test_every_tenant_must_be_asked_for_and_not_beside_a_list(env):
    env(**TEAMS, CCE_TEAMS_ALLOW_ANY_TENANT="true")
    settings = load_settings()
    assert settings.teams_allow_any_tenant and not settings.teams_allowed_tenants
    env(CCE_TEAMS_ALLOWED_TENANTS="tenant-a")
    refused("contradict")


def test_teams_off_needs_no_tenant_list(env):
    settings = load_settings()
    assert not settings.teams_configured and not settings.teams_allow_any_tenant


@pytest.mark.parametrize("value", ["0", "0.5", "-300", "86401", "nan", "inf"])
def test_the_key_refetch_interval_must_be_in_range(env, value):
    env(**TEAMS, CCE_TEAMS_ALLOWED_TENANTS="tenant-a", CCE_TEAMS_KEY_REFETCH_SECONDS=value)
    message = refused("CCE_TEAMS_KEY_REFETCH_SECONDS")
    assert "between 1 and 86400 seconds" in message


@pytest.mark.parametrize("value", ["1", "300", "86400"])
def test_key_refetch_intervals_in_range_are_kept(env, value):
    env(**TEAMS, CCE_TEAMS_ALLOWED_TENANTS="tenant-a", CCE_TEAMS_KEY_REFETCH_SECONDS=value)
    assert load_settings().teams_key_refetch_seconds == float(value)


@pytest.mark.parametrize(
    ("name", "url"),
    [
        (
            "CCE_TEAMS_OPENID_URL",
            "http://login.botframework.com/v1/.well-known/openidconfiguration",
        ),
        ("CCE_TEAMS_OPENID_URL", "login.botframework.com/v1/.well-known/openidconfiguration"),
        ("CCE_TEAMS_TOKEN_URL", "http://login.microsoftonline.com/{tenant}/oauth2/v2.0/token"),
        ("CCE_TEAMS_TOKEN_URL", "ftp://login.microsoftonline.com/token"),
        ("CCE_TEAMS_TOKEN_URL", "http://10.0.0.5/{tenant}/token"),  # not this machine
    ],
)
def test_metadata_and_token_urls_must_be_https(env, name, url):
    env(**TEAMS, CCE_TEAMS_ALLOWED_TENANTS="tenant-a", **{name: url})
    assert "https" in refused(name)


def test_http_is_allowed_to_this_machine_for_the_tests_fakes(env):
    env(
        **TEAMS,
        CCE_TEAMS_ALLOWED_TENANTS="tenant-a",
        CCE_TEAMS_OPENID_URL="http://127.0.0.1:8123/openid",
        CCE_TEAMS_TOKEN_URL="http://localhost:8123/token/{tenant}/oauth2/v2.0/token",
    )
    assert load_settings().teams_openid_url == "http://127.0.0.1:8123/openid"


def test_serve_stops_with_the_message_and_no_traceback(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("CCE_TEAMS_")}
    env.update(TEAMS, CCE_VAR_DIR=str(tmp_path), PYTHONPATH=str(PROJECT_ROOT),
               CCE_PORT=str(free_port()), CCE_ACTION_PORT=str(free_port()))  # fmt: skip
    # Its own process group: if it did start (the fault this guards against), the
    # Rasa server it started is stopped with it, not left running.
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "serve"],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        _, stderr = process.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        pytest.fail("`serve` started with Teams configured and no tenant list")
    assert process.returncode == 2
    assert "CCE_TEAMS_ALLOWED_TENANTS" in stderr and "Traceback" not in stderr
