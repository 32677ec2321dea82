"""The REST channel (``POST /webhooks/rest/webhook``): rasa's URL and request
format (``{"sender": "id", "message": "text"}``, answered with a JSON list of
messages), for scripts, smoke tests and integrations; people use the widget or
Teams.

It replaces rasa's own ``RestInput.blueprint``, because rasa's takes any sender
id, any ``input_channel`` and any ``metadata`` from the request body, streams
when asked (``?stream=true``, which failed here), and is open to anyone. Here:

- **Off unless enabled** (``CCE_ENABLE_REST``): off, every route is 404. ``make
  run`` turns it on for a server listening on this machine only (``local``).
- **A bearer token**: ``Authorization: Bearer <CCE_REST_TOKEN>`` (in ``local``
  mode, if unset, one is generated into ``var/rest.token``); otherwise 401.
- **Per-client rate limit** (``CCE_RATE_LIMIT_CLIENT``, counted before the
  token is checked, so guessing it is limited too): 429 with ``Retry-After``.
- **Checked requests**: a clear 4xx instead of an error deep in Rasa
  (:func:`request_problem`): ``sender`` is required (requests without one all
  shared one conversation, ``default``); ``?stream=true`` is refused with 400.
- **What is recorded**: the channel is always ``rest`` (the body's
  ``input_channel`` could label check records as the widget's or Teams'), and
  ``metadata`` is dropped, never stored (it is checked for shape, as before).
- **Every message goes through the holding wrapper** (:mod:`bot.channels.holding`),
  which refuses a sender id with another channel's prefix (403), a conversation
  over its rate limit (429) and a text over ``CCE_MAX_MESSAGE_CHARS`` (413),
  and gives every turn an answer.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import rasa.utils.endpoints
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput as RasaRestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot import bootstrap
from bot.channels import rate_limits
from bot.channels.holding import Handler, HoldingHandler, refusal_of, with_holding_message
from bot.channels.rest_tokens import rest_token
from bot.rasa_patches.api_auth import bearer_token, token_matches
from bot.storage.tracker_store import tracker_store_in

logger = logging.getLogger(__name__)
MAX_BODY = 256 * 1024  # bytes
MAX_SENDER = 256  # characters of a sender id
MAX_METADATA = 16 * 1024  # bytes of metadata, as JSON
OFF = "The REST channel is not enabled on this server."


def request_problem(body: bytes | None) -> tuple[int, str] | None:
    """What is wrong with a REST request body, as (status, message), or None."""
    if body is not None and len(body) > MAX_BODY:
        return 413, f"The request is larger than {MAX_BODY // 1024} KB."
    try:
        data = json.loads((body or b"").decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):  # too deeply nested
        return 400, 'The body must be JSON like {"sender": "id", "message": "text"}.'
    if not isinstance(data, dict):
        return 400, "The body must be a JSON object."
    if not isinstance(data.get("message"), str):
        return 400, "`message` must be a string."
    sender = data.get("sender")
    if not isinstance(sender, str) or not sender.strip():
        return 400, "`sender` must be a non-empty string: the conversation's id, your own."
    if len(sender) > MAX_SENDER:
        return 400, f"`sender` can be at most {MAX_SENDER} characters."
    metadata = data.get("metadata")
    if metadata is not None and not isinstance(metadata, dict):
        return 400, "`metadata` must be a JSON object."
    if metadata is not None and len(json.dumps(metadata)) > MAX_METADATA:
        return 413, f"`metadata` can be at most {MAX_METADATA // 1024} KB."
    return None


def _error(status: int, message: str, headers: dict[str, str] | None = None) -> HTTPResponse:
    return response.json({"error": message}, status=status, headers=headers)


def _streaming(request: Request) -> bool:
    """Whether rasa's channel would have streamed the reply (its own reading of
    ``?stream=``), which this one refuses instead."""
    return rasa.utils.endpoints.bool_arg(request, "stream", default=False)


class RestInput(RasaRestInput):
    """Same name, URL and request format as rasa's ``rest`` channel."""

    def blueprint(self, on_new_message: Handler) -> Blueprint:
        rest = Blueprint("custom_webhook_RestInput", __name__)
        handler = with_holding_message(on_new_message)
        settings = bootstrap.app().settings
        enabled = settings.rest_enabled
        token = rest_token(settings) if enabled else ""
        if enabled and not token:
            logger.warning("The REST channel has no token (CCE_REST_TOKEN): it stays off.")
            enabled = False

        @rest.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok"}) if enabled else _error(404, OFF)

        @rest.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if not enabled:
                return _error(404, OFF)
            return await self._receive(request, handler, token)

        return rest

    async def _receive(self, request: Request, handler: HoldingHandler, token: str) -> HTTPResponse:
        # The client's rate first, so that guessing the token is limited too.
        wait = await rate_limits.retry_after(
            rate_limits.CLIENT, rate_limits.client_address(request)
        )
        if wait > 0:
            seconds = rate_limits.whole_seconds(wait)
            return _error(429, f"Too many requests; wait {seconds} s.",
                          {"Retry-After": str(seconds)})  # fmt: skip
        if not token_matches(bearer_token(request), token):
            return _error(401, "A bearer token is required: 'Authorization: Bearer <token>'.",
                          {"WWW-Authenticate": "Bearer"})  # fmt: skip
        if _streaming(request):
            return _error(400, "Streamed replies (?stream=true) are not offered; leave it out.")
        problem = request_problem(request.body)
        if problem:
            return _error(*problem)
        data: dict[str, Any] = json.loads(request.body)
        collector = CollectingOutputChannel()
        # The channel is always this one, and the body's metadata is not kept.
        await handler(UserMessage(data["message"], collector, data["sender"],
                                  input_channel=self.name(), metadata=None),
                      tracker_store_in(request.app.ctx))  # fmt: skip
        refusal = refusal_of(collector)
        if refusal is not None:
            headers = {"Retry-After": str(refusal.retry_after)} if refusal.retry_after else None
            return _error(refusal.status, refusal.error, headers)
        return response.json(collector.messages)
