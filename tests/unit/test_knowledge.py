"""The guidance knowledge: every heading present, every answer sourced and faithful."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from bot import bootstrap
from bot.knowledge.loader import KnowledgeError, load_knowledge
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
    return bootstrap.app().knowledge


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


@pytest.mark.parametrize("topic_id", sorted(bootstrap.app().knowledge.topics))
def test_every_answer_ends_with_a_valid_source_line(knowledge, topic_id):
    answer = knowledge.answer(topic_id)
    match = SOURCE_LINE.search(answer.text)
    assert match, answer.text
    headings = match.group("headings").split("; ")
    assert all(h in HEADINGS for h in headings), headings
    assert answer.body and "Source:" not in answer.body


def test_answers_invent_no_contact(knowledge):
    guidance = bootstrap.app().settings.guidance_text_file  # the project's own copy
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


# ---- faithful answers: each finding of the content review has a test here ----

GAP_WORDS = re.compile(
    r"\bdoes not (say|describe|give|set out|define|mention|cover|explain|name|summarise|"
    r"spell out|list|state)\b",
    re.IGNORECASE,
)


def _words(text: str) -> str:
    """Lower-case words only, so punctuation and line breaks do not matter."""
    return " ".join(re.findall(r"[a-z0-9]+", text.lower().replace("’", "'").replace("'", "")))


def test_the_indicators_answer_lists_every_indicator_the_guidance_gives(knowledge):
    answer = _words(knowledge.answer("indicators_list").body)
    indicators = [
        item
        for item in bootstrap.app().catalogue.items.values()
        if item.kind == "indicator" and item.section == "indicators"
    ]
    assert len(indicators) >= 30
    left_out = [
        item.label
        for item in indicators
        if not any(_words(words) in answer for words in (item.label, *item.evidence))
    ]
    assert not left_out, f"The indicators answer leaves out: {left_out}"


def test_the_trap_house_answers_agree_with_the_check(knowledge):
    """The check reads the trap-house case as the third where Child Protection
    Procedures "should always be followed"; the answers say the same, in the
    guidance's words."""
    rule = next(rule for rule in bootstrap.app().rules.rules if rule.id == "child_protection")
    (reason,) = [r for r in rule.reasons if r.when == {"yes": "home_taken_over"}]
    assert reason.reading, "the check records its reading of the trap-house case"
    for topic_id in ("when_child_protection", "trap_house"):
        topic = knowledge.topics[topic_id]
        assert set(reason.evidence) <= set(topic.evidence), topic_id
        assert "Child Protection Procedures should always be followed where:" in topic.evidence
        body = topic.answer.lower()
        assert "trap house" in body and "should always be followed" in body, topic_id
        assert "not make clear" not in body and "unclear" not in body, topic_id


def test_no_text_says_child_protection_procedures_must_be_followed(knowledge):
    """The guidance says the procedures "should always" be followed, never "must".

    Other sentences near them do say "must" (the referral, reporting to the
    Integrated Front Door), so only a "must" within the sentence that names the
    procedures is refused.
    """

    def sentences_naming_the_procedures(text):
        for sentence in re.split(r"(?<=[.;:])\s+|\n", text):
            if "child protection" in sentence.lower():
                yield sentence

    texts = [(t.id, x) for t in knowledge.topics.values() for x in (t.question, t.answer)]
    texts += [(s.id, x) for s in knowledge.sections.values() for x in (s.summary, *s.key_facts)]
    for owner, text in texts:
        assert "must always" not in text.lower(), owner
        for sentence in sentences_naming_the_procedures(text):
            assert not re.search(r"\bmust\b", sentence, re.IGNORECASE), (owner, sentence)


def test_no_answer_makes_the_practitioner_the_first_responder(knowledge):
    """The guidance never says who the first responder is: an answer that uses the
    term says so and where to check, and none puts the practitioner in the role."""
    role = re.compile(
        r"\b(you are|you're|you as|as (the )?first responder|your role as)\b[^.]*first responder"
        r"|first responder[^.]*\b(that is you|which is you|you are)\b",
        re.IGNORECASE,
    )
    for topic in knowledge.topics.values():
        text = f"{topic.question}\n{topic.answer}"
        assert not role.search(text), topic.id
        if "first responder" in text.lower():
            assert "does not say who" in topic.answer, topic.id
            assert "safeguarding lead" in topic.answer, topic.id
    first_responder = knowledge.topics["first_responder"]
    assert first_responder.silent
    assert (
        "It is also the responsibility of professionals working with Young People they believe "
        "to be potential victims of Modern Day Slavery to complete an NRM."
    ) in first_responder.evidence


YES_OR_NO = re.compile(
    r"^\W*(yes|no|not|nope|yeah|yep|possibly|maybe|perhaps|probably|often|usually|sometimes|"
    r"correct|right|true|false|never|always|it can be|it depends)\b",
    re.IGNORECASE,
)


@pytest.mark.parametrize("topic_id", sorted(bootstrap.app().knowledge.topics))
def test_no_answer_opens_with_yes_or_no(knowledge, topic_id):
    """A bare yes or no contradicts a question asked the other way round ("not really
    a victim, is that right?"): an answer opens with what the guidance says."""
    answer = knowledge.topics[topic_id].answer
    assert not YES_OR_NO.match(answer), answer.splitlines()[0]


def test_where_an_answer_says_the_guidance_is_silent_it_says_who_to_ask(knowledge):
    front_door = knowledge.locality["front_door_name"]
    for topic in knowledge.topics.values():
        if GAP_WORDS.search(topic.answer) or topic.silent:
            assert "safeguarding lead" in topic.answer or front_door in topic.answer, topic.id


SILENT_SUBJECTS = {
    "first_responder": "first responder",
    "nrm_consent": "consent",
    "return_interviews": "return interview",
    "information_sharing": "information",
    "escalation": "disagree",
}


@pytest.mark.parametrize("topic_id", sorted(SILENT_SUBJECTS))
def test_where_the_guidance_is_silent_the_answer_says_so(knowledge, topic_id):
    topic = knowledge.topics[topic_id]
    assert topic.silent and topic.evidence
    assert SILENT_SUBJECTS[topic_id] in f"{topic.question} {topic.answer}".lower()
    assert GAP_WORDS.search(topic.answer), topic.answer
    assert "safeguarding lead" in topic.answer or "Integrated Front Door" in topic.answer
