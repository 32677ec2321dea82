"""The REST channel: its request checks, the text cleaning every channel does,
and what it answers over HTTP (rasa's own app, a stand-in agent)."""

from __future__ import annotations

import asyncio
import json

import pytest
from rasa.core.channels.channel import UserMessage

from bot import bootstrap
from bot.channels.holding import clean_text
from bot.channels.rest import MAX_BODY, RestInput, request_problem
from bot.channels.rest_tokens import client_token, rest_token
from tests.unit.rasa_app import get, post, raw_request, say_hello, serving


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (b"", 400), (b"{", 400), (b"\xff\xfe", 400), (b"[]", 400), (b'"hi"', 400), (b"null", 400),
        (b'{"sender": "a"}', 400), (b'{"sender": "a", "message": 5}', 400),
        (b'{"sender": 5, "message": "hi"}', 400), (b'{"sender": "", "message": "hi"}', 400),
        (json.dumps({"sender": "x" * 1000, "message": "hi"}).encode(), 400),
        (b'{"message": "hi"}', 400),  # no sender: all such requests shared one conversation
        (b'{"sender": "a", "message": "hi", "metadata": "x"}', 400),
        (json.dumps({"sender": "a", "message": "hi", "metadata": {"b": "x" * 20000}}).encode(),
         413),
        (b"x" * (MAX_BODY + 1), 413),
        (b"[" * 30000 + b"]" * 30000, 400),  # nested deeper than the JSON parser goes
    ],
)  # fmt: skip
def test_malformed_requests_are_client_errors_with_a_message(body, status):
    problem = request_problem(body)
    assert problem is not None and problem[0] == status and problem[1]


def test_a_good_request_passes():
    assert request_problem(b'{"sender": "a", "message": "what is cuckooing"}') is None
    assert request_problem(json.dumps({"sender": "a", "message": "x" * 100_000}).encode()) is None


def test_control_characters_are_cleaned_but_text_and_emoji_kept():
    assert clean_text("hi\x00there\x07") == "hi there "
    assert clean_text("line\nnext\ttab 🙂 \u200b") == "line\nnext\ttab 🙂 \u200b"
    assert clean_text(None) == ""
    assert clean_text("a\ud800b") == "a?b"


def test_a_cancelled_turn_ends_quietly_without_the_text_in_any_log(monkeypatch, caplog):
    import asyncio

    from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

    from bot.channels import holding

    async def cancelled(message: UserMessage) -> None:
        raise asyncio.CancelledError

    handle = holding.with_holding_message(cancelled)
    output = CollectingOutputChannel()
    asyncio.run(handle(UserMessage("my secret words", output, "s")))
    assert output.messages == []
    assert "my secret words" not in caplog.text
    assert "cancelled" in caplog.text


# ---------------------------------------------------------------- over HTTP

TOKEN = "rest-test-token-0123456789abcdef"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
WEBHOOK = "/webhooks/rest/webhook"


@pytest.fixture
def settings(monkeypatch):
    """Sets CCE_* variables for the test (REST on with TOKEN, no rate limits unless given)."""

    def configure(**env: str) -> None:
        defaults = {
            "CCE_ENABLE_REST": "1",
            "CCE_REST_TOKEN": TOKEN,
            "CCE_RATE_LIMIT_CLIENT": "off",
            "CCE_RATE_LIMIT_CONVERSATION": "off",
        }
        for name, value in {**defaults, **env}.items():
            monkeypatch.setenv(name, value)
        monkeypatch.delenv("CCE_REDIS_URL", raising=False)
        bootstrap.reset()

    yield configure
    bootstrap.reset()


def exchange(requests, turn=say_hello, channel=None):  # type: ignore[no-untyped-def]
    """Serves the REST channel; ``requests(base)`` is a coroutine of the requests
    to make; returns (its result, the messages the agent was handed)."""

    async def run():  # type: ignore[no-untyped-def]
        async with serving([channel or RestInput()], turn) as (base, agent):
            return await requests(base), agent.messages

    return asyncio.run(run())


