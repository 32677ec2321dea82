"""The indicator extractor: precision and recall on sentences annotated apart from
its patterns (tests/data/indicator_sentences.yml), and the Rasa component."""

from __future__ import annotations

import json

import yaml
from rasa.nlu.constants import SPACY_DOCS
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot import bootstrap
from bot.config import PROJECT_ROOT
from bot.nlp.indicator_extractor import IndicatorExtractor, searched_part

# The target is 0.9 for both; measured on this held-out set the extractor
# reaches precision 0.92 and recall 0.88 (README, "What is not done"). These floors
# guard against regressions until the target is met.
PRECISION_FLOOR = 0.9
RECALL_FLOOR = 0.8


def test_precision_and_recall_on_the_annotated_sentences():
    data = yaml.safe_load((PROJECT_ROOT / "tests/data/indicator_sentences.yml").read_text())
    sentences = data["sentences"]
    assert len(sentences) >= 80
    matcher = bootstrap.app().matcher
    true_positive = false_positive = false_negative = 0
    errors = []
    for sentence in sentences:
        expected = set(sentence["expected"] or [])
        assert expected <= set(matcher.catalogue.items), expected
        found = set(matcher.ids(sentence["text"]))
        true_positive += len(found & expected)
        false_positive += len(found - expected)
        false_negative += len(expected - found)
        if found != expected:
            errors.append({"text": sentence["text"], "missed": sorted(expected - found),
                           "extra": sorted(found - expected)})  # fmt: skip
    precision = true_positive / (true_positive + false_positive)
    recall = true_positive / (true_positive + false_negative)
    results = PROJECT_ROOT / "results"
    results.mkdir(exist_ok=True)
    (results / "indicator_extractor.json").write_text(json.dumps(
        {"sentences": len(sentences), "precision": round(precision, 4), "recall": round(recall, 4),
         "errors": errors}, indent=2))  # fmt: skip
    print(f"\nIndicator extractor: {len(sentences)} sentences, precision {precision:.3f}, "
          f"recall {recall:.3f}")  # fmt: skip
    assert precision >= PRECISION_FLOOR and recall >= RECALL_FLOOR, errors


def test_negation_drops_a_match():
    matcher = bootstrap.app().matcher
    assert "going_missing" in matcher.ids("he keeps going missing")
    assert "going_missing" not in matcher.ids("he has never gone missing")


def test_component_adds_entities_from_the_shared_doc():
    extractor = IndicatorExtractor(IndicatorExtractor.get_default_config(), bootstrap.app().matcher)
    text = "Two phones and he keeps going missing; he is in care"
    message = Message.build(text=text)
    message.set(SPACY_DOCS[TEXT], bootstrap.app().nlp(text.lower()))
    extractor.process([message])
    entities = {(e["entity"], e["value"]) for e in message.get(ENTITIES)}
    assert ("indicator", "multiple_phones") in entities
    assert ("indicator", "going_missing") in entities
    assert ("vulnerability", "in_care") in entities
    for entity in message.get(ENTITIES):
        assert text[entity["start"] : entity["end"]].lower() in text.lower()
        assert entity["extractor"] == "IndicatorExtractor"


def extracted(text: str) -> list[tuple[str, int, int]]:
    extractor = IndicatorExtractor(IndicatorExtractor.get_default_config(), bootstrap.app().matcher)
    message = Message.build(text=text)
    message.set(SPACY_DOCS[TEXT], bootstrap.app().nlp(text.lower()))
    extractor.process([message])
    return sorted((e["value"], e["start"], e["end"]) for e in message.get(ENTITIES, []))


def test_a_long_description_is_searched_in_its_first_5000_characters():
    part = "He keeps going missing and has two phones. She is in care. "
    text = part * 150  # 8,850 characters: the first 5,000 are searched, from the same doc
    found = extracted(text)
    assert found and all(end <= 5000 for _, _, end in found)
    assert found == sorted(
        (m.item_id, m.start, m.end) for m in bootstrap.app().matcher.match(text[:5000])
    )


def test_a_flood_of_symbols_is_searched_in_its_first_tokens_only():
    """One token a character: the matcher reads max_tokens of them, not 5,000."""
    doc = bootstrap.app().nlp(("([{" * 3333 + " he keeps going missing").lower())
    part = searched_part(doc, 5000, IndicatorExtractor.get_default_config()["max_tokens"])
    assert len(part) == IndicatorExtractor.get_default_config()["max_tokens"]
    assert part.text == doc.text[: len(part.text)]
    short = bootstrap.app().nlp("he keeps going missing")
    assert searched_part(short, 5000, 1250) is short  # ordinary messages: the doc itself
