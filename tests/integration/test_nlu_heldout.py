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


# The blind question set tuned on (tests/data/questions_tuning.yml, issue 19):
# regression floors a little below what it reaches (0.9455 right section, 0.867
# out of scope without a source line; docs/evaluation-baselines.md). The untouched
# set is never asserted on: it is measured once, with bench/qa_eval.py.
TUNING_FLOORS = {"section_accuracy": 0.93, "out_of_scope_without_source": 0.8}


def test_the_tuning_question_set_keeps_its_figures(parse, project_root):
    from bot.knowledge.evaluation import answered_topics, evaluate_sections

    questions = yaml.safe_load(
        (project_root / "tests/data/questions_tuning.yml").read_text(encoding="utf-8")
    )["questions"]
    report = evaluate_sections(questions, parse, answered_topics)
    misses = report.pop("misses")
    print(f"\nTuning question set: {json.dumps(report)}")
    for key, floor in TUNING_FLOORS.items():
        assert report[key] >= floor, (key, misses)
