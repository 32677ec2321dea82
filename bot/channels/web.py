"""The web chat widget's input channel: plain HTTP, no socket state.

Routes (under ``/webhooks/web/``):

- ``GET /`` the demo page with the widget; ``GET /static/<file>`` its files;
- ``GET /config`` the title and contacts the widget's header shows;
- ``POST /session`` a new conversation's signed token;
- ``POST /message`` ``{"token", "text"}`` -> ``{"messages": [{"text", "buttons"}]}``;
- ``POST /history`` ``{"token"}`` -> the conversation so far, so a reload keeps it.

Every request body must be a JSON object under ``MAX_BODY`` bytes; a bad token
is refused with 403, a missing one with 401. A client (IP address) over
``CCE_RATE_LIMIT_CLIENT`` gets 429 with ``Retry-After``; a message the holding
wrapper refuses (a text over ``CCE_MAX_MESSAGE_CHARS``: 413, its conversation over
``CCE_RATE_LIMIT_CONVERSATION``: 429) gets that status and its reason. Pages carry a strict
Content-Security-Policy; cross-origin calls are allowed only from the origins
configured in ``CCE_WIDGET_ORIGINS`` (never ``*``).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from rasa.shared.core.events import BotUttered, UserUttered
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels import rate_limits, tokens
from bot.channels.holding import refusal_of, with_holding_message

logger = logging.getLogger(__name__)

STATIC = Path(__file__).parent / "static"
STATIC_FILES = {
    "widget.js": "application/javascript; charset=utf-8",
    "widget.css": "text/css; charset=utf-8",
}
MAX_BODY = 64 * 1024  # bytes of a request body (the text's own limit is CCE_MAX_MESSAGE_CHARS)
PAGE_SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
        "img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


def page_response() -> HTTPResponse:
    """The chat page, with its security headers."""
    html = (STATIC / "index.html").read_text(encoding="utf-8")
    return response.html(html, headers=PAGE_SECURITY_HEADERS)


class RequestError(Exception):
    def __init__(self, status: int, message: str, retry_after: int | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.retry_after = retry_after


def _error(status: int, message: str, retry_after: int | None = None) -> HTTPResponse:
    headers = {"Retry-After": str(retry_after)} if retry_after else None
    return response.json({"error": message}, status=status, headers=headers)


async def client_limited(request: Request) -> None:
    """Counts the request against its client's rate limit; RequestError(429) beyond it."""
    wait = await rate_limits.retry_after(rate_limits.CLIENT, rate_limits.client_address(request))
    if wait > 0:
        seconds = rate_limits.whole_seconds(wait)
        raise RequestError(429, f"Too many requests; wait {seconds} s.", seconds)


