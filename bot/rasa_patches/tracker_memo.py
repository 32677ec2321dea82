"""Incremental ``applied_events`` and ``past_states`` for rasa 3.6's tracker.

Where a turn's time grows with the conversation (docs/performance.md): every
prediction, every session check and every form step calls
``DialogueStateTracker.applied_events()``, which folds over *all* events (with
an ``isinstance`` per event and, in a form, a backward search per step), and
``past_states()``, which replays all applied events into a fresh tracker to
compute one state per action.

Both are functions of an append-only event log, so this module computes them
incrementally and gives exactly rasa's results:

- **applied events.** The fold's state (the applied list so far) is kept on the
  tracker with the number of events folded and the last event folded. On the
  next call only the new events are folded, with rasa's own undo helpers. The
  memo is dropped, and the fold done from the start, when the log is not an
  extension of what was folded (a different deque, fewer events, a different
  event at the last folded position, a bounded ``max_event_history``) or when a
  new loop name appears (rasa decides each earlier action's fate with the set
  of *all* loop names in the log).
- **past states.** A checkpoint keeps a replay tracker and the states before
  each action of the first ``k`` applied events, ``LAG`` events behind the end.
  Undoing (reverts, a form's happy-path steps) only ever removes applied events
  after the checkpoint, recorded as the lowest changed index; if an undo ever
  reaches before it, the checkpoint is rebuilt from the start. Each call copies
  the checkpoint tracker, replays the last events into the copy, and returns
  fresh copies of the states (rasa's featurizer edits them in place).

Only the ``ignore_rule_only_turns=False`` form of ``past_states`` (the one the
RulePolicy uses) is incremental; other calls go to rasa unchanged.

Set ``CCE_VERIFY_TRACKER_MEMO=1`` to compute rasa's own result beside every
incremental one and raise on any difference; the test suite does.
"""

from __future__ import annotations

import copy
from collections import deque
from itertools import islice
from typing import Any

from bot.rasa_contracts import MEMO, TRACKER_ATTRIBUTES, on_events_replaced
from bot.rasa_patches import original

LAG = 64  # applied events kept after the checkpoint: more than any undo reaches back
TRACKER = "rasa.shared.core.trackers.DialogueStateTracker"
TEMPORARY_TRACKER = "rasa.core.actions.forms.FormAction._temporary_tracker"


class _Memo:
    __slots__ = (
        "events", "folded", "last", "loop_names", "applied", "low", "checkpoints", "shadow",
        "restart_at",
    )  # fmt: skip

    def __init__(self, events: deque) -> None:
        self.events = events
        self.folded = 0  # events folded so far
        self.last: Any = None  # the last event folded (identity check)
        self.loop_names: set[str] = set()
        self.applied: list[Any] = []
        self.low = 0  # lowest index of `applied` changed since the checkpoints moved
        self.checkpoints: dict[bool, _Checkpoint] = {}  # by omit_unset_slots
        self.shadow: Any = None  # for copy(): every event applied in turn, as rasa copies
        self.restart_at = 0  # index after the latest Restarted event


class _Checkpoint:
    __slots__ = ("domain", "size", "tracker", "states")

    def __init__(self, domain: Any, tracker: Any) -> None:
        self.domain = domain
        self.size = 0  # applied events replayed into `tracker`
        self.tracker = tracker
        self.states: list[dict] = []  # the state before each action among them


def _loop_names(events: Any) -> set[str]:
    from rasa.shared.core.events import ActiveLoop

    return {e.name for e in events if isinstance(e, ActiveLoop) and e.name}


def _fold(tracker: Any, memo: _Memo, new_events: list) -> None:
    """rasa's ``applied_events`` loop, over `new_events` only, onto `memo.applied`."""
    from rasa.shared.core.events import (
        ActionExecuted,
        ActionReverted,
        DefinePrevUserUtteredFeaturization,
        Restarted,
        SessionStarted,
        UserUtteranceReverted,
        UserUttered,
    )

    applied = memo.applied
    for position, event in enumerate(new_events, start=memo.folded):
        if isinstance(event, Restarted):
            memo.restart_at = position + 1
        if isinstance(event, DefinePrevUserUtteredFeaturization):
            # It changes, in place, how the latest user message is featurized, and
            # so every state since that message: as if they had changed.
            memo.low = min(memo.low, _last_user_message(applied))
        if isinstance(event, (Restarted, SessionStarted)):
            applied.clear()
            memo.low = 0
        elif isinstance(event, ActionReverted):
            tracker._undo_till_previous(ActionExecuted, applied)
            memo.low = min(memo.low, len(applied))
        elif isinstance(event, UserUtteranceReverted):
            tracker._undo_till_previous(UserUttered, applied)
            tracker._undo_till_previous(ActionExecuted, applied)
            memo.low = min(memo.low, len(applied))
        elif (
            isinstance(event, ActionExecuted)
            and event.action_name in memo.loop_names
            and not tracker._first_loop_execution_or_unhappy_path(event.action_name, applied)
        ):
            kept = _last_execution(applied, event.action_name) + 1
            tracker._undo_till_previous_loop_execution(event.action_name, applied)
            memo.low = min(memo.low, kept)
        else:
            applied.append(event)


