"""The indicator check's actions: the form's validation (which also shows the
next screen), start, change of answer, and the outcome. The logic is in
bot.check and bot.triage."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timezone
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot import bootstrap
from bot.check import flow
from bot.monitoring.metrics import check_outcome
from bot.rasa_contracts import require_user_turns
from bot.storage.records import record_check
from bot.texts import check as replies
from bot.texts.send import send
from bot.triage.engine import assess
from bot.triage.model import Stamp
from bot.triage.summary import checked_at, new_reference

FORM = "indicator_check_form"
require_user_turns(1, __name__)  # _answering: the events since the latest user message
CHECKLIST_ENTITIES = (flow.THEME_ENTITY, flow.SEEN_ENTITY, flow.NOT_KNOWN_ENTITY)


def _state(tracker: Tracker) -> dict[str, Any]:
    return {slot: tracker.get_slot(slot) for slot in flow.check_slots(bootstrap.app().plan)}


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


def _entities(tracker: Tracker) -> tuple[list[str], dict[str, list[str]]]:
    """The catalogue ids the recogniser found, and a checklist's entity values."""
    catalogue = bootstrap.app().catalogue
    found: list[str] = []
    checklist: dict[str, list[str]] = defaultdict(list)
    for entity in tracker.latest_message.get("entities") or []:
        name, value = entity.get("entity"), entity.get("value")
        if name in ("indicator", "vulnerability") and value in catalogue:
            found.append(value)
        elif name in CHECKLIST_ENTITIES and isinstance(value, str):
            checklist[name].append(value)
    return list(dict.fromkeys(found)), dict(checklist)


def _ask(slot: str, state: dict[str, Any]) -> list:
    return replies.ask(
        slot,
        state,
        bootstrap.app().plan,
        bootstrap.app().catalogue,
        bootstrap.app().texts,
        bootstrap.app().knowledge.source_line,
    )


class ValidateIndicatorCheckForm(Action):
    """Reads each reply (bot.check.flow.read_reply), picks the next screen and
    shows it.

    Rasa 3.6's form calls this action every time it runs (on activation, on each
    answer and on coming back after an interruption) and then asks for the slot
    it names in ``requested_slot``. Asking here, in the same call, saves the
    second action call that an ``action_ask_<slot>`` action would cost on every
    step: the domain has no ask action or ``utter_ask_`` response for the
    check's slots, so the form finds nothing more to run.
    """

    def name(self) -> str:
        return f"validate_{FORM}"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        events: list[EventType] = []
        plan = bootstrap.app().plan
        slot = tracker.get_slot("requested_slot")
        if slot and _answering(tracker):
            found, checklist = _entities(tracker)
            reading = flow.read_reply(
                slot,
                (tracker.latest_message.get("intent") or {}).get("name"),
                tracker.latest_message.get("text") or "",
                checklist,
                found,
                _state(tracker),
                plan,
                bootstrap.app().catalogue,
            )
            if reading.reject:
                return []  # not an answer: the form is rejected and the rules take over
            for note in reading.notes:
                send(dispatcher, [bootstrap.app().texts.reply(note)])
            events = [SlotSet(key, value) for key, value in reading.slots.items()]
            tracker.add_slots(events)
        state = _state(tracker)
        next_slot = flow.next_slot(state, plan)
        events.append(SlotSet("requested_slot", next_slot))
        if next_slot is not None:
            events += send(dispatcher, _ask(next_slot, state), tracker)
        return events


class ActionStartCheck(Action):
    """Starts a new check: clears earlier answers and gives the privacy reminder."""

    def name(self) -> str:
        return "action_start_check"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        send(dispatcher, [bootstrap.app().texts.reply("check_intro")])
        return [SlotSet(slot, None) for slot in flow.check_slots(bootstrap.app().plan)]


class ActionChangeAnswer(Action):
    """Clears the answer the user picked, or offers the answers to pick from."""

    def name(self) -> str:
        return "action_change_answer"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        labels = flow.changeable_labels(bootstrap.app().plan)
        state = _state(tracker)
        chosen = next(tracker.get_latest_entity_values("check_question"), None)
        if isinstance(chosen, str) and chosen in labels and state.get(chosen) is not None:
            return [SlotSet(k, v) for k, v in flow.reset_for_change(chosen).items()]
        send(dispatcher, replies.change_choices(state, labels, bootstrap.app().texts))
        return []


class ActionCheckOutcome(Action):
    """Assesses the answers and gives the outcome, steps and summary."""

    def name(self) -> str:
        return "action_check_outcome"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        plan = bootstrap.app().plan
        triage = bootstrap.app().triage
        stamp = Stamp(checked_at(datetime.now(timezone.utc)), new_reference(), triage.edition)
        assessment = assess(flow.check_input(_state(tracker), plan), triage, stamp)
        events = send(dispatcher, replies.outcome(assessment, bootstrap.app().texts), tracker)
        record_check(assessment, tracker.sender_id, tracker.get_latest_input_channel() or "")
        check_outcome(assessment.outcome)
        return events + [SlotSet(slot, None) for slot in flow.check_slots(plan)]
