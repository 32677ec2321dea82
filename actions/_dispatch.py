"""Sending :class:`bot.messages.Reply` objects through the rasa-sdk dispatcher."""

from __future__ import annotations

from collections.abc import Iterable

from rasa_sdk.executor import CollectingDispatcher

from bot.messages import Reply


def send(dispatcher: CollectingDispatcher, replies: Iterable[Reply]) -> None:
    for reply in replies:
        dispatcher.utter_message(
            text=reply.text, buttons=[button.as_dict() for button in reply.buttons]
        )
