"""Reading a Bot Framework activity: the request body, the fields the channel
relies on (each checked, so a malformed activity is a clear 400, never a 500),
the user's words without mentions, and whose conversation it is."""

from __future__ import annotations

import hashlib
import html
import json
import re
from dataclasses import dataclass, field
from typing import Any

from bot.config import is_secure_url

MAX_BODY = 256 * 1024  # bytes of a request body (Teams messages are at most ~28 KB)
MAX_TEXT = 30_000  # characters of a message's text
MAX_ID = 1024  # characters of an id or URL
AT_MENTION = re.compile(r"<at\b[^>]*>.*?</at>", re.IGNORECASE | re.DOTALL)
SPACES = re.compile(r"[ \t\u00a0]+")


class ActivityError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class Activity:
    """The checked fields of one activity; ``raw`` is the whole JSON object."""

    type: str
    id: str | None
    channel_id: str
    service_url: str
    conversation_id: str
    from_id: str
    recipient_id: str
    tenant_id: str | None
    raw: dict[str, Any] = field(repr=False, compare=False)

    @property
    def bot_account(self) -> dict[str, Any]:
        return dict(self.raw["recipient"])

    @property
    def user_account(self) -> dict[str, Any]:
        return dict(self.raw["from"])

    def members_added(self) -> list[str]:
        return [m["id"] for m in self.raw.get("membersAdded") or [] if isinstance(m.get("id"), str)]


def parse_body(body: bytes | None) -> dict[str, Any]:
    """The request body as a JSON object, or an ActivityError saying what is wrong."""
    if body is not None and len(body) > MAX_BODY:
        raise ActivityError(413, f"The request is larger than {MAX_BODY // 1024} KB.")
    try:
        data = json.loads((body or b"").decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ActivityError(400, "The body must be a Bot Framework activity in JSON.") from exc
    except RecursionError as exc:
        raise ActivityError(400, "The JSON is nested too deeply to be an activity.") from exc
    if not isinstance(data, dict):
        raise ActivityError(400, "The body must be a JSON object (a Bot Framework activity).")
    return data


def _string(data: dict[str, Any], key: str, where: str, required: bool = True) -> str | None:
    value = data.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value.strip():
        raise ActivityError(400, f"`{where}` must be a non-empty string.")
    if len(value) > MAX_ID:
        raise ActivityError(400, f"`{where}` can be at most {MAX_ID} characters.")
    try:  # JSON's \ud800 escapes make lone surrogates, which ids cannot be hashed or sent with
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ActivityError(400, f"`{where}` must be valid Unicode (no lone surrogates).") from None
    return value


def _account(data: dict[str, Any], key: str) -> str:
    value = data.get(key)
    if not isinstance(value, dict):
        raise ActivityError(400, f"`{key}` must be an object with an `id`.")
    return str(_string(value, "id", f"{key}.id"))


def check_activity(data: dict[str, Any]) -> Activity:
    """The fields the channel uses, each checked; raises ActivityError (400/413)."""
    kind = str(_string(data, "type", "type"))
    activity_id = _string(data, "id", "id", required=kind == "message")
    service_url = str(_string(data, "serviceUrl", "serviceUrl"))
    if not is_secure_url(service_url):
        raise ActivityError(400, "`serviceUrl` must be an https URL.")
    text = data.get("text")
    if text is not None and not isinstance(text, str):
        raise ActivityError(400, "`text` must be a string.")
    if isinstance(text, str) and len(text) > MAX_TEXT:
        raise ActivityError(413, f"`text` can be at most {MAX_TEXT:,} characters.")
    for key in ("entities", "membersAdded"):
        items = data.get(key)
        if items is not None and (
            not isinstance(items, list) or not all(isinstance(i, dict) for i in items)
        ):
            raise ActivityError(400, f"`{key}` must be a list of objects.")
    channel_data = data.get("channelData")
    if channel_data is not None and not isinstance(channel_data, dict):
        raise ActivityError(400, "`channelData` must be an object.")
    tenant = (channel_data or {}).get("tenant")
    tenant_id = tenant.get("id") if isinstance(tenant, dict) else None
    if tenant_id is None and isinstance(data.get("conversation"), dict):
        tenant_id = data["conversation"].get("tenantId")
    return Activity(
        type=kind,
        id=activity_id,
        channel_id=str(_string(data, "channelId", "channelId")),
        service_url=service_url,
        conversation_id=_account(data, "conversation"),
        from_id=_account(data, "from"),
        recipient_id=_account(data, "recipient"),
        tenant_id=tenant_id if isinstance(tenant_id, str) else None,
        raw=data,
    )


def strip_mentions(text: str, entities: list[dict[str, Any]], bot_names: list[str]) -> str:
    """The text without ``<at>…</at>`` mentions (the bot's and anyone's: names are
    not for the classifier or the records) and without a leading bot name."""
    for entity in entities:
        mention = entity.get("text")
        if entity.get("type") == "mention" and isinstance(mention, str) and mention:
            text = text.replace(mention, " ")
    text = html.unescape(AT_MENTION.sub(" ", text))
    text = SPACES.sub(" ", text).strip()
    for name in sorted({n.strip() for n in bot_names if n and n.strip()}, key=len, reverse=True):
        match = re.match(rf"@?{re.escape(name)}\b[\s,:;.!?-]*", text, re.IGNORECASE)
        if match:
            text = text[match.end() :]
            break
    return text.strip()


def sender_id(conversation_id: str, user_id: str) -> str:
    """One conversation per Teams conversation *and* user: two group chats are
    apart, and so are two people in one group. Hashed, so the tracker keeps a
    bounded id and not Teams' user ids."""
    digest = hashlib.sha256(f"{conversation_id}\n{user_id}".encode()).hexdigest()
    return f"teams-{digest[:40]}"
