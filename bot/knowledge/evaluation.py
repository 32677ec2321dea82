"""Held-out accuracy of the guidance answers: for each question, the topic the
assistant would answer (the classifier's, or below its threshold the search's
best passage, as ``action_search_guidance`` does), and whether that answer cites
the question's own (primary) section. Used by the held-out test and the bench."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

from bot import bootstrap
from bot.knowledge.answering import plan
from bot.knowledge.search import search, search_topics

Parse = Callable[[str], dict[str, Any]]


def answered_topic(parse_data: dict[str, Any]) -> str | None:
    intent = (parse_data.get("intent") or {}).get("name")
    topic = bootstrap.app().knowledge.topic_for_intent(intent)
    if topic:
        return topic.id
    if intent == "nlu_fallback":
        ranking = bootstrap.app().knowledge.topics_in_ranking(
            parse_data.get("intent_ranking") or []
        )
        hits = search(parse_data.get("text") or "", limit=1, classifier_ranking=ranking)
        return hits[0].topic_id if hits else None
    return None


def evaluate(data: dict[str, Any], parse: Parse) -> dict[str, Any]:
    """Scores ``data`` (tests/data/heldout_questions.yml: ``questions`` with their
    topic, ``out_of_scope`` texts) with ``parse`` (text -> Rasa parse data)."""
    knowledge = bootstrap.app().knowledge
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


def evaluate_sections(
    questions: list[dict[str, Any]], parse: Parse, answer: Callable[[dict[str, Any]], list[str]]
) -> dict[str, Any]:
    """Scores a blind question set (tests/data/questions_*.yml: ``text``, ``kind``
    and the guidance ``sections`` by heading) with ``answer`` (parse data -> the
    topic ids the assistant's reply answers from).

    Fixed before the sets were first measured: a question is right when a topic
    answered cites its section (either listed section when ``also_ok``); each
    half of a ``two_in_one`` counts as one question; an ``out_of_scope`` one is
    right when no topic is answered (no source line); a ``silent`` one when the
    answer is a topic that says the guidance is silent.
    """
    knowledge = bootstrap.app().knowledge
    by_heading = {section.heading: section.id for section in knowledge.sections.values()}
    parts = right = 0
    off = off_right = silent = silent_right = 0
    misses = []
    by_kind: Counter[str] = Counter()
    right_by_kind: Counter[str] = Counter()
    for question in questions:
        kind = question["kind"]
        topics = answer(parse(question["text"]))
        cited = {s for t in topics for s in knowledge.topics[t].section_ids}
        if kind == "out_of_scope":
            off += 1
            off_right += not topics
            continue
        if kind == "silent":
            silent += 1
            silent_right += any(getattr(knowledge.topics[t], "silent", False) for t in topics)
            continue
        wanted = [by_heading[h] for h in question["sections"]]
        if kind == "two_in_one":
            groups = [[w] for w in wanted]
        elif question.get("also_ok"):
            groups = [wanted]
        else:
            groups = [wanted[:1]]
        for group in groups:
            parts += 1
            by_kind[kind] += 1
            if cited & set(group):
                right += 1
                right_by_kind[kind] += 1
            else:
                misses.append({"text": question["text"], "wanted": group, "got": topics})
    return {
        "questions": len(questions),
        "parts": parts,
        "section_accuracy": round(right / parts, 4),
        "by_kind": {k: round(right_by_kind[k] / n, 3) for k, n in sorted(by_kind.items())},
        "out_of_scope_without_source": round(off_right / off, 4) if off else None,
        "silent_said_so": round(silent_right / silent, 4) if silent else None,
        "misses": misses,
    }


def answered_topics(parse_data: dict[str, Any]) -> list[str]:
    """The topics the assistant's reply to a message answers from (its plan,
    :func:`bot.knowledge.answering.plan`, with no earlier topic)."""
    return list(plan(parse_data, bootstrap.app().knowledge, search_topics).topics)
