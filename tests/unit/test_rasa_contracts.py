"""The contracts between the Rasa patches and the rest (bot/rasa_contracts.py):
what an action is sent is enough for our actions, and a tracker whose event is
replaced in place is seen afresh by the incremental tracker."""

from __future__ import annotations

import pytest
from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity
from rasa_sdk import Tracker

from bot import rasa_contracts
from bot.rasa_contracts import RECENT_USER_TURNS, recent_events


def _conversation(turns: int, form_step: bool = False) -> DialogueStateTracker:
    tracker = DialogueStateTracker("contract-test", None)
    tracker.update(ActionExecuted("action_session_start"))
    tracker.update(ActionExecuted("action_listen"))
    for turn in range(turns):
        tracker.update(UserUttered(f"message {turn}", {"name": "affirm"}))
        tracker.update(SlotSet("topic", str(turn)))
        tracker.update(BotUttered(f"reply {turn}"))
        tracker.update(ActionExecuted("action_listen"))
    if form_step:
        tracker.events.pop()  # the turn in hand: the user's message, then the form ran
        tracker.update(ActionExecuted("indicator_check_form"))
    return tracker


def _sdk_tracker(tracker: DialogueStateTracker, events: list) -> Tracker:
    state = tracker.current_state(EventVerbosity.NONE)
    state["events"] = [event.as_dict() for event in events]
    return Tracker.from_dict(state)


def _is_user(event: object) -> bool:
    return isinstance(event, UserUttered)


def test_an_action_is_sent_the_events_of_the_last_user_turns():
    tracker = _conversation(10)
    recent = recent_events(tracker.events, _is_user)
    assert sum(isinstance(event, UserUttered) for event in recent) == RECENT_USER_TURNS
    assert isinstance(recent[0], UserUttered)
    assert recent == list(tracker.events)[-len(recent) :]


@pytest.mark.parametrize("turns", [1, 2, 3, 4, 12])
@pytest.mark.parametrize("form_step", [False, True])
def test_our_actions_decide_alike_on_the_events_sent_and_on_all(turns, form_step):
    from actions.check import _answering
    from actions.conversation import _already_started

    tracker = _conversation(turns, form_step)
    whole = _sdk_tracker(tracker, list(tracker.events))
    sent = _sdk_tracker(tracker, recent_events(tracker.events, _is_user))
    assert _already_started(sent) == _already_started(whole)
    assert _answering(sent) == _answering(whole)


def test_an_action_needing_more_turns_than_are_sent_fails_at_import():
    rasa_contracts.require_user_turns(RECENT_USER_TURNS, "an action")
    with pytest.raises(RuntimeError, match="RECENT_USER_TURNS"):
        rasa_contracts.require_user_turns(RECENT_USER_TURNS + 1, "an action")


def test_an_event_replaced_in_place_is_seen_by_the_incremental_tracker():
    from bot import rasa_patches

    rasa_patches.install(rasa_patches.SPEEDUPS)
    tracker = _conversation(3)
    tracker.applied_events()  # the memo now holds the typed message
    assert rasa_contracts.MEMO in tracker.__dict__
    redacted = UserUttered("[EMAIL]", {"name": "affirm"})
    tracker.events[-4] = redacted
    rasa_contracts.events_replaced(tracker)
    assert rasa_contracts.MEMO not in tracker.__dict__
    assert redacted in tracker.applied_events()


def test_a_copy_of_a_tracker_carries_none_of_our_attributes():
    from bot import rasa_patches

    rasa_patches.install(rasa_patches.SPEEDUPS)
    tracker = _conversation(2)
    setattr(tracker, rasa_contracts.STORED, "stored")
    tracker.applied_events()
    copied = tracker.copy()
    assert not hasattr(copied, rasa_contracts.STORED)
