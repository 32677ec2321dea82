"""The separate action server answers only the Rasa server, which sends the
shared secret (bot/rasa_patches/action_auth.py): rasa-sdk's own app, served here."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sanic import Sanic

from bot import bootstrap
from bot.config import PROJECT_ROOT
from bot.rasa_patches import action_auth
from tests.unit.rasa_app import get, post

SECRET = "action-test-secret-0123456789abcdef"
CALL = {
    "next_action": "action_no_such_action",
    "sender_id": "s",
    "tracker": {"events": []},
    "domain": {},
    "version": "3.6.21",
}


@pytest.fixture
def action_server_app(monkeypatch):
    monkeypatch.setenv("CCE_ACTION_SECRET", SECRET)
    bootstrap.reset()
    action_auth.install()
    yield
    bootstrap.reset()


def answers(requests: list[tuple[str, str, dict[str, str]]]) -> list[tuple[int, Any]]:
    from rasa_sdk.endpoint import create_app
    from rasa_sdk.plugin import plugin_manager

    async def run() -> list[tuple[int, Any]]:
        Sanic.test_mode = True
        app = create_app(action_package_name=None)  # as rasa_sdk.endpoint.run builds it
        plugin_manager().hook.attach_sanic_app_extensions(app=app)
        server = await app.create_server(
            host="127.0.0.1", port=0, return_asyncio_server=True, access_log=False
        )
        assert server is not None
        await server.startup()
        base = f"http://127.0.0.1:{server.server.sockets[0].getsockname()[1]}"
        try:
            out = []
            for method, path, headers in requests:
                if method == "GET":
                    out.append(await get(base + path, headers))
                else:
                    status, body, _ = await post(base + path, CALL, headers)
                    out.append((status, body))
            return out
        finally:
            server.close()
            await server.wait_closed()

    return asyncio.run(run())


def test_only_requests_with_the_secret_reach_the_actions(action_server_app):
    refused, wrong, listing, health, allowed = answers(
        [
            ("POST", "/webhook", {}),
            ("POST", "/webhook", {action_auth.HEADER: "not-the-secret"}),
            ("GET", "/actions", {}),
            ("GET", "/health", {}),  # what load balancers and `serve` poll
            ("POST", "/webhook", {action_auth.HEADER: SECRET}),
        ]
    )
    for status, body in (refused, wrong, listing):
        assert status == 401 and action_auth.HEADER in body["error"]
    assert health[0] == 200
    assert allowed[0] == 404  # rasa-sdk itself answers: it has no such action


def test_the_rasa_server_sends_the_secret_it_is_given(monkeypatch, tmp_path):
    from rasa.core.utils import AvailableEndpoints

    from bot.cli import serve

    monkeypatch.setenv("CCE_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("CCE_ACTION_SERVER_URL", "http://10.0.0.7:5055/webhook")
    monkeypatch.setenv(action_auth.ENV, SECRET)
    bootstrap.reset()
    written = serve.endpoints_file()
    assert SECRET not in written.read_text()  # a reference to the environment, not the secret
    endpoints = AvailableEndpoints.read_endpoints(str(written))
    assert endpoints.action.url == "http://10.0.0.7:5055/webhook"
    assert endpoints.action.headers == {action_auth.HEADER: SECRET}
    assert endpoints.tracker_store.type.endswith("RedactingSQLTrackerStore")


def test_plain_rasa_reads_endpoints_yml_with_no_environment_variable(monkeypatch):
    from rasa.core.utils import AvailableEndpoints

    for name in ("CCE_ACTION_SERVER_URL", action_auth.ENV):
        monkeypatch.delenv(name, raising=False)
    endpoints = AvailableEndpoints.read_endpoints(str(PROJECT_ROOT / "endpoints.yml"))
    assert endpoints.action.url == "http://127.0.0.1:5055/webhook"  # `rasa run actions`' port


def test_without_a_setting_the_secret_comes_from_the_server_secret(monkeypatch, tmp_path):
    monkeypatch.delenv("CCE_ACTION_SECRET", raising=False)
    monkeypatch.setenv("CCE_SECRET_KEY", "one deployment's secret, 32 characters at least")
    bootstrap.reset()
    bootstrap.reset()
    derived = action_auth.action_secret()
    monkeypatch.setenv("CCE_SECRET_KEY", "another deployment's secret, 32 characters or more")
    bootstrap.reset()
    bootstrap.reset()
    other = action_auth.action_secret()
    bootstrap.reset()
    bootstrap.reset()
    assert len(derived) == 64 and derived != other
    assert "one deployment" not in derived
