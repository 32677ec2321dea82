"""Sending :class:`bot.texts.messages.Reply` objects through the rasa-sdk dispatcher,
with the privacy reminder the first time a user seems to type an identifier."""

from __future__ import annotations

from collections.abc import Iterable

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot import bootstrap
from bot.privacy.offload import identifying
from bot.texts.messages import Reply

REMINDED = "privacy_reminded"


def send(
    dispatcher: CollectingDispatcher, replies: Iterable[Reply], tracker: Tracker | None = None
) -> list[EventType]:
    """Sends the replies; with a tracker, adds the privacy reminder once per
    conversation when the user's message looks like it holds an identifier, and
    returns the event that records it."""
    for reply in replies:
        dispatcher.utter_message(
            text=reply.text,
            buttons=[button.as_dict() for button in reply.buttons],
            json_message=dict(reply.custom) if reply.custom else None,
        )
    if tracker is None or tracker.get_slot(REMINDED):
        return []
    # Usually worked out before the turn, off the event loop (bot.privacy.offload).
    if not identifying(tracker.latest_message.get("text") or ""):
        return []
    dispatcher.utter_message(text=bootstrap.app().texts.reply("privacy_reminder").text)
    return [SlotSet(REMINDED, True)]
