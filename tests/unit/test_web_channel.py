"""The web widget channel: tokens, request parsing and history, and its limits over HTTP."""

from __future__ import annotations

import asyncio
import hashlib
import hmac

import pytest
from rasa.shared.core.events import BotUttered, UserUttered

from bot import bootstrap
from bot.channels import tokens
from bot.channels.web import (
    MAX_BODY,
    RequestError,
    WebChatInput,
    history_messages,
    parse_body,
    session_from,
    token_lifetime,
)
from bot.config import load_settings
from tests.unit.rasa_app import post, serving

KEY = b"test-secret"
NOW = 1_800_000_000.0


def test_a_signed_token_verifies_and_a_forged_one_does_not():
    session_id = tokens.new_session_id()
    token = tokens.issue(session_id, 3600, KEY, now=NOW)
    assert tokens.verify(token, KEY, now=NOW) == tokens.Verified(session_id, int(NOW) + 3600)
    with pytest.raises(tokens.InvalidToken):
        tokens.verify(token, b"other-secret", now=NOW)
    _, expires, signature = token.split(".")
    other = tokens.new_session_id()
    for forged in (
        f"{other}.{expires}.{signature}",  # guessed id, stolen signature
        f"{session_id}.{int(expires) + 3600}.{signature}",  # a later expiry, same signature
    ):
        with pytest.raises(tokens.InvalidToken):
            tokens.verify(forged, KEY, now=NOW)
    for bad in (None, "", "abc", "web-1.2.3", 42, "x" * 500, f"{session_id}.", token + "0"):
        with pytest.raises(tokens.InvalidToken):
            tokens.verify(bad, KEY, now=NOW)


def test_a_token_expires_after_its_lifetime_and_only_a_genuine_one_is_called_expired():
    session_id = tokens.new_session_id()
    token = tokens.issue(session_id, 3600, KEY, now=NOW)
    assert tokens.verify(token, KEY, now=NOW + 3599).session_id == session_id
    with pytest.raises(tokens.ExpiredToken):
        tokens.verify(token, KEY, now=NOW + 3600)
    with pytest.raises(tokens.InvalidToken):  # forged and out of date: invalid, not expired
        tokens.verify(tokens.issue(session_id, 3600, b"guess", now=NOW), KEY, now=NOW + 7200)
    with pytest.raises(RequestError) as expired:
        session_from({"token": token}, KEY, now=NOW + 3600)
    assert expired.value.status == 403 and expired.value.reason == "expired"
    assert "expired" in expired.value.message and "new conversation" in expired.value.message


def test_tokens_of_the_earlier_form_without_an_expiry_are_refused():
    session_id = tokens.new_session_id()
    signature = hmac.new(KEY, session_id.encode(), hashlib.sha256).hexdigest()
    with pytest.raises(RequestError) as old:
        session_from({"token": f"{session_id}.{signature}"}, KEY)
    assert old.value.status == 403 and old.value.reason == "invalid"


@pytest.mark.parametrize(
    "token",
    [
        "web-é.abc",
        "wéb-0123456789abcdef0123456789abcdef.1.00",
        "web-" + "0" * 32 + ".99999999999." + "é" * 64,
        "web-" + "٠" * 32 + ".1." + "0" * 64,  # Arabic-Indic digits: \d would take them
        "web-\udcff.1.2",
    ],
)
def test_a_token_with_characters_outside_ascii_is_403_not_a_crash(token):
    # Before: hmac.compare_digest raised TypeError on non-ASCII text, a 500.
    with pytest.raises(RequestError) as error:
        session_from({"token": token}, KEY)
    assert error.value.status == 403


def test_the_token_lifetime_is_the_session_length_unless_a_setting_says_otherwise():
    assert token_lifetime(0, 60) == 3600  # domain.yml's session_expiration_time
    assert token_lifetime(15, 60) == 900  # CCE_WIDGET_TOKEN_MINUTES
    assert token_lifetime(0, 0) == 3600  # sessions never end: rasa's default length
    assert token_lifetime(0, None) == 3600


def test_the_token_lifetime_setting_is_bounded(monkeypatch):
    monkeypatch.setenv("CCE_WIDGET_TOKEN_MINUTES", "30")
    assert load_settings().widget_token_minutes == 30
    for value in ("-1", "100000", "nan"):
        monkeypatch.setenv("CCE_WIDGET_TOKEN_MINUTES", value)
        with pytest.raises(ValueError, match="CCE_WIDGET_TOKEN_MINUTES"):
            load_settings()


