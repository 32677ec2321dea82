"""Which screen the check shows next, and how a reply to it is read.

The check's state is a plain dict of slot values. Screens, in order: immediate
danger first (a yes ends the check with the 999 route at once; "not sure" is met
at once with 999 and how to decide), then age (someone aged 18 or over gets one
screen more, on modern slavery, whose reporting route covers adults), the
practitioner's own description, and then the themed checklists of
content/triage/check.yml, which between them show every indicator of the
guidance, the remaining questions and the guidance's vulnerability factors.
Each item is answered seen / not seen / not known; what was recognised in the
description arrives pre-selected, to confirm. So no outcome but the emergency
and the adult ones is reached without every indicator having been put to the
practitioner: the recogniser only saves clicks.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.triage.catalogue import Catalogue
from bot.triage.model import CheckInput
from bot.triage.plan import CheckPlan, Theme

DANGER = "immediate_danger"
AGE = "age_under_18"
DESCRIPTION = "description"
FOUND_ITEMS = "found_items"

YES, NO, UNKNOWN = "yes", "no", "unknown"
ANSWER_INTENTS = {"affirm": YES, "deny": NO, "unsure": UNKNOWN}
# A checklist submitted by the widget or Teams: /checklist{"check_theme": ...,
# "check_seen": [...], "check_not_known": [...]}; the rest of the screen is "no".
CHECKLIST_INTENT = "checklist"
THEME_ENTITY, SEEN_ENTITY, NOT_KNOWN_ENTITY = "check_theme", "check_seen", "check_not_known"
# Intents that leave the current screen for something else (answered by rules,
# after which the check shows the same screen again).
INTERRUPTIONS = frozenset({"emergency", "stop_check", "change_answer", "start_check", "help"})
GUIDANCE_PREFIX = "ask_"
MAX_DESCRIPTION = 5000
NONE_OF_THESE = re.compile(
    r"(none( of (these|them|those|the above))?|nothing|no|nope|n/?a|not seen any)[.!]?"
)
NOT_KNOWN_ALL = re.compile(
    r"(not known|not sure|unsure|don'?t know|do not know|dunno|unknown|no idea)"
    r"( for (any|all)( of (these|them|those))?)?[.!]?"
)
# A typed list: "1, 3", "2 and 5", "1, 3 not known 4", "numbers 2 & 15".
LIST_TOKEN = re.compile(
    r"(?P<unknown>not known|not sure|unsure|don'?t know|do not know|unknown|\?)"
    r"|(?P<seen>seen|yes)"
    r"|(?P<number>(?<!\d)\d{1,3})(?:st|nd|rd|th)?(?!\d)"
)
LIST_FILLER = re.compile(
    r"(numbers?|nos?|no\.|#|and|but|about|for|of|&|,|;|:|\.|/|\+|-|only|just|\s)*"
)
# "15", "15 years old", "she's 16", "they are 17yo": an age typed at the age question.
AGE_TEXT = re.compile(
    r"\s*(?:(?:he|she|they)(?:'s| is| are)\s+)?(\d{1,3})\s*(?:yrs?|years?(?: old)?|yo)?\s*\.?\s*"
)


@dataclass
class Reading:
    """How one reply was read: slots to set, notes to say first (keys of
    content/messages.yml), or a rejection (not an answer: the dialogue rules
    handle it, then the same screen is shown again)."""

    slots: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    reject: bool = False


def check_slots(plan: CheckPlan) -> tuple[str, ...]:
    """Every slot the check fills, so that starting again clears them all."""
    return (DANGER, AGE, DESCRIPTION, FOUND_ITEMS, *(t.slot for t in plan.all_themes))


def required_slots(state: Mapping[str, Any], plan: CheckPlan) -> list[str]:
    """The screens this check needs, given what is known so far."""
    if state.get(DANGER) == YES:
        return [DANGER]
    if state.get(AGE) == NO:
        return [DANGER, AGE, plan.adult.slot]
    return [DANGER, AGE, DESCRIPTION, *(t.slot for t in plan.themes)]


def next_slot(state: Mapping[str, Any], plan: CheckPlan) -> str | None:
    """The next screen to show, or None when the check is complete."""
    return next((s for s in required_slots(state, plan) if state.get(s) is None), None)


def screen_number(slot: str, state: Mapping[str, Any], plan: CheckPlan) -> tuple[int, int]:
    """Which screen ``slot`` is, and how many this check has (as far as known)."""
    slots = required_slots(state, plan)
    return slots.index(slot) + 1, len(slots)


def changeable_labels(plan: CheckPlan) -> dict[str, str]:
    """The answers a user can go back and change, with their names, in asking order."""
    labels = {
        DANGER: plan.questions[DANGER].label,
        AGE: plan.questions[AGE].label,
        DESCRIPTION: "What you noticed",
    }
    return {**labels, **{t.slot: t.title for t in plan.all_themes}}


def reset_for_change(slot: str) -> dict[str, Any]:
    """Slot values that clear ``slot`` (and what depends on it) to ask it again."""
    if slot == DESCRIPTION:  # screens already answered keep their answers
        return {DESCRIPTION: None, FOUND_ITEMS: None}
    return {slot: None}


def implied(found: Sequence[str], catalogue: Catalogue) -> list[str]:
    """Catalogue ids found in text, with the questions their items imply."""
    ids = list(found)
    for item_id in found:
        ids += [q for q, answer in catalogue[item_id].implies.items() if answer == YES]
    return list(dict.fromkeys(ids))


def preselected(theme: Theme, state: Mapping[str, Any], catalogue: Catalogue) -> list[str]:
    """The items of a screen recognised in the practitioner's description."""
    recognised = implied(state.get(FOUND_ITEMS) or [], catalogue)
    return [i for i in theme.items if i in recognised]


