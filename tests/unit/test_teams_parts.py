"""The Teams channel's parts without a server: activity checks, mentions,
conversation identity, cards and card clicks, retry detection, the reply token
and where replies may go."""

from __future__ import annotations

import asyncio
import os
from typing import Any

import pytest

from bot.channels.teams import http
from bot.channels.teams.activities import (
    MAX_BODY,
    MAX_TEXT,
    ActivityError,
    check_activity,
    parse_body,
    sender_id,
    strip_mentions,
)
from bot.channels.teams.cards import (
    answered_card,
    render,
    sent_card,
    submitted_payload,
    teams_markdown,
)
from bot.channels.teams.connector import MAX_ATTEMPTS, BotConnector, Delivered
from bot.channels.teams.dedupe import SeenActivities
from bot.channels.teams.sent_cards import AGAIN, FIRST, UNKNOWN, SentCard, SentCards
from bot.config import is_secure_url
from bot.monitoring import metrics

SERVICE_URL = "https://smba.trafficmanager.net/emea/"


def activity(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "type": "message",
        "id": "1700000000001",
        "channelId": "msteams",
        "serviceUrl": SERVICE_URL,
        "from": {"id": "29:user", "name": "A Practitioner"},
        "conversation": {"id": "a:chat", "conversationType": "personal"},
        "recipient": {"id": "28:bot", "name": "CCE assistant"},
        "channelData": {"tenant": {"id": "tenant-a"}},
        "text": "what is cuckooing",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_a_teams_activity_is_read():
    checked = check_activity(activity())
    assert (checked.type, checked.channel_id, checked.tenant_id) == (
        "message",
        "msteams",
        "tenant-a",
    )
    assert checked.conversation_id == "a:chat" and checked.recipient_id == "28:bot"
    tenant_elsewhere = activity(channelData=None, conversation={"id": "c", "tenantId": "t-2"})
    assert check_activity(tenant_elsewhere).tenant_id == "t-2"


@pytest.mark.parametrize(
    ("changes", "status", "words"),
    [
        ({"type": None}, 400, "`type`"),
        ({"type": 7}, 400, "`type`"),
        ({"id": None}, 400, "`id`"),
        ({"id": ["1"]}, 400, "`id`"),
        ({"channelId": ""}, 400, "`channelId`"),
        ({"serviceUrl": None}, 400, "`serviceUrl`"),
        ({"serviceUrl": "http://smba.trafficmanager.net/emea/"}, 400, "https"),
        ({"serviceUrl": "file:///etc/passwd"}, 400, "https"),
        ({"conversation": None}, 400, "`conversation`"),
        ({"conversation": "a:chat"}, 400, "`conversation`"),
        ({"conversation": {"id": 5}}, 400, "`conversation.id`"),
        ({"from": {}}, 400, "`from.id`"),
        ({"recipient": []}, 400, "`recipient`"),
        ({"text": {"a": 1}}, 400, "`text`"),
        ({"text": "x" * (MAX_TEXT + 1)}, 413, "`text`"),
        ({"entities": {"type": "mention"}}, 400, "`entities`"),
        ({"entities": ["mention"]}, 400, "`entities`"),
        ({"membersAdded": "28:bot"}, 400, "`membersAdded`"),
        ({"channelData": "tenant-a"}, 400, "`channelData`"),
        ({"conversation": {"id": "x" * 2000}}, 400, "at most"),
    ],
)
def test_malformed_activities_are_client_errors_that_say_what_is_wrong(changes, status, words):
    with pytest.raises(ActivityError) as error:
        check_activity(activity(**changes))
    assert error.value.status == status and words in error.value.message


def test_a_conversation_update_needs_no_id():
    assert check_activity(activity(type="conversationUpdate", id=None)).id is None


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (b"{", 400),
        (b"[1]", 400),
        (b"\xff\xfe", 400),
        (b"", 400),
        (b"[" * 50_000 + b"]" * 50_000, 400),
        (b"x" * (MAX_BODY + 1), 413),
    ],
)
def test_bad_bodies(body, status):
    with pytest.raises(ActivityError) as error:
        parse_body(body)
    assert error.value.status == status


