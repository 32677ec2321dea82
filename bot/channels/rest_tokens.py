"""The REST channel's bearer token, apart from the channel itself: ``serve`` hands
it to its children and ``converse`` sends it, and neither should import Rasa's
channel code (and its warnings) to do so."""

from __future__ import annotations

from bot.config import REST_LOCAL, Settings

TOKEN_FILE = "rest.token"  # in var/, for CCE_ENABLE_REST=local without CCE_REST_TOKEN


def rest_token(settings: Settings) -> str:
    """The bearer token REST requests need: CCE_REST_TOKEN or, in ``local`` mode,
    the one kept in var/rest.token (made on first use)."""
    if settings.rest_token:
        return settings.rest_token
    if settings.rest == REST_LOCAL:
        from bot.secrets import load_or_create_secret

        return load_or_create_secret(settings.var_dir, name=TOKEN_FILE).decode("ascii")
    return ""


def client_token(settings: Settings) -> str:
    """The token a client on this machine sends (``python -m bot converse``):
    CCE_REST_TOKEN, or var/rest.token if the server generated one."""
    if settings.rest_token:
        return settings.rest_token
    path = settings.var_dir / TOKEN_FILE
    return path.read_text(encoding="ascii").strip() if path.exists() else ""
