"""The check's conversation logic (bot.check.flow), without Rasa."""

from __future__ import annotations

import pytest

from bot.check import flow
from bot.triage.service import get_catalogue

CATALOGUE = get_catalogue()


def read(slot, intent, text="", found=(), state=None):
    return flow.read_reply(slot, intent, text, list(found), state or {}, CATALOGUE)


def test_first_question_is_immediate_danger_and_yes_ends_the_check():
    assert flow.next_slot({}) == "immediate_danger"
    assert flow.next_slot({"immediate_danger": "yes"}) is None


def test_an_adult_ends_the_check_after_the_age_question():
    assert flow.next_slot({"immediate_danger": "no", "age_under_18": "no"}) is None


def test_no_more_than_twelve_questions():
    assert len(flow.ASKED) <= 12
    state: dict = {}
    asked = 0
    while (slot := flow.next_slot(state)) is not None:
        asked += 1
        state[slot] = "given" if slot == flow.DESCRIPTION else "no"
        if slot == flow.DESCRIPTION:
            state[flow.FOUND_ITEMS] = ["going_missing"]
    assert asked <= 12


@pytest.mark.parametrize(
    ("intent", "value"), [("affirm", "yes"), ("deny", "no"), ("unsure", "unknown")]
)
def test_yes_no_not_sure(intent, value):
    assert read("significant_harm", intent).slots == {"significant_harm": value}


@pytest.mark.parametrize("intent", ["nlu_fallback", "greet", "out_of_scope", None])
def test_anything_else_at_a_yes_no_question_is_re_asked(intent):
    reading = read("significant_harm", intent, "42")
    assert reading.slots == {"significant_harm": None}
    assert reading.notes == ["check_reask_yes_no"]
    assert not reading.reject


@pytest.mark.parametrize(
    "intent", ["ask_cuckooing", "emergency", "stop_check", "change_answer", "help"]
)
def test_questions_and_commands_interrupt_the_check(intent):
    assert read("significant_harm", intent).reject


AGES = [
    ("15", "yes"),
    ("he's 16", "yes"),
    ("17 years old", "yes"),
    ("19", "no"),
    ("she is 25", "no"),
]


@pytest.mark.parametrize(("text", "value"), AGES)
def test_an_age_typed_at_the_age_question(text, value):
    assert read("age_under_18", "nlu_fallback", text).slots == {"age_under_18": value}


def test_description_keeps_only_what_was_found_never_the_text():
    reading = read(flow.DESCRIPTION, "ask_missing_out_of_area", "he keeps going missing",
                   found=["going_missing"])  # fmt: skip
    assert not reading.reject  # free text is an answer even if it reads like a question
    assert reading.slots == {flow.DESCRIPTION: "given", flow.FOUND_ITEMS: ["going_missing"]}


def test_description_can_be_skipped_and_long_text_is_noted():
    assert read(flow.DESCRIPTION, "deny", "skip").slots == {flow.DESCRIPTION: "skipped"}
    assert "check_description_truncated" in read(flow.DESCRIPTION, "x", "a" * 6000).notes


def test_confirmed_items_are_not_asked_again():
    state = {flow.FOUND_ITEMS: ["going_missing", "in_care", "multiple_phones"]}
    slots = read(flow.CONFIRM_FOUND, "affirm", state=state).slots
    assert slots["missing_episodes"] == "yes"  # implied by going missing
    assert slots[flow.VULNERABILITY_FACTORS] == "yes"
    assert slots[flow.INDICATORS] == ["going_missing", "multiple_phones"]
    assert slots[flow.VULNERABILITIES] == ["in_care"]
    state.update(slots, immediate_danger="no", age_under_18="yes", description="given")
    assert "missing_episodes" not in [s for s in flow.required_slots(state) if state.get(s) is None]


def test_rejected_items_are_dropped():
    slots = read(flow.CONFIRM_FOUND, "deny", state={flow.FOUND_ITEMS: ["going_missing"]}).slots
    assert slots == {flow.CONFIRM_FOUND: "no"}


def test_vulnerability_question():
    assert read(flow.VULNERABILITY_FACTORS, "x", "in care", found=["in_care"]).slots == {
        flow.VULNERABILITY_FACTORS: "yes", flow.VULNERABILITIES: ["in_care"]}  # fmt: skip
    assert read(flow.VULNERABILITY_FACTORS, "deny").slots == {flow.VULNERABILITY_FACTORS: "no"}
    assert read(flow.VULNERABILITY_FACTORS, "nlu_fallback", "hmm").notes == [
        "check_reask_vulnerabilities"
    ]


def test_changing_the_description_clears_what_came_from_it():
    assert flow.reset_for_change(flow.DESCRIPTION)[flow.INDICATORS] is None
    assert flow.reset_for_change("missing_episodes") == {"missing_episodes": None}


