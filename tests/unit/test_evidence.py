"""Faithful means traceable: every answer, rule, step, checklist item and contact
route carries the guidance's own words it stands on, and every one of those
quotations is really in the guidance (whitespace aside); an answer's or a step's
quotations come from the sections its source line names."""

from __future__ import annotations

import pytest

from bot import bootstrap
from bot.knowledge.guidance_text import missing_quotes

KNOWLEDGE = bootstrap.app().knowledge
GUIDANCE = KNOWLEDGE.guidance
RULES = bootstrap.app().rules


def test_the_guidance_text_is_the_projects_own_copy(project_root):
    path = bootstrap.app().settings.guidance_text_file
    assert path.is_relative_to(project_root), path
    assert GUIDANCE is not None and "Integrated Front Door" in GUIDANCE.text


@pytest.mark.parametrize("topic_id", sorted(KNOWLEDGE.topics))
def test_every_answer_quotes_its_own_sections(topic_id):
    topic = KNOWLEDGE.topics[topic_id]
    assert topic.evidence, f"Topic {topic_id!r} has no `evidence:` from the guidance."
    assert not missing_quotes(GUIDANCE, topic.evidence, topic.section_ids), (
        f"Topic {topic_id!r}: not in its sections {topic.section_ids}"
    )


@pytest.mark.parametrize("rule", RULES.rules, ids=lambda rule: rule.id)
def test_every_rule_reason_and_step_quotes_the_guidance(rule):
    assert not missing_quotes(GUIDANCE, rule.evidence), rule.id
    for reason in rule.reasons:
        assert not missing_quotes(GUIDANCE, reason.evidence), (rule.id, reason.text)
    for step in rule.steps:
        assert not missing_quotes(GUIDANCE, step.evidence, step.sections), (rule.id, step.action)


def test_every_find_out_line_quotes_the_guidance():
    for key, entry in RULES.find_out.items():
        assert not missing_quotes(GUIDANCE, entry.evidence), key


def test_every_checklist_item_and_question_quotes_the_guidance():
    catalogue, plan = bootstrap.app().catalogue, bootstrap.app().plan
    for item in catalogue.items.values():
        assert item.evidence, item.id
        assert not missing_quotes(GUIDANCE, item.evidence), item.id
    for question in plan.questions.values():
        assert not missing_quotes(GUIDANCE, question.evidence), question.id


def test_every_contact_route_but_the_safeguarding_lead_quotes_the_guidance():
    for key, contact in bootstrap.app().contacts.items():
        if key == "safeguarding_lead":  # where the guidance is silent, the assistant points here
            assert not contact.evidence
            continue
        assert contact.evidence, key
        assert not missing_quotes(GUIDANCE, contact.evidence), key


def test_a_quotation_not_in_the_guidance_is_caught():
    assert missing_quotes(GUIDANCE, ["Children can always consent from the age of 16."])
    # in the guidance, but not in the section named
    quote = "In the first instance the point of contact for all modern slavery crimes"
    assert not missing_quotes(GUIDANCE, [quote], ["report"])
    assert missing_quotes(GUIDANCE, [quote], ["indicators"])