def check_input(state: Mapping[str, Any], plan: CheckPlan) -> CheckInput:
    """The engine's input from the check's slots."""
    answers: dict[str, Any] = {DANGER: state.get(DANGER), AGE: state.get(AGE)}
    items: dict[str, Any] = {}
    for theme in plan.all_themes:
        for item_id, answer in (state.get(theme.slot) or {}).items():
            (answers if item_id in plan.questions else items)[item_id] = answer
    return CheckInput.from_dict({**answers, "items": items})


def read_reply(
    slot: str,
    intent: str | None,
    text: str,
    entities: Mapping[str, Sequence[str]],
    found: Sequence[str],
    state: Mapping[str, Any],
    plan: CheckPlan,
    catalogue: Catalogue,
) -> Reading:
    """Reads the user's reply to the screen for ``slot``.

    ``entities`` are the checklist's entity values (a widget or Teams submission);
    ``found`` the catalogue ids the recogniser found in the reply.
    """
    intent = intent or ""
    if slot == AGE and (age := _age_from_text(text)):
        return Reading(slots={slot: age})  # "she's 19" is an answer, whatever the classifier says
    if intent == "start_check" and slot == DESCRIPTION:
        intent = ""  # "I'm worried about him, ..." describes; the check is already running
    if intent in INTERRUPTIONS:
        return Reading(reject=True)
    theme = plan.theme_for_slot(slot)
    if theme is not None:
        return _read_theme(theme, intent, text, entities, found, state, catalogue)
    if slot == DESCRIPTION:
        return _read_description(intent, text, found)
    if intent.startswith(GUIDANCE_PREFIX):
        return Reading(reject=True)
    if intent not in ANSWER_INTENTS:
        return Reading(slots={slot: None}, notes=["check_reask_yes_no"])
    answer = ANSWER_INTENTS[intent]
    if slot == DANGER and answer == UNKNOWN:  # not sure about danger: 999 first, at once
        return Reading(slots={slot: UNKNOWN}, notes=["check_danger_not_sure"])
    return Reading(slots={slot: answer})


