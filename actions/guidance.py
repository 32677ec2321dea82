"""Actions that answer guidance questions."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, UserUtteranceReverted
from rasa_sdk.executor import CollectingDispatcher

from actions._dispatch import send
from bot.config import get_settings
from bot.knowledge.loader import get_knowledge
from bot.messages import Reply
from bot.replies import guidance_answer, search_replies


def _search(tracker: Tracker) -> list[Reply]:
    """Search replies for the latest message, re-ranked by the classifier's guesses."""
    message = tracker.latest_message
    ranking = get_knowledge().topics_in_ranking(message.get("intent_ranking") or [])
    return search_replies(
        message.get("text") or "",
        limit=get_settings().search_results,
        classifier_ranking=ranking,
    )


class ActionAnswerGuidance(Action):
    """Answers the topic the classifier recognised (intent ``ask_<topic>``)."""

    def name(self) -> str:
        return "action_answer_guidance"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        topic = get_knowledge().topic_for_intent(intent)
        # Not a topic intent (e.g. predicted by a rule after another intent): search, don't guess.
        return send(dispatcher, guidance_answer(topic.id) if topic else _search(tracker), tracker)


class ActionSearchGuidance(Action):
    """When the classifier is not confident: offer the closest passages of the
    guidance, or ask the user to rephrase."""

    def name(self) -> str:
        return "action_search_guidance"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        return send(dispatcher, _search(tracker), tracker)


class ActionCoreFallback(ActionSearchGuidance):
    """When no rule fits the conversation: answer like the search does, then forget
    the message (as Rasa's own default fallback does), so the dialogue cannot loop."""

    def name(self) -> str:
        return "action_core_fallback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        send(dispatcher, _search(tracker))
        return [UserUtteranceReverted()]
