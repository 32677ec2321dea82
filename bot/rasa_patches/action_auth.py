"""A shared secret between the Rasa server and a separate action server.

With ``CCE_ACTIONS=server`` or in a scaled-out deployment (``serve --only
actions``), the action server (rasa-sdk) answered anything on the network that
could reach its port: anyone could run the check's actions with made-up
answers and have check records written. Now every request but ``GET /health`` and ``GET /metrics``
must carry the header :data:`HEADER` with the secret, compared in constant time;
others get 401.

- The Rasa server sends it: ``serve`` gives it a copy of ``endpoints.yml`` whose
  action endpoint has the header ``X-CCE-Action-Secret: ${CCE_ACTION_SECRET}``
  (:func:`bot.cli.serve.endpoints_file`), and puts the secret in its children's
  environment. (Plain ``rasa run actions`` registers no plugin and checks nothing:
  for development on one machine only.)
- The secret is ``CCE_ACTION_SECRET`` or, unset, derived from the server secret
  (``CCE_SECRET_KEY``, which every instance of a deployment already shares), so
  a deployment needs no new setting.
- The action server checks it through rasa-sdk's own plugin hook
  (``attach_sanic_app_extensions``), registered by :func:`install` before
  rasa-sdk builds its app (:mod:`bot.entrypoints.actions_run`). It replaces no
  callable, so it is not in the patch table and is registered on every rasa
  version: the check must never fall away.

With the actions in the Rasa server (the default) there is no action server and
nothing to send.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from typing import Any

import pluggy
from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse

logger = logging.getLogger(__name__)
HEADER = "X-CCE-Action-Secret"
ENV = "CCE_ACTION_SECRET"  # the variable the endpoints `serve` writes read, set by `serve`
# what load balancers and `serve` poll, and what Prometheus scrapes (counts only)
OPEN_PATHS = frozenset({"/health", "/metrics"})
_installed: list[object] = []
_hookimpl = pluggy.HookimplMarker("rasa_sdk")


def action_secret() -> str:
    """``CCE_ACTION_SECRET``, or a value derived from the server secret."""
    from bot import bootstrap

    configured = bootstrap.app().settings.action_secret
    if configured:
        return configured
    return hmac.new(bootstrap.app().secret, b"cce action server", hashlib.sha256).hexdigest()


def allowed(path: str, given: str | None, secret: str) -> bool:
    """Whether a request to the action server may go on."""
    if path in OPEN_PATHS:
        return True
    if not given or not secret:
        return False
    return hmac.compare_digest(given.encode("utf-8"), secret.encode("utf-8"))


def middleware(secret: str) -> Any:
    async def check_secret(request: Request) -> HTTPResponse | None:
        if allowed(request.path, request.headers.get(HEADER), secret):
            return None
        logger.warning("A request to the action server without the shared secret was refused.")
        return response.json({"error": f"The {HEADER} header is missing or wrong."}, status=401)

    return check_secret


class SecretPlugin:
    """rasa-sdk plugin: adds the check to the action server's app."""

    def __init__(self, secret: str) -> None:
        self.secret = secret

    @_hookimpl
    def attach_sanic_app_extensions(self, app: Any) -> None:
        app.register_middleware(middleware(self.secret), "request")


def install() -> None:
    """Registers the plugin with rasa-sdk (idempotent); call before rasa-sdk starts."""
    if _installed:
        return
    from rasa_sdk.plugin import plugin_manager

    plugin = SecretPlugin(action_secret())
    plugin_manager().register(plugin)
    _installed.append(plugin)
    logger.debug("The action server requires the %s header.", HEADER)
