"""What every channel's wrapper (bot/channels/holding.py) does before a turn: the
length cap and other channels' sender ids."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from rasa.core.channels.channel import CollectingOutputChannel, OutputChannel, UserMessage

from bot.channels import holding
from bot.config import get_settings


class ChatOutput(OutputChannel):
    """A channel that sends replies on (as Teams does), not one that collects them."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, list[dict[str, Any]]]] = []

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        self.sent.append((text, buttons))


@pytest.fixture
def settings(monkeypatch):
    def configure(**env: str) -> None:
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        get_settings.cache_clear()

    monkeypatch.setattr(holding, "conversations_available", lambda: True)
    yield configure
    get_settings.cache_clear()


def test_a_message_over_the_limit_is_answered_in_the_chat_and_never_read(settings):
    settings(CCE_MAX_MESSAGE_CHARS="4000")
    read: list[str] = []

    async def turn(message: UserMessage) -> None:
        read.append(message.text or "")

    output = ChatOutput()
    handle = holding.with_holding_message(turn)
    asyncio.run(handle(UserMessage("x" * 200_000, output, "teams-abc", input_channel="teams")))
    assert read == []
    [(text, buttons)] = output.sent
    assert "longer than I can read (4,000 characters at most)" in text
    assert "call 999" in text
    assert holding.refusal_of(output) == holding.Refusal(413, text.splitlines()[0])


def test_a_channels_own_sender_ids_pass(settings):
    settings()
    read: list[str] = []

    async def turn(message: UserMessage) -> None:
        read.append(message.sender_id)

    handle = holding.with_holding_message(turn)
    for sender, channel in (("web-1f2e", "web"), ("teams-9a8b", "teams"), ("my-id", "rest")):
        asyncio.run(
            handle(UserMessage("hi", CollectingOutputChannel(), sender, input_channel=channel))
        )
    assert read == ["web-1f2e", "teams-9a8b", "my-id"]


def test_another_channels_sender_ids_are_refused_in_any_channel(settings):
    read: list[str] = []

    async def turn(message: UserMessage) -> None:
        read.append(message.sender_id)

    handle = holding.with_holding_message(turn)
    output = CollectingOutputChannel()
    asyncio.run(handle(UserMessage("hi", output, "web-1f2e", input_channel="teams")))
    assert read == []
    refusal = holding.refusal_of(output)
    assert refusal is not None and refusal.status == 403
