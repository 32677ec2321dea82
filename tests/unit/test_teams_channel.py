"""The Teams channel's turn handling without a server: what each activity
becomes, the replies sent after a turn (cards for buttons), the holding message
when a turn fails, and one turn at a time per conversation."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from bot.channels.holding import with_holding_message
from bot.channels.teams.activities import check_activity
from bot.channels.teams.channel import ConversationLocks, TeamsInput
from bot.channels.teams.connector import Delivered

SERVICE_URL = "https://smba.trafficmanager.net/emea/"


def activity(**changes: Any):
    data: dict[str, Any] = {
        "type": "message",
        "id": "act-1",
        "channelId": "msteams",
        "serviceUrl": SERVICE_URL,
        "from": {"id": "29:user", "name": "A Practitioner"},
        "conversation": {"id": "19:group@thread.v2", "conversationType": "groupChat"},
        "recipient": {"id": "28:bot", "name": "CCE assistant"},
        "text": "<at>CCE assistant</at> what is cuckooing",
        "entities": [{"type": "mention", "text": "<at>CCE assistant</at>"}],
    }
    data.update(changes)
    return check_activity({k: v for k, v in data.items() if v is not None})


class Sent:
    """The connector's stand-in: records what is sent and updated; each sent
    activity gets the id ``sent-<n>``, as the Bot Connector gives one."""

    def __init__(self) -> None:
        self.activities: list[tuple[str, dict[str, Any], str | None]] = []
        self.updates: list[tuple[str, str, dict[str, Any]]] = []

    async def send(self, service_url, conversation_id, reply, reply_to_id=None) -> Delivered:
        self.activities.append((conversation_id, reply, reply_to_id))
        return Delivered(f"sent-{len(self.activities)}")

    async def update(self, service_url, conversation_id, activity_id, activity) -> bool:
        self.updates.append((conversation_id, activity_id, activity))
        return True


@pytest.fixture
def channel():
    teams = TeamsInput()
    teams.connector = Sent()  # type: ignore[assignment]
    return teams


def run(channel: TeamsInput, act, handler) -> list[tuple[str, dict[str, Any], str | None]]:
    work = channel.turn_for(act, with_holding_message(handler))
    assert work is not None
    asyncio.run(work)
    return channel.connector.activities  # type: ignore[attr-defined]


def test_a_message_becomes_its_text_without_the_mention_and_replies_follow_the_turn(channel):
    seen = []

    async def handler(message) -> None:
        seen.append((message.text, message.sender_id, message.input_channel, message.metadata))
        await message.output_channel.send_text_with_buttons(
            message.sender_id, "Is that right?", [{"title": "Yes", "payload": "/affirm"}]
        )
        await message.output_channel.send_text_message(
            message.sender_id, "Source: NEL CCE guidance"
        )

    sent = run(channel, activity(), handler)
    ((text, sender, channel_name, metadata),) = seen
    assert text == "what is cuckooing" and channel_name == "teams"
    assert sender.startswith("teams-") and metadata == {"teams": {"conversation_type": "groupChat"}}
    kinds = [reply["type"] for _, reply, _ in sent]
    assert kinds == ["typing", "message", "message"]
    card, plain = sent[1][1], sent[2][1]
    assert card["attachments"][0]["contentType"] == "application/vnd.microsoft.card.adaptive"
    assert plain["text"] == "Source: NEL CCE guidance" and plain["replyToId"] == "act-1"
    assert plain["from"]["id"] == "28:bot" and plain["recipient"]["id"] == "29:user"
    assert [reply_to for _, _, reply_to in sent[1:]] == ["act-1", "act-1"]


def test_a_card_click_becomes_its_payload(channel):
    texts = []

    async def handler(message) -> None:
        texts.append(message.text)

    click = activity(text="/deny", value={"payload": "/deny"}, entities=None)
    plain_submit = activity(text=None, value={"payload": "/affirm", "msteams": {}}, entities=None)
    run(channel, click, handler)
    run(channel, plain_submit, handler)
    assert texts == ["/deny", "/affirm"]


def test_adding_the_bot_starts_the_session_and_other_updates_are_ignored(channel):
    texts = []

    async def handler(message) -> None:
        texts.append(message.text)
        await message.output_channel.send_text_message(message.sender_id, "Hello, welcome.")

    added = activity(type="conversationUpdate", id=None, text=None, membersAdded=[{"id": "28:bot"}])
    sent = run(channel, added, handler)
    assert texts == ["/session_start"]
    assert [reply["type"] for _, reply, _ in sent] == ["message"]  # no typing for a welcome
    assert "replyToId" not in sent[0][1] and sent[0][2] is None
    someone = activity(type="conversationUpdate", membersAdded=[{"id": "29:someone"}])
    assert channel.turn_for(someone, with_holding_message(handler)) is None
    for kind in ("typing", "messageReaction", "invoke", "installationUpdate"):
        assert channel.turn_for(activity(type=kind), with_holding_message(handler)) is None


def test_a_failed_turn_still_gets_the_holding_message_with_999(channel):
    async def handler(message) -> None:
        raise RuntimeError("the action server is down")

    sent = run(channel, activity(), handler)
    (card,) = [reply for _, reply, _ in sent if reply["type"] == "message"]
    blocks = card["attachments"][0]["content"]["body"]
    text = " ".join(b["text"] for b in blocks if b["type"] == "TextBlock")
    assert "send your message again" in text and "call 999" in text


def test_turns_of_one_conversation_run_one_at_a_time():
    locks, order = ConversationLocks(), []

    async def turn(key: str, name: str) -> None:
        async with locks.hold(key):
            order.append(f"{name} start")
            await asyncio.sleep(0.01)
            order.append(f"{name} end")

    async def main() -> None:
        await asyncio.gather(turn("a", "a1"), turn("a", "a2"), turn("b", "b1"))

    asyncio.run(main())
    assert order.index("a1 end") < order.index("a2 start")
    assert order.index("b1 start") < order.index("a1 end")  # other conversations do not wait
    assert locks._locks == {}  # nothing kept once nobody holds a lock


async def asks(message) -> None:
    await message.output_channel.send_text_with_buttons(
        message.sender_id,
        "Is the young person under 18?",
        [{"title": "Yes", "payload": "/affirm"}, {"title": "No", "payload": "/deny"}],
    )


def card_id_of(channel: TeamsInput, question: str) -> str:
    sent = channel.connector.activities  # type: ignore[attr-defined]
    for number, (_, reply, _) in enumerate(sent, start=1):
        if question in str(reply.get("attachments")):
            return f"sent-{number}"
    raise AssertionError(f"no card asking {question!r}")


def click(title_payload: str, card: str, **changes: Any):
    return activity(
        text=title_payload, value={"payload": title_payload}, entities=None, replyToId=card,
        **changes,
    )  # fmt: skip


def test_a_clicked_card_loses_its_buttons_and_says_what_was_chosen(channel):
    texts = []

    async def answers(message) -> None:
        texts.append(message.text)
        await asks(message)

    run(channel, activity(text="start a check", id="act-0"), answers)
    card = card_id_of(channel, "under 18")
    run(channel, click("/deny", card, id="act-2"), answers)
    assert texts == ["start a check", "/deny"]
    ((conversation, updated_id, update),) = channel.connector.updates  # type: ignore[attr-defined]
    assert (conversation, updated_id, update["id"]) == ("19:group@thread.v2", card, card)
    body = update["attachments"][0]["content"]["body"]
    assert [b["text"] for b in body] == ["Is the young person under 18?", "Answered: No"]
    assert not [b for b in body if b["type"] == "ActionSet"]  # no buttons left
    assert update["from"]["id"] == "28:bot" and "replyToId" not in update


def test_a_second_click_on_an_answered_card_is_not_an_answer(channel):
    texts = []

    async def answers(message) -> None:
        texts.append(message.text)
        await asks(message)

    run(channel, activity(text="start a check", id="act-0"), answers)
    card = card_id_of(channel, "under 18")
    run(channel, click("/affirm", card, id="act-2"), answers)
    sent_before = len(channel.connector.activities)  # type: ignore[attr-defined]
    run(channel, click("/deny", card, id="act-3"), answers)  # clicked twice, quickly
    assert texts == ["start a check", "/affirm"]
    assert len(channel.connector.activities) == sent_before  # type: ignore[attr-defined]
    assert len(channel.connector.updates) == 1  # type: ignore[attr-defined]


def test_someone_elses_click_in_a_group_chat_leaves_the_card_alone(channel):
    texts = []

    async def answers(message) -> None:
        texts.append((message.sender_id, message.text))
        await asks(message)

    run(channel, activity(text="start a check", id="act-0"), answers)
    card = card_id_of(channel, "under 18")
    other = {"id": "29:someone-else", "name": "Another Practitioner"}
    run(channel, click("/deny", card, id="act-2", **{"from": other}), answers)
    assert channel.connector.updates == []  # type: ignore[attr-defined]
    assert texts[1][1] == "/deny" and texts[1][0] != texts[0][0]  # their own conversation
    run(channel, click("/affirm", card, id="act-3"), answers)  # the card's own user
    assert len(channel.connector.updates) == 1  # type: ignore[attr-defined]


def test_a_click_on_a_card_not_known_here_still_answers(channel):
    texts = []

    async def answers(message) -> None:
        texts.append(message.text)

    run(channel, click("/affirm", "sent-999", id="act-9"), answers)
    assert texts == ["/affirm"] and channel.connector.updates == []  # type: ignore[attr-defined]


# ---------------------------------------------------------------- the check in private only

APP_ID = "11111111-2222-3333-4444-555555555555"
INTENTS = {"/start_check": "start_check", "start a check": "start_check", "/affirm": "affirm",
           "what is cuckooing": "ask_cuckooing", "a child is in danger": "emergency"}  # fmt: skip


def guarded(channel: TeamsInput, handler, intents=INTENTS):
    async def classify(text: str) -> str | None:
        return intents[text]

    channel.intent_of = classify  # type: ignore[method-assign]
    channel.app_id = APP_ID
    return with_holding_message(channel.private_check(handler))


def shown(sent) -> tuple[str, list[dict[str, Any]]]:
    """The text and card actions of the messages a turn sent."""
    texts, actions = [], []
    for _, reply, _ in sent:
        for attachment in reply.get("attachments") or []:
            for block in attachment["content"]["body"]:
                texts.extend([block["text"]] if block["type"] == "TextBlock" else [])
                actions.extend(block.get("actions") or [])
        texts.append(reply.get("text") or "")
    return "\n".join(texts), actions


@pytest.mark.parametrize(
    ("kind", "place"), [("groupChat", "chat"), ("channel", "channel"), ("", "chat")]
)
@pytest.mark.parametrize("text", ["/start_check", "start a check", "/affirm"])
def test_in_a_shared_conversation_the_check_moves_to_a_private_chat(channel, kind, place, text):
    reached = []

    async def handler(message) -> None:
        reached.append(message.text)
        await message.output_channel.send_text_message(message.sender_id, "First question")

    conversation = {"id": "19:group@thread.v2", "conversationType": kind}
    act = activity(text=text, entities=None, conversation=conversation)
    work = channel.turn_for(act, guarded(channel, handler))
    asyncio.run(work)
    assert reached == []  # the check never saw it (nor did the conversation store)
    text_shown, actions = shown(channel.connector.activities)
    assert f"nobody else in this {place}" in text_shown and "call 999" in text_shown
    assert "First question" not in text_shown
    assert actions == [{
        "type": "Action.OpenUrl", "title": "Open a private chat with me",
        "url": f"https://teams.microsoft.com/l/chat/0/0?users=28:{APP_ID}",
    }]  # fmt: skip


@pytest.mark.parametrize("text", ["what is cuckooing", "a child is in danger"])
def test_in_a_shared_conversation_guidance_and_999_are_answered_there(channel, text):
    reached = []

    async def handler(message) -> None:
        reached.append(message.text)
        await message.output_channel.send_text_message(message.sender_id, "An answer")

    act = activity(text=text, entities=None)  # a group chat
    asyncio.run(channel.turn_for(act, guarded(channel, handler)))
    assert reached == [text]
    assert "An answer" in shown(channel.connector.activities)[0]


def test_in_a_personal_chat_the_check_runs_and_nothing_is_classified(channel):
    reached = []

    async def handler(message) -> None:
        reached.append(message.text)
        await message.output_channel.send_text_message(message.sender_id, "First question")

    personal = {"id": "a:personal", "conversationType": "personal"}
    act = activity(text="/start_check", entities=None, conversation=personal)
    asyncio.run(channel.turn_for(act, guarded(channel, handler, intents={})))
    assert reached == ["/start_check"]


def test_when_the_message_cannot_be_classified_the_holding_message_gives_999(channel):
    async def handler(message) -> None:
        raise AssertionError("must not be reached")

    act = activity(text="/start_check", entities=None)
    asyncio.run(channel.turn_for(act, guarded(channel, handler, intents={})))  # KeyError
    text_shown, _ = shown(channel.connector.activities)
    assert "send your message again" in text_shown and "call 999" in text_shown
