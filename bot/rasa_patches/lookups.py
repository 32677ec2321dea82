"""Lookups rasa repeats whose answer cannot change.

- ``Event.resolve_by_type`` walked every subclass of ``Event`` for each event
  read (an action's response, a stored row); the class found for a type name is
  kept.
- ``Domain.is_empty`` compared the whole domain, as a dict, with an empty one,
  twice for every parsed message; the answer is kept on the domain, which does
  not change once loaded.
"""

from __future__ import annotations

from typing import Any

from bot.rasa_patches import original

_EVENT_TYPES: dict[str, type] = {}  # type name -> the Event class rasa resolves it to


def resolve_by_type(type_name: str, default: type | None = None) -> type | None:
    """Drop-in for ``Event.resolve_by_type``, keeping each class found (not the
    default or None, which rasa gives for names it does not know)."""
    found = _EVENT_TYPES.get(type_name)
    if found is None:
        found = original("rasa.shared.core.events.Event.resolve_by_type")(type_name, default)
        if found is not None and found is not default:
            _EVENT_TYPES[type_name] = found
    return found


def domain_is_empty(self: Any) -> bool:
    """Drop-in for ``Domain.is_empty``, worked out once per domain."""
    empty = self.__dict__.get("_cce_is_empty")
    if empty is None:
        empty = self.__dict__["_cce_is_empty"] = original(
            "rasa.shared.core.domain.Domain.is_empty"
        )(self)
    return bool(empty)
