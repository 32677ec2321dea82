"""The rasa speed-ups keep rasa's behaviour: the same responses pass and fail."""

from __future__ import annotations

import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction

from bot.server import speedups

GOOD = {
    "events": [{"event": "slot", "name": "topic", "value": "x", "timestamp": None}],
    "responses": [{"text": "hello", "buttons": [{"title": "Yes", "payload": "/affirm"}]}],
}
BAD = [
    {"events": [{"name": "no event type"}], "responses": []},
    {"events": "not a list", "responses": []},
    {"events": [{"event": "slot", "name": "topic"}], "responses": "not a list"},
]


def test_same_verdicts_as_jsonschema_validate():
    import jsonschema

    schema = RemoteAction.action_response_format_spec()
    for response in [GOOD, *BAD]:
        try:
            jsonschema.validate(response, schema)
            expected = True
        except ValidationError:
            expected = False
        try:
            got = speedups._validate_action_result(None, response)
        except ValidationError as error:
            assert "Failed to validate Action server response" in error.message
            got = False
        assert got == expected, response
        assert got == (response is GOOD), response  # the cases really differ


def test_install_replaces_rasas_method_once():
    speedups.install()
    speedups.install()
    assert RemoteAction._validate_action_result is speedups._validate_action_result
    with pytest.raises(ValidationError):
        RemoteAction("action_x", None)._validate_action_result(BAD[0])


def test_action_calls_reuse_one_connection_and_survive_a_restarted_server():
    """Two calls through rasa's EndpointConfig share a session (one TCP
    connection); after the server restarts, the next call still succeeds."""
    import asyncio

    from aiohttp import web
    from rasa.utils.endpoints import EndpointConfig

    speedups.install()
    peers: list[object] = []

    async def handler(request: web.Request) -> web.Response:
        peers.append(request.transport.get_extra_info("peername") if request.transport else None)
        return web.json_response({"events": [], "responses": []})

    async def serve(port: int) -> web.AppRunner:
        app = web.Application()
        app.router.add_post("/webhook", handler)
        runner = web.AppRunner(app)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        return runner

    async def scenario() -> None:
        runner = await serve(0)
        port = runner.addresses[0][1]
        endpoint = EndpointConfig(f"http://127.0.0.1:{port}/webhook")
        assert await endpoint.request(json={}) == {"events": [], "responses": []}
        assert await endpoint.request(json={}) == {"events": [], "responses": []}
        assert peers[0] == peers[1]  # the same client socket
        await runner.cleanup()  # the action server restarts
        runner = await serve(port)
        assert await endpoint.request(json={}) == {"events": [], "responses": []}
        await runner.cleanup()

    asyncio.run(scenario())
