"""The check's conversation logic (bot.check.flow), without Rasa: which screen
comes next, how replies are read, and the findings of the review (issue 15)."""

from __future__ import annotations

import pytest

from bot import bootstrap
from bot.check import flow
from bot.triage.engine import assess

CATALOGUE = bootstrap.app().catalogue
PLAN = bootstrap.app().plan
THEMES = {theme.id: theme for theme in PLAN.all_themes}
CHILD = {"immediate_danger": "no", "age_under_18": "yes"}


def read(slot, intent, text="", found=(), state=None, entities=None):
    return flow.read_reply(
        slot, intent, text, entities or {}, list(found), state or {}, PLAN, CATALOGUE
    )


def answer_every_screen(state: dict, answer=lambda theme: {}) -> list[str]:
    """Runs the check to its end, answering each screen (default: nothing seen)."""
    asked = []
    while (slot := flow.next_slot(state, PLAN)) is not None:
        asked.append(slot)
        theme = PLAN.theme_for_slot(slot)
        if theme is not None:
            state[slot] = {item: "no" for item in theme.items} | answer(theme)
        elif slot == flow.DESCRIPTION:
            state[slot] = "skipped"
        else:
            state[slot] = state.get(slot) or ("yes" if slot == "age_under_18" else "no")
    return asked


def test_first_question_is_immediate_danger_and_yes_ends_the_check():
    assert flow.next_slot({}, PLAN) == "immediate_danger"
    assert flow.next_slot({"immediate_danger": "yes"}, PLAN) is None


def test_every_indicator_of_the_guidance_is_on_a_screen_and_on_one_only():
    shown = [item for theme in PLAN.themes for item in theme.items]
    assert set(CATALOGUE.of_kind("indicator")) <= set(shown)
    assert len(shown) == len(set(shown))


def test_every_outcome_but_emergency_and_adult_comes_after_every_screen():
    """Finding 1: 'no indicator' was reached without the indicators ever shown."""
    state = dict(CHILD)
    asked = answer_every_screen(state)
    assert [t.slot for t in PLAN.themes] == [s for s in asked if s.startswith("theme_")]
    result = assess(flow.check_input(state, PLAN), bootstrap.app().triage)
    assert result.outcome == "no_indicators_identified"
    assert not result.not_known  # every item was answered


@pytest.mark.parametrize(
    ("intent", "text", "found"),
    [
        ("deny", "/deny", ()),  # the Skip button
        ("deny", "skip", ()),  # typed
        ("unsure", "not sure", ()),
        ("nlu_fallback", "she's in care and struggles with friendships", ["in_care"]),
    ],
)
def test_skipping_or_not_knowing_what_to_say_still_shows_every_indicator(intent, text, found):
    """Finding 1: Skip, "not sure" or a description naming only a vulnerability led
    past the guidance's list of indicators."""
    state = dict(CHILD)
    reading = read(flow.DESCRIPTION, intent, text, found)
    state.update(reading.slots)
    assert flow.next_slot(state, PLAN) == PLAN.themes[0].slot
    assert reading.notes[-1] in ("check_every_indicator_follows", "check_nothing_recognised",
                                 "check_marked_found")  # fmt: skip


def test_at_most_fourteen_screens():
    assert len(answer_every_screen(dict(CHILD))) + 2 <= 14  # +danger and age, answered first
    assert len(flow.required_slots(CHILD, PLAN)) <= 14


def test_not_sure_about_danger_is_met_at_once_with_999():
    """Finding 2: "not sure" to immediate danger got no 999 prompt."""
    reading = read("immediate_danger", "unsure", "not sure")
    assert reading.slots == {"immediate_danger": "unknown"}
    assert reading.notes == ["check_danger_not_sure"]  # said before the next screen


def test_an_adult_gets_the_modern_slavery_screen_then_the_outcome():
    """Finding 7: the adult check ended at the age question."""
    state = {"immediate_danger": "no", "age_under_18": "no"}
    assert flow.next_slot(state, PLAN) == PLAN.adult.slot
    state[PLAN.adult.slot] = {"moved_to_commit_crime": "yes", "exchange_or_coercion": "no"}
    assert flow.next_slot(state, PLAN) is None
    result = assess(flow.check_input(state, PLAN), bootstrap.app().triage)
    assert result.outcome == "outside_scope"
    assert "modern_slavery_report" in result.rules_applied