def test_mentions_and_the_bots_name_are_stripped():
    entities = [
        {"type": "mention", "text": "<at>CCE assistant</at>", "mentioned": {"id": "28:bot"}},
        {"type": "clientInfo", "locale": "en-GB"},
    ]
    names = ["CCE assistant"]
    assert strip_mentions("<at>CCE assistant</at> what is cuckooing", entities, names) == (
        "what is cuckooing"
    )
    assert strip_mentions("what is <at>CCE assistant</at>&nbsp;cuckooing?", entities, names) == (
        "what is cuckooing?"
    )
    # Anyone else's mention goes too: colleagues' names are not for the records.
    assert strip_mentions("ask <at>Jo Bloggs</at> about it", [], names) == "ask about it"
    assert strip_mentions("CCE assistant, what is county lines", [], names) == (
        "what is county lines"
    )
    assert (
        strip_mentions("what does a CCE assistant do", [], names) == "what does a CCE assistant do"
    )
    assert strip_mentions("Tom &amp; Jerry", [], names) == "Tom & Jerry"


def test_conversations_are_kept_apart_by_chat_and_by_person():
    one = sender_id("19:group-a@thread.v2", "29:user-1")
    assert one == sender_id("19:group-a@thread.v2", "29:user-1")
    assert one != sender_id("19:group-b@thread.v2", "29:user-1")
    assert one != sender_id("19:group-a@thread.v2", "29:user-2")
    long_id = sender_id("19:" + "x" * 900 + "@thread.v2;messageid=1", "29:" + "y" * 900)
    assert len(long_id) == len(one) <= 64 and one.startswith("teams-")
    assert "user-1" not in one


def test_buttons_become_an_adaptive_card_whose_clicks_read_back_as_payloads():
    content = render({
        "text": "Is the child in immediate danger right now?\nChoose one.",
        "buttons": [{"title": t, "payload": p} for t, p in
                    [("Yes", "/affirm"), ("No", "/deny"), ("Not sure", "/unsure")]],
    })  # fmt: skip
    assert content is not None
    card = content["attachments"][0]
    assert card["contentType"] == "application/vnd.microsoft.card.adaptive"
    body = card["content"]["body"]
    assert [b["text"] for b in body if b["type"] == "TextBlock"] == [
        "Is the child in immediate danger right now?",
        "Choose one.",
    ]
    actions = [a for b in body if b["type"] == "ActionSet" for a in b["actions"]]
    assert [a["title"] for a in actions] == ["Yes", "No", "Not sure"]
    assert all(a["type"] == "Action.Submit" for a in actions)
    data = actions[1]["data"]
    assert data["payload"] == "/deny"
    assert data["msteams"] == {
        "type": "messageBack",
        "displayText": "No",
        "text": "/deny",
        "value": {"payload": "/deny"},
    }
    # What Teams sends back on a click, plain submit or messageBack:
    assert submitted_payload(data) == "/deny"
    assert submitted_payload(data["msteams"]["value"]) == "/deny"
    for not_a_click in (None, "x", {"payload": 3}, {"payload": ""}, {"other": 1}, [1]):
        assert submitted_payload(not_a_click) is None


def test_many_buttons_are_split_into_rows_teams_shows():
    buttons = [{"title": f"Answer {n}", "payload": f"/a{n}"} for n in range(12)]
    content = render({"text": "Which answer?", "buttons": buttons})
    assert content is not None
    sets = [b for b in content["attachments"][0]["content"]["body"] if b["type"] == "ActionSet"]
    assert [len(s["actions"]) for s in sets] == [5, 5, 2]


def test_text_keeps_its_lines_and_markdown_in_teams():
    content = render({"text": "**Call 999 now.**\nAfterwards, report it.\n- one\n- two"})
    assert content == {
        "text": "**Call 999 now.**\n\nAfterwards, report it.\n\n- one\n\n- two",
        "textFormat": "markdown",
    }
    assert render({"text": "  "}) is None
    assert teams_markdown("a\n\n\nb") == "a\n\nb"


def test_a_retried_activity_is_seen_once_and_forgotten_after_the_ttl():
    now = [0.0]
    seen = SeenActivities(ttl=60, clock=lambda: now[0])
    assert asyncio.run(seen.first_time("conv", "1"))
    assert not asyncio.run(seen.first_time("conv", "1"))
    assert asyncio.run(seen.first_time("other conv", "1"))  # ids are per conversation
    now[0] = 61
    assert asyncio.run(seen.first_time("conv", "1"))


