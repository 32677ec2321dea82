"""Rasa's own server app (``rasa.core.run.configure_app``, as ``rasa run`` builds
it, with our site and channels installed) served in this process on a free port,
with a stand-in agent: what a channel answers over HTTP, without a model."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Sanic

Turn = Callable[[UserMessage], Awaitable[None]]


async def say_hello(message: UserMessage) -> None:
    """A turn that answers with a text and a button, as the assistant would."""
    await message.output_channel.send_text_with_buttons(
        message.sender_id, "hello", [{"title": "Yes", "payload": "/affirm"}]
    )


class StandInAgent:
    """Where rasa's channels hand each message (``app.ctx.agent.handle_message``)."""

    def __init__(self, turn: Turn) -> None:
        self.turn = turn
        self.messages: list[UserMessage] = []

    async def handle_message(self, message: UserMessage) -> None:
        self.messages.append(message)
        await self.turn(message)

    def is_ready(self) -> bool:
        """No model: rasa's API answers 409 to a request that got past its token check."""
        return False


@asynccontextmanager
async def serving(
    channels: list[InputChannel],
    turn: Turn = say_hello,
    enable_api: bool = False,
    auth_token: str | None = None,
) -> AsyncIterator[tuple[str, StandInAgent]]:
    """(base URL, agent) of the app, served until the block ends. ``auth_token``
    is what rasa's command line would give (``--auth-token``), which ours ignores."""
    from rasa.core.run import configure_app

    from bot import rasa_patches

    rasa_patches.install(rasa_patches.SITE, rasa_patches.API_AUTH)
    Sanic.test_mode = True  # rasa names every app alike; tests build several
    app = configure_app(channels, enable_api=enable_api, auth_token=auth_token, use_uvloop=False)
    agent = StandInAgent(turn)
    app.ctx.agent = agent
    server = await app.create_server(
        host="127.0.0.1", port=0, return_asyncio_server=True, access_log=False
    )
    assert server is not None
    await server.startup()
    port = server.server.sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}", agent
    finally:
        server.close()
        await server.wait_closed()


def _content(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return text


async def post(
    url: str, body: bytes | dict[str, Any], headers: dict[str, str] | None = None
) -> tuple[int, Any, dict[str, str]]:
    """(status, JSON body or text, headers) of a POST."""
    import aiohttp

    data = json.dumps(body).encode() if isinstance(body, dict) else body
    async with (
        aiohttp.ClientSession() as session,
        session.post(url, data=data, headers=headers or {}) as response,
    ):
        return response.status, _content(await response.text()), dict(response.headers)


async def get(url: str, headers: dict[str, str] | None = None) -> tuple[int, Any]:
    """(status, JSON body or text) of a GET."""
    import aiohttp

    async with (
        aiohttp.ClientSession() as session,
        session.get(url, headers=headers or {}) as response,
    ):
        return response.status, _content(await response.text())


async def raw_request(port_url: str, head: bytes, timeout: float = 5.0) -> bytes:
    """Sends ``head`` (request line and headers) and no body; what comes back
    within ``timeout`` seconds (b"" if nothing)."""
    from urllib.parse import urlparse

    parsed = urlparse(port_url)
    reader, writer = await asyncio.open_connection(parsed.hostname, parsed.port)
    try:
        writer.write(head)
        await writer.drain()
        try:
            return await asyncio.wait_for(reader.read(65536), timeout)
        except asyncio.TimeoutError:
            return b""
    finally:
        writer.close()