def test_rest_is_off_unless_enabled(settings):
    settings(CCE_ENABLE_REST="")

    async def requests(base):  # type: ignore[no-untyped-def]
        return [
            await post(base + WEBHOOK, {"sender": "a", "message": "hi"}, AUTH),
            await get(base + "/webhooks/rest/"),
        ]

    (sent, health), messages = exchange(requests)
    assert sent[0] == 404 and "not enabled" in sent[1]["error"]
    assert health[0] == 404
    assert messages == []


def test_local_mode_is_on_only_while_listening_on_this_machine(settings, tmp_path):
    settings(
        CCE_ENABLE_REST="local", CCE_REST_TOKEN="", CCE_VAR_DIR=str(tmp_path), CCE_HOST="0.0.0.0"
    )
    assert not bootstrap.app().settings.rest_enabled
    settings(
        CCE_ENABLE_REST="local", CCE_REST_TOKEN="", CCE_VAR_DIR=str(tmp_path), CCE_HOST="127.0.0.1"
    )
    assert bootstrap.app().settings.rest_enabled
    token = rest_token(bootstrap.app().settings)
    assert len(token) >= 32 and (tmp_path / "rest.token").stat().st_mode & 0o077 == 0
    assert client_token(bootstrap.app().settings) == token


def test_rest_needs_the_bearer_token(settings):
    settings()
    body = {"sender": "a", "message": "hi"}

    async def requests(base):  # type: ignore[no-untyped-def]
        return [
            await post(base + WEBHOOK, body),
            await post(base + WEBHOOK, body, {"Authorization": "Bearer wrong-token-0123456789"}),
            await post(base + WEBHOOK + f"?token={TOKEN}", body),
            await post(base + WEBHOOK, body, AUTH),
        ]

    (missing, wrong, in_url, good), messages = exchange(requests)
    for refused in (missing, wrong, in_url):
        assert refused[0] == 401 and "Bearer" in refused[1]["error"]
        assert refused[2].get("WWW-Authenticate") == "Bearer"
    assert good[0] == 200
    assert len(messages) == 1


def test_a_request_without_a_sender_is_refused(settings):
    settings()

    async def requests(base):  # type: ignore[no-untyped-def]
        return await post(base + WEBHOOK, {"message": "what is cuckooing"}, AUTH)

    (status, answer, _), messages = exchange(requests)
    assert status == 400 and "sender" in answer["error"]
    assert messages == []  # never the shared conversation "default"


def test_the_channel_recorded_is_rest_and_the_metadata_is_dropped(settings):
    settings()
    body = {
        "sender": "mine",
        "message": "hi",
        "input_channel": "web",
        "metadata": {"name": "an invented name", "input_channel": "teams"},
    }

    async def requests(base):  # type: ignore[no-untyped-def]
        return await post(base + WEBHOOK, body, AUTH)

    (status, _, _), messages = exchange(requests)
    assert status == 200
    assert [(m.sender_id, m.input_channel, m.metadata) for m in messages] == [
        ("mine", "rest", None)
    ]


@pytest.mark.parametrize("sender", ["web-0f3c2a", "teams-0123abcd", "WEB-x", "Teams-y"])
def test_another_channels_sender_ids_are_refused(settings, sender):
    settings()

    async def requests(base):  # type: ignore[no-untyped-def]
        return await post(base + WEBHOOK, {"sender": sender, "message": "hi"}, AUTH)

    (status, answer, _), messages = exchange(requests)
    assert status == 403 and "belong to the" in answer["error"]
    assert messages == []


def test_stream_true_is_refused_with_a_400(settings):
    settings()

    async def requests(base):  # type: ignore[no-untyped-def]
        body = {"sender": "a", "message": "hi"}
        return [
            await post(base + WEBHOOK + "?stream=true", body, AUTH),
            await post(base + WEBHOOK + "?stream=false", body, AUTH),
        ]

    (streamed, plain), messages = exchange(requests)
    assert streamed[0] == 400 and "stream" in streamed[1]["error"]
    assert plain[0] == 200 and len(messages) == 1


def test_a_message_over_the_limit_is_refused_unread(settings):
    settings(CCE_MAX_MESSAGE_CHARS="100")

    async def requests(base):  # type: ignore[no-untyped-def]
        return [
            await post(base + WEBHOOK, {"sender": "a", "message": "x" * 101}, AUTH),
            await post(base + WEBHOOK, {"sender": "a", "message": "x" * 100}, AUTH),
        ]

    (over, at), messages = exchange(requests)
    assert over[0] == 413 and "longer than I can read (100 characters" in over[1]["error"]
    assert at[0] == 200
    assert [len(m.text or "") for m in messages] == [100]  # the long one never reached rasa


