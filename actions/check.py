"""The indicator check's actions: the form's validation (which also asks the next
question), start, change of answer, and the outcome. The logic is in bot.check and
bot.triage."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions._dispatch import send
from bot.check import flow, replies
from bot.messages import get_messages
from bot.monitoring.metrics import check_outcome
from bot.storage.records import record_check
from bot.triage.engine import assess
from bot.triage.model import CheckInput
from bot.triage.service import get_catalogue, get_questions, get_triage

FORM = "indicator_check_form"


def _state(tracker: Tracker) -> dict[str, Any]:
    return {slot: tracker.get_slot(slot) for slot in flow.CHECK_SLOTS}


def _answering(tracker: Tracker) -> bool:
    """Whether the form runs on a fresh user message (not on re-entry after a
    guidance answer). Rasa hands the validation action a tracker that ends with
    the form's own execution, so look past it for the user's message."""
    events = list(reversed(tracker.events))
    if events and events[0].get("event") == "action" and events[0].get("name") == FORM:
        events = events[1:]
    for event in events:
        if event.get("event") == "user":
            return True
        if event.get("event") == "action":
            return False
    return False


def _found_ids(tracker: Tracker) -> list[str]:
    catalogue = get_catalogue()
    ids = []
    for entity in tracker.latest_message.get("entities") or []:
        value = entity.get("value")
        if entity.get("entity") in ("indicator", "vulnerability") and value in catalogue:
            ids.append(value)
    return list(dict.fromkeys(ids))


class ValidateIndicatorCheckForm(Action):
    """Reads each reply (bot.check.flow.read_reply), picks the next question and
    asks it.

    Rasa 3.6's form calls this action every time it runs (on activation, on each
    answer and on coming back after an interruption) and then asks for the slot
    it names in ``requested_slot``. Asking here, in the same call, saves the
    second action call (over HTTP, with a separate action server) that an
    ``action_ask_<slot>`` action would cost on every step: the domain has no ask
    action or ``utter_ask_`` response for the check's slots, so the form finds
    nothing more to run.
    """

    def name(self) -> str:
        return f"validate_{FORM}"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        events: list[EventType] = []
        slot = tracker.get_slot("requested_slot")
        if slot and _answering(tracker):
            reading = flow.read_reply(
                slot,
                (tracker.latest_message.get("intent") or {}).get("name"),
                tracker.latest_message.get("text") or "",
                _found_ids(tracker),
                _state(tracker),
                get_catalogue(),
            )
            if reading.reject:
                return []  # not an answer: the form is rejected and the rules take over
            for note in reading.notes:
                send(dispatcher, [get_messages().reply(note)])
            events = [SlotSet(key, value) for key, value in reading.slots.items()]
            tracker.add_slots(events)
        state = _state(tracker)
        next_slot = flow.next_slot(state)
        events.append(SlotSet("requested_slot", next_slot))
        if next_slot is not None:
            question = replies.ask(next_slot, state, get_questions(), get_catalogue())
            events += send(dispatcher, question, tracker)
        return events


class ActionStartCheck(Action):
    """Starts a new check: clears earlier answers and gives the privacy reminder."""

    def name(self) -> str:
        return "action_start_check"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        send(dispatcher, [get_messages().reply("check_intro")])
        return [SlotSet(slot, None) for slot in flow.CHECK_SLOTS]


class ActionChangeAnswer(Action):
    """Clears the answer the user picked, or offers the answers to pick from."""

    def name(self) -> str:
        return "action_change_answer"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        labels = flow.changeable_labels({q: v["label"] for q, v in get_questions().items()})
        state = _state(tracker)
        chosen = next(tracker.get_latest_entity_values("check_question"), None)
        if isinstance(chosen, str) and chosen in labels and state.get(chosen) is not None:
            return [SlotSet(k, v) for k, v in flow.reset_for_change(chosen).items()]
        send(dispatcher, replies.change_choices(state, labels))
        return []


class ActionCheckOutcome(Action):
    """Assesses the answers and gives the outcome, steps and summary."""

    def name(self) -> str:
        return "action_check_outcome"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        state = _state(tracker)
        check = CheckInput.from_dict(
            {
                **{q: state.get(q) for q in get_questions()},
                "indicators": state.get(flow.INDICATORS) or [],
                "vulnerabilities": state.get(flow.VULNERABILITIES) or [],
            }
        )
        assessment = assess(check, get_triage())
        events = send(dispatcher, replies.outcome(assessment), tracker)
        record_check(assessment, tracker.sender_id, tracker.get_latest_input_channel() or "")
        check_outcome(assessment.outcome)
        return events + [SlotSet(slot, None) for slot in flow.CHECK_SLOTS]
