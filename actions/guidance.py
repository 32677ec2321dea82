"""Actions that answer guidance questions: the answer plan
(:mod:`bot.knowledge.answering`) turned into replies (:mod:`bot.texts.guidance`), each
answer recorded (topic, route, confidence, the question redacted) for the
content-gaps report, and the topic remembered for a follow-up."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet, UserUtteranceReverted
from rasa_sdk.executor import CollectingDispatcher

from bot import bootstrap
from bot.knowledge.answering import Plan, plan
from bot.knowledge.search import search_topics
from bot.storage.records import new_answer_id, record_answer
from bot.texts.guidance import plan_replies
from bot.texts.messages import Reply
from bot.texts.send import send

LAST_TOPIC = "last_topic"  # the topic answered last, for a follow-up question


def _plan(tracker: Tracker) -> Plan:
    return plan(
        tracker.latest_message,
        bootstrap.app().knowledge,
        search_topics,
        tracker.get_slot(LAST_TOPIC),
    )


def _answer(tracker: Tracker, the_plan: Plan) -> tuple[list[Reply], list[EventType]]:
    """The replies for a plan, each answer recorded; and the slot for follow-ups."""
    message = tracker.latest_message
    text = message.get("text") or ""
    answer_ids = [new_answer_id() for _ in the_plan.topics]
    # Each answer is recorded; a question asked back, under the first topic offered.
    records = list(zip(the_plan.topics, answer_ids, strict=True)) or [
        (topic, new_answer_id()) for topic in the_plan.choices[:1]
    ]
    for topic, answer_id in records:
        record_answer(answer_id, tracker.sender_id, tracker.get_latest_input_channel() or "",
                      topic, the_plan.route, the_plan.confidence, text)  # fmt: skip
    ranking = bootstrap.app().knowledge.topics_in_ranking(message.get("intent_ranking") or [])
    replies = plan_replies(
        the_plan, text, answer_ids, bootstrap.app().settings.search_results, ranking
    )
    events = [SlotSet(LAST_TOPIC, the_plan.topics[-1])] if the_plan.topics else []
    return replies, events


class ActionAnswerGuidance(Action):
    """Answers the topic (or topics) the message asks about."""

    def name(self) -> str:
        return "action_answer_guidance"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        replies, events = _answer(tracker, _plan(tracker))
        return send(dispatcher, replies, tracker) + events


class ActionSearchGuidance(ActionAnswerGuidance):
    """When the classifier is not confident: a follow-up read with the topic
    before it, the closest passages of the guidance, or a request to rephrase."""

    def name(self) -> str:
        return "action_search_guidance"


class ActionCoreFallback(Action):
    """When no rule fits the conversation: answer like the search does, then forget
    the message (as Rasa's own default fallback does), so the dialogue cannot loop."""

    def name(self) -> str:
        return "action_core_fallback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        replies, _ = _answer(tracker, _plan(tracker))
        send(dispatcher, replies)
        return [UserUtteranceReverted()]
