"""The answer plan (bot.knowledge.answering) on parse data as the NLU gives it,
and how a message is cut into its questions (bot.nlp.segments)."""

from __future__ import annotations

import pytest

from bot import bootstrap
from bot.knowledge.answering import plan
from bot.nlp.segments import split

KNOWLEDGE = bootstrap.app().knowledge


def parse(text, intent, confidence, ranking=(), segments=(), **extra):
    ranking = [{"name": n, "confidence": c} for n, c in ranking] or [
        {"name": intent, "confidence": confidence}
    ]
    return {"text": text, "intent": {"name": intent, "confidence": confidence},
            "intent_ranking": ranking, "question_segments": list(segments), **extra}  # fmt: skip


def segment(question, *ranking):
    return {"question": question, "start": 0, "end": 1,
            "ranking": [{"name": n, "confidence": c} for n, c in ranking]}  # fmt: skip


def no_search(query, ranking):
    raise AssertionError("the search is not needed here")


@pytest.mark.parametrize(
    ("text", "pieces"),
    [
        ("what's a trap house and what's a graft phone?", [("what's a trap house", True),
                                                           ("what's a graft phone?", True)]),
        ("Year 9 lad, two phones, attendance dropped. What am I meant to do?",
         [("Year 9 lad, two phones, attendance dropped.", False),
          ("What am I meant to do?", True)]),
        ("who fills in the NRM, and where do I get the tool?", [("who fills in the NRM", True),
                                                               ("where do I get the tool?", True)]),
        ("I'm worried about a lad and what he is doing", [
            ("I'm worried about a lad and what he is doing", False)]),
        ("What is cuckooing", [("What is cuckooing", True)]),
    ],
)  # fmt: skip
def test_a_message_is_cut_into_its_sentences_and_questions(text, pieces):
    assert [(s.text(text), s.question) for s in split(text)] == pieces


def test_two_questions_in_one_get_both_answers_in_order():
    got = plan(parse("x", "ask_graft_phone", 0.5, segments=[
        segment(True, ("ask_trap_house", 0.99)), segment(True, ("ask_graft_phone", 0.98))]),
        KNOWLEDGE, no_search)  # fmt: skip
    assert got.topics == ("trap_house", "graft_phone") and got.route == "questions"


def test_a_situation_then_a_question_is_answered_from_the_question_when_surer():
    got = plan(parse("x", "ask_school_attendance", 0.5, segments=[
        segment(False, ("ask_school_attendance", 0.8)),
        segment(True, ("ask_what_to_do_if_concerned", 0.6))]), KNOWLEDGE, no_search)  # fmt: skip
    assert got.topics == ("what_to_do_if_concerned",) and got.route == "question"
    assert got.offer_check  # a topic about acting on a concern offers the check


def test_a_vague_question_after_a_situation_leaves_the_whole_message_to_decide():
    got = plan(parse("x", "ask_cuckooing", 0.8, segments=[
        segment(False, ("ask_cuckooing", 0.8)), segment(True, ("ask_pvp_officer", 0.2))]),
        KNOWLEDGE, no_search)  # fmt: skip
    assert got.topics == ("cuckooing",) and got.route == "classifier"
    # A question sure enough, but less sure than the whole message: the whole decides.
    got = plan(parse("x", "ask_challenge_negative_decision", 0.8, segments=[
        segment(False, ("ask_negative_decision", 0.6)),
        segment(True, ("ask_what_to_do_if_concerned", 0.5))]), KNOWLEDGE, no_search)  # fmt: skip
    assert got.topics == ("challenge_negative_decision",)


def test_a_worried_message_answered_from_its_question_offers_the_check():
    got = plan(parse("x", "ask_front_door_contact", 0.99, worried=True), KNOWLEDGE, no_search)
    assert got.topics == ("front_door_contact",) and got.offer_check


def test_a_close_call_between_sections_asks_instead_of_guessing():
    ranking = [("ask_victims_of_modern_slavery", 0.30), ("ask_still_a_victim", 0.24),
               ("ask_perpetrators_as_victims", 0.22), ("ask_cuckooing", 0.05)]  # fmt: skip
    got = plan(parse("x", ranking[0][0], 0.30, ranking), KNOWLEDGE, no_search)
    assert not got.topics and got.route == "clarify"
    assert got.choices == ("victims_of_modern_slavery", "still_a_victim", "perpetrators_as_victims")


def test_a_clear_lead_is_answered_not_asked_back():
    ranking = [("ask_cuckooing", 0.45), ("ask_trap_house", 0.20)]
    assert plan(parse("x", "ask_cuckooing", 0.45, ranking), KNOWLEDGE, no_search).topics == (
        "cuckooing",
    )


def test_a_follow_up_is_read_with_the_topic_before_it():
    seen = []

    def search(query, ranking):
        seen.append((query, list(ranking)))
        return ["nrm_what_is", "reasonable_grounds"]

    ranking = [("ask_thresholds_document", 0.32), ("ask_reasonable_grounds", 0.29)]
    got = plan(parse("what's the threshold for that one?", ranking[0][0], 0.32, ranking),
               KNOWLEDGE, search, last_topic="nrm_what_is")  # fmt: skip
    assert got.topics == ("reasonable_grounds",) and got.route == "follow_up"
    query, ranked = seen[0]
    assert KNOWLEDGE.topics["nrm_what_is"].question in query
    assert ranked == ["thresholds_document", "reasonable_grounds"]


def test_a_confident_message_is_not_taken_for_a_follow_up():
    got = plan(parse("and what is cuckooing", "ask_cuckooing", 0.9), KNOWLEDGE, no_search,
               last_topic="nrm_what_is")  # fmt: skip
    assert got.topics == ("cuckooing",)


def test_unsure_the_search_answers_and_with_nothing_found_nothing_is_answered():
    got = plan(parse("blorp", "nlu_fallback", 0.3), KNOWLEDGE, lambda q, r: ["trap_house"])
    assert got.topics == ("trap_house",) and got.searched
    assert plan(parse("blorp", "nlu_fallback", 0.3), KNOWLEDGE, lambda q, r: []).topics == ()
    assert plan(parse("hi", "greet", 0.9), KNOWLEDGE, no_search).topics == ()


def test_unsure_with_out_of_scope_as_its_best_guess_searches_nothing():
    ranking = [("nlu_fallback", 0.3), ("out_of_scope", 0.22), ("ask_indicators_list", 0.1)]
    got = plan(parse("is it sunny this weekend", "nlu_fallback", 0.3, ranking), KNOWLEDGE,
               no_search)  # fmt: skip
    assert got.topics == () and got.route == "none"
    # a guidance topic as the best guess is still searched for
    ranking = [("nlu_fallback", 0.3), ("ask_trap_house", 0.2), ("out_of_scope", 0.1)]
    got = plan(parse("flat taken over?", "nlu_fallback", 0.3, ranking), KNOWLEDGE,
               lambda q, r: ["trap_house"])  # fmt: skip
    assert got.topics == ("trap_house",)
