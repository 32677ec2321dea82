"""Fixes for costs rasa 3.6 pays on every turn, installed once in the Rasa server
process by :mod:`bot.server.rasa_run` (which `python -m bot serve` starts).

Found by profiling the server under `make bench` (README, "Performance"). Each
fix but one keeps rasa's results exactly and only stops repeating work whose
result cannot change; the exception, what an action is sent, is said below:

- **Action responses.** ``RemoteAction._validate_action_result`` calls
  ``jsonschema.validate(result, schema)`` for every custom action's response,
  and ``jsonschema.validate`` first checks the (constant) schema itself against
  the JSON Schema 2020-12 meta-schema: about 48 ms per call here, some 70% of
  the server's CPU in a check turn, which calls two or three actions. We check
  the schema once and validate each response with the same validator class,
  raising a ``ValidationError`` with the same added hint; each event is checked
  only against the schema of its own type (:mod:`bot.server.response_validator`).
- **Action server connections** (with a separate action server,
  ``CCE_ACTIONS=server``; by default the actions run in this process, see
  :mod:`bot.server.inprocess_actions`). ``EndpointConfig.request`` opens a new
  aiohttp session, and so a new TCP connection, for every action call (about 10% of the
  server's CPU). We give each endpoint one session per event loop, whose
  connections are reused; idle ones are closed after 2 s, before the action
  server's own 5 s keep-alive ends, so a connection is never reused just as the
  server closes it. Timeout, headers and authentication are the endpoint's own.
- **What an action is sent.** rasa sends the action server the *whole* event
  history with every call, and both servers spend time on it that grows with
  the conversation (JSON encoding was a third of the Rasa server's CPU at turn
  200, JSON decoding 70% of the action server's). The state (slots, latest
  message, active loop, follow-up action) is still sent whole, but the events
  only from the third-last user message on. rasa-sdk's forms read only the
  trailing slot events, and our actions only the current turn; every
  conversation test runs with this. (In process, the actions get the same
  request.)
- **Rule matching** and the RulePolicy's debug text: :mod:`bot.server.rule_matching`.
- **Graph runs.** Every parse and prediction ran its graph through dask's
  scheduler; :mod:`bot.server.graph_runner` calls the same nodes in order.
- **Tracker history.** :mod:`bot.server.tracker_memo` makes ``applied_events``,
  ``past_states`` and ``copy`` incremental.
- **Lookups.** ``Event.resolve_by_type`` walked every subclass of ``Event`` for
  each event read (an action's response, a stored row); the class found for a
  type name is kept. ``Domain.is_empty`` compared the whole domain, as a dict,
  with an empty one, twice for every parsed message; the answer is kept on the
  domain, which does not change once loaded.
"""

from __future__ import annotations

import logging
from functools import lru_cache
from typing import Any

from bot.server import graph_runner, rule_matching, tracker_memo
from bot.server.response_validator import response_validator

logger = logging.getLogger(__name__)
_installed = False


@lru_cache(maxsize=1)
def _action_response_validator() -> Any:
    from rasa.core.actions.action import RemoteAction

    return response_validator(RemoteAction.action_response_format_spec())


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


RECENT_USER_TURNS = 3  # the events the action server is sent: the last three user turns


def recent_events(tracker: Any) -> list:
    """The tracker's events from its `RECENT_USER_TURNS`-th last user message on
    (all of them in a shorter conversation)."""
    from rasa.shared.core.events import UserUttered

    recent = []
    users = 0
    for event in reversed(tracker.events):
        recent.append(event)
        if isinstance(event, UserUttered):
            users += 1
            if users == RECENT_USER_TURNS:
                break
    recent.reverse()
    return recent


def _action_call_format(self: Any, tracker: Any, domain: Any) -> dict[str, Any]:
    """rasa's request to the action server, with the conversation's state (slots,
    latest message, active loop...) whole but only its latest events."""
    import rasa

    tracker_state = tracker.current_state()  # EventVerbosity.NONE: no events
    tracker_state["events"] = [event.as_dict() for event in recent_events(tracker)]
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


_ORIGINALS: dict[str, Any] = {}  # rasa's own methods, as they were before install()
_EVENT_TYPES: dict[str, type] = {}  # type name -> the Event class rasa resolves it to


def _resolve_by_type(type_name: str, default: type | None = None) -> type | None:
    """``Event.resolve_by_type``, keeping each class found (not the default or
    None, which rasa gives for names it does not know)."""
    found = _EVENT_TYPES.get(type_name)
    if found is None:
        found = _ORIGINALS["Event.resolve_by_type"](type_name, default)
        if found is not None and found is not default:
            _EVENT_TYPES[type_name] = found
    return found


def _domain_is_empty(self: Any) -> bool:
    """``Domain.is_empty``, worked out once per domain."""
    empty = self.__dict__.get("_cce_is_empty")
    if empty is None:
        empty = self.__dict__["_cce_is_empty"] = _ORIGINALS["Domain.is_empty"](self)
    return bool(empty)


def install() -> None:
    """Installs the fixes (idempotent)."""
    global _installed
    if _installed:
        return
    from rasa.core.actions.action import RemoteAction
    from rasa.engine.runner.dask import DaskGraphRunner
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import Event
    from rasa.utils.endpoints import EndpointConfig

    _ORIGINALS["DaskGraphRunner.run"] = DaskGraphRunner.run
    _ORIGINALS["Event.resolve_by_type"] = Event.resolve_by_type
    _ORIGINALS["Domain.is_empty"] = Domain.is_empty
    Event.resolve_by_type = staticmethod(_resolve_by_type)
    Domain.is_empty = _domain_is_empty
    DaskGraphRunner.run = graph_runner.run
    rule_matching.install()
    RemoteAction._validate_action_result = _validate_action_result
    RemoteAction._action_call_format = _action_call_format
    EndpointConfig.session = _shared_session
    tracker_memo.install()
    _installed = True
    logger.debug("Installed the rasa speed-ups of bot.server.speedups.")