def test_a_body_over_the_limit_is_refused_before_it_is_read(settings):
    settings()

    async def requests(base):  # type: ignore[no-untyped-def]
        head = (
            f"POST {WEBHOOK} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            f"Authorization: Bearer {TOKEN}\r\nContent-Length: 10000000\r\n\r\n"
        )
        return await raw_request(base, head.encode(), timeout=5.0)

    answer, messages = exchange(requests)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]  # no body was sent at all
    assert b'"error"' in answer


def test_a_client_over_its_rate_is_told_when_to_come_back(settings):
    settings(CCE_RATE_LIMIT_CLIENT="3/minute")

    async def requests(base):  # type: ignore[no-untyped-def]
        return [
            await post(base + WEBHOOK, {"sender": f"s{n}", "message": "hi"}, AUTH) for n in range(5)
        ]

    answers, messages = exchange(requests)
    assert [a[0] for a in answers] == [200, 200, 200, 429, 429]
    assert 1 <= int(answers[3][2]["Retry-After"]) <= 20
    assert "Too many requests" in answers[3][1]["error"]
    assert len(messages) == 3


def test_a_conversation_over_its_rate_is_told_when_to_come_back(settings):
    settings(CCE_RATE_LIMIT_CONVERSATION="2/minute")

    async def requests(base):  # type: ignore[no-untyped-def]
        sent = [
            await post(base + WEBHOOK, {"sender": "busy", "message": "hi"}, AUTH) for _ in range(3)
        ]
        sent.append(await post(base + WEBHOOK, {"sender": "other", "message": "hi"}, AUTH))
        return sent

    answers, messages = exchange(requests)
    assert [a[0] for a in answers] == [200, 200, 429, 200]
    assert 1 <= int(answers[2][2]["Retry-After"]) <= 30
    assert "faster than I can take them" in answers[2][1]["error"]
    assert [m.sender_id for m in messages] == ["busy", "busy", "other"]


def test_the_answer_is_the_same_as_rasas_own_rest_channel(settings):
    """Our channel keeps rasa's URL, request and answer: the same request, with
    the same turn behind it, gets the same JSON from both."""
    from rasa.core.channels.rest import RestInput as RasasRestInput

    settings()

    async def turn(message: UserMessage) -> None:
        out = message.output_channel
        await out.send_text_with_buttons(
            message.sender_id, "a **text**", [{"title": "Yes", "payload": "/affirm"}]
        )
        await out.send_image_url(message.sender_id, "https://example.com/a.png")
        await out.send_custom_json(message.sender_id, {"kind": "custom"})
        await out.send_text_message(message.sender_id, "second\nline")

    body = {"sender": "same", "message": "what is cuckooing"}

    async def requests(base):  # type: ignore[no-untyped-def]
        return await post(base + WEBHOOK, body, AUTH)

    ours, _ = exchange(requests, turn)
    rasas, _ = exchange(requests, turn, channel=RasasRestInput())
    assert ours[0] == rasas[0] == 200
    assert ours[1] == rasas[1]


@pytest.mark.parametrize(("proxies", "statuses"), [("0", [200, 429]), ("1", [200, 200])])
def test_forwarded_addresses_count_only_behind_a_trusted_proxy(settings, proxies, statuses):
    """Behind the reverse proxy (CCE_TRUSTED_PROXIES=1) each client is the address
    it names; without one, a forged X-Forwarded-For does not make a new client."""
    settings(CCE_RATE_LIMIT_CLIENT="1/minute", CCE_TRUSTED_PROXIES=proxies)

    async def requests(base):  # type: ignore[no-untyped-def]
        return [
            await post(
                base + WEBHOOK,
                {"sender": f"s{n}", "message": "hi"},
                {**AUTH, "X-Forwarded-For": f"192.0.2.{n}"},
            )
            for n in (1, 2)
        ]

    answers, _ = exchange(requests)
    assert [a[0] for a in answers] == statuses