def test_session_ids_are_unguessable():
    assert len({tokens.new_session_id() for _ in range(1000)}) == 1000
    assert len(tokens.new_session_id()) >= 36


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (b"{", 400),
        (b"[1, 2]", 400),
        (b"\xff\xfe", 400),
        (b"x" * (MAX_BODY + 1), 413),
        (b"[" * 30000 + b"]" * 30000, 400),  # nested deeper than the JSON parser goes
    ],
)
def test_bad_bodies_are_client_errors(body, status):
    with pytest.raises(RequestError) as error:
        parse_body(body)
    assert error.value.status == status
    assert error.value.message


def test_missing_and_bad_tokens():
    with pytest.raises(RequestError) as missing:
        session_from({}, KEY)
    assert missing.value.status == 401
    with pytest.raises(RequestError) as forged:
        session_from({"token": "web-abc.def"}, KEY)
    assert forged.value.status == 403 and forged.value.reason == "invalid"


def test_history_shows_button_titles_and_hides_commands():
    events = [
        UserUttered("/session_start"),
        BotUttered(
            "Welcome",
            {"buttons": [{"title": "Start an indicator check", "payload": "/start_check"}]},
        ),
        UserUttered("/start_check"),
        BotUttered("First question"),
        UserUttered("what is cuckooing"),
    ]
    assert history_messages(events) == [
        {"sender": "bot", "text": "Welcome", "buttons": [{"title": "Start an indicator check",
                                                          "payload": "/start_check"}]},
        {"sender": "user", "text": "Start an indicator check"},
        {"sender": "bot", "text": "First question", "buttons": []},
        {"sender": "user", "text": "what is cuckooing"},
    ]  # fmt: skip


# ---------------------------------------------------------------- over HTTP


@pytest.fixture
def settings(monkeypatch, tmp_path):
    def configure(**env: str) -> None:
        defaults = {
            "CCE_SECRET_KEY": "web-test-secret-of-32-characters",
            "CCE_VAR_DIR": str(tmp_path),
            "CCE_RATE_LIMIT_CLIENT": "off",
            "CCE_RATE_LIMIT_CONVERSATION": "off",
        }
        for name, value in {**defaults, **env}.items():
            monkeypatch.setenv(name, value)
        monkeypatch.delenv("CCE_REDIS_URL", raising=False)
        bootstrap.reset()
        bootstrap.reset()

    yield configure
    bootstrap.reset()
    bootstrap.reset()


def widget(requests):  # type: ignore[no-untyped-def]
    """Serves the widget's channel; ``requests(base)`` makes the requests."""

    async def run():  # type: ignore[no-untyped-def]
        async with serving([WebChatInput({})]) as (base, agent):
            return await requests(base + "/webhooks/web"), agent.messages

    return asyncio.run(run())


def test_a_message_over_the_limit_is_refused_unread(settings):
    settings(CCE_MAX_MESSAGE_CHARS="4000")  # the setting holds the widget to it too

    async def requests(web):  # type: ignore[no-untyped-def]
        token = (await post(web + "/session", {}))[1]["token"]
        return [
            await post(web + "/message", {"token": token, "text": "x" * 4001}),
            await post(web + "/message", {"token": token, "text": "x" * 4000}),
        ]

    (over, at), messages = widget(requests)
    assert over[0] == 413 and "4,000 characters" in over[1]["error"]
    assert at[0] == 200
    assert [len(m.text or "") for m in messages] == [4000]


def test_a_client_over_its_rate_is_told_when_to_come_back(settings):
    settings(CCE_RATE_LIMIT_CLIENT="3/minute")

    async def requests(web):  # type: ignore[no-untyped-def]
        token = (await post(web + "/session", {}))[1]["token"]
        return [await post(web + "/message", {"token": token, "text": "hi"}) for _ in range(3)]

    answers, messages = widget(requests)
    assert [a[0] for a in answers] == [200, 200, 429]
    assert int(answers[2][2]["Retry-After"]) >= 1 and "Too many requests" in answers[2][1]["error"]
    assert len(messages) == 2
