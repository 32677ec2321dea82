"""The guidance knowledge: every heading present, every answer sourced and faithful."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from bot.knowledge.loader import KnowledgeError, get_knowledge, load_knowledge
from bot.locality import LocalityError

# The headings the source line may name, spelled as the issue requires.
HEADINGS = [
    "Purpose",
    "Definition",
    "Key principles",
    "Factors and involved considerations",
    "CCE and the Law",
    "Organised Crime Groups and Gangs",
    "Who is vulnerable to child criminal exploitation?",
    "Methods of exploiting children and young people",
    "Risks",
    "Indicators",
    "Modern Day Slavery and Trafficking in Procedure and National Referral Mechanism",
    "Types of Human Trafficking",
    "Report crimes of modern slavery",
    "Stage one - Reasonable Grounds / Stage two - Conclusive decision",
    "Stage three – Negative decision",
    "What to do if you are concerned a child is at risk of Criminal Exploitation",
    "Further Information and Required Documents",
]
SOURCE_LINE = re.compile(r"\nSource: NEL CCE guidance – (?P<headings>[^\n]+)$")


@pytest.fixture(scope="module")
def knowledge():
    return get_knowledge()


def test_every_heading_is_present_in_order(knowledge):
    assert [s.heading for s in knowledge.sections.values()] == HEADINGS


def test_every_section_has_summary_facts_and_text(knowledge):
    for section in knowledge.sections.values():
        assert len(section.summary.split()) >= 15, section.id
        assert section.key_facts, section.id
        assert section.text, section.id


def test_at_least_sixty_topics_and_every_section_answered(knowledge):
    assert len(knowledge.topics) >= 60
    cited = {s for topic in knowledge.topics.values() for s in topic.section_ids}
    assert cited == set(knowledge.sections)


@pytest.mark.parametrize("topic_id", sorted(get_knowledge().topics))
def test_every_answer_ends_with_a_valid_source_line(knowledge, topic_id):
    answer = knowledge.answer(topic_id)
    match = SOURCE_LINE.search(answer.text)
    assert match, answer.text
    headings = match.group("headings").split("; ")
    assert all(h in HEADINGS for h in headings), headings
    assert answer.body and "Source:" not in answer.body


def test_answers_invent_no_contact(knowledge):
    from bot.config import get_settings

    guidance = get_settings().guidance_text_file  # the project's own copy
    emails_in_guidance = set(re.findall(r"[\w.]+@[\w.]+\w", guidance.read_text(encoding="utf-8")))
    for topic in knowledge.topics.values():
        text = topic.answer
        assert "{" not in text and "}" not in text, topic.id
        assert "not at risk" not in text.lower(), topic.id
        assert set(re.findall(r"[\w.]+@[\w.]+\w", text)) <= emails_in_guidance, topic.id
        assert not re.search(r"https?://|www\.", text), topic.id
        # No phone numbers: the only number to call that the guidance gives is 999.
        assert not re.search(r"\d[\d ]{5,}\d", text), topic.id


def test_front_door_email_comes_from_the_locality(knowledge):
    answer = knowledge.answer("front_door_contact").text
    assert "NELCChildrensFrontDoor@nelincs.gov.uk" in answer


def test_exact_thresholds_are_quoted(knowledge):
    assert "I believe but cannot prove" in knowledge.answer("reasonable_grounds").body
    assert "more likely than not" in knowledge.answer("conclusive_decision").body
    assert "45" in knowledge.answer("reflection_period").body


def test_topic_for_intent(knowledge):
    assert knowledge.topic_for_intent("ask_cuckooing").id == "cuckooing"
    assert knowledge.topic_for_intent("greet") is None
    assert knowledge.topic_for_intent("ask_no_such_topic") is None
    assert knowledge.topic_for_intent(None) is None


def _copy(tmp_path: Path, project_root: Path) -> tuple[Path, Path]:
    guidance = tmp_path / "guidance"
    guidance.mkdir()
    for name in ("sections.yml", "topics.yml", "nel-cce-guidance.txt"):
        (guidance / name).write_text((project_root / "content/guidance" / name).read_text())
    locality = tmp_path / "locality.yml"
    locality.write_text((project_root / "content/locality.yml").read_text())
    return guidance, locality


def test_unknown_section_is_reported_clearly(tmp_path, project_root):
    guidance, locality = _copy(tmp_path, project_root)
    data = yaml.safe_load((guidance / "topics.yml").read_text())
    data["topics"][0]["sections"] = ["no_such_section"]
    (guidance / "topics.yml").write_text(yaml.safe_dump(data))
    with pytest.raises(KnowledgeError, match="no_such_section"):
        load_knowledge(guidance, locality)


def test_unknown_placeholder_is_reported_clearly(tmp_path, project_root):
    guidance, locality = _copy(tmp_path, project_root)
    data = yaml.safe_load((guidance / "topics.yml").read_text())
    data["topics"][0]["answer"] = "Call {helpline_number}."
    (guidance / "topics.yml").write_text(yaml.safe_dump(data))
    with pytest.raises(LocalityError, match="helpline_number"):
        load_knowledge(guidance, locality)


def test_another_area_changes_only_the_locality_file(tmp_path, project_root):
    guidance, locality = _copy(tmp_path, project_root)
    text = locality.read_text().replace(
        "NELCChildrensFrontDoor@nelincs.gov.uk", "frontdoor@example.org"
    )
    locality.write_text(text)
    answer = load_knowledge(guidance, locality).answer("front_door_contact").text
    assert "frontdoor@example.org" in answer
    assert "nelincs" not in answer
