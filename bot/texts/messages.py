"""The assistant's own texts from ``content/messages.yml``, with contacts filled in.

Guidance answers come from :mod:`bot.knowledge`; everything else the assistant
says (welcome, help, emergency, out-of-scope and search texts, and the check's
texts) is written once in ``content/messages.yml`` and rendered here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.content_file import ContentError, check_fields, load_yaml
from bot.knowledge.model import Knowledge
from bot.locality import fill


@dataclass(frozen=True)
class Button:
    title: str
    payload: str

    def as_dict(self) -> dict[str, str]:
        return {"title": self.title, "payload": self.payload}


# Keys of a Reply's structured data: a screen of the check (bot.texts.check),
# and the id of a guidance answer, to ask whether it helped (bot.texts.guidance).
CHECKLIST = "checklist"
FEEDBACK = "feedback"


@dataclass(frozen=True)
class Reply:
    """One bot message: text and optional buttons, as a channel sends it, and
    optional structured data (``custom``) for channels that draw a control, such
    as the check's checklists; the text always stands on its own."""

    text: str
    buttons: tuple[Button, ...] = field(default_factory=tuple)
    custom: Mapping[str, Any] | None = None


MESSAGE_FIELDS = ("text", "buttons", "sections", "values")
BUTTON_FIELDS = ("title", "payload")


class MessagesError(ContentError):
    """``content/messages.yml`` is missing a text or names an unknown button."""


class Messages:
    def __init__(self, raw: dict[str, Any], knowledge: Knowledge) -> None:
        self._knowledge = knowledge
        check_fields(raw, "messages.yml", ("buttons", "messages"), ("messages",))
        self.buttons = {
            key: Button(str(value["title"]), str(value["payload"]))
            for key, value in (raw.get("buttons") or {}).items()
            if check_fields(value, f"Button `{key}` in messages.yml", BUTTON_FIELDS, BUTTON_FIELDS)
        }
        self._messages: dict[str, dict[str, Any]] = raw.get("messages") or {}
        for key, value in self._messages.items():
            check_fields(value, f"Message `{key}` in messages.yml", MESSAGE_FIELDS, ("text",))
        for key, raw_message in self._messages.items():  # render each once: mistakes fail here
            self.reply(key, **{name: name for name in raw_message.get("values") or ()})

    def button(self, key: str) -> Button:
        try:
            return self.buttons[key]
        except KeyError as exc:
            raise MessagesError(f"messages.yml has no button `{key}` under `buttons:`.") from exc

    def reply(self, key: str, **values: str) -> Reply:
        """The message ``key``; extra ``values`` fill placeholders beside the locality."""
        try:
            raw = self._messages[key]
        except KeyError as exc:
            raise MessagesError(f"messages.yml has no message `{key}` under `messages:`.") from exc
        where = f"Message `{key}` in messages.yml"
        text = fill(str(raw["text"]), {**self._knowledge.locality, **values}, where=where)
        if raw.get("sections"):
            text = f"{text}\n{self._knowledge.source_line(raw['sections'])}"
        return Reply(text, tuple(self.button(b) for b in raw.get("buttons") or ()))


def load_messages(path: Path, knowledge: Knowledge) -> Messages:
    return Messages(load_yaml(path) or {}, knowledge)
