"""The web chat widget's input channel: plain HTTP, no socket state.

Routes (under ``/webhooks/web/``):

- ``GET /`` the demo page with the widget; ``GET /static/<file>`` its files;
- ``GET /config`` the title and contacts the widget's header shows;
- ``POST /session`` -> ``{"token", "expires_in"}``: a new conversation's signed token;
- ``POST /message`` ``{"token", "text"}`` -> ``{"messages": [{"text", "buttons"}],
  "token", "expires_in"}``: the replies, and the token renewed (:mod:`.tokens`);
- ``POST /history`` ``{"token"}`` -> ``{"messages", "expires_in"}``: the conversation
  so far, so a reload keeps it.

A token is valid until the conversation has had no message for its session
length (``session_expiration_time`` in domain.yml, or CCE_WIDGET_TOKEN_MINUTES);
``expires_in`` says how many seconds are left, so the widget can forget an idle
conversation on its own. Every request body must be a JSON object under
``MAX_BODY`` bytes; a missing token is refused with 401, a bad or expired one
with 403 (``{"error", "reason": "invalid" | "expired"}``). A client (IP address) over
``CCE_RATE_LIMIT_CLIENT`` gets 429 with ``Retry-After``; a message the holding
wrapper refuses (a text over ``CCE_MAX_MESSAGE_CHARS``: 413, its conversation over
``CCE_RATE_LIMIT_CONVERSATION``: 429) gets that status and its reason. Pages carry a strict
Content-Security-Policy; cross-origin calls are allowed only from the origins
configured in ``CCE_WIDGET_ORIGINS`` (never ``*``).
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from rasa.shared.constants import DEFAULT_SESSION_EXPIRATION_TIME_IN_MINUTES
from rasa.shared.core.events import BotUttered, UserUttered
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels import rate_limits, tokens
from bot.channels.holding import refusal_of, with_holding_message
from bot.channels.outgoing import (
    FEEDBACK_REASONS,
    answered_text,
    checklist_of,
    combine,
    feedback_of,
    feedback_texts,
)
from bot.check.flow import CHECKLIST_INTENT
from bot.storage.tracker_store import tracker_store_in

logger = logging.getLogger(__name__)

STATIC = Path(__file__).parent / "static"
ANSWER_ID = re.compile(r"[0-9a-f]{24}")
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
    def __init__(
        self, status: int, message: str, reason: str | None = None, retry_after: int | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.reason = reason
        self.retry_after = retry_after


def _error(
    status: int, message: str, reason: str | None = None, retry_after: int | None = None
) -> HTTPResponse:
    body = {"error": message} if reason is None else {"error": message, "reason": reason}
    headers = {"Retry-After": str(retry_after)} if retry_after else None
    return response.json(body, status=status, headers=headers)


async def client_limited(request: Request) -> None:
    """Counts the request against its client's rate limit; RequestError(429) beyond it."""
    wait = await rate_limits.retry_after(rate_limits.CLIENT, rate_limits.client_address(request))
    if wait > 0:
        seconds = rate_limits.whole_seconds(wait)
        raise RequestError(429, f"Too many requests; wait {seconds} s.", retry_after=seconds)


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


def session_from(data: dict[str, Any], key: bytes, now: float | None = None) -> tokens.Verified:
    """The conversation a request's token names, or a RequestError (401 missing,
    403 invalid or expired, with the reason)."""
    token = data.get("token")
    if token in (None, ""):
        raise RequestError(401, "A conversation token is required; POST /session for one.")
    try:
        return tokens.verify(token, key, now)
    except tokens.ExpiredToken as exc:
        raise RequestError(
            403,
            "This conversation has expired after a time without messages; "
            "start a new conversation.",
            "expired",
        ) from exc
    except tokens.InvalidToken as exc:
        raise RequestError(
            403, "The conversation token is not valid; start a new conversation.", "invalid"
        ) from exc


