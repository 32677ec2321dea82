"""A reply for every message, whatever fails behind the channel.

Every channel of ours hands Rasa a wrapped ``on_new_message``:

- the text is cleaned of control characters (which some databases refuse);
- when the conversations database is unavailable, the message is not processed
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
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

from bot.config import get_settings
from bot.monitoring import metrics
from bot.storage.tracker_store import conversations_available

logger = logging.getLogger(__name__)

Handler = Callable[[UserMessage], Awaitable[Any]]
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_text(text: str | None) -> str:
    """Control characters become spaces; lone surrogates (which JSON allows but
    UTF-8 cannot encode) become "?"."""
    text = (text or "").encode("utf-8", "replace").decode("utf-8")
    return CONTROL_CHARACTERS.sub(" ", text)


def holding_reply() -> tuple[str, list[dict[str, str]]]:
    from bot.messages import get_messages

    reply = get_messages().reply("holding")
    return reply.text, [button.as_dict() for button in reply.buttons]


ANSWERED, CANCELLED = "answered", "cancelled"  # else a reason in metrics.HOLDING_REASONS


def with_holding_message(on_new_message: Handler) -> Handler:
    async def handle(message: UserMessage) -> None:
        with metrics.turn(message.input_channel) as channel:
            result = await _run(on_new_message, message)
            if result == CANCELLED:
                metrics.turn_cancelled(channel)
            elif result != ANSWERED:
                metrics.holding_message(channel, result)
                text, buttons = holding_reply()
                await message.output_channel.send_text_with_buttons(
                    message.sender_id, text, buttons
                )

    return handle


async def _run(on_new_message: Handler, message: UserMessage) -> str:
    """Runs the turn: ANSWERED, CANCELLED, or why the user needs the holding message."""
    message.text = clean_text(message.text)
    output = message.output_channel
    collecting = isinstance(output, CollectingOutputChannel)
    before = len(output.messages) if collecting else 0
    reason = "no_reply"
    if not conversations_available():
        logger.warning("Conversations database unavailable: message not processed.")
        reason = "database_unavailable"
    else:
        try:
            await asyncio.wait_for(on_new_message(message), get_settings().turn_timeout)
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
