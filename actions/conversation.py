"""Actions for the conversation around the answers: session start and welcome,
greeting, help, emergency, out of scope, thanks and goodbye."""

from __future__ import annotations

from abc import ABCMeta, abstractmethod
from typing import Any, cast

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, EventType, SessionStarted
from rasa_sdk.executor import CollectingDispatcher

from bot.pages import PRIVACY_PATH, public_link
from bot.rasa_contracts import require_user_turns
from bot.texts.guidance import message
from bot.texts.send import send

require_user_turns(2, __name__)  # _already_started: the turn before the latest message


def _already_started(tracker: Tracker) -> bool:
    """Whether the conversation had begun before its latest user message (Rasa
    starts, and so welcomes, every conversation before logging its first
    message). Any event before that message says so; an action is sent only the
    latest turns (bot.rasa_contracts.RECENT_USER_TURNS), so no older event can be
    relied on."""
    events = list(tracker.events)
    while events and events[-1].get("event") != "user":
        events.pop()
    return len(events) > 1


class ActionSessionStart(Action):
    """Starts each session with the welcome: what the assistant is, the privacy
    request with a link to the privacy notice, and the 999 route."""

    def name(self) -> str:
        return "action_session_start"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        # A client that opens a conversation with "/session_start" (the web
        # widget) would otherwise be welcomed twice: once by Rasa starting the
        # new session, once for the explicit intent.
        explicit = (tracker.latest_message.get("intent") or {}).get("name") == "session_start"
        if not (explicit and _already_started(tracker)):
            send(dispatcher, message("welcome", privacy_url=public_link(PRIVACY_PATH)))
        return [SessionStarted(), ActionExecuted("action_listen")]


# The actions that only say one text of content/messages.yml: action_say_<key>
# says the message <key> (the names domain.yml and the stories use).
FIXED_TEXTS = (
    "greet", "help", "emergency", "out_of_scope", "thank", "goodbye", "rephrase",
    "check_paused", "check_not_running", "unexpected_answer",
)  # fmt: skip


class SayText(Action, metaclass=ABCMeta):
    """Says the text ``message_key`` of content/messages.yml (with the privacy
    reminder when due). Abstract, so rasa-sdk does not register it:
    :func:`say_text_action` makes one action per key."""

    @property
    @abstractmethod
    def message_key(self) -> str:
        """The key of the text under `messages:` in content/messages.yml."""

    def name(self) -> str:
        return f"action_say_{self.message_key}"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        return send(dispatcher, message(self.message_key), tracker)


def say_text_action(key: str) -> type[SayText]:
    """The action that says the message `key` (rasa-sdk registers every concrete
    subclass of ``Action`` it finds)."""
    name = "ActionSay" + "".join(part.title() for part in key.split("_"))
    attributes = {"message_key": key, "__module__": __name__}
    return cast("type[SayText]", type(name, (SayText,), attributes))


SAY_TEXT_ACTIONS = {key: say_text_action(key) for key in FIXED_TEXTS}
