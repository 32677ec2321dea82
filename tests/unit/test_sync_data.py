"""The guidance intents of domain.yml and data/rules/guidance.yml follow
content/guidance/topics.yml, and every topic is trained with enough examples."""

from __future__ import annotations

import glob
from pathlib import Path

import yaml

from bot import bootstrap
from bot.cli.sync_data import expected_files


def test_generated_rasa_files_are_up_to_date():
    for path, content in expected_files().items():
        assert path.read_text(encoding="utf-8") == content, (
            f"{path} is stale: run `python -m bot sync-data`"
        )


def test_every_topic_has_at_least_ten_training_examples(project_root):
    counts: dict[str, int] = {}
    for path in glob.glob(str(project_root / "data/nlu/**/*.yml"), recursive=True):
        for item in yaml.safe_load(Path(path).read_text(encoding="utf-8")).get("nlu", []):
            if "intent" in item:
                examples = [e for e in item["examples"].splitlines() if e.strip().startswith("- ")]
                counts[item["intent"]] = counts.get(item["intent"], 0) + len(examples)
    for topic in bootstrap.app().knowledge.topics.values():
        assert counts.get(topic.intent, 0) >= 10, topic.intent


def test_heldout_questions_are_not_in_the_training_data(project_root):
    training = set()
    for path in glob.glob(str(project_root / "data/nlu/**/*.yml"), recursive=True):
        for item in yaml.safe_load(Path(path).read_text(encoding="utf-8")).get("nlu", []):
            for line in item.get("examples", "").splitlines():
                training.add(line.strip()[2:].strip().lower())
    heldout = yaml.safe_load((project_root / "tests/data/heldout_questions.yml").read_text())
    overlap = [q["text"] for q in heldout["questions"] if q["text"].strip().lower() in training]
    assert not overlap
