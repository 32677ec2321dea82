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
  (every turn gets an answer); the replies are sent by :mod:`.connector`. A
  clicked card is first updated so that its buttons are gone (:mod:`.sent_cards`);
  a second click on a card already answered is ignored. In a group chat or a
  team channel, a message for the indicator check gets a card opening a private
  chat instead (:mod:`.private_chat`).
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

from bot import bootstrap
from bot.channels.holding import Handler, HoldingHandler, with_holding_message
from bot.channels.outgoing import combine, feedback_texts
from bot.channels.teams.activities import (
    MAX_BODY,
    MAX_ID,
    Activity,
    ActivityError,
    check_activity,
    parse_body,
    sender_id,
    strip_mentions,
)
from bot.channels.teams.auth import AuthError, SigningKeys, TeamsAuthenticator
from bot.channels.teams.cards import (
    FEEDBACK_PAYLOAD,
    answered_card,
    answered_words,
    render,
    sent_card,
    submitted_feedback,
    submitted_payload,
)
from bot.channels.teams.connector import BotConnector
from bot.channels.teams.dedupe import SeenActivities
from bot.channels.teams.private_chat import check_only_in_private
from bot.channels.teams.sent_cards import AGAIN, FIRST, SentCards
from bot.storage.tracker_store import tracker_store_in

logger = logging.getLogger(__name__)

MAX_PENDING = 500  # turns running in the background; beyond it, 503 and Teams retries
# Seconds a stopping server waits for the turns it accepted (Teams will not send them
# again): a turn gives up after CCE_TURN_TIMEOUT, and each reply after 10 s.
DRAIN_SECONDS = 25.0
SESSION_START = "/session_start"
NOT_CONFIGURED = (
    "The Teams channel is not configured on this server: set CCE_TEAMS_APP_ID and "
    "CCE_TEAMS_APP_PASSWORD (docs/teams.md)."
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
        settings = bootstrap.app().settings
        self.configured = settings.teams_configured
        self.app_id = settings.teams_app_id
        self.bot_name = settings.teams_bot_name
        self.app_context: Any = None  # the Sanic app's ctx (its agent), from the first request
        keys = SigningKeys(settings.teams_openid_url, settings.teams_key_refetch_seconds)
        self.authenticator = TeamsAuthenticator(
            settings.teams_app_id,
            keys,
            settings.teams_allowed_tenants,
            settings.teams_allow_any_tenant,
        )
        self.connector = BotConnector(
            settings.teams_app_id, settings.teams_app_password, settings.teams_token_endpoint
        )
        self.seen = SeenActivities(settings.redis_url)
        self.cards = SentCards(settings.redis_url)
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
        handler = with_holding_message(self.private_check(on_new_message))

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

    def private_check(self, on_new_message: Handler) -> Handler:
        """``on_new_message``, with the check kept to private chats (:mod:`.private_chat`)."""
        return check_only_in_private(on_new_message, self.intent_of, self.app_id, self.bot_name)

    async def intent_of(self, text: str) -> str | None:
        """The intent the loaded model gives ``text`` (a payload's, for ``/intent``)."""
        agent = getattr(self.app_context, "agent", None)
        if agent is None:
            raise RuntimeError("No model is loaded to read a Teams message with.")
        parsed = await agent.parse_message(text)
        intent = parsed.get("intent") or {}
        return intent.get("name") if isinstance(intent, dict) else None

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

    async def receive(self, request: Request, handler: HoldingHandler) -> HTTPResponse:
        if not self.configured:
            return _error(503, NOT_CONFIGURED)
        self.app_context = request.app.ctx
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

    def turn_for(
        self, activity: Activity, handler: HoldingHandler
    ) -> Coroutine[Any, Any, None] | None:
        """The background work an activity calls for, or None to ignore it."""
        if activity.type == "message":
            feedback = submitted_feedback(activity.raw.get("value"))
            if feedback is not None:
                return self.record_feedback(activity, *feedback)
            payload = submitted_payload(activity.raw.get("value"))
            text = payload or strip_mentions(
                activity.raw.get("text") or "",
                activity.raw.get("entities") or [],
                [self.bot_name, str(activity.bot_account.get("name") or "")],
            )
            return self.run_turn(activity, text, typing=True, handler=handler, clicked=payload)
        if (
            activity.type == "conversationUpdate"
            and activity.recipient_id in activity.members_added()
        ):
            return self.run_turn(activity, SESSION_START, typing=False, handler=handler)
        return None

    async def record_feedback(
        self, activity: Activity, answer_id: str, helpful: bool, reason: str | None
    ) -> None:
        """A click on "Was this helpful?": recorded, not a turn of the conversation;
        the card then says thanks instead of offering the buttons again."""
        from bot.storage.records import record_feedback

        sender = sender_id(activity.conversation_id, activity.from_id)
        try:
            if record_feedback(answer_id, sender, helpful, reason):
                await self.close_card(activity, FEEDBACK_PAYLOAD)
        except Exception:  # noqa: BLE001 - a background task must never die silently
            logger.exception("Feedback from Teams could not be recorded.")

    async def run_turn(
        self,
        activity: Activity,
        text: str,
        typing: bool,
        handler: HoldingHandler,
        clicked: str | None = None,
    ) -> None:
        sender = sender_id(activity.conversation_id, activity.from_id)
        conversation = activity.raw.get("conversation") or {}
        try:
            async with self.locks.hold(sender):
                if clicked and not await self.close_card(activity, clicked):
                    return
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
                    UserMessage(text, output, sender, input_channel=self.name(), metadata=metadata),
                    tracker_store_in(self.app_context),
                )
                for message in combine(output.messages):
                    content = render(message)
                    if content:
                        delivered = await self.connector.send(
                            activity.service_url,
                            activity.conversation_id,
                            self.reply(activity, content),
                            self.reply_to(activity),
                        )
                        card = sent_card(content)
                        if card and delivered and delivered.activity_id:
                            await self.cards.remember(
                                activity.conversation_id,
                                delivered.activity_id,
                                activity.from_id,
                                card,
                            )
        except Exception:  # noqa: BLE001 - a background task must never die silently
            logger.exception("A Teams turn failed outside Rasa; nothing more could be sent.")

    async def close_card(self, activity: Activity, payload: str) -> bool:
        """After a click, the card it came from is replaced by one without buttons.
        False for a click on a card already answered (a double click, or one Teams
        sent before the card changed): that click is not an answer."""
        card_id = activity.raw.get("replyToId")
        if not isinstance(card_id, str) or not card_id or len(card_id) > MAX_ID:
            return True
        claim, card = await self.cards.claim(activity.conversation_id, card_id, activity.from_id)
        if claim == AGAIN:
            logger.info("A second click on a Teams card already answered was ignored.")
            return False
        if claim == FIRST and card is not None:
            title = answered_words(card, payload)
            if payload == FEEDBACK_PAYLOAD:  # "Was this helpful?" answered: thanks, no buttons
                answered: str | None = feedback_texts()["thanks"]
            else:
                answered = (
                    bootstrap.app().texts.reply("card_answered", answer=title).text
                    if title
                    else None
                )
            update = {
                "type": "message",
                "id": card_id,
                "from": activity.bot_account,
                "recipient": activity.user_account,
                "conversation": dict(activity.raw.get("conversation") or {}),
                **answered_card(card, payload, answered),
            }
            await self.connector.update(
                activity.service_url, activity.conversation_id, card_id, update
            )
        return True

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
