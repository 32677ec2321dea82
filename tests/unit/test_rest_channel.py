"""The REST channel's request checks and the text cleaning every channel does."""

from __future__ import annotations

import json

import pytest

from bot.channels.holding import clean_text
from bot.channels.rest import MAX_BODY, request_problem


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (b"", 400), (b"{", 400), (b"\xff\xfe", 400), (b"[]", 400), (b'"hi"', 400), (b"null", 400),
        (b'{"sender": "a"}', 400), (b'{"sender": "a", "message": 5}', 400),
        (b'{"sender": 5, "message": "hi"}', 400), (b'{"sender": "", "message": "hi"}', 400),
        (json.dumps({"sender": "x" * 1000, "message": "hi"}).encode(), 400),
        (b'{"message": "hi", "metadata": "x"}', 400),
        (json.dumps({"message": "hi", "metadata": {"b": "x" * 20000}}).encode(), 413),
        (b"x" * (MAX_BODY + 1), 413),
        (b"[" * 30000 + b"]" * 30000, 400),  # nested deeper than the JSON parser goes
    ],
)  # fmt: skip
def test_malformed_requests_are_client_errors_with_a_message(body, status):
    problem = request_problem(body)
    assert problem is not None and problem[0] == status and problem[1]


def test_a_good_request_passes():
    assert request_problem(b'{"sender": "a", "message": "what is cuckooing"}') is None
    assert request_problem(json.dumps({"message": "x" * 100_000}).encode()) is None


def test_control_characters_are_cleaned_but_text_and_emoji_kept():
    assert clean_text("hi\x00there\x07") == "hi there "
    assert clean_text("line\nnext\ttab 🙂 \u200b") == "line\nnext\ttab 🙂 \u200b"
    assert clean_text(None) == ""
    assert clean_text("a\ud800b") == "a?b"


def test_a_cancelled_turn_ends_quietly_without_the_text_in_any_log(monkeypatch, caplog):
    import asyncio

    from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

    from bot.channels import holding

    monkeypatch.setattr(holding, "conversations_available", lambda: True)

    async def cancelled(message: UserMessage) -> None:
        raise asyncio.CancelledError

    handle = holding.with_holding_message(cancelled)
    output = CollectingOutputChannel()
    asyncio.run(handle(UserMessage("my secret words", output, "s")))
    assert output.messages == []
    assert "my secret words" not in caplog.text
    assert "cancelled" in caplog.text