def test_retry_detection_falls_back_to_memory_when_redis_is_down():
    seen = SeenActivities(redis_url="redis://127.0.0.1:9/0")
    assert asyncio.run(seen.first_time("conv", "1"))
    assert not asyncio.run(seen.first_time("conv", "1"))


def test_retry_detection_is_shared_through_redis():
    url = os.environ.get("CCE_TEST_REDIS_URL", "redis://127.0.0.1:6379/14")
    conversation = f"conv-{os.getpid()}-{id(url)}"

    async def run() -> list[bool]:
        one, two = SeenActivities(redis_url=url), SeenActivities(redis_url=url)
        try:
            await one._client().ping()
        except Exception as exc:  # noqa: BLE001
            pytest.skip(f"Redis not reachable at {url} ({type(exc).__name__})")
        return [await one.first_time(conversation, "1"), await two.first_time(conversation, "1")]

    assert asyncio.run(run()) == [True, False]  # the second instance knows


class Connector:
    """A BotConnector whose HTTP calls and waits are recorded stand-ins."""

    def __init__(
        self, statuses: list[int | http.Answer] | None = None, token_fails: bool = False
    ) -> None:
        self.now = 0.0
        self.forms: list[dict[str, str]] = []
        self.posts: list[tuple[str, dict[str, Any], str]] = []
        self.methods: list[str] = []
        self.waits: list[float] = []
        self.statuses = statuses or []
        self.token_fails = token_fails
        self.connector = BotConnector(
            "app-id", "secret", "https://login.example/tenant-x/oauth2/v2.0/token",
            clock=lambda: self.now, post_form=self.post_form, send_json=self.send_json,
            sleep=self.sleep, jitter=lambda: 1.0,
        )  # fmt: skip

    async def post_form(self, url: str, form: dict[str, str]) -> Any:
        if self.token_fails:
            raise http.HttpError(f"POST {url} answered 401")
        self.forms.append(form)
        return {"access_token": f"token-{len(self.forms)}", "expires_in": 3600}

    async def send_json(
        self, method: str, url: str, payload: dict[str, Any], token: str
    ) -> http.Answer:
        self.methods.append(method)
        self.posts.append((url, payload, token))
        answer = self.statuses.pop(0) if self.statuses else 200
        return answer if isinstance(answer, http.Answer) else http.Answer(answer, None, "new-id")

    async def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.now += seconds


def test_the_reply_token_comes_from_the_configured_tenant_and_is_reused_until_near_expiry():
    fake = Connector()
    fake.connector.trust(SERVICE_URL)
    for _ in range(3):
        assert asyncio.run(fake.connector.send(SERVICE_URL, "a:chat", {"type": "message"}, "1"))
    assert len(fake.forms) == 1
    assert fake.forms[0] == {
        "grant_type": "client_credentials",
        "client_id": "app-id",
        "client_secret": "secret",
        "scope": "https://api.botframework.com/.default",
    }
    fake.now += 3600 - 299  # within five minutes of expiry: a new token
    asyncio.run(fake.connector.send(SERVICE_URL, "a:chat", {"type": "message"}))
    assert len(fake.forms) == 2
    urls = [url for url, _, _ in fake.posts]
    assert urls[0] == "https://smba.trafficmanager.net/emea/v3/conversations/a%3Achat/activities/1"
    assert urls[-1] == "https://smba.trafficmanager.net/emea/v3/conversations/a%3Achat/activities"


def test_replies_go_only_to_a_service_url_a_verified_request_brought():
    fake = Connector()
    assert not asyncio.run(fake.connector.send("https://evil.example/", "a:chat", {}))
    assert fake.posts == [] and fake.forms == []  # not even a token was requested
    fake.connector.trust("https://evil.example")
    assert asyncio.run(fake.connector.send("https://evil.example/", "a:chat", {}))


def test_a_refused_token_is_renewed_once_and_failures_are_not_raised():
    fake = Connector(statuses=[401, 200])
    fake.connector.trust(SERVICE_URL)
    assert asyncio.run(fake.connector.send(SERVICE_URL, "c", {}))
    assert [token for _, _, token in fake.posts] == ["token-1", "token-2"]
    fake = Connector(statuses=[400])  # a reply the Bot Connector will never take
    fake.connector.trust(SERVICE_URL)
    assert asyncio.run(fake.connector.send(SERVICE_URL, "c", {})) is None
    assert len(fake.posts) == 1 and fake.waits == []
    fake = Connector(token_fails=True)
    fake.connector.trust(SERVICE_URL)
    assert not asyncio.run(fake.connector.send(SERVICE_URL, "c", {}))


