"""Replies to Teams: the Bot Connector REST API, with the bot's own token.

- The token comes from the configured tenant's token endpoint
  (``CCE_TEAMS_TENANT_ID``: ``botframework.com`` for a multi-tenant bot, the
  Azure tenant for a single-tenant one) by the client-credentials grant, and is
  kept until five minutes before it expires.
- Replies go only to a ``serviceUrl`` that arrived in a request whose token
  vouched for it (:meth:`BotConnector.trust`), so a forged activity cannot make
  the bot send its token elsewhere.
- A reply the Bot Connector refuses for now (429, 5xx) or that cannot reach
  it is sent again, after an exponential back-off with jitter (1, 2, 4, 8 s,
  each between half and all of that) or after the ``Retry-After`` it asked
  for, whichever is longer, up to ``MAX_ATTEMPTS`` sends and ``RETRY_BUDGET``
  seconds of waiting; a refused token is renewed once. The turn's later
  replies wait (one conversation's replies stay in order). A typing
  indicator is not worth waiting for and is sent once.
- Every call has a timeout; failures are logged (status only, never the text),
  counted (``cce_teams_replies_failed_total``) and reported as None or False,
  never raised into a conversation.
- A card is updated in place (PUT on its activity), e.g. to take its buttons
  away once one was clicked (:mod:`.channel`).
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any, NamedTuple
from urllib.parse import quote

from bot.channels.teams import http
from bot.monitoring import metrics

logger = logging.getLogger(__name__)

SCOPE = "https://api.botframework.com/.default"
TOKEN_MARGIN_SECONDS = 300.0
MAX_TRUSTED_URLS = 100
MAX_ATTEMPTS = 5  # sends of one reply, the first included
FIRST_DELAY = 1.0  # seconds before the first resend; doubled for each further one
MAX_DELAY = 30.0  # seconds of back-off at most (a Retry-After may ask for more)
RETRY_BUDGET = 60.0  # seconds one reply may spend waiting to be sent again


class Delivered(NamedTuple):
    """A reply the Bot Connector took, and the id it gave it (if it said)."""

    activity_id: str | None


def _retry_reason(status: int) -> str | None:
    """Why a reply is worth sending again, or None."""
    if status == 429:
        return "rate_limited"
    if 500 <= status < 600:
        return "server_error"
    if status == 0:
        return "unreachable"
    return None


def _normal(service_url: str) -> str:
    return service_url.rstrip("/")


class BotConnector:
    def __init__(
        self,
        app_id: str,
        app_password: str,
        token_endpoint: str,
        clock: Callable[[], float] = time.monotonic,
        post_form: Callable[[str, dict[str, str]], Awaitable[Any]] = http.post_form,
        send_json: Callable[[str, str, dict[str, Any], str], Awaitable[http.Answer]] = (
            http.send_json
        ),
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        self.app_id = app_id
        self._password = app_password
        self.token_endpoint = token_endpoint
        self._clock = clock
        self._post_form = post_form
        self._send_json = send_json
        self._sleep = sleep
        self._jitter = jitter
        self._token: str | None = None
        self._token_until = 0.0
        self._lock: asyncio.Lock | None = None
        self._trusted: OrderedDict[str, None] = OrderedDict()
        self.token_requests = 0

    def trust(self, service_url: str) -> None:
        """Allows replies to ``service_url`` (call only after the request is verified)."""
        url = _normal(service_url)
        self._trusted[url] = None
        self._trusted.move_to_end(url)
        while len(self._trusted) > MAX_TRUSTED_URLS:
            self._trusted.popitem(last=False)

    def trusts(self, service_url: str) -> bool:
        return _normal(service_url) in self._trusted

    async def token(self, renew: bool = False) -> str | None:
        self._lock = self._lock or asyncio.Lock()
        async with self._lock:
            if not renew and self._token and self._clock() < self._token_until:
                return self._token
            self.token_requests += 1
            form = {
                "grant_type": "client_credentials",
                "client_id": self.app_id,
                "client_secret": self._password,
                "scope": SCOPE,
            }
            try:
                answer = await self._post_form(self.token_endpoint, form)
                token = answer["access_token"]
                lifetime = float(answer.get("expires_in", 3600))
                if not isinstance(token, str) or not token:
                    raise ValueError("empty access_token")
            except (http.HttpError, KeyError, TypeError, ValueError) as error:
                logger.error(
                    "Could not get a token to reply on Teams from %s (%s). Check "
                    "CCE_TEAMS_APP_ID, CCE_TEAMS_APP_PASSWORD and CCE_TEAMS_TENANT_ID.",
                    self.token_endpoint,
                    error,
                )
                self._token = None
                return None
            margin = TOKEN_MARGIN_SECONDS if lifetime > 2 * TOKEN_MARGIN_SECONDS else lifetime / 2
            self._token, self._token_until = token, self._clock() + lifetime - margin
            return token

    def _url(self, service_url: str, conversation_id: str, activity_id: str | None) -> str:
        url = (
            f"{_normal(service_url)}/v3/conversations/{quote(conversation_id, safe='')}/activities"
        )
        return f"{url}/{quote(activity_id, safe='')}" if activity_id else url

    async def send(
        self,
        service_url: str,
        conversation_id: str,
        activity: dict[str, Any],
        reply_to_id: str | None = None,
    ) -> Delivered | None:
        """Posts ``activity`` to the conversation (as a reply to ``reply_to_id`` if
        given); None if it could not be delivered."""
        kind = "typing" if activity.get("type") == "typing" else "message"
        if not self.trusts(service_url):
            logger.error("Not replying to a Teams serviceUrl no verified request came from.")
            metrics.teams_reply_failed(kind, "untrusted")
            return None
        url = self._url(service_url, conversation_id, reply_to_id)
        answer = await self._deliver("POST", url, activity, kind)
        return Delivered(answer.activity_id) if answer else None

    async def update(
        self, service_url: str, conversation_id: str, activity_id: str, activity: dict[str, Any]
    ) -> bool:
        """Replaces the bot's activity ``activity_id`` (a card) with ``activity``."""
        if not self.trusts(service_url):
            logger.error("Not updating on a Teams serviceUrl no verified request came from.")
            metrics.teams_reply_failed("card_update", "untrusted")
            return False
        url = self._url(service_url, conversation_id, activity_id)
        return await self._deliver("PUT", url, activity, "card_update") is not None

    def _delay(self, attempt: int, asked: float | None) -> float:
        """Exponential back-off with jitter (half to all of it), or what the
        Bot Connector asked for if that is longer."""
        backoff = min(MAX_DELAY, FIRST_DELAY * 2**attempt) * (0.5 + self._jitter() / 2)
        return max(backoff, asked or 0.0)

    async def _deliver(
        self, method: str, url: str, activity: dict[str, Any], kind: str
    ) -> http.Answer | None:
        attempts = 1 if kind == "typing" else MAX_ATTEMPTS
        waited, renew, renewed = 0.0, False, False
        for attempt in range(attempts):
            token = await self.token(renew=renew)
            if token is None:
                metrics.teams_reply_failed(kind, "no_token")
                return None
            answer = await self._send_json(method, url, activity, token)
            if 200 <= answer.status < 300:
                return answer
            if answer.status in (401, 403) and not renewed:
                renew = renewed = True  # a refused token is worth one more try, at once
                continue
            renew = False
            reason = _retry_reason(answer.status)
            if reason is None or attempt + 1 >= attempts:
                break
            delay = self._delay(attempt, answer.retry_after)
            if waited + delay > RETRY_BUDGET:
                break
            logger.warning(
                "The Bot Connector did not take a Teams %s (status %s); sending it again "
                "in %.1f s.", kind, answer.status or "unreachable", delay,
            )  # fmt: skip
            metrics.teams_reply_retried(reason)
            await self._sleep(delay)
            waited += delay
        logger.error(
            "The Bot Connector did not take a Teams %s (status %s); given up after %d "
            "attempt(s).", kind, answer.status or "unreachable", attempt + 1,
        )  # fmt: skip
        metrics.teams_reply_failed(kind, _retry_reason(answer.status) or "refused")
        return None
