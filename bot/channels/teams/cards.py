"""The bot's messages as Teams shows them, and a card click read back as the
user's answer.

- Text goes as Teams markdown (``**bold**``, ``[links](…)``, ``- lists``). Teams
  drops a single line break, so each one becomes a paragraph break.
- Buttons go as an Adaptive Card: the text in text blocks (one per line, which
  renders the same on desktop, web and mobile), the buttons as ``Action.Submit``
  whose ``data`` is ``{"payload": "/affirm"}`` plus an ``msteams`` messageBack,
  so the button's title is echoed in the chat as the user's answer. At most
  five buttons share a row (Teams shows no more than six per action set).
- A click arrives as a message whose ``value`` is that ``data`` (with the
  messageBack, ``text`` is the payload too); :func:`submitted_payload` reads it.
- Once clicked, a card is replaced by :func:`answered_card`: the same text, the
  button chosen said in words, and no buttons (:mod:`.sent_cards` keeps what a
  card showed until then).
"""

from __future__ import annotations

from typing import Any

from bot.channels.teams.sent_cards import SentCard

ADAPTIVE_CARD = "application/vnd.microsoft.card.adaptive"
CARD_VERSION = "1.2"  # ActionSet; rendered by every Teams client
BUTTONS_PER_ROW = 5
MAX_PAYLOAD = 2000  # characters of a button payload read back


def teams_markdown(text: str) -> str:
    """Single line breaks become paragraph breaks, which Teams keeps."""
    lines = [line.rstrip() for line in text.strip().split("\n")]
    return "\n\n".join(line for line in lines if line)


def submit_action(title: str, payload: str) -> dict[str, Any]:
    return {
        "type": "Action.Submit",
        "title": title,
        "data": {
            "payload": payload,
            "msteams": {
                "type": "messageBack",
                "displayText": title,
                "text": payload,
                "value": {"payload": payload},
            },
        },
    }


def adaptive_card(text: str, buttons: list[dict[str, Any]]) -> dict[str, Any]:
    body: list[dict[str, Any]] = [
        {"type": "TextBlock", "text": line, "wrap": True}
        for line in (line.strip() for line in text.strip().split("\n"))
        if line
    ]
    actions = [
        submit_action(str(b.get("title") or b.get("payload")), str(b.get("payload")))
        for b in buttons
        if b.get("payload")
    ]
    for start in range(0, len(actions), BUTTONS_PER_ROW):
        body.append({"type": "ActionSet", "actions": actions[start : start + BUTTONS_PER_ROW]})
    return {
        "contentType": ADAPTIVE_CARD,
        "content": {
            "type": "AdaptiveCard",
            "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
            "version": CARD_VERSION,
            "body": body,
            "msteams": {"width": "Full"},
        },
    }


def render(message: dict[str, Any]) -> dict[str, Any] | None:
    """A message Rasa produced (text, buttons, image, attachment, custom) as the
    content of a Teams message activity, or None if there is nothing to show."""
    text = str(message.get("text") or "")
    buttons = [b for b in message.get("buttons") or [] if isinstance(b, dict)]
    if message.get("image"):
        text = f"{text}\n[Image]({message['image']})".strip()
    if isinstance(message.get("attachment"), str):
        text = f"{text}\n{message['attachment']}".strip()
    custom = message.get("custom")
    if isinstance(custom, dict) and isinstance(custom.get("text"), str):
        text = f"{text}\n{custom['text']}".strip()
    if buttons:
        return {"summary": text[:200], "attachments": [adaptive_card(text, buttons)]}
    if not text.strip():
        return None
    return {"text": teams_markdown(text), "textFormat": "markdown"}


def _card_body(content: dict[str, Any]) -> list[dict[str, Any]]:
    for attachment in content.get("attachments") or []:
        if attachment.get("contentType") == ADAPTIVE_CARD:
            return list(attachment["content"]["body"])
    return []


def sent_card(content: dict[str, Any]) -> SentCard | None:
    """What a rendered message's card shows (None if it has no buttons)."""
    lines: list[str] = []
    titles: dict[str, str] = {}
    for block in _card_body(content):
        if block.get("type") == "TextBlock":
            lines.append(str(block["text"]))
        for action in block.get("actions") or []:
            titles[str(action["data"]["payload"])] = str(action["title"])
    return SentCard(tuple(lines), titles) if titles else None


def answered_card(card: SentCard, payload: str, answered: str | None) -> dict[str, Any]:
    """The card's content once clicked: its text, what was chosen, no buttons."""
    content = adaptive_card("\n".join(card.lines), [])
    if answered:
        content["content"]["body"].append(
            {"type": "TextBlock", "text": answered, "wrap": True, "isSubtle": True,
             "weight": "Bolder"}
        )  # fmt: skip
    return {"summary": " ".join(card.lines)[:200], "attachments": [content]}


def submitted_payload(value: Any) -> str | None:
    """The payload of a card click (``activity.value``), or None if it is not one."""
    if not isinstance(value, dict):
        return None
    payload = value.get("payload")
    if not isinstance(payload, str) or not payload.strip() or len(payload) > MAX_PAYLOAD:
        return None
    return payload.strip()
