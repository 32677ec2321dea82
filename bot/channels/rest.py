"""Rasa's REST channel (``POST /webhooks/rest/webhook``), with two additions:
requests are checked first (a clear 4xx instead of an error deep in Rasa), and
every turn gets an answer (see :mod:`bot.channels.holding`)."""

from __future__ import annotations

import json

from rasa.core.channels.rest import RestInput as RasaRestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.holding import Handler, with_holding_message

MAX_BODY = 256 * 1024  # bytes: room for a 100 KB message and its metadata
MAX_SENDER = 256  # characters of a sender id
MAX_METADATA = 16 * 1024  # bytes of metadata, as JSON


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
    if sender is not None and (not isinstance(sender, str) or not sender.strip()):
        return 400, "`sender` must be a non-empty string."
    if isinstance(sender, str) and len(sender) > MAX_SENDER:
        return 400, f"`sender` can be at most {MAX_SENDER} characters."
    metadata = data.get("metadata")
    if metadata is not None and not isinstance(metadata, dict):
        return 400, "`metadata` must be a JSON object."
    if metadata is not None and len(json.dumps(metadata)) > MAX_METADATA:
        return 413, f"`metadata` can be at most {MAX_METADATA // 1024} KB."
    return None


class RestInput(RasaRestInput):
    """Same name, URL and request format as rasa's ``rest`` channel."""

    def blueprint(self, on_new_message: Handler) -> Blueprint:
        blueprint = super().blueprint(with_holding_message(on_new_message))

        async def check_request(request: Request) -> HTTPResponse | None:
            if request.method != "POST":
                return None
            problem = request_problem(request.body)
            if problem:
                return response.json({"error": problem[1]}, status=problem[0])
            return None

        blueprint.middleware(check_request, "request")
        return blueprint
