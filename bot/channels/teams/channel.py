"""The Microsoft Teams input channel: ``POST /webhooks/teams/webhook``.

For each request, in this order: Teams configured (else 503 saying what to
set), body at most 256 KB (413), the token (:mod:`.auth`: 401, or 503 while the
signing keys cannot be fetched), the body a well-formed activity
(:mod:`.activities`: 400), the activity one the token allows (403). Then the
request is answered at once (200) and the turn runs in the background, so Teams
never retries a slow turn; an activity id already seen is acknowledged and
dropped (:mod:`.dedupe`).

- ``message``: the text without mentions, or a card click's payload
  (:mod:`.cards`), goes to Rasa through :func:`bot.channels.holding.with_holding_message`
  (every turn gets an answer); the replies are sent by :mod:`.connector`.
- ``conversationUpdate`` that adds the bot: the welcome (the session start).
- Anything else: 200 and ignored.

Each Teams conversation *and* user is its own Rasa conversation
(:func:`.activities.sender_id`); turns of one conversation run one at a time.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from contextlib import asynccontextmanager
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.holding import Handler, with_holding_message
from bot.channels.teams.activities import (
    MAX_BODY,
    Activity,
    ActivityError,
    check_activity,
    parse_body,
    sender_id,
    strip_mentions,
)
from bot.channels.teams.auth import AuthError, SigningKeys, TeamsAuthenticator
from bot.channels.teams.cards import render, submitted_payload
from bot.channels.teams.connector import BotConnector
from bot.channels.teams.dedupe import SeenActivities
from bot.config import get_settings

logger = logging.getLogger(__name__)

MAX_PENDING = 500  # turns running in the background; beyond it, 503 and Teams retries
# Seconds a stopping server waits for the turns it accepted (Teams will not send them
# again): a turn gives up after CCE_TURN_TIMEOUT, and each reply after 10 s.
DRAIN_SECONDS = 25.0
SESSION_START = "/session_start"
NOT_CONFIGURED = (
    "The Teams channel is not configured on this server: set CCE_TEAMS_APP_ID and "
    "CCE_TEAMS_APP_PASSWORD (README.md, section Microsoft Teams)."
)


def _error(status: int, message: str) -> HTTPResponse:
    return response.json({"error": message}, status=status)


class TeamsOutput(CollectingOutputChannel):
    """Collects a turn's messages; the channel sends them once the turn is over,
    so a turn abandoned by the holding wrapper sends nothing half-done."""

    @classmethod
    def name(cls) -> str:
        return "teams"


class ConversationLocks:
    """One lock per conversation, dropped when nobody holds or waits for it."""

    def __init__(self) -> None:
        self._locks: dict[str, tuple[asyncio.Lock, int]] = {}

    @asynccontextmanager
    async def hold(self, key: str) -> AsyncIterator[None]:
        lock, users = self._locks.get(key) or (asyncio.Lock(), 0)
        self._locks[key] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[key]
            if users <= 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, users - 1)


class TeamsInput(InputChannel):
    @classmethod
    def name(cls) -> str:
        return "teams"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        return cls()  # every setting comes from bot.config (CCE_TEAMS_*)

    def __init__(self) -> None:
        settings = get_settings()
        self.configured = settings.teams_configured
        self.bot_name = settings.teams_bot_name
        keys = SigningKeys(settings.teams_openid_url, settings.teams_key_refetch_seconds)
        self.authenticator = TeamsAuthenticator(
            settings.teams_app_id, keys, settings.teams_allowed_tenants
        )
        self.connector = BotConnector(
            settings.teams_app_id, settings.teams_app_password, settings.teams_token_endpoint
        )
        self.seen = SeenActivities(settings.redis_url)
        self.locks = ConversationLocks()
        self.tasks: set[asyncio.Task[None]] = set()
        if not self.configured:
            logger.info("Teams channel off: %s", NOT_CONFIGURED)
        elif settings.teams_tenant_id == "botframework.com":
            logger.info(
                "Teams replies use the multi-tenant botframework.com token endpoint; a "
                "single-tenant bot needs CCE_TEAMS_TENANT_ID set to its tenant id."
            )

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        teams = Blueprint("teams_webhook", __name__)
        handler = with_holding_message(on_new_message)

        @teams.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok", "configured": self.configured})

        @teams.route("/webhook", methods=["POST"])
        async def webhook(request: Request) -> HTTPResponse:
            return await self.receive(request, handler)

        @teams.listener("before_server_stop")
        async def finish_accepted_turns(app: Any, loop: Any) -> None:
            await self.drain(DRAIN_SECONDS)

        return teams

    async def drain(self, timeout: float) -> None:
        """Waits (up to ``timeout`` s) for the turns running in the background: each was
        acknowledged with 200, so a server stopping without them would lose them."""
        deadline = asyncio.get_running_loop().time() + timeout
        while self.tasks:
            left = deadline - asyncio.get_running_loop().time()
            if left <= 0:
                logger.warning(
                    "The server stopped with %d Teams turns unfinished.", len(self.tasks)
                )
                return
            logger.info("Finishing %d Teams turns before the server stops.", len(self.tasks))
            await asyncio.wait(set(self.tasks), timeout=left)

    async def receive(self, request: Request, handler: Handler) -> HTTPResponse:
        if not self.configured:
            return _error(503, NOT_CONFIGURED)
        if request.body and len(request.body) > MAX_BODY:
            return _error(413, f"The request is larger than {MAX_BODY // 1024} KB.")
        try:
            token = await self.authenticator.verify(request.headers.get("Authorization"))
            activity = check_activity(parse_body(request.body))
            self.authenticator.authorize(
                token, activity.channel_id, activity.service_url, activity.tenant_id
            )
        except (AuthError, ActivityError) as error:
            # The reason only, never the request: a forged one may carry anything.
            log = logger.warning if error.status >= 500 else logger.info
            log("Teams request refused (%s): %s", error.status, error.message)
            return _error(error.status, error.message)
        self.connector.trust(activity.service_url)
        work = self.turn_for(activity, handler)
        if work is None:
            return response.json({"status": "ignored"})
        if len(self.tasks) >= MAX_PENDING:
            work.close()
            return _error(503, "The assistant is busy; send the activity again shortly.")
        if activity.id and not await self.seen.first_time(activity.conversation_id, activity.id):
            work.close()
            return response.json({"status": "already handled"})
        task = asyncio.create_task(work)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)
        return response.json({"status": "accepted"})

    def turn_for(self, activity: Activity, handler: Handler) -> Coroutine[Any, Any, None] | None:
        """The background work an activity calls for, or None to ignore it."""
        if activity.type == "message":
            payload = submitted_payload(activity.raw.get("value"))
            text = payload or strip_mentions(
                activity.raw.get("text") or "",
                activity.raw.get("entities") or [],
                [self.bot_name, str(activity.bot_account.get("name") or "")],
            )
            return self.run_turn(activity, text, typing=True, handler=handler)
        if (
            activity.type == "conversationUpdate"
            and activity.recipient_id in activity.members_added()
        ):
            return self.run_turn(activity, SESSION_START, typing=False, handler=handler)
        return None

    async def run_turn(self, activity: Activity, text: str, typing: bool, handler: Handler) -> None:
        sender = sender_id(activity.conversation_id, activity.from_id)
        conversation = activity.raw.get("conversation") or {}
        try:
            async with self.locks.hold(sender):
                if typing:
                    await self.connector.send(
                        activity.service_url,
                        activity.conversation_id,
                        self.reply(activity, {"type": "typing"}),
                    )
                output = TeamsOutput()
                kind = str(conversation.get("conversationType") or "")[:32]
                metadata = {"teams": {"conversation_type": kind}}
                await handler(
                    UserMessage(text, output, sender, input_channel=self.name(), metadata=metadata)
                )
                for message in output.messages:
                    content = render(message)
                    if content:
                        await self.connector.send(
                            activity.service_url,
                            activity.conversation_id,
                            self.reply(activity, content),
                            self.reply_to(activity),
                        )
        except Exception:  # noqa: BLE001 - a background task must never die silently
            logger.exception("A Teams turn failed outside Rasa; nothing more could be sent.")

    @staticmethod
    def reply_to(activity: Activity) -> str | None:
        """Messages are answered in their thread; a welcome goes to the conversation."""
        return activity.id if activity.type == "message" else None

    @classmethod
    def reply(cls, activity: Activity, content: dict[str, Any]) -> dict[str, Any]:
        reply: dict[str, Any] = {
            "type": "message",
            "from": activity.bot_account,
            "recipient": activity.user_account,
            "conversation": dict(activity.raw.get("conversation") or {}),
        }
        reply_to = cls.reply_to(activity)
        if reply_to:
            reply["replyToId"] = reply_to
        reply.update(content)
        return reply
