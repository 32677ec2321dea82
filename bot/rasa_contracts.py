"""What the Rasa patches (:mod:`bot.rasa_patches`) and the rest of the code
agree on, named in one place. Imports nothing of rasa.

- **What an action is sent.** The Rasa server sends an action the
  conversation's state whole but its events only from the
  :data:`RECENT_USER_TURNS`-th last user message on (:func:`recent_events`;
  the patch of ``RemoteAction._action_call_format``). An action that reads
  events says how many user turns back it needs (:func:`require_user_turns`).
- **What we keep on rasa's tracker objects**, under the attributes
  :data:`MEMO` (the incremental tracker, :mod:`bot.rasa_patches.tracker_memo`)
  and :data:`STORED` (what of the events is stored,
  :mod:`bot.storage.tracker_store`). A copy of a tracker never carries the
  original's (the incremental tracker gives a copy its own memo).
- **Events replaced in place.** Code that replaces a tracker's event in place
  (the tracker store's redaction) calls :func:`events_replaced`; what derived
  something from the events listens with :func:`on_events_replaced`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

E = TypeVar("E")

RECENT_USER_TURNS = 3  # an action is sent the events of the last three user turns

MEMO = "_cce_memo"
STORED = "_cce_stored"
TRACKER_ATTRIBUTES = (MEMO, STORED)

_replaced_listeners: list[Callable[[Any], None]] = []


def recent_events(events: Sequence[E], is_user_message: Callable[[E], bool]) -> list[E]:
    """The events from the `RECENT_USER_TURNS`-th last user message on (all of
    them in a shorter conversation)."""
    recent = []
    users = 0
    for event in reversed(events):
        recent.append(event)
        if is_user_message(event):
            users += 1
            if users == RECENT_USER_TURNS:
                break
    recent.reverse()
    return recent


def require_user_turns(turns: int, who: str) -> None:
    """For an action module that reads the events of the last `turns` user turns:
    fails at import if actions are sent fewer."""
    if turns > RECENT_USER_TURNS:
        raise RuntimeError(
            f"{who} reads the events of the last {turns} user turns, but actions are sent "
            f"those of {RECENT_USER_TURNS} (bot.rasa_contracts.RECENT_USER_TURNS)."
        )


def on_events_replaced(listener: Callable[[Any], None]) -> None:
    """Calls `listener(tracker)` whenever a tracker's events are replaced in place."""
    if listener not in _replaced_listeners:
        _replaced_listeners.append(listener)


def events_replaced(tracker: Any) -> None:
    """Tells the listeners that `tracker`'s events were replaced in place."""
    for listener in _replaced_listeners:
        listener(tracker)
