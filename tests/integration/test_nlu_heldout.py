"""Held-out accuracy: questions written apart from the training data, by topic.

For each question we take what the assistant would answer: the topic the
classifier names, or, below its confidence threshold, the best passage of the
lemma search. It counts as right when that answer cites the question's own
(primary) section. The figures are printed and written to results/heldout.json.
"""

from __future__ import annotations

import asyncio
import json

import pytest
import yaml

from bot.knowledge.evaluation import evaluate

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


def test_heldout_questions_are_answered_from_the_right_section(parse, project_root):
    data = yaml.safe_load((project_root / "tests/data/heldout_questions.yml").read_text())
    assert len(data["questions"]) >= 150
    report = evaluate(data, parse)
    misses = report["misses"]
    results = project_root / "results"
    results.mkdir(exist_ok=True)
    (results / "heldout.json").write_text(json.dumps(report, indent=2))
    print(
        f"\nHeld-out: {report['questions']} questions, right section "
        f"{report['section_accuracy']:.3f}, right topic {report['topic_accuracy']:.3f}, "
        f"out of scope recognised {report['out_of_scope_recognised']:.3f}"
    )
    assert report["section_accuracy"] >= TARGET, misses