@pytest.mark.parametrize(
    ("intent", "value"), [("affirm", "yes"), ("deny", "no"), ("unsure", "unknown")]
)
def test_yes_no_not_sure_at_the_age_question(intent, value):
    assert read("age_under_18", intent).slots == {"age_under_18": value}


@pytest.mark.parametrize("intent", ["nlu_fallback", "greet", "out_of_scope", None])
def test_anything_else_at_a_yes_no_question_is_re_asked(intent):
    reading = read("immediate_danger", intent, "42")
    assert reading.slots == {"immediate_danger": None}
    assert reading.notes == ["check_reask_yes_no"]


@pytest.mark.parametrize(
    "intent", ["ask_cuckooing", "emergency", "stop_check", "change_answer", "help"]
)
def test_questions_and_commands_interrupt_the_check(intent):
    assert read("immediate_danger", intent).reject
    assert intent.startswith("ask_") or read(THEMES["harm_safety"].slot, intent, "x").reject


@pytest.mark.parametrize(
    ("text", "value"), [("15", "yes"), ("he's 16", "yes"), ("17 years old", "yes"),
                        ("19", "no"), ("she is 25", "no")]
)  # fmt: skip
def test_an_age_typed_at_the_age_question(text, value):
    assert read("age_under_18", "ask_not_recognising_exploitation", text).slots == {
        "age_under_18": value}  # fmt: skip


def test_description_keeps_only_what_was_found_never_the_text():
    reading = read(flow.DESCRIPTION, "ask_missing_out_of_area", "he keeps going missing",
                   found=["going_missing"])  # fmt: skip
    assert not reading.reject  # free text is an answer even if it reads like a question
    assert reading.slots == {flow.DESCRIPTION: "given", flow.FOUND_ITEMS: ["going_missing"]}
    assert "check_description_truncated" in read(flow.DESCRIPTION, "x", "a" * 6000).notes


def test_a_worried_description_is_an_answer_not_a_new_check():
    reading = read(flow.DESCRIPTION, "start_check", "I'm worried about him, something is off")
    assert not reading.reject and reading.slots[flow.DESCRIPTION] == "given"
    assert read(THEMES["harm_safety"].slot, "start_check", "start a check").reject


# ---------------------------------------------------------------- the checklists
def test_recognised_items_arrive_pre_selected_with_what_they_imply():
    state = {**CHILD, flow.FOUND_ITEMS: ["going_missing", "cuckooing", "tasks_for_reward"]}
    assert flow.preselected(THEMES["missing_travel"], state, CATALOGUE) == ["going_missing"]
    assert flow.preselected(THEMES["family_home"], state, CATALOGUE) == ["home_taken_over"]
    assert flow.preselected(THEMES["appearance_money"], state, CATALOGUE) == [
        "exchange_or_coercion"
    ]


def test_yes_keeps_the_pre_selection_and_everything_else_is_not_seen():
    theme = THEMES["missing_travel"]
    state = {**CHILD, flow.FOUND_ITEMS: ["going_missing"]}
    slots = read(theme.slot, "affirm", "yes", state=state).slots
    assert slots[theme.slot]["going_missing"] == "yes"
    assert {v for k, v in slots[theme.slot].items() if k != "going_missing"} == {"no"}
    # with nothing pre-selected, "yes" says nothing about which: asked again
    assert read(theme.slot, "affirm", "yes", state=CHILD).notes == ["check_reask_checklist"]


def test_a_checklist_from_the_widget_or_teams():
    theme = THEMES["harm_safety"]
    entities = {"check_theme": [theme.id], "check_seen": ["carrying_weapons", "significant_harm"],
                "check_not_known": ["self_harm"]}  # fmt: skip
    answers = read(theme.slot, "checklist", "/checklist{...}", entities=entities).slots[theme.slot]
    assert answers["carrying_weapons"] == answers["significant_harm"] == "yes"
    assert answers["self_harm"] == "unknown"
    assert answers["unexplained_injuries"] == "no"


