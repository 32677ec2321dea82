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
- **Action server connections.** ``EndpointConfig.request`` opens a new aiohttp
  session, and so a new TCP connection, for every action call (about 10% of the
  server's CPU). We give each endpoint one session per event loop, whose
  connections are reused; idle ones are closed after 2 s, before the action
  server's own 5 s keep-alive ends, so a connection is never reused just as the
  server closes it. Timeout, headers and authentication are the endpoint's own.
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


class _SharedSession:
    """What ``async with endpoint.session()`` gets: the endpoint's long-lived
    session for the running event loop, left open on exit."""

    def __init__(self, endpoint: Any) -> None:
        self._endpoint = endpoint

    async def __aenter__(self) -> Any:
        import asyncio

        loop = asyncio.get_running_loop()
        sessions = self._endpoint.__dict__.setdefault("_cce_sessions", {})
        session = sessions.get(loop)
        if session is None or session.closed:
            session = sessions[loop] = _open_session(self._endpoint)
        return session

    async def __aexit__(self, *exc_info: object) -> None:
        return None  # the session stays open for the next call


def _open_session(endpoint: Any) -> Any:
    """A session configured as rasa's ``EndpointConfig.session`` configures one,
    with a connection pool that closes idle connections after 2 s."""
    import aiohttp
    from rasa.core.constants import DEFAULT_REQUEST_TIMEOUT

    auth = None
    if endpoint.basic_auth:
        auth = aiohttp.BasicAuth(endpoint.basic_auth["username"], endpoint.basic_auth["password"])
    return aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(keepalive_timeout=2),
        headers=endpoint.headers,
        auth=auth,
        timeout=aiohttp.ClientTimeout(total=DEFAULT_REQUEST_TIMEOUT),
    )


def _shared_session(endpoint: Any) -> _SharedSession:
    return _SharedSession(endpoint)


def install() -> None:
    """Installs the fixes (idempotent)."""
    global _installed
    if _installed:
        return
    from rasa.core.actions.action import RemoteAction
    from rasa.utils.endpoints import EndpointConfig

    RemoteAction._validate_action_result = _validate_action_result
    EndpointConfig.session = _shared_session
    _installed = True
    logger.debug("Installed the rasa speed-ups of bot.server.speedups.")
