"""Replies to Teams: the Bot Connector REST API, with the bot's own token.

- The token comes from the configured tenant's token endpoint
  (``CCE_TEAMS_TENANT_ID``: ``botframework.com`` for a multi-tenant bot, the
  Azure tenant for a single-tenant one) by the client-credentials grant, and is
  kept until five minutes before it expires.
- Replies go only to a ``serviceUrl`` that arrived in a request whose token
  vouched for it (:meth:`BotConnector.trust`), so a forged activity cannot make
  the bot send its token elsewhere.
- Every call has a timeout; failures are logged (status only, never the text)
  and reported as False, never raised into a conversation.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import quote

from bot.channels.teams import http

logger = logging.getLogger(__name__)

SCOPE = "https://api.botframework.com/.default"
TOKEN_MARGIN_SECONDS = 300.0
MAX_TRUSTED_URLS = 100


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
        post_json: Callable[[str, dict[str, Any], str], Awaitable[int]] = http.post_json,
    ) -> None:
        self.app_id = app_id
        self._password = app_password
        self.token_endpoint = token_endpoint
        self._clock = clock
        self._post_form = post_form
        self._post_json = post_json
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

    async def send(
        self,
        service_url: str,
        conversation_id: str,
        activity: dict[str, Any],
        reply_to_id: str | None = None,
    ) -> bool:
        """Posts ``activity`` to the conversation (as a reply to ``reply_to_id`` if given)."""
        if not self.trusts(service_url):
            logger.error("Not replying to a Teams serviceUrl no verified request came from.")
            return False
        url = (
            f"{_normal(service_url)}/v3/conversations/{quote(conversation_id, safe='')}/activities"
        )
        if reply_to_id:
            url += f"/{quote(reply_to_id, safe='')}"
        for attempt in (1, 2):
            token = await self.token(renew=attempt == 2)
            if token is None:
                return False
            status = await self._post_json(url, activity, token)
            if 200 <= status < 300:
                return True
            if status not in (401, 403):
                break  # only a refused token is worth a second try
        logger.error("The Bot Connector did not take a reply (status %s).", status or "unreachable")
        return False
