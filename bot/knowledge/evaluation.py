"""Held-out accuracy of the guidance answers: for each question, the topic the
assistant would answer (the classifier's, or below its threshold the search's
best passage, as ``action_search_guidance`` does), and whether that answer cites
the question's own (primary) section. Used by the held-out test and the bench."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

from bot.knowledge.loader import get_knowledge
from bot.knowledge.search import search

Parse = Callable[[str], dict[str, Any]]


def answered_topic(parse_data: dict[str, Any]) -> str | None:
    intent = (parse_data.get("intent") or {}).get("name")
    topic = get_knowledge().topic_for_intent(intent)
    if topic:
        return topic.id
    if intent == "nlu_fallback":
        ranking = get_knowledge().topics_in_ranking(parse_data.get("intent_ranking") or [])
        hits = search(parse_data.get("text") or "", limit=1, classifier_ranking=ranking)
        return hits[0].topic_id if hits else None
    return None


def evaluate(data: dict[str, Any], parse: Parse) -> dict[str, Any]:
    """Scores ``data`` (tests/data/heldout_questions.yml: ``questions`` with their
    topic, ``out_of_scope`` texts) with ``parse`` (text -> Rasa parse data)."""
    knowledge = get_knowledge()
    questions = data["questions"]
    right_section = right_topic = 0
    misses = []
    for question in questions:
        expected = knowledge.topics[question["topic"]]
        got = answered_topic(parse(question["text"]))
        cited = knowledge.topics[got].section_ids if got else ()
        right_topic += got == expected.id
        if expected.section_ids[0] in cited:
            right_section += 1
        else:
            misses.append({"text": question["text"], "expected": expected.id, "got": got})
    out_of_scope = Counter(
        (parse(item["text"])["intent"] or {}).get("name") for item in data["out_of_scope"]
    )
    return {
        "questions": len(questions),
        "section_accuracy": round(right_section / len(questions), 4),
        "topic_accuracy": round(right_topic / len(questions), 4),
        "out_of_scope_recognised": round(
            out_of_scope["out_of_scope"] / len(data["out_of_scope"]), 4
        ),
        "misses": misses,
    }
