"""The decision engine: from a practitioner's answers to the outcome and steps.

:func:`assess` is a pure function of its inputs: the answers and the rule data.
It returns the most urgent outcome that applies, the steps of every rule that
applies (most urgent first, each with its contact route and guidance source),
whether an NRM referral is called for, and, for each ``unknown`` answer that
could change any of that, what to find out and from whom. ``unknown`` never
counts as ``no``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from bot.locality import fill
from bot.triage.catalogue import Catalogue
from bot.triage.model import OUTCOMES, QUESTIONS, Answer, Assessment, CheckInput, Step
from bot.triage.rules import Facts, Rule, RuleSet
from bot.triage.summary import render_summary


class AssessmentError(ValueError):
    """The rules gave no outcome for an input: a fault in the rule data."""


@dataclass(frozen=True)
class Triage:
    """Everything the engine needs besides the answers, loaded once (see
    :func:`bot.triage.service.get_triage`)."""

    rules: RuleSet
    catalogue: Catalogue
    contacts: Mapping[str, Mapping[str, str]]
    locality: Mapping[str, str]
    source_line: Callable[[Sequence[str]], str]
    question_labels: Mapping[str, str]
    # Finds catalogue ids in free text (the spaCy extractor); optional.
    extract: Callable[[str], Iterable[str]] | None = None


def _facts(check: CheckInput, triage: Triage) -> Facts:
    catalogue = triage.catalogue
    return Facts(
        answers=check.answers,
        indicators=check.indicators,
        vulnerabilities=check.vulnerabilities,
        intelligence=any(
            catalogue[i].intelligence for i in check.indicators | check.vulnerabilities
        ),
    )


def _decide(facts: Facts, rules: RuleSet) -> tuple[str, bool, list[Rule]]:
    applied = [rule for rule in rules.rules if rules.holds(rule.when, facts)]
    outcomes = [rule.outcome for rule in applied if rule.outcome]
    if not outcomes:
        raise AssessmentError(f"No rule gave an outcome for {facts}; fix content/triage/rules.yml.")
    outcome = min(outcomes, key=OUTCOMES.index)
    nrm = any(rule.flag == "nrm_referral" for rule in applied)
    return outcome, nrm, applied


def with_description(check: CheckInput, triage: Triage) -> CheckInput:
    """Adds the catalogue items found in the description to the check's lists."""
    if not check.description or triage.extract is None:
        return check
    found = set(triage.extract(check.description))
    indicators = {i for i in found if not triage.catalogue[i].is_vulnerability}
    return replace(
        check,
        indicators=check.indicators | indicators,
        vulnerabilities=check.vulnerabilities | (found - indicators),
    )


def assess(check: CheckInput, triage: Triage) -> Assessment:
    """The outcome, steps and summary for one set of answers."""
    check = with_description(check, triage)
    for item_id in check.indicators | check.vulnerabilities:
        triage.catalogue[item_id]  # raises a clear error for an unknown id
    facts = _facts(check, triage)
    outcome, nrm, applied = _decide(facts, triage.rules)

    steps: list[Step] = []
    seen: set[tuple[str, str]] = set()
    for rule in applied:  # the rules file lists rules most urgent first
        for template in rule.steps:
            # One step per contact and source: the first (most urgent) wording wins.
            if (template.contact, template.section) in seen:
                continue
            seen.add((template.contact, template.section))
            action = fill(template.action, triage.locality, where=f"Rule {rule.id}")
            contact = triage.contacts[template.contact]
            steps.append(
                Step(
                    rule=rule.id,
                    action=" ".join(action.split()),
                    contact=contact["name"],
                    how=contact["how"],
                    source=triage.source_line([template.section]),
                )
            )

    to_find_out = []
    for question in QUESTIONS:
        if check.answer(question) is not Answer.UNKNOWN:
            continue
        for known in (Answer.YES, Answer.NO):
            answers = {**check.answers, question: known}
            changed = _decide(replace(facts, answers=answers), triage.rules)[:2]
            if changed != (outcome, nrm):
                text = fill(triage.rules.find_out[question], triage.locality, where=question)
                to_find_out.append(" ".join(text.split()))
                break

    assessment = Assessment(
        outcome=outcome,
        nrm_referral=nrm,
        steps=tuple(steps),
        indicators=tuple(sorted(check.indicators)),
        vulnerabilities=tuple(sorted(check.vulnerabilities)),
        to_find_out=tuple(to_find_out),
        rules_applied=tuple(rule.id for rule in applied),
        answers={q: check.answer(q).value for q in QUESTIONS},
    )
    title = fill(triage.rules.outcome_titles[outcome], triage.locality, where=outcome)
    return replace(assessment, title=title, summary=render_summary(assessment, title, triage))