def token_lifetime(configured_minutes: float, session_minutes: float | None) -> float:
    """Seconds a token lasts after the conversation's last message: the setting
    (CCE_WIDGET_TOKEN_MINUTES) if given, else the session length of the model's
    domain; if sessions never end there (0), rasa's default session length."""
    if configured_minutes > 0:
        return configured_minutes * 60
    if session_minutes is not None and session_minutes > 0:
        return session_minutes * 60
    return DEFAULT_SESSION_EXPIRATION_TIME_IN_MINUTES * 60


def widget_message(message: dict[str, Any]) -> dict[str, Any]:
    """One bot message as the widget draws it: text, buttons, a checklist, and the
    answer id with which to ask whether a guidance answer helped."""
    drawn = {"text": message.get("text") or "", "buttons": message.get("buttons") or []}
    checklist = checklist_of(message)
    if checklist:
        drawn["checklist"] = checklist
    answer_id = feedback_of(message)
    if answer_id:
        drawn["feedback"] = answer_id
    return drawn


def feedback_request(data: dict[str, Any]) -> tuple[str, bool, str | None]:
    """(answer id, helpful, reason) from a feedback request body, or a RequestError."""
    answer_id, helpful, reason = data.get("answer_id"), data.get("helpful"), data.get("reason")
    if not isinstance(answer_id, str) or not ANSWER_ID.fullmatch(answer_id):
        raise RequestError(400, "`answer_id` must be the id an answer came with.")
    if not isinstance(helpful, bool):
        raise RequestError(400, "`helpful` must be true or false.")
    if reason is not None and (helpful or reason not in FEEDBACK_REASONS):
        raise RequestError(400, f"`reason` is one of {', '.join(FEEDBACK_REASONS)}, with false.")
    return answer_id, helpful, reason


def history_messages(events: list[Any]) -> list[dict[str, Any]]:
    """User and bot messages of a tracker, for the widget to redraw; a button
    payload the user sent is shown as the button's title, a checklist sent as
    what it said."""
    messages: list[dict[str, Any]] = []
    payload_titles: dict[str, str] = {}
    labels: dict[str, str] = {}
    for event in events:
        if isinstance(event, BotUttered):
            data = event.data or {}
            buttons = list(data.get("buttons") or [])
            payload_titles = {b.get("payload"): b.get("title") for b in buttons}
            drawn = widget_message({"text": event.text, "buttons": buttons, **data})
            if not drawn["text"] and not buttons and "checklist" in drawn and messages:
                messages[-1]["checklist"] = drawn["checklist"]  # rasa sent it on its own
            elif drawn["text"] or buttons:
                messages.append({"sender": "bot", **drawn})
            if "checklist" in drawn:
                labels = {i.get("id"): i.get("label") for i in drawn["checklist"]["items"]}
        elif isinstance(event, UserUttered):
            text = event.text or ""
            if text.startswith(f"/{CHECKLIST_INTENT}"):
                text = answered_text((event.parse_data or {}).get("entities") or [], labels)
            elif text.startswith("/"):
                if text not in payload_titles:
                    continue  # a command the user never saw as text
                text = payload_titles[text]
            messages.append({"sender": "user", "text": text})
    return messages


async def _conversation(request: Request, session_id: str) -> Any:
    """The whole current session of a conversation (a turn's tracker holds only
    its latest events)."""
    store = tracker_store_in(request.app.ctx)
    return await store.retrieve_session(session_id) if store is not None else None


