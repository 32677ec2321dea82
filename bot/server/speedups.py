"""Fixes for costs rasa 3.6 pays on every turn, installed once in the Rasa server
process by :mod:`bot.server.rasa_run` (which `python -m bot serve` starts).

Found by profiling the server under `make bench` (README, "Performance"). Each
fix keeps rasa's behaviour exactly; it only stops repeating work whose result
cannot change:

- **Action responses.** ``RemoteAction._validate_action_result`` calls
  ``jsonschema.validate(result, schema)`` for every custom action's response,
  and ``jsonschema.validate`` first checks the (constant) schema itself against
  the JSON Schema 2020-12 meta-schema: about 48 ms per call here, some 70% of
  the server's CPU in a check turn, which calls two or three actions. We check
  the schema once and validate each response with the same validator class,
  raising the same ``ValidationError`` with the same added hint.
"""

from __future__ import annotations

import logging
from functools import lru_cache
from typing import Any

logger = logging.getLogger(__name__)
_installed = False


@lru_cache(maxsize=1)
def _action_response_validator() -> Any:
    from jsonschema.validators import validator_for
    from rasa.core.actions.action import RemoteAction

    schema = RemoteAction.action_response_format_spec()
    validator_class = validator_for(schema)
    validator_class.check_schema(schema)  # what jsonschema.validate does every time
    return validator_class(schema)


def _validate_action_result(self: Any, result: dict[str, Any]) -> bool:
    from jsonschema import ValidationError
    from rasa.shared.constants import DOCS_BASE_URL

    try:
        _action_response_validator().validate(result)
        return True
    except ValidationError as error:
        error.message += (
            ". Failed to validate Action server response from API, make sure your "
            "response from the Action endpoint is valid. For more information about "
            f"the format visit {DOCS_BASE_URL}/custom-actions"
        )
        raise error


def install() -> None:
    """Installs the fixes (idempotent)."""
    global _installed
    if _installed:
        return
    from rasa.core.actions.action import RemoteAction

    RemoteAction._validate_action_result = _validate_action_result
    _installed = True
    logger.debug("Installed the rasa speed-ups of bot.server.speedups.")