def parse_body(body: bytes | None) -> dict[str, Any]:
    """The request body as a JSON object, or a RequestError saying what is wrong."""
    if body is not None and len(body) > MAX_BODY:
        raise RequestError(413, f"The request is larger than {MAX_BODY // 1024} KB.")
    try:
        data = json.loads((body or b"{}").decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        message = 'The request body must be JSON, e.g. {"token": ..., "text": ...}.'
        raise RequestError(400, message) from exc
    if not isinstance(data, dict):
        raise RequestError(400, "The request body must be a JSON object.")
    return data


def session_from(data: dict[str, Any], key: bytes) -> str:
    token = data.get("token")
    if token in (None, ""):
        raise RequestError(401, "A conversation token is required; POST /session for one.")
    session_id = tokens.verify(token, key)
    if session_id is None:
        raise RequestError(403, "The conversation token is not valid; start a new conversation.")
    return session_id


def history_messages(events: list[Any]) -> list[dict[str, Any]]:
    """User and bot messages of a tracker, for the widget to redraw; a button
    payload the user sent is shown as the button's title."""
    messages: list[dict[str, Any]] = []
    payload_titles: dict[str, str] = {}
    for event in events:
        if isinstance(event, BotUttered):
            buttons = list((event.data or {}).get("buttons") or [])
            payload_titles = {b.get("payload"): b.get("title") for b in buttons}
            messages.append({"sender": "bot", "text": event.text or "", "buttons": buttons})
        elif isinstance(event, UserUttered):
            text = event.text or ""
            if text.startswith("/"):
                if text not in payload_titles:
                    continue  # a command the user never saw as text
                text = payload_titles[text]
            messages.append({"sender": "user", "text": text})
    return messages


async def _conversation(request: Request, session_id: str) -> Any:
    """The whole current session of a conversation (a turn's tracker holds only
    its latest events)."""
    from bot.storage.tracker_store import active_store

    store = active_store()
    if store is not None:
        return await store.retrieve_session(session_id)
    agent = request.app.ctx.agent
    return await agent.tracker_store.retrieve(session_id) if agent else None


class WebChatInput(InputChannel):
    """Input channel for the web chat widget (see module docstring)."""

    @classmethod
    def name(cls) -> str:
        return "web"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        return cls(credentials or {})

    def __init__(self, config: dict[str, Any]) -> None:
        from bot.config import get_settings

        self.title = str(config.get("title") or "CCE practitioner assistant")
        self.allowed_origins = set(get_settings().widget_origins)

    def _key(self) -> bytes:
        from bot.secrets import get_secret

        return get_secret()

    def _cors(self, request: Request, resp: HTTPResponse) -> HTTPResponse:
        origin = request.headers.get("origin")
        if origin and origin in self.allowed_origins:
            resp.headers["Access-Control-Allow-Origin"] = origin
            resp.headers["Vary"] = "Origin"
            resp.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
            resp.headers["Access-Control-Allow-Headers"] = "Content-Type"
            resp.headers["Access-Control-Max-Age"] = "600"
        return resp

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        web = Blueprint("web_chat", __name__)
        on_new_message = with_holding_message(on_new_message)

        @web.route("/", methods=["GET"], strict_slashes=False)
        async def page(request: Request) -> HTTPResponse:
            return page_response()

        @web.route("/static/<name>", methods=["GET"])
        async def static(request: Request, name: str) -> HTTPResponse:
            if name not in STATIC_FILES:
                return _error(404, "No such file.")
            body = (STATIC / name).read_text(encoding="utf-8")
            headers = {"Content-Type": STATIC_FILES[name], "X-Content-Type-Options": "nosniff",
                       "Cache-Control": "no-cache"}  # fmt: skip
            return response.text(body, headers=headers, content_type=STATIC_FILES[name])

        async def preflight(request: Request) -> HTTPResponse:
            return self._cors(request, response.empty(status=204))

        for path in ("/config", "/session", "/message", "/history"):
            web.add_route(
                preflight, path, methods=["OPTIONS"], name=f"preflight{path.replace('/', '_')}"
            )

        @web.route("/config", methods=["GET"])
        async def config(request: Request) -> HTTPResponse:
            from bot.knowledge.loader import get_knowledge

            locality = get_knowledge().locality
            return self._cors(request, response.json({
                "title": self.title,
                "emergency_number": locality["emergency_number"],
                "front_door_name": locality["front_door_name"],
                "front_door_email": locality["front_door_email"],
            }))  # fmt: skip

        def failed(request: Request, error: RequestError) -> HTTPResponse:
            return self._cors(request, _error(error.status, error.message, error.retry_after))

        @web.route("/session", methods=["POST"])
        async def session(request: Request) -> HTTPResponse:
            try:
                await client_limited(request)
                parse_body(request.body)
            except RequestError as error:
                return failed(request, error)
            token = tokens.sign(tokens.new_session_id(), self._key())
            return self._cors(request, response.json({"token": token}))

        @web.route("/message", methods=["POST"])
        async def message(request: Request) -> HTTPResponse:
            try:
                await client_limited(request)
                data = parse_body(request.body)
                session_id = session_from(data, self._key())
                text = data.get("text")
                if not isinstance(text, str):
                    raise RequestError(400, "`text` must be a string.")
            except RequestError as error:
                return failed(request, error)
            collector = CollectingOutputChannel()
            await on_new_message(
                UserMessage(text, collector, session_id, input_channel=self.name())
            )
            refusal = refusal_of(collector)
            if refusal is not None:
                refused = RequestError(refusal.status, refusal.error, refusal.retry_after)
                return failed(request, refused)
            messages = [
                {"text": m.get("text") or "", "buttons": m.get("buttons") or []}
                for m in collector.messages
            ]
            return self._cors(request, response.json({"messages": messages}))

        @web.route("/history", methods=["POST"])
        async def history(request: Request) -> HTTPResponse:
            try:
                await client_limited(request)
                session_id = session_from(parse_body(request.body), self._key())
            except RequestError as error:
                return failed(request, error)
            tracker = await _conversation(request, session_id)
            events = list(tracker.events) if tracker else []
            return self._cors(request, response.json({"messages": history_messages(events)}))

        return web
