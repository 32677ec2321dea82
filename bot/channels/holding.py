"""A reply for every message, whatever fails behind the channel.

Every channel of ours hands Rasa a wrapped ``on_new_message``:

- before anything else reads it, a message is refused when its sender id
  carries another channel's prefix (``web-`` is the widget's, ``teams-`` Teams'),
  when its text is longer than ``CCE_MAX_MESSAGE_CHARS``, or when its
  conversation sends faster than ``CCE_RATE_LIMIT_CONVERSATION`` allows: the
  user is told why (with the 999 route), and a channel that answers over HTTP
  gives the refusal's status (403, 413, 429 with ``Retry-After``; see
  :func:`refusal_of`);
- the text is cleaned of control characters (which some databases refuse);
- the message is redacted in a worker process, off the event loop, before the
  turn (:mod:`bot.privacy.offload`);
- when the conversations database is unavailable (the channel hands over the
  app's tracker store with each message:
  :func:`bot.storage.tracker_store.tracker_store_in`), the message is not processed
  at all (Rasa would otherwise carry on in memory and lose the conversation) and
  the user is told so and asked to send it again; once the database is back the
  conversation continues where it was;
- a turn that takes longer than ``CCE_TURN_TIMEOUT`` seconds (e.g. a slow or
  hung separate action server) is abandoned before its events are stored, and the user is
  asked to send the message again, so the conversation stays where it was;
- when an action fails, Rasa logs the error and carries on with no answer; a
  turn that produced no message (or raised) gets the same holding message;
- a turn whose request is cancelled (the client disconnected) ends quietly,
  without its text reaching any log.

The holding message always gives the 999 route and the Integrated Front Door.

Every channel's turns pass here, so this is where they are counted and timed
for ``/metrics`` (:mod:`bot.monitoring.metrics`), with each holding message and
its reason: counts only, never the text.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol

from rasa.core.channels.channel import CollectingOutputChannel, OutputChannel, UserMessage

from bot import bootstrap
from bot.channels import tokens
from bot.monitoring import metrics

logger = logging.getLogger(__name__)

Handler = Callable[[UserMessage], Awaitable[Any]]


class Conversations(Protocol):
    """Where the conversations are kept (our tracker store): can it be used now?"""

    def available(self) -> bool: ...


# What a channel calls: the message, and the app's tracker store if it is ours
# (None: none of ours, e.g. before a model is loaded or in tests of other parts).
HoldingHandler = Callable[[UserMessage, "Conversations | None"], Awaitable[None]]
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# The sender-id prefix each channel's own ids carry (bot/channels/tokens.py for the
# widget, bot/channels/teams/activities.py for Teams): no other channel may use it,
# or it could read or continue a conversation those channels guard.
SENDER_PREFIXES = {"web": tokens.PREFIX, "teams": "teams-"}
REFUSAL = "_cce_refusal"  # the attribute a refused message's output channel gets


@dataclass(frozen=True)
class Refusal:
    """Why a message was not read, as a channel answering over HTTP says it."""

    status: int  # 403, 413 or 429
    error: str  # the JSON error's text
    retry_after: int | None = None  # seconds, for 429


def refusal_of(output: OutputChannel | None) -> Refusal | None:
    """The refusal of the message sent with this output channel, if it was refused."""
    return getattr(output, REFUSAL, None)


def prefix_owner(sender_id: str) -> str | None:
    """The channel whose prefix the sender id carries, if any."""
    folded = sender_id.casefold()
    return next((c for c, p in SENDER_PREFIXES.items() if folded.startswith(p)), None)


def clean_text(text: str | None) -> str:
    """Control characters become spaces; lone surrogates (which JSON allows but
    UTF-8 cannot encode) become "?"."""
    text = (text or "").encode("utf-8", "replace").decode("utf-8")
    return CONTROL_CHARACTERS.sub(" ", text)


def holding_reply() -> tuple[str, list[dict[str, str]]]:
    reply = bootstrap.app().texts.reply("holding")
    return reply.text, [button.as_dict() for button in reply.buttons]


ANSWERED, CANCELLED = "answered", "cancelled"  # else a reason in metrics.HOLDING_REASONS


async def admission(message: UserMessage) -> tuple[Refusal, Any] | None:
    """Why the message must not be read, with the reply its user gets (None for
    a foreign prefix: that is a client's mistake, not a user's), or None."""
    from bot.channels import rate_limits

    owner = prefix_owner(message.sender_id or "")
    if owner is not None and owner != message.input_channel:
        prefix = SENDER_PREFIXES[owner]
        error = f"Sender ids starting '{prefix}' belong to the {owner} channel; use another id."
        return Refusal(403, error), None
    limit = bootstrap.app().settings.max_message_chars
    if len(message.text or "") > limit:
        reply = bootstrap.app().texts.reply("too_long", limit=f"{limit:,}")
        return Refusal(413, reply.text.splitlines()[0]), reply
    wait = await rate_limits.retry_after(rate_limits.CONVERSATION, message.sender_id or "")
    if wait > 0:
        seconds = rate_limits.whole_seconds(wait)
        reply = bootstrap.app().texts.reply("too_fast", seconds=str(seconds))
        return Refusal(429, reply.text.splitlines()[0], seconds), reply
    return None


async def run_turn(on_new_message: Handler, message: UserMessage) -> None:
    """The turn, its message first redacted off the event loop."""
    from bot.privacy import offload

    await offload.prepare(message.text or "")
    await on_new_message(message)


def with_holding_message(on_new_message: Handler) -> HoldingHandler:
    async def handle(message: UserMessage, conversations: Conversations | None = None) -> None:
        output = message.output_channel
        refused = await admission(message)
        if refused is not None:
            refusal, reply = refused
            logger.info("A message was refused unread (%s).", refusal.status)
            setattr(output, REFUSAL, refusal)
            if reply is not None:
                buttons = [button.as_dict() for button in reply.buttons]
                await output.send_text_with_buttons(message.sender_id, reply.text, buttons)
            return
        with metrics.turn(message.input_channel) as channel:
            result = await _run(on_new_message, message, conversations)
            if result == CANCELLED:
                metrics.turn_cancelled(channel)
            elif result != ANSWERED:
                metrics.holding_message(channel, result)
                text, buttons = holding_reply()
                await output.send_text_with_buttons(message.sender_id, text, buttons)

    return handle


async def _run(
    on_new_message: Handler, message: UserMessage, conversations: Conversations | None
) -> str:
    """Runs the turn: ANSWERED, CANCELLED, or why the user needs the holding message."""
    message.text = clean_text(message.text)
    output = message.output_channel
    collecting = isinstance(output, CollectingOutputChannel)
    before = len(output.messages) if collecting else 0
    reason = "no_reply"
    if conversations is not None and not conversations.available():
        logger.warning("Conversations database unavailable: message not processed.")
        reason = "database_unavailable"
    else:
        try:
            await asyncio.wait_for(
                run_turn(on_new_message, message), bootstrap.app().settings.turn_timeout
            )
        except asyncio.TimeoutError:
            logger.warning("A turn took too long; the user is asked to send it again.")
            reason = "timeout"
            if collecting:
                del output.messages[before:]  # a half turn would mislead
        except asyncio.CancelledError:
            # The request itself was cancelled (the client went away, or the
            # server is stopping): nobody is left to answer, and rasa's REST
            # channel would log the message's text if this went on up to it.
            logger.warning("A turn was cancelled before it ended; nothing was answered.")
            return CANCELLED
        except Exception:  # noqa: BLE001 - the user must still get an answer
            logger.exception("A turn failed; the user gets the holding message.")
            reason = "error"
    if collecting and len(output.messages) == before:
        return reason
    return ANSWERED