def _last_index(applied: list, matches: Any, missing: int) -> int:
    """Index of the last event in `applied` that `matches`, or `missing`."""
    for index in range(len(applied) - 1, -1, -1):
        if matches(applied[index]):
            return index
    return missing


def _last_execution(applied: list, action_name: str) -> int:
    """Index of the last execution of `action_name` in `applied`, or -1: rasa's
    loop undo changes nothing at or before it."""
    from rasa.shared.core.events import ActionExecuted

    def executed(event: Any) -> bool:
        return isinstance(event, ActionExecuted) and event.action_name == action_name

    return _last_index(applied, executed, -1)


def _last_user_message(applied: list) -> int:
    """Index of the last user message in `applied`, or its length if none."""
    from rasa.shared.core.events import UserUttered

    return _last_index(applied, lambda event: isinstance(event, UserUttered), len(applied))


def _updated_memo(tracker: Any) -> _Memo:
    events = tracker.events
    memo: _Memo | None = tracker.__dict__.get(MEMO)
    count = len(events)
    if (
        memo is None
        or memo.events is not events
        or events.maxlen is not None
        or count < memo.folded
        or (memo.folded and events[memo.folded - 1] is not memo.last)
    ):
        memo = _Memo(events)
        tracker.__dict__[MEMO] = memo
    if count == memo.folded:
        return memo
    new_events = list(islice(reversed(events), count - memo.folded))[::-1]
    new_names = _loop_names(new_events) - memo.loop_names
    if new_names and memo.folded:
        # Earlier actions' fate depends on every loop name in the log: start again.
        memo = _Memo(events)
        tracker.__dict__[MEMO] = memo
        new_events = list(events)
        new_names = _loop_names(new_events)
    memo.loop_names |= new_names
    _fold(tracker, memo, new_events)
    memo.folded = count
    memo.last = events[-1]
    return memo


def applied_events(self: Any) -> list:
    """Drop-in for ``DialogueStateTracker.applied_events``."""
    result = list(_updated_memo(self).applied)
    if _verifying():
        _check(result, original(f"{TRACKER}.applied_events")(self), "applied_events", identity=True)
    return result


def _copy_state(state: dict) -> dict:
    return {key: dict(value) if isinstance(value, dict) else value for key, value in state.items()}


def _shallow_copy(item: Any) -> Any:
    """``copy.copy(item)`` (a slot, a tracker), without its generic and here
    costly machinery."""
    if not hasattr(item, "__dict__") or hasattr(type(item), "__slots__"):
        return copy.copy(item)
    clone = object.__new__(type(item))
    clone.__dict__.update(item.__dict__)
    return clone


def _clone(tracker: Any) -> Any:
    """A copy of a replay tracker's state (not its events), cheap to make."""
    clone = _shallow_copy(tracker)  # a shallow copy, as for a slot
    clone.events = deque()
    clone.slots = {name: _shallow_copy(slot) for name, slot in tracker.slots.items()}
    clone.latest_action = dict(tracker.latest_action) if tracker.latest_action else {}
    if tracker.active_loop is not None:
        clone.active_loop = copy.copy(tracker.active_loop)
    for name in TRACKER_ATTRIBUTES:  # ours, of the tracker cloned
        clone.__dict__.pop(name, None)
    return clone


def _replay(domain: Any, omit: bool, tracker: Any, events: list, states: list) -> None:
    """``generate_all_prior_trackers`` + ``states_for_tracker_history`` over `events`."""
    from rasa.shared.core.events import ActionExecuted

    for event in events:
        if isinstance(event, ActionExecuted):
            states.append(domain._clean_state(domain.get_active_state(tracker, omit)))
        tracker.update(event)


def past_states(
    self: Any,
    domain: Any,
    omit_unset_slots: bool = False,
    ignore_rule_only_turns: bool = False,
    rule_only_data: Any = None,
) -> list:
    """Drop-in for ``DialogueStateTracker.past_states``."""
    rasas = original(f"{TRACKER}.past_states")
    if ignore_rule_only_turns:
        return rasas(self, domain, omit_unset_slots, ignore_rule_only_turns, rule_only_data)
    memo = _updated_memo(self)
    applied = memo.applied
    if memo.low < max((c.size for c in memo.checkpoints.values()), default=0):
        memo.checkpoints.clear()  # an undo reached before a checkpoint
    checkpoint = memo.checkpoints.get(omit_unset_slots)
    if checkpoint is None or checkpoint.domain is not domain:
        checkpoint = _Checkpoint(domain, self.init_copy())
        memo.checkpoints[omit_unset_slots] = checkpoint
    target = max(checkpoint.size, len(applied) - LAG)
    if target > checkpoint.size:
        _replay(domain, omit_unset_slots, checkpoint.tracker,
                applied[checkpoint.size:target], checkpoint.states)  # fmt: skip
        checkpoint.size = target
    memo.low = len(applied)
    tracker = _clone(checkpoint.tracker)
    states = [_copy_state(state) for state in checkpoint.states]
    _replay(domain, omit_unset_slots, tracker, applied[checkpoint.size :], states)
    states.append(domain._clean_state(domain.get_active_state(tracker, omit_unset_slots)))
    if _verifying():
        _check(states, rasas(self, domain, omit_unset_slots), "past_states", identity=False)
    return states


