"""Signed conversation tokens: ``<session id>.<HMAC-SHA256 of it>``.

The server issues each new conversation a random id signed with the server
secret, and accepts a message only with a valid signature, so one browser
cannot read or write another's conversation by guessing an id. Stateless, so
several Rasa instances behind a load balancer accept each other's tokens when
they share the secret (CCE_SECRET_KEY).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

PREFIX = "web-"


def new_session_id() -> str:
    return PREFIX + secrets.token_hex(16)


def sign(session_id: str, key: bytes) -> str:
    signature = hmac.new(key, session_id.encode("utf-8"), hashlib.sha256).hexdigest()
    return f"{session_id}.{signature}"


def verify(token: object, key: bytes) -> str | None:
    """The session id if ``token`` is well formed and correctly signed, else None."""
    if not isinstance(token, str) or len(token) > 200 or token.count(".") != 1:
        return None
    session_id, _ = token.split(".")
    if not session_id.startswith(PREFIX):
        return None
    return session_id if hmac.compare_digest(sign(session_id, key), token) else None
