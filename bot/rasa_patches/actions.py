"""How the Rasa server calls our actions, with rasa's results and less work.

- **Action responses.** ``RemoteAction._validate_action_result`` calls
  ``jsonschema.validate(result, schema)`` for every custom action's response,
  and ``jsonschema.validate`` first checks the (constant) schema itself against
  the JSON Schema meta-schema, every time. We check the schema once and validate
  each response with the same validator class, raising a ``ValidationError``
  with the same added hint; each event is checked only against the schema of
  its own type (:mod:`bot.rasa_patches.response_validator`).
- **Action server connections** (with a separate action server,
  ``CCE_ACTIONS=server``; by default the actions run in this process, see
  :mod:`bot.entrypoints.inprocess_actions`). ``EndpointConfig.request`` opens a
  new aiohttp session, and so a new TCP connection, for every action call. We
  give each endpoint one session per event loop, whose connections are reused;
  idle ones are closed after 2 s, before the action server's own 5 s keep-alive
  ends, so a connection is never reused just as the server closes it. Timeout,
  headers and authentication are the endpoint's own.
- **What an action is sent.** rasa sends the action server the *whole* event
  history with every call, and both servers spend time on it that grows with
  the conversation. The state (slots, latest message, active loop, follow-up
  action) is still sent whole, but the events only from the
  :data:`~bot.rasa_contracts.RECENT_USER_TURNS`-th last user message on: the
  contract our actions are written to (:mod:`bot.rasa_contracts`). rasa-sdk's
  forms read only the trailing slot events; every conversation test runs with
  this. (In process, the actions get the same request.)
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from bot.rasa_contracts import recent_events
from bot.rasa_patches.response_validator import response_validator


@lru_cache(maxsize=1)
def _action_response_validator() -> Any:
    from rasa.core.actions.action import RemoteAction

    return response_validator(RemoteAction.action_response_format_spec())


def validate_action_result(self: Any, result: dict[str, Any]) -> bool:
    """Drop-in for ``RemoteAction._validate_action_result``."""
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


def shared_session(endpoint: Any) -> _SharedSession:
    """Drop-in for ``EndpointConfig.session``."""
    return _SharedSession(endpoint)


def _is_user_message(event: Any) -> bool:
    from rasa.shared.core.events import UserUttered

    return isinstance(event, UserUttered)


def action_call_format(self: Any, tracker: Any, domain: Any) -> dict[str, Any]:
    """Drop-in for ``RemoteAction._action_call_format``: rasa's request to the
    action server, with the conversation's state (slots, latest message, active
    loop...) whole but only its latest events."""
    import rasa

    tracker_state = tracker.current_state()  # EventVerbosity.NONE: no events
    tracker_state["events"] = [
        event.as_dict() for event in recent_events(tracker.events, _is_user_message)
    ]
    result = {
        "next_action": self._name,
        "sender_id": tracker.sender_id,
        "tracker": tracker_state,
        "version": rasa.__version__,
    }
    if not self._is_selective_domain_enabled() or domain.does_custom_action_explicitly_need_domain(
        self.name()
    ):
        result["domain"] = domain.as_dict()
    return result