class WebChatInput(InputChannel):
    """Input channel for the web chat widget (see module docstring)."""

    @classmethod
    def name(cls) -> str:
        return "web"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        return cls(credentials or {})

    def __init__(self, config: dict[str, Any]) -> None:
        from bot import bootstrap

        self.title = str(config.get("title") or "CCE practitioner assistant")
        self.allowed_origins = set(bootstrap.app().settings.widget_origins)

    def _key(self) -> bytes:
        from bot import bootstrap
        from bot.secrets import Purpose

        return bootstrap.app().key(Purpose.WIDGET_TOKENS)

    def _lifetime(self, request: Request) -> float:
        from bot import bootstrap

        agent = getattr(request.app.ctx, "agent", None)
        domain = getattr(agent, "domain", None)
        session = domain.session_config.session_expiration_time if domain else None
        return token_lifetime(bootstrap.app().settings.widget_token_minutes, session)

    def _issue(self, request: Request, session_id: str) -> dict[str, Any]:
        """A token for ``session_id`` valid from now, and its seconds left."""
        lifetime = self._lifetime(request)
        token = tokens.issue(session_id, lifetime, self._key())
        return {"token": token, "expires_in": int(lifetime)}

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
        handle = with_holding_message(on_new_message)

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

        for path in ("/config", "/session", "/message", "/feedback", "/history"):
            web.add_route(
                preflight, path, methods=["OPTIONS"], name=f"preflight{path.replace('/', '_')}"
            )

        @web.route("/config", methods=["GET"])
        async def config(request: Request) -> HTTPResponse:
            from bot import bootstrap

            locality = bootstrap.app().knowledge.locality
            return self._cors(request, response.json({
                "title": self.title,
                "emergency_number": locality["emergency_number"],
                "front_door_name": locality["front_door_name"],
                "front_door_email": locality["front_door_email"],
                "feedback": feedback_texts(),
            }))  # fmt: skip

        def failed(request: Request, error: RequestError) -> HTTPResponse:
            return self._cors(
                request, _error(error.status, error.message, error.reason, error.retry_after)
            )

        @web.route("/session", methods=["POST"])
        async def session(request: Request) -> HTTPResponse:
            try:
                await client_limited(request)
                parse_body(request.body)
            except RequestError as error:
                return failed(request, error)
            return self._cors(request, response.json(self._issue(request, tokens.new_session_id())))

        @web.route("/message", methods=["POST"])
        async def message(request: Request) -> HTTPResponse:
            try:
                await client_limited(request)
                data = parse_body(request.body)
                session_id = session_from(data, self._key()).session_id
                text = data.get("text")
                if not isinstance(text, str):
                    raise RequestError(400, "`text` must be a string.")
            except RequestError as error:
                return failed(request, error)
            collector = CollectingOutputChannel()
            await handle(
                UserMessage(text, collector, session_id, input_channel=self.name()),
                tracker_store_in(request.app.ctx),
            )
            refusal = refusal_of(collector)
            if refusal is not None:
                return failed(
                    request,
                    RequestError(refusal.status, refusal.error, retry_after=refusal.retry_after),
                )
            messages = [widget_message(m) for m in combine(collector.messages)]
            # A message keeps the conversation alive: its token is renewed.
            body = {"messages": messages, **self._issue(request, session_id)}
            return self._cors(request, response.json(body))

        @web.route("/feedback", methods=["POST"])
        async def feedback(request: Request) -> HTTPResponse:
            """Whether a guidance answer helped (one click; an optional reason)."""
            from bot.storage.records import record_feedback

            try:
                await client_limited(request)
                data = parse_body(request.body)
                verified = session_from(data, self._key())
                answer_id, helpful, reason = feedback_request(data)
            except RequestError as error:
                return failed(request, error)
            if not record_feedback(answer_id, verified.session_id, helpful, reason):
                return self._cors(request, _error(404, "No such answer in this conversation."))
            return self._cors(request, response.json({"ok": True}))

        @web.route("/history", methods=["POST"])
        async def history(request: Request) -> HTTPResponse:
            try:
                await client_limited(request)
                verified = session_from(parse_body(request.body), self._key())
            except RequestError as error:
                return failed(request, error)
            tracker = await _conversation(request, verified.session_id)
            events = list(tracker.events) if tracker else []
            # Reading is not a message: the token is not renewed.
            left = max(0, int(verified.expires_at - time.time()))
            body = {"messages": history_messages(events), "expires_in": left}
            return self._cors(request, response.json(body))

        return web
