"""What every channel's wrapper (bot/channels/holding.py) does before a turn: the
length cap, other channels' sender ids, and redaction off the event loop
(bot/privacy/offload.py)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from rasa.core.channels.channel import CollectingOutputChannel, OutputChannel, UserMessage
from rasa.shared.core.events import UserUttered

from bot import bootstrap
from bot.channels import holding
from bot.privacy import offload
from tests.unit.test_tracker_store import DOMAIN


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
        for name, value in {"CCE_RATE_LIMIT_CONVERSATION": "off", **env}.items():
            monkeypatch.setenv(name, value)
        monkeypatch.delenv("CCE_REDIS_URL", raising=False)
        bootstrap.reset()

    yield configure
    bootstrap.reset()
    offload.forget_all()


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
    settings()
    read: list[str] = []

    async def turn(message: UserMessage) -> None:
        read.append(message.sender_id)

    handle = holding.with_holding_message(turn)
    output = CollectingOutputChannel()
    asyncio.run(handle(UserMessage("hi", output, "web-1f2e", input_channel="teams")))
    assert read == []
    refusal = holding.refusal_of(output)
    assert refusal is not None and refusal.status == 403


def test_another_users_turn_goes_on_while_a_long_message_is_redacted(settings, tmp_path):
    """An adversarial message (no spaces: the redaction patterns' worst case) and a
    simple question at once: the question's turn, stored as rasa stores it, ends
    before the long message's, whose redaction runs in the worker process."""
    from bot.storage.tracker_store import RedactingSQLTrackerStore

    settings(CCE_MAX_MESSAGE_CHARS="12000")
    store = RedactingSQLTrackerStore(domain=DOMAIN, url=f"sqlite:///{tmp_path / 't.db'}")
    finished: list[str] = []

    async def turn(message: UserMessage) -> None:  # what rasa does with the text: stores it
        tracker = await store.get_or_create_tracker(message.sender_id, append_action_listen=False)
        tracker.update(UserUttered(message.text))
        await store.save(tracker)
        finished.append(message.sender_id)

    async def scenario() -> None:
        handle = holding.with_holding_message(turn)
        long = UserMessage(
            "x" * 12_000, CollectingOutputChannel(), "adversary", input_channel="rest"
        )
        started = asyncio.create_task(handle(long))
        await asyncio.sleep(0.05)
        await handle(
            UserMessage(
                "what is cuckooing", CollectingOutputChannel(), "other", input_channel="rest"
            )
        )
        await asyncio.wait_for(started, 60)  # a guard against a hang, not a speed test

    asyncio.run(scenario())
    assert finished == ["other", "adversary"]


def test_a_redaction_that_does_not_end_in_time_is_never_stored_as_typed(settings):
    # The redaction is linear now (docs/redaction.md): a text this long takes it
    # tens of milliseconds or more, far over the 5 ms allowed here.
    text = "call 07700 900123 " + "Sam went to the shop on Mill Road. " * 6_000

    async def scenario() -> tuple[Any, Any]:
        await offload.prepare("warm the worker up " + "z" * 300)
        await offload.prepare(text, timeout=0.005)
        timed_out = offload.redaction(text)
        await offload.prepare("please call 07700 900124 " + "y" * 300)  # the worker is back
        return timed_out, offload.redaction("please call 07700 900124 " + "y" * 300)

    timed_out, after = asyncio.run(scenario())
    assert timed_out == offload.UNCHECKED
    assert "07700" not in timed_out.text
    assert after.text.startswith("please call [PHONE]")


def test_short_messages_are_redacted_where_they_are_needed(settings, monkeypatch):
    monkeypatch.setattr(offload, "_worker_pool", lambda: pytest.fail("no trip for a short text"))
    asyncio.run(offload.prepare("call 07700 900123"))
    assert offload.redaction("call 07700 900123").text == "call [PHONE]"
    assert offload.identifying("call 07700 900123")