def copy_tracker(self: Any) -> Any:
    """Drop-in for ``DialogueStateTracker.copy`` (which replays every event into
    a new tracker, as ``travel_back_in_time`` does): a kept replay, advanced by
    the new events, is cloned."""
    if self.events.maxlen is not None:
        return original(f"{TRACKER}.copy")(self)
    memo = _updated_memo(self)
    if memo.shadow is None:
        memo.shadow = self.init_copy()
    shadow = memo.shadow
    for event in list(islice(reversed(self.events), memo.folded - len(shadow.events)))[::-1]:
        shadow.update(event)
    result = _clone(shadow)
    result.events = deque(self.events)
    carried = _Memo(result.events)  # the copy's applied events are this tracker's
    carried.folded, carried.last = memo.folded, memo.last
    carried.loop_names, carried.applied = set(memo.loop_names), list(memo.applied)
    carried.restart_at = memo.restart_at
    result.__dict__[MEMO] = carried
    if _verifying():
        _check_same_tracker(result, original(f"{TRACKER}.copy")(self), "copy")
    return result


def temporary_tracker(self: Any, current_tracker: Any, additional_events: list, domain: Any) -> Any:
    """Drop-in for ``FormAction._temporary_tracker``: rasa builds it by replaying
    every event since the latest restart; this copies the tracker instead."""
    from rasa.core.actions.forms import REQUESTED_SLOT
    from rasa.shared.core.events import ActionExecuted, SlotSet

    if current_tracker.events.maxlen is not None:
        return original(TEMPORARY_TRACKER)(self, current_tracker, additional_events, domain)
    tracker = copy_tracker(current_tracker)
    restart_at = _updated_memo(current_tracker).restart_at
    if restart_at:
        tracker.events = deque(list(tracker.events)[restart_at:])
        forget(tracker)
    tracker.sender_id = current_tracker.sender_id
    extra = [SlotSet(REQUESTED_SLOT, self.get_slot_to_fill(current_tracker)),
             ActionExecuted(self.name()), *additional_events]  # fmt: skip
    for event in extra:
        tracker.update(event)
    if _verifying():
        rasas = original(TEMPORARY_TRACKER)(self, current_tracker, extra[2:], domain)
        _check_same_tracker(tracker, rasas, "_temporary_tracker", events_identical=False)
    return tracker


def _check_same_tracker(ours: Any, theirs: Any, what: str, events_identical: bool = True) -> None:
    from rasa.shared.core.trackers import EventVerbosity

    ours_state = ours.current_state(EventVerbosity.ALL)
    theirs_state = theirs.current_state(EventVerbosity.ALL)
    for state in (ours_state, theirs_state):  # new events' timestamps differ
        state.pop("latest_event_time")
        if not events_identical:
            state["events"] = [{**e, "timestamp": None} for e in state["events"]]
    same = ours_state == theirs_state and (
        not events_identical or all(a is b for a, b in zip(ours.events, theirs.events, strict=True))
    )
    same = same and ours.latest_bot_utterance == theirs.latest_bot_utterance
    if not same:
        raise AssertionError(
            f"bot.rasa_patches.tracker_memo: {what} differs from rasa's own. This is a bug in "
            "the memo; unset CCE_VERIFY_TRACKER_MEMO to see rasa's behaviour without the check."
        )


def _verifying() -> bool:
    from bot import bootstrap

    return bootstrap.app().settings.verify_tracker_memo


def _check(ours: list, theirs: list, what: str, identity: bool) -> None:
    same = len(ours) == len(theirs) and all(
        (a is b) if identity else (a == b) for a, b in zip(ours, theirs, strict=True)
    )
    if not same:
        raise AssertionError(
            f"bot.rasa_patches.tracker_memo: incremental {what} differs from rasa's own "
            f"({len(ours)} vs {len(theirs)} items). This is a bug in the memo; unset "
            "CCE_VERIFY_TRACKER_MEMO to see rasa's behaviour without the check."
        )


def forget(tracker: Any) -> None:
    """Drops what was derived from `tracker`'s events: for code that replaces an
    event in place (the tracker store's redaction), which no check here sees."""
    tracker.__dict__.pop(MEMO, None)


on_events_replaced(forget)