def test_an_earlier_screens_checklist_is_not_read_as_this_one():
    entities = {"check_theme": ["school_behaviour"], "check_seen": ["decline_in_attendance"]}
    reading = read(THEMES["harm_safety"].slot, "checklist", "", entities=entities)
    assert reading.slots == {THEMES["harm_safety"].slot: None}
    assert reading.notes == ["check_earlier_list"]


def test_a_checklist_with_an_item_of_another_screen_is_re_asked():
    entities = {"check_theme": ["harm_safety"], "check_seen": ["multiple_phones"]}
    reading = read(THEMES["harm_safety"].slot, "checklist", "", entities=entities)
    assert reading.notes == ["check_reask_checklist"]


@pytest.mark.parametrize(
    ("text", "seen", "not_known"),
    [
        ("1, 3", [1, 3], []),
        ("2 and 5", [2, 5], []),
        ("1, 3 not known 4", [1, 3], [4]),
        ("not known: 2", [], [2]),
        ("numbers 2 & 6", [2, 6], []),
        ("2nd and 5th", [2, 5], []),
        ("No. 4.", [4], []),
        ("2, 3, not sure about 5", [2, 3], [5]),
    ],
)
def test_numbers_typed_over_rest(text, seen, not_known):
    theme = THEMES["harm_safety"]
    answers = read(theme.slot, "checklist", text).slots[theme.slot]
    assert [n for n, i in enumerate(theme.items, 1) if answers[i] == "yes"] == seen
    assert [n for n, i in enumerate(theme.items, 1) if answers[i] == "unknown"] == not_known


def test_a_number_off_the_screen_is_re_asked_not_guessed():
    reading = read(THEMES["family_home"].slot, "checklist", "2, 9")
    assert reading.slots == {THEMES["family_home"].slot: None}
    assert reading.notes == ["check_reask_checklist"]


@pytest.mark.parametrize(
    ("intent", "text", "value"),
    [("deny", "none of these", "no"), ("deny", "/deny", "no"), ("nlu_fallback", "nothing", "no"),
     ("unsure", "/unsure", "unknown"), ("nlu_fallback", "don't know for any", "unknown")],
)  # fmt: skip
def test_none_of_these_and_not_known_for_any(intent, text, value):
    theme = THEMES["friends_adults"]
    assert set(read(theme.slot, intent, text).slots[theme.slot].values()) == {value}


def test_items_named_in_words_are_seen():
    theme = THEMES["appearance_money"]
    answers = read(theme.slot, "nlu_fallback", "2 phones", found=["multiple_phones"]).slots
    assert answers[theme.slot]["multiple_phones"] == "yes"


def test_a_guidance_question_on_a_screen_is_answered_then_the_screen_comes_back():
    assert read(THEMES["harm_safety"].slot, "ask_cuckooing", "what is cuckooing").reject


def test_changing_the_description_keeps_the_screens_answered():
    assert flow.reset_for_change(flow.DESCRIPTION) == {
        flow.DESCRIPTION: None, flow.FOUND_ITEMS: None}  # fmt: skip
    slot = THEMES["harm_safety"].slot
    assert flow.reset_for_change(slot) == {slot: None}
    assert list(flow.changeable_labels(PLAN))[:3] == ["immediate_danger", "age_under_18",
                                                       flow.DESCRIPTION]  # fmt: skip


def test_the_engines_input_from_the_screens():
    state = {**CHILD, THEMES["family_home"].slot: {"withdrawn_from_family": "yes",
             "parental_concerns": "unknown", "parent_carer_involved": "yes",
             "home_taken_over": "no"}}  # fmt: skip
    check = flow.check_input(state, PLAN)
    assert check.answer("parent_carer_involved").value == "yes"
    assert check.item("withdrawn_from_family").value == "yes"
    assert check.item("parental_concerns").value == "unknown"
    assert check.item("going_missing").value == "unknown"  # its screen not answered yet