def test_http_helpers_allow_https_and_local_http_only():
    assert is_secure_url("https://smba.trafficmanager.net/emea/")
    assert is_secure_url("http://127.0.0.1:5000/connector/")
    for url in ("http://smba.trafficmanager.net/", "ftp://x/", "https://", "javascript:alert(1)"):
        assert not is_secure_url(url)


def test_unreachable_endpoints_are_http_errors_not_crashes():
    with pytest.raises(http.HttpError):
        asyncio.run(http.get_json("http://127.0.0.1:9/openid"))
    assert asyncio.run(http.send_json("POST", "http://127.0.0.1:9/x", {}, "t")).status == 0


def failed(kind: str, reason: str) -> float:
    return (
        metrics.REGISTRY.get_sample_value(
            "cce_teams_replies_failed_total", {"kind": kind, "reason": reason}
        )
        or 0.0
    )


def test_a_reply_refused_with_429_is_sent_again_after_the_retry_after_it_asked_for():
    fake = Connector(statuses=[http.Answer(429, 7.0), 200])
    fake.connector.trust(SERVICE_URL)
    assert asyncio.run(fake.connector.send(SERVICE_URL, "c", {"type": "message"})) == Delivered(
        "new-id"
    )
    assert fake.waits == [7.0] and len(fake.posts) == 2
    assert fake.posts[0][1] == fake.posts[1][1]  # the same reply, not dropped


def test_5xx_and_an_unreachable_connector_are_retried_with_a_growing_back_off():
    fake = Connector(statuses=[503, 0, 502, 200])
    fake.connector.trust(SERVICE_URL)
    assert asyncio.run(fake.connector.send(SERVICE_URL, "c", {"type": "message"}))
    assert fake.waits == [1.0, 2.0, 4.0]  # doubled each time (jitter at its top here)
    half = Connector(statuses=[503, 200])
    half.connector._jitter = lambda: 0.0  # type: ignore[attr-defined]
    half.connector.trust(SERVICE_URL)
    assert asyncio.run(half.connector.send(SERVICE_URL, "c", {"type": "message"}))
    assert half.waits == [0.5]  # jitter: between half and all of the back-off


def test_a_reply_refused_every_time_is_given_up_counted_and_never_raised():
    before = failed("message", "server_error")
    fake = Connector(statuses=[500] * 10)
    fake.connector.trust(SERVICE_URL)
    assert asyncio.run(fake.connector.send(SERVICE_URL, "c", {"type": "message"})) is None
    assert len(fake.posts) == MAX_ATTEMPTS and fake.waits == [1.0, 2.0, 4.0, 8.0]
    assert failed("message", "server_error") == before + 1


def test_a_retry_after_beyond_the_budget_is_not_waited_for():
    before = failed("message", "rate_limited")
    fake = Connector(statuses=[http.Answer(429, 45.0), http.Answer(429, 45.0), 200])
    fake.connector.trust(SERVICE_URL)
    assert asyncio.run(fake.connector.send(SERVICE_URL, "c", {"type": "message"})) is None
    assert fake.waits == [45.0]  # a second 45 s would pass the 60 s budget
    assert failed("message", "rate_limited") == before + 1


def test_a_typing_indicator_is_sent_once():
    fake = Connector(statuses=[429, 200])
    fake.connector.trust(SERVICE_URL)
    assert asyncio.run(fake.connector.send(SERVICE_URL, "c", {"type": "typing"})) is None
    assert len(fake.posts) == 1 and fake.waits == []


def test_an_update_replaces_the_activity_with_put_and_is_retried_too():
    fake = Connector(statuses=[429, 200])
    fake.connector.trust(SERVICE_URL)
    assert asyncio.run(fake.connector.update(SERVICE_URL, "a:chat", "card-1", {"type": "message"}))
    assert fake.methods == ["PUT", "PUT"]
    assert fake.posts[0][0].endswith("/v3/conversations/a%3Achat/activities/card-1")
    assert not asyncio.run(fake.connector.update("https://evil.example/", "a", "1", {}))


