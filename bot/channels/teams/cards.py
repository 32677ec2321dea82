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
- A button with a ``url`` (https only) instead of a payload is an
  ``Action.OpenUrl``: it opens that address (e.g. a private chat with the bot)
  and sends nothing back.
"""

from __future__ import annotations

from typing import Any

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


def open_url_action(title: str, url: str) -> dict[str, Any]:
    return {"type": "Action.OpenUrl", "title": title, "url": url}


def action(button: dict[str, Any]) -> dict[str, Any] | None:
    """The card action of one button: a link for an https ``url``, else a submit
    of its ``payload``; None for a button that has neither."""
    title = str(button.get("title") or button.get("payload") or button.get("url"))
    url = button.get("url")
    if isinstance(url, str) and url.startswith("https://"):
        return open_url_action(title, url)
    if button.get("payload"):
        return submit_action(title, str(button.get("payload")))
    return None


def adaptive_card(text: str, buttons: list[dict[str, Any]]) -> dict[str, Any]:
    body: list[dict[str, Any]] = [
        {"type": "TextBlock", "text": line, "wrap": True}
        for line in (line.strip() for line in text.strip().split("\n"))
        if line
    ]
    actions = [found for found in map(action, buttons) if found is not None]
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


def submitted_payload(value: Any) -> str | None:
    """The payload of a card click (``activity.value``), or None if it is not one."""
    if not isinstance(value, dict):
        return None
    payload = value.get("payload")
    if not isinstance(payload, str) or not payload.strip() or len(payload) > MAX_PAYLOAD:
        return None
    return payload.strip()
