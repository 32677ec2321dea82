"""Signed conversation tokens of the web widget:
``<session id>.<expires at>.<HMAC-SHA256 of both>``.

The server issues each new conversation a random id, with the time (Unix
seconds) after which the token is no longer accepted, signed with the widget
tokens' own key (:mod:`bot.secrets`). One browser cannot read or write another's
conversation by guessing an id, and a token left behind (a shared office PC)
stops working once the conversation has been idle for the session length: each
message the user sends renews it (:mod:`bot.channels.web`). Stateless, so
several Rasa instances behind a load balancer accept each other's tokens when
they share the secret (CCE_SECRET_KEY).

Tokens of the earlier form ``<session id>.<signature>`` (no expiry, signed with
the secret itself) are not accepted: their conversations start afresh.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import time
from dataclasses import dataclass

PREFIX = "web-"
# ASCII only, by construction: a token is compared byte for byte, and anything
# else (non-ASCII, another shape) is refused before any comparison.
TOKEN = re.compile(r"(web-[0-9a-f]{32})\.([0-9]{1,12})\.([0-9a-f]{64})")


class InvalidToken(Exception):
    """Not a token this server issued (forged, altered, malformed or old form)."""


class ExpiredToken(Exception):
    """A token this server issued, whose time has passed."""


@dataclass(frozen=True)
class Verified:
    session_id: str
    expires_at: int  # Unix seconds


def new_session_id() -> str:
    return PREFIX + secrets.token_hex(16)


def _signature(session_id: str, expires_at: int, key: bytes) -> str:
    message = f"{session_id}.{expires_at}".encode("ascii")
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def sign(session_id: str, expires_at: int, key: bytes) -> str:
    """A token for ``session_id`` valid until ``expires_at`` (Unix seconds)."""
    return f"{session_id}.{expires_at}.{_signature(session_id, expires_at, key)}"


def issue(session_id: str, lifetime_seconds: float, key: bytes, now: float | None = None) -> str:
    """A token for ``session_id`` valid for ``lifetime_seconds`` from now."""
    moment = time.time() if now is None else now
    return sign(session_id, int(moment + lifetime_seconds), key)


def verify(token: object, key: bytes, now: float | None = None) -> Verified:
    """The session of a well-formed, correctly signed, unexpired token; raises
    :class:`InvalidToken` or :class:`ExpiredToken` otherwise. The signature is
    checked first, so only a token this server issued is ever called expired."""
    match = TOKEN.fullmatch(token) if isinstance(token, str) else None
    if match is None:
        raise InvalidToken("not a conversation token")
    session_id, expires_text, signature = match.groups()
    expires_at = int(expires_text)
    if not hmac.compare_digest(_signature(session_id, expires_at, key), signature):
        raise InvalidToken("bad signature")
    if (time.time() if now is None else now) >= expires_at:
        raise ExpiredToken("expired")
    return Verified(session_id, expires_at)
