"""What the check says: its screens and its outcome, as Reply objects.

A themed screen is a numbered list in its text (which REST shows and anyone can
answer by typing numbers) and the same list as structured data
(``Reply.custom["checklist"]``) from which the widget draws checkboxes and Teams
an Adaptive Card with multi-select choices.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.check import flow
from bot.texts.messages import CHECKLIST, Button, Messages, Reply
from bot.triage.catalogue import Catalogue
from bot.triage.model import Assessment
from bot.triage.plan import CheckPlan, Theme

ANSWER_BUTTONS = ("answer_yes", "answer_no", "not_sure")


def ask(
    slot: str,
    state: Mapping[str, Any],
    plan: CheckPlan,
    catalogue: Catalogue,
    messages: Messages,
    source_line: Any,
) -> list[Reply]:
    """The screen for ``slot``, with its buttons (and checklist data)."""
    if slot == flow.DESCRIPTION:
        return [messages.reply("check_ask_description")]
    theme = plan.theme_for_slot(slot)
    if theme is None:  # immediate danger or age: asked on their own
        buttons = tuple(messages.button(key) for key in ANSWER_BUTTONS)
        return [Reply(plan.questions[slot].text, buttons)]
    return [_checklist(theme, state, plan, catalogue, messages, source_line)]


def _checklist(
    theme: Theme,
    state: Mapping[str, Any],
    plan: CheckPlan,
    catalogue: Catalogue,
    messages: Messages,
    source_line: Any,
) -> Reply:
    number, total = flow.screen_number(theme.slot, state, plan)
    first = theme in (plan.themes[0], plan.adult)
    marked = flow.preselected(theme, state, catalogue)
    labels = [plan.label(item, catalogue) for item in theme.items]
    items = "\n".join(f"{n}. {label}" for n, label in enumerate(labels, start=1))
    text = messages.reply(
        "check_theme", title=theme.title, number=str(number), total=str(total), items=items
    ).text
    buttons = [messages.button("none_of_these"), messages.button("not_known_any")]
    if marked:
        numbers = ", ".join(str(theme.items.index(i) + 1) for i in marked)
        text += "\n" + messages.reply("check_theme_marked", numbers=numbers).text
        buttons.insert(0, messages.button("keep_marked"))
    sections = sorted({catalogue[i].section for i in theme.items if i in catalogue})
    text += f"\n{source_line(sections)}"
    checklist = {
        "theme": theme.id,
        "title": theme.title,
        "screen": number,
        "screens": total,
        # What a channel that draws the control shows instead of the typed-reply text:
        # how to answer, on the first screen only (it is the same on every screen).
        "prompt": messages.reply("check_theme_prompt").text if first else "",
        "marked": messages.reply("check_theme_ticked").text if marked else "",
        "source": source_line(sections),
        "items": [
            {"id": item, "label": label, "preselected": item in marked}
            for item, label in zip(theme.items, labels, strict=True)
        ],
        "intent": flow.CHECKLIST_INTENT,
        "entities": {
            "theme": flow.THEME_ENTITY,
            "seen": flow.SEEN_ENTITY,
            "not_known": flow.NOT_KNOWN_ENTITY,
        },
    }
    return Reply(text, tuple(buttons), {CHECKLIST: checklist})


def outcome(assessment: Assessment, messages: Messages) -> list[Reply]:
    """The outcome: most urgent step first, each with contact and source; what to
    find out; then the summary to copy."""
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


def change_choices(
    state: Mapping[str, Any], labels: Mapping[str, str], messages: Messages
) -> list[Reply]:
    """Buttons for the answers given so far, to pick one to change."""
    answered = [slot for slot in labels if state.get(slot) is not None]
    if not answered:
        return [messages.reply("check_nothing_to_change")]
    buttons = tuple(
        Button(labels[slot], f'/change_answer{{"check_question":"{slot}"}}') for slot in answered
    )
    return [Reply(messages.reply("check_change_which").text, buttons)]