@pytest.mark.parametrize("text", ["none of these", "None", "nothing", "n/a"])
def test_none_of_these_typed(text):
    assert read(flow.VULNERABILITY_FACTORS, "out_of_scope", text).slots == {
        flow.VULNERABILITY_FACTORS: "no"}  # fmt: skip


def test_an_age_wins_over_a_misread_intent():
    assert read("age_under_18", "ask_not_recognising_exploitation", "she's 19").slots == {
        "age_under_18": "no"}  # fmt: skip


# ---------------------------------------------------------------- nothing recognised
def test_a_description_with_nothing_recognised_asks_for_signs_from_the_list():
    state = {"immediate_danger": "no", "age_under_18": "yes", flow.DESCRIPTION: "given"}
    assert flow.next_slot(state) == flow.INDICATOR_LIST
    # recognised items are confirmed instead; a skipped description asks neither
    assert flow.next_slot({**state, flow.FOUND_ITEMS: ["going_missing"]}) == flow.CONFIRM_FOUND
    assert flow.next_slot({**state, flow.DESCRIPTION: "skipped"}) == "significant_harm"


@pytest.mark.parametrize(
    ("description", "found", "confirmed", "most"),
    [
        ("skipped", None, None, 10),
        ("given", None, None, 11),  # nothing recognised: the list instead of a confirmation
        ("given", ["multiple_phones"], "yes", 11),
        ("given", ["multiple_phones"], "no", 12),  # not right: the list after the confirmation
    ],
)
def test_at_most_twelve_questions_whatever_was_recognised(description, found, confirmed, most):
    state: dict = {}
    asked = []
    while (slot := flow.next_slot(state)) is not None:
        asked.append(slot)
        state[slot] = "yes" if slot == "age_under_18" else "no"
        if slot == flow.DESCRIPTION:
            state.update({slot: description, flow.FOUND_ITEMS: found})
        if slot == flow.CONFIRM_FOUND:
            state[slot] = confirmed
    assert len(asked) == most <= 12
    assert (flow.INDICATOR_LIST in asked) == (description == "given" and confirmed != "yes")


def test_signs_picked_from_the_list_by_number():
    listed = CATALOGUE.of_kind("indicator")
    reading = read(flow.INDICATOR_LIST, "nlu_fallback", "1, 3 and 21")
    assert reading.slots[flow.INDICATOR_LIST] == "yes"
    assert reading.slots[flow.INDICATORS] == sorted([listed[0], listed[2], listed[20]])
    assert read(flow.INDICATOR_LIST, None, "2nd & 5th").slots[flow.INDICATORS] == sorted(
        [listed[1], listed[4]]
    )
    assert read(flow.INDICATOR_LIST, None, "No. 17.").slots[flow.INDICATORS] == [listed[16]]


def test_a_number_off_the_list_is_re_asked_not_guessed():
    reading = read(flow.INDICATOR_LIST, "nlu_fallback", "3, 99")
    assert reading.slots == {flow.INDICATOR_LIST: None}
    assert reading.notes == ["check_reask_indicator_list"]


def test_signs_named_in_words_and_what_they_imply():
    state = {"immediate_danger": "no", "age_under_18": "yes", flow.DESCRIPTION: "given"}
    reading = read(
        flow.INDICATOR_LIST, "nlu_fallback", "he goes missing, 2 phones", ["going_missing",
        "multiple_phones"], state)  # fmt: skip
    assert reading.slots[flow.INDICATOR_LIST] == "yes"
    assert reading.slots[flow.INDICATORS] == ["going_missing", "multiple_phones"]
    assert reading.slots.get("missing_episodes") == (
        "yes" if CATALOGUE["going_missing"].implies.get("missing_episodes") == "yes" else None
    )


@pytest.mark.parametrize(
    ("intent", "text", "value"),
    [
        ("nlu_fallback", "none of these", "no"),
        ("deny", "no", "no"),
        ("unsure", "not sure", "unknown"),
    ],
)
def test_none_or_not_sure_from_the_list(intent, text, value):
    assert read(flow.INDICATOR_LIST, intent, text).slots == {flow.INDICATOR_LIST: value}


def test_an_unrecognised_reply_to_the_list_is_re_asked():
    reading = read(flow.INDICATOR_LIST, "affirm", "yes some of them")
    assert reading.slots == {flow.INDICATOR_LIST: None}
    assert reading.notes == ["check_reask_indicator_list"]


def test_changing_the_description_asks_the_list_again_if_needed():
    reset = flow.reset_for_change(flow.DESCRIPTION)
    assert reset[flow.INDICATOR_LIST] is None and reset[flow.INDICATORS] is None
    assert flow.reset_for_change(flow.INDICATOR_LIST) == {
        flow.INDICATOR_LIST: None, flow.INDICATORS: None}  # fmt: skip


def test_a_worried_description_is_an_answer_not_a_new_check():
    reading = read(flow.DESCRIPTION, "start_check", "I'm worried about him, something is off")
    assert not reading.reject
    assert reading.slots[flow.DESCRIPTION] == "given"
    assert read("significant_harm", "start_check", "start a check").reject