def _age_from_text(text: str) -> str | None:
    match = AGE_TEXT.fullmatch(text.lower())
    if not match:
        return None
    return YES if int(match.group(1)) < 18 else NO


def _read_description(intent: str, text: str, found: Sequence[str]) -> Reading:
    words = text.strip()
    if intent in ("deny", "unsure") and not found:  # "skip", "nothing to add", the button
        return Reading(slots={DESCRIPTION: "skipped"}, notes=["check_every_indicator_follows"])
    if not words:
        return Reading(slots={DESCRIPTION: None}, notes=["check_reask_description"])
    notes = ["check_description_truncated"] if len(words) > MAX_DESCRIPTION else []
    notes.append("check_marked_found" if found else "check_nothing_recognised")
    # Only the fact that a description was given is kept, never its text.
    return Reading(slots={DESCRIPTION: "given", FOUND_ITEMS: list(found) or None}, notes=notes)


def _answers(theme: Theme, seen: Sequence[str] = (), not_known: Sequence[str] = ()) -> dict:
    return {
        item: YES if item in seen else UNKNOWN if item in not_known else NO for item in theme.items
    }


def _read_theme(
    theme: Theme,
    intent: str,
    text: str,
    entities: Mapping[str, Sequence[str]],
    found: Sequence[str],
    state: Mapping[str, Any],
    catalogue: Catalogue,
) -> Reading:
    slot, reask = theme.slot, Reading(slots={theme.slot: None}, notes=["check_reask_checklist"])
    if entities.get(THEME_ENTITY):  # submitted by the widget or Teams
        if list(entities[THEME_ENTITY]) != [theme.id]:  # an earlier screen's list
            return Reading(slots={slot: None}, notes=["check_earlier_list"])
        seen, not_known = entities.get(SEEN_ENTITY) or [], entities.get(NOT_KNOWN_ENTITY) or []
        if not set(seen) | set(not_known) <= set(theme.items):
            return reask
        return Reading(slots={slot: _answers(theme, seen, not_known)})
    words = " ".join(text.lower().split())
    numbers = parse_list(words, len(theme.items))
    if numbers == "off the list":
        return reask
    if isinstance(numbers, tuple):
        seen = [theme.items[n - 1] for n in numbers[0]]
        return Reading(
            slots={slot: _answers(theme, seen, [theme.items[n - 1] for n in numbers[1]])}
        )
    if intent == "deny" or NONE_OF_THESE.fullmatch(words):
        return Reading(slots={slot: _answers(theme)})
    if intent == "unsure" or NOT_KNOWN_ALL.fullmatch(words):
        return Reading(slots={slot: _answers(theme, not_known=theme.items)})
    if intent == "affirm":
        marked = preselected(theme, state, catalogue)
        return Reading(slots={slot: _answers(theme, marked)}) if marked else reask
    named = [i for i in implied(found, catalogue) if i in theme.items]
    if named:
        return Reading(slots={slot: _answers(theme, named)})
    if intent.startswith(GUIDANCE_PREFIX):
        return Reading(reject=True)
    return reask


def parse_list(words: str, count: int) -> tuple[list[int], list[int]] | str | None:
    """A reply made of item numbers: (seen, not known); "off the list" when a
    number is not on the screen; None when the reply is not such a list."""
    seen: list[int] = []
    not_known: list[int] = []
    target, position = seen, 0
    for match in LIST_TOKEN.finditer(words):
        if not LIST_FILLER.fullmatch(words[position : match.start()]):
            return None
        position = match.end()
        if match.group("unknown"):
            target = not_known
        elif match.group("seen"):
            target = seen
        else:
            number = int(match.group("number"))
            if not 1 <= number <= count:
                return "off the list"
            if number not in seen and number not in not_known:
                target.append(number)
    if not LIST_FILLER.fullmatch(words[position:]) or not (seen or not_known):
        return None
    return seen, not_known
