"""Held-out accuracy: questions written apart from the training data, by topic.

For each question we take what the assistant would answer: the topic the
classifier names, or, below its confidence threshold, the best passage of the
lemma search. It counts as right when that answer cites the question's own
(primary) section. The figures are printed and written to results/heldout.json.
"""

from __future__ import annotations

import asyncio
import json
from collections import Counter

import pytest
import yaml

from bot.knowledge.loader import get_knowledge
from bot.knowledge.search import search

pytestmark = pytest.mark.model
TARGET = 0.95


@pytest.fixture(scope="module")
def parse(trained_model):
    """Parses with the trained model on an event loop of its own thread, so it
    works whatever loop another test's library (Playwright) left running."""
    from concurrent.futures import ThreadPoolExecutor

    from rasa.core.agent import Agent

    agent = Agent.load(str(trained_model))
    loop = asyncio.new_event_loop()
    with ThreadPoolExecutor(max_workers=1) as thread:
        yield lambda text: thread.submit(
            loop.run_until_complete, agent.parse_message(text)
        ).result()
        thread.submit(loop.close).result()


def answered_topic(parse_data: dict) -> str | None:
    intent = (parse_data.get("intent") or {}).get("name")
    topic = get_knowledge().topic_for_intent(intent)
    if topic:
        return topic.id
    if intent == "nlu_fallback":  # as action_search_guidance does
        ranking = get_knowledge().topics_in_ranking(parse_data.get("intent_ranking") or [])
        hits = search(parse_data.get("text") or "", limit=1, classifier_ranking=ranking)
        return hits[0].topic_id if hits else None
    return None


def test_heldout_questions_are_answered_from_the_right_section(parse, project_root):
    data = yaml.safe_load((project_root / "tests/data/heldout_questions.yml").read_text())
    knowledge = get_knowledge()
    questions = data["questions"]
    assert len(questions) >= 150
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
    report = {
        "questions": len(questions),
        "section_accuracy": round(right_section / len(questions), 4),
        "topic_accuracy": round(right_topic / len(questions), 4),
        "out_of_scope_recognised": round(
            out_of_scope["out_of_scope"] / len(data["out_of_scope"]), 4
        ),
        "misses": misses,
    }
    results = project_root / "results"
    results.mkdir(exist_ok=True)
    (results / "heldout.json").write_text(json.dumps(report, indent=2))
    print(
        f"\nHeld-out: {len(questions)} questions, right section {report['section_accuracy']:.3f}, "
        f"right topic {report['topic_accuracy']:.3f}, out of scope recognised "
        f"{report['out_of_scope_recognised']:.3f}"
    )
    assert report["section_accuracy"] >= TARGET, misses