def test_retry_after_in_seconds_or_as_a_date():
    from datetime import datetime, timezone

    now = datetime(2026, 11, 28, 10, 0, 0, tzinfo=timezone.utc)
    assert http.retry_after("12") == 12.0
    assert http.retry_after("Sat, 28 Nov 2026 10:00:30 GMT", now) == 30.0
    assert http.retry_after("Sat, 28 Nov 2026 09:00:00 GMT", now) == 0.0
    for nothing in (None, "", "soon", "-3"):
        assert http.retry_after(nothing) is None


CARD = SentCard(("Is the young person under 18?",), {"/affirm": "Yes", "/deny": "No"})


def test_a_card_is_claimed_once_by_its_own_user_and_forgotten_after_its_time():
    now = [0.0]
    cards = SentCards(ttl=60, clock=lambda: now[0])

    async def run() -> list[tuple[str, Any]]:
        await cards.remember("conv", "card-1", "29:user", CARD)
        return [
            await cards.claim("conv", "card-1", "29:someone-else"),
            await cards.claim("other conv", "card-1", "29:user"),
            await cards.claim("conv", "card-1", "29:user"),
            await cards.claim("conv", "card-1", "29:user"),
        ]

    assert asyncio.run(run()) == [(UNKNOWN, None), (UNKNOWN, None), (FIRST, CARD), (AGAIN, None)]
    asyncio.run(cards.remember("conv", "card-2", "29:user", CARD))
    now[0] = 61
    assert asyncio.run(cards.claim("conv", "card-2", "29:user")) == (UNKNOWN, None)


def test_cards_fall_back_to_memory_when_redis_is_down():
    cards = SentCards(redis_url="redis://127.0.0.1:9/0")
    asyncio.run(cards.remember("conv", "card-1", "29:user", CARD))
    assert asyncio.run(cards.claim("conv", "card-1", "29:user")) == (FIRST, CARD)


def test_a_card_sent_by_one_instance_is_claimed_once_across_instances_through_redis():
    url = os.environ.get("CCE_TEST_REDIS_URL", "redis://127.0.0.1:6379/14")
    conversation = f"conv-{os.getpid()}-{id(url)}"

    async def run() -> list[tuple[str, Any]]:
        one, two = SentCards(redis_url=url), SentCards(redis_url=url)
        try:
            await one._client().ping()
        except Exception as exc:  # noqa: BLE001
            pytest.skip(f"Redis not reachable at {url} ({type(exc).__name__})")
        await one.remember(conversation, "card-1", "29:user", CARD)
        return [
            await two.claim(conversation, "card-1", "29:user"),
            await one.claim(conversation, "card-1", "29:user"),
        ]

    assert asyncio.run(run()) == [(FIRST, CARD), (AGAIN, None)]


def test_a_rendered_card_is_remembered_by_its_lines_and_titles_and_answered_without_buttons():
    content = render({"text": "Is the young person under 18?\nTake your time.",
                      "buttons": [{"title": "Yes", "payload": "/affirm"},
                                  {"title": "No", "payload": "/deny"}]})  # fmt: skip
    card = sent_card(content)
    assert card == SentCard(
        ("Is the young person under 18?", "Take your time."), {"/affirm": "Yes", "/deny": "No"}
    )
    assert sent_card(render({"text": "No buttons here."})) is None
    answered = answered_card(card, "/deny", "Answered: No")
    body = answered["attachments"][0]["content"]["body"]
    assert [b["text"] for b in body] == [*card.lines, "Answered: No"]
    assert all(b["type"] == "TextBlock" for b in body)


def test_a_link_button_opens_its_https_address_and_sends_nothing_back():
    link = "https://teams.microsoft.com/l/chat/0/0?users=28:11111111-2222-3333-4444-555555555555"
    content = render({"text": "Open a private chat", "buttons": [
        {"title": "Open", "url": link},
        {"title": "Script", "url": "javascript:alert(1)"},
        {"title": "Plain http", "url": "http://example.com/"},
    ]})  # fmt: skip
    assert content is not None
    body = content["attachments"][0]["content"]["body"]
    actions = [a for block in body for a in block.get("actions") or []]
    assert actions == [{"type": "Action.OpenUrl", "title": "Open", "url": link}]


def test_a_card_with_only_a_link_is_not_remembered_as_answerable():
    link = "https://teams.microsoft.com/l/chat/0/0?users=28:11111111-2222-3333-4444-555555555555"
    content = render({"text": "Open a private chat", "buttons": [{"title": "Open", "url": link}]})
    assert content is not None and sent_card(content) is None
