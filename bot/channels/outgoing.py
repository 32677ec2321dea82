"""A turn's messages as Rasa's collecting output channel leaves them, made ready
for channels that draw them (the widget, Teams).

Rasa sends a message's ``custom`` data after its text and buttons, as a message
of its own; the check's checklists (``custom["checklist"]``) belong with the text
they came with, so :func:`combine` puts them back together.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from bot.storage.repository import REASONS as FEEDBACK_REASONS
from bot.texts.messages import CHECKLIST, FEEDBACK


def combine(messages: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The messages, each custom-only one merged into the message before it."""
    combined: list[dict[str, Any]] = []
    for message in messages:
        custom = message.get("custom")
        belongs_before = not message.get("text") and combined and not combined[-1].get("custom")
        if isinstance(custom, Mapping) and belongs_before:
            combined[-1]["custom"] = dict(custom)
        else:
            combined.append(dict(message))
    return combined


def checklist_of(message: Mapping[str, Any]) -> dict[str, Any] | None:
    """The check's checklist carried by a message, if it is well formed."""
    custom = message.get("custom")
    checklist = custom.get(CHECKLIST) if isinstance(custom, Mapping) else None
    if not isinstance(checklist, Mapping) or not isinstance(checklist.get("items"), list):
        return None
    return dict(checklist)


def answered_text(entities: Iterable[Mapping[str, Any]], labels: Mapping[str, str]) -> str:
    """What a submitted checklist said, in words: "Seen: ... Not known: ..."."""

    def named(entity: str) -> list[str]:
        values = [str(e.get("value")) for e in entities if e.get("entity") == entity]
        return [labels.get(value, value) for value in values]

    entities = list(entities)
    seen, unknown = named("check_seen"), named("check_not_known")
    text = f"Seen: {'; '.join(seen)}." if seen else "None of these seen."
    return text + (f" Not known: {'; '.join(unknown)}." if unknown else "")


def feedback_of(message: Mapping[str, Any]) -> str | None:
    """The answer id a guidance answer carries, to ask whether it helped."""
    custom = message.get("custom")
    feedback = custom.get(FEEDBACK) if isinstance(custom, Mapping) else None
    answer_id = feedback.get("answer_id") if isinstance(feedback, Mapping) else None
    return answer_id if isinstance(answer_id, str) else None


def feedback_texts() -> dict[str, Any]:
    """What the widget and Teams say when they ask whether an answer helped, from
    content/messages.yml."""
    from bot import bootstrap

    messages = bootstrap.app().texts
    text = {key: messages.reply(f"feedback_{key}").text for key in ("question", "yes", "no",
                                                                    "why", "thanks")}  # fmt: skip
    reasons = [{"id": r, "label": messages.reply(f"feedback_reason_{r}").text}
               for r in FEEDBACK_REASONS]  # fmt: skip
    return {**text, "reasons": reasons}
