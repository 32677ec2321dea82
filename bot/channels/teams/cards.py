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
- A screen of the indicator check (``custom["checklist"]``) is a card with two
  multi-select choice sets, "Seen" and "Not known" (pre-selected: what was
  recognised in the practitioner's description), and a Done button; its
  submission becomes the same ``/checklist{...}`` payload the widget sends.
- Once clicked, a card is replaced by :func:`answered_card`: the same text, the
  button chosen said in words, and no buttons (:mod:`.sent_cards` keeps what a
  card showed until then).
- A button with a ``url`` (https only) instead of a payload is an
  ``Action.OpenUrl``: it opens that address (e.g. a private chat with the bot)
  and sends nothing back.
"""

from __future__ import annotations

import json
import re
from typing import Any

from bot.channels.outgoing import answered_text, checklist_of, feedback_of, feedback_texts
from bot.channels.teams.sent_cards import SentCard

ADAPTIVE_CARD = "application/vnd.microsoft.card.adaptive"
CARD_VERSION = "1.2"  # ActionSet; rendered by every Teams client
BUTTONS_PER_ROW = 5
MAX_PAYLOAD = 2000  # characters of a button payload read back
CHECKLIST_PAYLOAD = "/checklist"
FEEDBACK_PAYLOAD = "/feedback"  # "Was this helpful?": recorded by the channel, not a turn
ANSWER_ID = re.compile(r"[0-9a-f]{24}")
SEEN_INPUT, NOT_KNOWN_INPUT = "seen", "not_known"
ITEM_ID = re.compile(r"[a-z0-9_]{1,64}")
ITEM_PREFIX = "item:"  # a check screen's item labels, kept with a sent card's button titles


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
    """The card action of one button: a link for an https ``url``, a plain submit
    of ``feedback`` ("Was this helpful?"), else a submit of its ``payload``; None
    for a button that has none of them."""
    title = str(button.get("title") or button.get("payload") or button.get("url"))
    url = button.get("url")
    if isinstance(url, str) and url.startswith("https://"):
        return open_url_action(title, url)
    if isinstance(button.get("feedback"), dict):  # recorded, not echoed into the chat
        data = {"payload": FEEDBACK_PAYLOAD, "feedback": button["feedback"]}
        return {"type": "Action.Submit", "title": title, "data": data}
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


def checklist_card(checklist: dict[str, Any], buttons: list[dict[str, Any]]) -> dict[str, Any]:
    """A check screen as an Adaptive Card: "Seen" and "Not known" multi-selects."""
    choices = [{"title": str(i["label"]), "value": str(i["id"])} for i in checklist["items"]]
    marked = ",".join(str(i["id"]) for i in checklist["items"] if i.get("preselected"))
    where = f" (screen {checklist.get('screen')} of {checklist.get('screens')})"
    body: list[dict[str, Any]] = [
        {"type": "TextBlock", "text": f"{checklist.get('title', '')}{where}", "weight": "Bolder",
         "wrap": True},
    ]  # fmt: skip
    if checklist.get("prompt"):  # how to answer: on the first screen only
        body.append({"type": "TextBlock", "text": str(checklist["prompt"]), "wrap": True})
    if checklist.get("marked"):
        body.append({"type": "TextBlock", "text": str(checklist["marked"]), "wrap": True})
    for input_id, title, value in (
        (SEEN_INPUT, "Seen", marked),
        (NOT_KNOWN_INPUT, "Not known", ""),
    ):
        body.append({"type": "TextBlock", "text": title, "weight": "Bolder", "wrap": True})
        body.append({"type": "Input.ChoiceSet", "id": input_id, "isMultiSelect": True,
                     "style": "expanded", "choices": choices, "value": value})  # fmt: skip
    done = {
        "type": "Action.Submit",
        "title": "Done",
        "data": {"payload": CHECKLIST_PAYLOAD, "check_theme": str(checklist.get("theme"))},
    }
    others = [submit_action(str(b.get("title")), str(b.get("payload"))) for b in buttons
              if b.get("payload")]  # fmt: skip
    body.append({"type": "ActionSet", "actions": [done, *others][:BUTTONS_PER_ROW]})
    if checklist.get("source"):
        body.append({"type": "TextBlock", "text": str(checklist["source"]), "wrap": True,
                     "isSubtle": True})  # fmt: skip
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
    checklist = checklist_of(message)
    if checklist:
        return {"summary": text[:200], "attachments": [checklist_card(checklist, buttons)]}
    answer_id = feedback_of(message)
    if answer_id:  # a guidance answer: asked whether it helped, under it
        card = adaptive_card(text, [*buttons, *feedback_buttons(answer_id)])
        return {"summary": text[:200], "attachments": [card]}
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
        if block.get("type") == "Input.ChoiceSet":  # a check screen: keep its item labels
            lines.pop()  # the "Seen" / "Not known" heading means nothing without its choices
            titles.update({f"{ITEM_PREFIX}{c['value']}": str(c["title"]) for c in block["choices"]})
        for action in block.get("actions") or []:
            data = action.get("data")  # an Action.OpenUrl (a link) has none: nothing to answer
            if isinstance(data, dict) and "payload" in data:
                titles[str(data["payload"])] = str(action["title"])
    return SentCard(tuple(lines), titles) if titles else None


def answered_words(card: SentCard, payload: str) -> str | None:
    """What a click on ``card`` chose, in words: the button's title, or for a check
    screen what was ticked ("Seen: ... Not known: ...")."""
    if payload.startswith(CHECKLIST_PAYLOAD + "{"):
        entities = json.loads(payload[len(CHECKLIST_PAYLOAD) :])
        labels = {
            k[len(ITEM_PREFIX) :]: v for k, v in card.titles.items() if k.startswith(ITEM_PREFIX)
        }
        found = [{"entity": name, "value": value} for name in ("check_seen", "check_not_known")
                 for value in entities.get(name, [])]  # fmt: skip
        return answered_text(found, labels)
    return card.titles.get(payload)


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
    if value.get("payload") == CHECKLIST_PAYLOAD:
        return _checklist_payload(value)
    payload = value.get("payload")
    if not isinstance(payload, str) or not payload.strip() or len(payload) > MAX_PAYLOAD:
        return None
    return payload.strip()


def feedback_buttons(answer_id: str) -> list[dict[str, Any]]:
    """Yes, and No with each reason: one click records whether the answer helped."""
    texts = feedback_texts()
    buttons = [{"title": texts["yes"], "payload": FEEDBACK_PAYLOAD,
                "feedback": {"answer_id": answer_id, "helpful": True}}]  # fmt: skip
    for reason in texts["reasons"]:
        buttons.append({"title": f"{texts['no']}: {reason['label']}", "payload": FEEDBACK_PAYLOAD,
                        "feedback": {"answer_id": answer_id, "helpful": False,
                                     "reason": reason["id"]}})  # fmt: skip
    return buttons


def submitted_feedback(value: Any) -> tuple[str, bool, str | None] | None:
    """A click on "Was this helpful?": (answer id, helpful, reason), else None."""
    if not isinstance(value, dict) or value.get("payload") != FEEDBACK_PAYLOAD:
        return None
    feedback = value.get("feedback")
    if not isinstance(feedback, dict):
        return None
    answer_id, helpful, reason = (
        feedback.get("answer_id"),
        feedback.get("helpful"),
        feedback.get("reason"),
    )
    if not isinstance(answer_id, str) or not ANSWER_ID.fullmatch(answer_id):
        return None
    if not isinstance(helpful, bool) or (reason is not None and not isinstance(reason, str)):
        return None
    return answer_id, helpful, reason


def _ids(value: Any) -> list[str]:
    """A multi-select's value ("a,b") as item ids; anything else is dropped."""
    if not isinstance(value, str) or len(value) > MAX_PAYLOAD:
        return []
    return [i for i in (part.strip() for part in value.split(",")) if ITEM_ID.fullmatch(i)]


def _checklist_payload(value: dict[str, Any]) -> str | None:
    """A submitted check screen as the ``/checklist{...}`` payload the widget sends."""
    theme = value.get("check_theme")
    if not isinstance(theme, str) or not ITEM_ID.fullmatch(theme):
        return None
    seen = _ids(value.get(SEEN_INPUT))
    not_known = [i for i in _ids(value.get(NOT_KNOWN_INPUT)) if i not in seen]  # seen wins
    entities = {"check_theme": theme, "check_seen": seen, "check_not_known": not_known}
    return CHECKLIST_PAYLOAD + json.dumps(entities)
