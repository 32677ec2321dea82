"""Which question the check asks next, and how a reply to it is read.

The check's state is a plain dict of slot values. Questions, in order: immediate
danger first (a yes ends the check with the 999 route at once), then age (an
adult ends it: outside the guidance's scope), the practitioner's own description,
confirmation of what was recognised in it, the guidance's signs as a list to pick
from when a description was given but nothing in it was recognised or what was
recognised was not right (the extractor misses phrasings and misreads some, and
neither must read as "no indicator"), the remaining yes/no questions (those the
confirmed description already answered are skipped), and vulnerability factors.
At most 12 questions.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.triage.catalogue import Catalogue
from bot.triage.model import QUESTIONS

DESCRIPTION = "description"
CONFIRM_FOUND = "confirm_found"
INDICATOR_LIST = "indicator_list"
VULNERABILITY_FACTORS = "vulnerability_factors"
FOUND_ITEMS = "found_items"
INDICATORS = "indicators"
VULNERABILITIES = "vulnerabilities"

# Slots the check asks for, in order (after the first two, some are skipped).
ASKED = (
    "immediate_danger",
    "age_under_18",
    DESCRIPTION,
    CONFIRM_FOUND,
    INDICATOR_LIST,
    *QUESTIONS[2:],
    VULNERABILITY_FACTORS,
)
# Every slot the check fills, so that starting again clears them all.
CHECK_SLOTS = (*ASKED, FOUND_ITEMS, INDICATORS, VULNERABILITIES)

YES, NO, UNKNOWN = "yes", "no", "unknown"
ANSWER_INTENTS = {"affirm": YES, "deny": NO, "unsure": UNKNOWN}
# Intents that leave the current question for something else (answered by rules,
# after which the check asks the same question again).
INTERRUPTIONS = frozenset({"emergency", "stop_check", "change_answer", "start_check", "help"})
GUIDANCE_PREFIX = "ask_"
# Free-text slots: what is typed there is an answer even when it reads like a
# guidance question ("he keeps going missing" is not a question about missing).
FREE_TEXT = frozenset({DESCRIPTION, INDICATOR_LIST, VULNERABILITY_FACTORS})
MAX_DESCRIPTION = 5000
NONE_OF_THESE = re.compile(r"(none( of (these|them|those|the above))?|nothing|no|nope|n/?a)[.!]?")
# "15", "15 years old", "she's 16", "they are 17yo": an age typed at the age question.
# "3, 7 and 12", "numbers 2 & 15", "2nd and 5th": a reply to the list made of its numbers only.
LIST_NUMBER = re.compile(r"(?<!\d)(\d{1,2})(?:st|nd|rd|th)?(?!\d)")
LIST_FILLER = re.compile(r"(numbers?|nos?|#|and|&|,|;|\.|/|\+|\s)+")
AGE = re.compile(
    r"\s*(?:(?:he|she|they)(?:'s| is| are)\s+)?(\d{1,3})\s*(?:yrs?|years?(?: old)?|yo)?\s*\.?\s*"
)


@dataclass
class Reading:
    """How one reply was read: slots to set, notes to say, or a rejection (the
    reply was not an answer and the dialogue rules should handle it)."""

    slots: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # keys of content/messages.yml texts
    reject: bool = False


def changeable_labels(question_labels: Mapping[str, str]) -> dict[str, str]:
    """The answers a user can go back and change, with their names, in asking order."""
    extra = {
        DESCRIPTION: "What you noticed",
        INDICATOR_LIST: "Signs from the list",
        VULNERABILITY_FACTORS: "Vulnerability factors",
    }
    labels = {**question_labels, **extra}
    return {slot: labels[slot] for slot in ASKED if slot in labels}


def reset_for_change(slot: str) -> dict[str, Any]:
    """Slot values that clear ``slot`` (and what depends on it) to ask it again."""
    if slot == DESCRIPTION:
        return {
            DESCRIPTION: None,
            FOUND_ITEMS: None,
            CONFIRM_FOUND: None,
            INDICATOR_LIST: None,
            INDICATORS: None,
        }
    if slot == INDICATOR_LIST:  # asked only when nothing from the description was confirmed,
        return {INDICATOR_LIST: None, INDICATORS: None}  # so every indicator came from it
    if slot == VULNERABILITY_FACTORS:
        return {VULNERABILITY_FACTORS: None, VULNERABILITIES: None}
    return {slot: None}


def next_slot(state: Mapping[str, Any]) -> str | None:
    """The next slot to ask for, or None when the check is complete."""
    for slot in required_slots(state):
        if state.get(slot) is None:
            return slot
    return None


def required_slots(state: Mapping[str, Any]) -> list[str]:
    """The slots this check needs, given what is known so far."""
    if state.get("immediate_danger") == YES:
        return ["immediate_danger"]
    if state.get("age_under_18") == NO:
        return ["immediate_danger", "age_under_18"]
    slots = ["immediate_danger", "age_under_18", DESCRIPTION]
    if state.get(FOUND_ITEMS):
        slots.append(CONFIRM_FOUND)
        if state.get(CONFIRM_FOUND) == NO:
            slots.append(INDICATOR_LIST)  # what was recognised was not right
    elif state.get(DESCRIPTION) == "given":
        slots.append(INDICATOR_LIST)  # described, but nothing recognised
    slots += list(QUESTIONS[2:])
    slots.append(VULNERABILITY_FACTORS)
    return slots


def _age_from_text(text: str) -> str | None:
    match = AGE.fullmatch(text.lower())
    if not match:
        return None
    return YES if int(match.group(1)) < 18 else NO


def read_reply(
    slot: str,
    intent: str | None,
    text: str,
    found: Sequence[str],
    state: Mapping[str, Any],
    catalogue: Catalogue,
) -> Reading:
    """Reads the user's reply to the question for ``slot``.

    ``found`` are the catalogue ids the extractor recognised in the reply;
    ``state`` the check's slot values so far.
    """
    intent = intent or ""
    if slot == "age_under_18" and (age := _age_from_text(text)):
        return Reading(slots={slot: age})  # "she's 19" is an answer, whatever the classifier says
    if intent == "start_check" and slot in FREE_TEXT:
        intent = ""  # "I'm worried about him, ..." describes; the check is already running
    if intent in INTERRUPTIONS:
        return Reading(reject=True)
    if slot in FREE_TEXT:
        return _read_free_text(slot, intent, text, found, state, catalogue)
    if intent.startswith(GUIDANCE_PREFIX):
        return Reading(reject=True)
    if intent not in ANSWER_INTENTS:
        return Reading(slots={slot: None}, notes=["check_reask_yes_no"])
    if slot == CONFIRM_FOUND:
        return Reading(slots=confirm_found(intent == "affirm", state, catalogue))
    return Reading(slots={slot: ANSWER_INTENTS[intent]})


def _read_free_text(
    slot: str,
    intent: str,
    text: str,
    found: Sequence[str],
    state: Mapping[str, Any],
    catalogue: Catalogue,
) -> Reading:
    words = text.strip()
    if slot == DESCRIPTION:
        if intent in ("deny", "unsure") and not found:  # "skip", "nothing to add"
            return Reading(slots={DESCRIPTION: "skipped"})
        if not words:
            return Reading(slots={DESCRIPTION: None}, notes=["check_reask_description"])
        notes = ["check_description_truncated"] if len(words) > MAX_DESCRIPTION else []
        # Only the fact that a description was given is kept, never its text.
        return Reading(slots={DESCRIPTION: "given", FOUND_ITEMS: list(found) or None}, notes=notes)
    if slot == INDICATOR_LIST:
        return _read_indicator_list(intent, words, found, state, catalogue)
    # The vulnerability factors question: the ones named, or none, or not sure.
    vulnerabilities = [i for i in found if catalogue[i].is_vulnerability]
    known = state.get(VULNERABILITIES) or []
    named = {VULNERABILITIES: sorted({*known, *vulnerabilities})} if vulnerabilities else None
    return _read_pick(VULNERABILITY_FACTORS, named, intent, words, "check_reask_vulnerabilities")


def _read_pick(
    slot: str, named: dict[str, Any] | None, intent: str, words: str, reask: str
) -> Reading:
    """A reply to a question that asks which items of a list apply: the slots for
    the ones named (``named``), or none of these, or not sure; else a re-ask."""
    if named:
        return Reading(slots={slot: YES, **named})
    if NONE_OF_THESE.fullmatch(words.lower()):
        return Reading(slots={slot: NO})
    if intent in ANSWER_INTENTS and intent != "affirm":
        return Reading(slots={slot: ANSWER_INTENTS[intent]})
    return Reading(slots={slot: None}, notes=[reask])


def _read_indicator_list(
    intent: str, words: str, found: Sequence[str], state: Mapping[str, Any], catalogue: Catalogue
) -> Reading:
    """The signs picked from the list by number, or named in words (read by the
    extractor), or none, or not sure."""
    reask = "check_reask_indicator_list"
    listed = catalogue.of_kind("indicator")
    numbers = [int(n) for n in LIST_NUMBER.findall(words)]
    if numbers and not LIST_FILLER.sub("", LIST_NUMBER.sub("", words.lower())):
        picked = [listed[n - 1] for n in dict.fromkeys(numbers) if 1 <= n <= len(listed)]
        if len(picked) != len(set(numbers)):  # a number off the list: not guessed
            return Reading(slots={INDICATOR_LIST: None}, notes=[reask])
        found = picked
    named = _with_items(found, state, catalogue) if found else None
    return _read_pick(INDICATOR_LIST, named, intent, words, reask)


def confirm_found(
    confirmed: bool, state: Mapping[str, Any], catalogue: Catalogue
) -> dict[str, Any]:
    """Slot values after the user confirms (or rejects) what was recognised."""
    if not confirmed:
        return {CONFIRM_FOUND: NO}
    found = list(state.get(FOUND_ITEMS) or [])
    return {CONFIRM_FOUND: YES, **_with_items(found, state, catalogue)}


def _with_items(found: Sequence[str], state: Mapping[str, Any], catalogue: Catalogue) -> dict:
    """Slot values that add the user's confirmed items to the check's indicators and
    vulnerabilities, with the answers they imply (not asked again)."""
    slots: dict[str, Any] = {
        INDICATORS: sorted({*(state.get(INDICATORS) or []),
                            *(i for i in found if not catalogue[i].is_vulnerability)}),
        VULNERABILITIES: sorted({*(state.get(VULNERABILITIES) or []),
                                 *(i for i in found if catalogue[i].is_vulnerability)}),
    }  # fmt: skip
    if slots[VULNERABILITIES]:
        slots[VULNERABILITY_FACTORS] = YES  # confirmed already: not asked again
    for item_id in found:
        for question, answer in catalogue[item_id].implies.items():
            if state.get(question) is None and answer == YES:
                slots[question] = YES  # confirmed already: not asked again
    return slots
