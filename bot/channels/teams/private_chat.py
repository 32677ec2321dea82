"""The indicator check runs only in a private (1:1) chat with the bot.

In a group chat or a team channel every member sees the bot's questions and
the practitioner's answers about a child. There, a message that would start,
resume or answer the check does not reach Rasa: the bot answers with a card
that opens a private chat with it instead. Guidance questions, and a child in
immediate danger (999), are answered where they are asked.

The decision is the channel's, made before the message reaches the dialogue,
so the check itself (bot/check/, actions/check.py, data/rules/check.yml) does
not know about Teams. The message is classified by the same model Rasa uses
(``Agent.parse_message``: a button's ``/intent`` payload, or the words), so
what would start the check here is what would start it there.

The link is Teams' deep link to a chat with a bot, named by its Microsoft App
ID with the ``28:`` prefix (``https://teams.microsoft.com/l/chat/0/0?users=28:<id>``,
Microsoft's "deep link to a chat"). Teams also documents
``https://teams.microsoft.com/l/entity/<app id>/conversations``, but that takes
the Teams app's id, which for an app added to an organisation's catalogue is a
catalogue id this server cannot know; the bot's App ID it always knows.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import quote

from rasa.core.channels.channel import UserMessage

from bot.channels.holding import Handler

logger = logging.getLogger(__name__)

PERSONAL = "personal"  # conversation.conversationType of a 1:1 chat
# What starts, resumes or answers the check: the intents of domain.yml's check
# block that do something only inside the check (``stop_check`` merely pauses).
CHECK_INTENTS = frozenset(
    {"start_check", "resume_check", "change_answer", "affirm", "deny", "unsure"}
)

Classifier = Callable[[str], Awaitable[str | None]]


def conversation_type(message: UserMessage) -> str:
    teams = (message.metadata or {}).get("teams") or {}
    return str(teams.get("conversation_type") or "")


def is_shared(kind: str) -> bool:
    """Anything but a 1:1 chat (groupChat, channel, or a type Teams may add) is
    treated as seen by others."""
    return kind != PERSONAL


def chat_link(app_id: str) -> str:
    """Teams' deep link to a private chat with the bot."""
    return f"https://teams.microsoft.com/l/chat/0/0?users={quote('28:' + app_id, safe=':')}"


async def send_private_chat_card(message: UserMessage, app_id: str, bot_name: str) -> None:
    from bot import bootstrap

    texts = bootstrap.app().texts
    place = "channel" if conversation_type(message) == "channel" else "chat"
    reply = texts.reply("teams_check_in_private_chat", place=place, bot_name=bot_name)
    button = {"title": texts.reply("teams_private_chat_button").text, "url": chat_link(app_id)}
    await message.output_channel.send_text_with_buttons(message.sender_id, reply.text, [button])


def check_only_in_private(
    handler: Handler, classify: Classifier, app_id: str, bot_name: str
) -> Handler:
    """``handler``, except that in a shared conversation a message for the check
    gets the private chat card instead (see the module docstring)."""

    async def handle(message: UserMessage) -> Any:
        if is_shared(conversation_type(message)):
            intent = await classify(message.text or "")
            if intent in CHECK_INTENTS:
                logger.info("Check asked for in a shared Teams conversation: private chat offered.")
                await send_private_chat_card(message, app_id, bot_name)
                return None
        return await handler(message)

    return handle
