"""Rasa's HTTP API token: from the environment, and only in an ``Authorization`` header.

rasa 3.6 guards each route of its HTTP API (``/model/parse``, ``/conversations/...``;
off here unless ``CCE_ENABLE_API`` is set) with ``rasa.server.requires_auth(app,
token)``. The token came from ``--auth-token`` on rasa's command line, where every
user of the machine can read it (``ps``), and rasa accepts it only in the URL
(``?token=``), which proxies, access logs and browser histories keep.

:mod:`bot.rasa_patches` replaces ``rasa.server.requires_auth`` before rasa builds its app
(``rasa.server.create_app`` looks the name up when it builds each route), so the
same call wraps each route with :func:`requires_auth` here instead:

- the token is ``CCE_API_TOKEN``, read from this process's settings (``serve``
  hands it over in the environment, never on a command line); rasa's ``token``
  argument is not used;
- it is accepted only as ``Authorization: Bearer <token>``, compared in constant
  time; a request carrying ``?token=`` is refused whatever it holds, so a token
  never has a reason to be put in a URL;
- without a configured token (16 characters or more) every request is refused;
- refusals are rasa's own: ``ErrorResponse(401, "NotAuthenticated", ...)``, which
  rasa's app turns into its usual JSON error body.

rasa's JSON Web Token option (``--jwt-secret``) is not offered: ``serve`` never
passes it, and this check does not read it.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Callable
from functools import wraps
from http import HTTPStatus
from inspect import isawaitable
from typing import Any

from sanic.request import Request

from bot import bootstrap
from bot.config import MIN_TOKEN_CHARS

logger = logging.getLogger(__name__)
HELP_URL = "https://rasa.com/docs/rasa/3.x/http-api#security-considerations"


def bearer_token(request: Request) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header, or None."""
    scheme, _, value = (request.headers.get("Authorization") or "").partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def token_matches(given: str | None, expected: str) -> bool:
    """Constant-time comparison; False for a missing or too short expected token."""
    if given is None or len(expected) < MIN_TOKEN_CHARS:
        return False
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


def refusal(request: Request, expected: str) -> str | None:
    """Why the request may not use the API, or None when it may."""
    if "token" in request.args:
        return (
            "Send the token in an 'Authorization: Bearer <token>' header; a token in "
            "the URL (?token=) is never accepted."
        )
    if len(expected) < MIN_TOKEN_CHARS:
        return "The HTTP API has no token configured (CCE_API_TOKEN)."
    if not token_matches(bearer_token(request), expected):
        return "User is not authenticated."
    return None


def requires_auth(app: Any, token: str | None = None) -> Callable[[Any], Any]:
    """Stands in for ``rasa.server.requires_auth`` (see the module's text)."""

    def decorator(handler: Any) -> Any:
        @wraps(handler)
        async def decorated(request: Request, *args: Any, **kwargs: Any) -> Any:
            from rasa.server import ErrorResponse

            problem = refusal(request, bootstrap.app().settings.api_token)
            if problem is not None:
                raise ErrorResponse(
                    HTTPStatus.UNAUTHORIZED, "NotAuthenticated", problem, help_url=HELP_URL
                )
            result = handler(request, *args, **kwargs)
            return await result if isawaitable(result) else result

        return decorated

    return decorator
