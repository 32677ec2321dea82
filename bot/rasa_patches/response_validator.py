"""A validator of action server responses that accepts and rejects exactly what
rasa's JSON schema for them does, faster.

The schema's ``events.items`` is a ``oneOf`` of 23 event schemas, each fixing
``event`` to its own constant; jsonschema tries every one of them on every event
(most of the validation's cost; docs/performance.md). As
an item must be an object with a string ``event`` and the constants differ, an
event matches exactly one of them if, and only if, it matches the one its
``event`` names; so only that one is tried. Should a rasa upgrade change the
schema's shape, the plain validator is used.
"""

from __future__ import annotations

import copy
import logging
from typing import Any

logger = logging.getLogger(__name__)


class EventDispatchingValidator:
    """``validate(result)`` raises ``jsonschema.ValidationError`` when rasa's
    schema rejects `result`, and only then."""

    def __init__(self, schema: dict[str, Any]) -> None:
        from jsonschema.validators import validator_for

        validator_class = validator_for(schema)
        validator_class.check_schema(schema)  # what jsonschema.validate does every time
        base = copy.deepcopy(schema)
        items = base["properties"]["events"]["items"]
        alternatives = items.pop("oneOf")
        self._base = validator_class(base)
        self._events = {
            alternative["properties"]["event"]["const"]: validator_class(alternative)
            for alternative in alternatives
        }
        if len(self._events) != len(alternatives) or items.get("required") != ["event"]:
            raise ValueError("the event schemas are not told apart by their 'event' alone")

    def validate(self, result: Any) -> None:
        from jsonschema import ValidationError

        self._base.validate(result)  # all but the oneOf: each event an object with a string event
        events = result.get("events") if isinstance(result, dict) else None
        for event in events if isinstance(events, list) else []:
            validator = self._events.get(event["event"])
            if validator is None:
                raise ValidationError(f"{event['event']!r} is not an event type rasa knows")
            validator.validate(event)


def response_validator(schema: dict[str, Any]) -> Any:
    """The dispatching validator for `schema`, or jsonschema's own if the schema
    is not shaped as rasa 3.6's is."""
    from jsonschema.validators import validator_for

    try:
        return EventDispatchingValidator(schema)
    except (KeyError, TypeError, ValueError) as error:
        logger.warning("Action responses are validated by jsonschema alone: %s", error)
        validator_class = validator_for(schema)
        validator_class.check_schema(schema)
        return validator_class(schema)
