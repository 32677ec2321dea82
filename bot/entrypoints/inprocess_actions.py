"""Our rasa-sdk actions run inside the Rasa server process, by rasa-sdk's own
executor, instead of over HTTP in a separate action server.

Why: on the small server a partnership runs, the action server was a second
process, as large as much of the Rasa server, that each turn reached over HTTP, with its
tracker state encoded to JSON, sent, decoded by Sanic, and the reply back the
same way (docs/performance.md). The actions themselves are unchanged: the
same ``actions`` package, the same ``rasa_sdk.Action`` classes, run by the same
``rasa_sdk.executor.ActionExecutor`` the action server uses.

What stays as it was: rasa builds the same request (``RemoteAction``), and
the request and the answer each pass through JSON exactly as over HTTP (so an
action sees lists, never tuples, and returns nothing JSON cannot carry); rasa
then validates the answer and turns it into events as before. Errors reach
rasa as the action server's would: a rejected action as a 400 with its name,
an unknown one as a 404, any other exception as a 500 (logged here with its
traceback, but without the request, which holds the user's words).

``CCE_ACTIONS=server`` (or ``serve --only rasa``) keeps the separate action
server, e.g. for several Rasa servers sharing one (README, "Deployment").
"""

from __future__ import annotations

import json
import logging
from typing import Any

from rasa.core.utils import AvailableEndpoints
from rasa.utils.endpoints import ClientResponseError, EndpointConfig

logger = logging.getLogger(__name__)

ACTIONS_PACKAGE = "actions"
IN_PROCESS_URL = "in-process://actions"


class InProcessActionEndpoint(EndpointConfig):
    """The action endpoint, answered by rasa-sdk's executor in this process."""

    def __init__(self, package: str = ACTIONS_PACKAGE, **kwargs: Any) -> None:
        # kwargs: the endpoint's own settings from endpoints.yml (e.g.
        # enable_selective_domain), which rasa reads from the endpoint.
        super().__init__(url=IN_PROCESS_URL, **kwargs)
        self._package = package
        self._executor: Any = None

    def executor(self) -> Any:
        """rasa-sdk's executor with our actions registered (made on first use)."""
        if self._executor is None:
            from rasa_sdk.executor import ActionExecutor

            executor = ActionExecutor()
            executor.register_package(self._package)
            self._executor = executor
        return self._executor

    async def request(self, method: str = "post", subpath: str | None = None, **kwargs: Any) -> Any:
        """Runs the action the request names, as the action server's webhook does."""
        from rasa_sdk.interfaces import ActionExecutionRejection, ActionNotFoundException

        if method.lower() != "post" or subpath:
            raise ClientResponseError(404, "Not Found", f"no {method} {subpath} in process")
        action_call = json.loads(json.dumps(kwargs.get("json")))  # as if sent over HTTP
        name = action_call.get("next_action") if isinstance(action_call, dict) else None
        try:
            result = await self.executor().run(action_call)
        except ActionExecutionRejection as error:
            body = {"error": error.message, "action_name": error.action_name}
            raise ClientResponseError(400, "Bad Request", json.dumps(body)) from error
        except ActionNotFoundException as error:
            logger.error("No action '%s' in the '%s' package.", error.action_name, self._package)
            body = {"error": error.message, "action_name": error.action_name}
            raise ClientResponseError(404, "Not Found", json.dumps(body)) from error
        except Exception as error:  # noqa: BLE001 - rasa must see what the server would send
            logger.exception("The action '%s' failed.", name)
            body = {"error": str(error)}
            raise ClientResponseError(500, "Internal Server Error", json.dumps(body)) from error
        return json.loads(json.dumps(result))  # as if received over HTTP


def read_endpoints(endpoint_file: str) -> AvailableEndpoints:
    """Drop-in for ``AvailableEndpoints.read_endpoints``, with the action
    endpoint in process (installed by :mod:`bot.rasa_patches`)."""
    from bot.rasa_patches import original

    endpoints = original("rasa.core.utils.AvailableEndpoints.read_endpoints")(endpoint_file)
    configured = endpoints.action
    endpoints.action = InProcessActionEndpoint(**(configured.kwargs if configured else {}))
    return endpoints


def load_actions_data() -> None:
    """The actions' data, loaded now, before any turn."""
    from bot import bootstrap

    bootstrap.app().load_for_actions()
