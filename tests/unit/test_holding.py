"""What every channel's wrapper (bot/channels/holding.py) does before a turn:
other channels' sender ids."""

from __future__ import annotations

import asyncio

import pytest
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

from bot.channels import holding
from bot.config import get_settings


@pytest.fixture
def settings(monkeypatch):
    def configure(**env: str) -> None:
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        get_settings.cache_clear()

    monkeypatch.setattr(holding, "conversations_available", lambda: True)
    yield configure
    get_settings.cache_clear()


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
