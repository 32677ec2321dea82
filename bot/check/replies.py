"""What the check says: its questions and its outcome, as Reply objects."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.check.flow import (
    CONFIRM_FOUND,
    DESCRIPTION,
    FOUND_ITEMS,
    INDICATOR_LIST,
    NO,
    VULNERABILITY_FACTORS,
)
from bot.messages import Button, Reply, get_messages
from bot.triage.catalogue import Catalogue
from bot.triage.model import Assessment

ASK_MESSAGES = {
    DESCRIPTION: "check_ask_description",
    VULNERABILITY_FACTORS: "check_ask_vulnerabilities",
}


def ask(slot: str, state: Mapping[str, Any], questions: Mapping[str, Mapping[str, str]],
        catalogue: Catalogue) -> list[Reply]:  # fmt: skip
    """The question for ``slot``, with its buttons."""
    messages = get_messages()
    if slot in ASK_MESSAGES:
        return [messages.reply(ASK_MESSAGES[slot])]
    if slot == INDICATOR_LIST:
        listed = catalogue.labels(catalogue.of_kind("indicator"))
        items = "\n".join(f"{n}. {label}" for n, label in enumerate(listed, start=1))
        # after "that's not right" about what was recognised, or nothing recognised at all
        wrong = state.get(CONFIRM_FOUND) == NO
        key = "check_pick_indicator_list" if wrong else "check_ask_indicator_list"
        return [messages.reply(key, items=items)]
    if slot == CONFIRM_FOUND:
        labels = catalogue.labels(state.get(FOUND_ITEMS) or [])
        return [messages.reply("check_confirm_found", items="\n".join(f"- {x}" for x in labels))]
    buttons = tuple(messages.button(key) for key in ("answer_yes", "answer_no", "not_sure"))
    return [Reply(questions[slot]["ask"], buttons)]


def outcome(assessment: Assessment) -> list[Reply]:
    """The outcome: most urgent step first, each with contact and source; what to
    find out; then the summary to copy."""
    messages = get_messages()
    lines = [f"**{assessment.title}**"]
    for number, step in enumerate(assessment.steps, start=1):
        lines.append(f"{number}. {step.action}")
        lines.append(f"   Contact: {step.contact}: {step.how}")
        lines.append(f"   {step.source}")
    replies = [Reply("\n".join(lines))]
    if assessment.to_find_out:
        items = "\n".join(f"- {item}" for item in assessment.to_find_out)
        replies.append(messages.reply("check_to_find_out", items=items))
    replies.append(messages.reply("check_summary_intro"))
    replies.append(Reply(assessment.summary))
    replies.append(messages.reply("check_outcome_footer"))
    return replies


def change_choices(state: Mapping[str, Any], labels: Mapping[str, str]) -> list[Reply]:
    """Buttons for the answers given so far, to pick one to change."""
    messages = get_messages()
    answered = [slot for slot in labels if state.get(slot) is not None]
    if not answered:
        return [messages.reply("check_nothing_to_change")]
    buttons = tuple(
        Button(labels[slot], f'/change_answer{{"check_question":"{slot}"}}') for slot in answered
    )
    return [Reply(messages.reply("check_change_which").text, buttons)]
