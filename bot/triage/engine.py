"""The decision engine: from a practitioner's answers to the outcome and steps.

:func:`assess` is a pure function of its inputs: the answers and the rule data.
It returns the most urgent outcome that applies, the steps of every rule that
applies (most urgent first, each with its contact route, guidance source and
the guidance's words it stands on), whether an NRM is called for, and what to
find out: each "not known" answer that could change any of that, and every
indicator or vulnerability factor that was not known. "Not known" never counts
as "no", and an item the check shows that was not answered counts as not known.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from bot.locality import Contact, fill
from bot.triage.catalogue import Catalogue
from bot.triage.model import (
    OUTCOMES,
    QUESTIONS,
    Answer,
    Assessment,
    CheckInput,
    Stamp,
    Step,
)
from bot.triage.plan import CheckPlan
from bot.triage.rules import NOT_KNOWN, Facts, Rule, RuleSet
from bot.triage.summary import render_summary


class AssessmentError(ValueError):
    """The rules gave no outcome for an input: a fault in the rule data."""


@dataclass(frozen=True)
class Triage:
    """Everything the engine needs besides the answers, loaded once."""

    rules: RuleSet
    catalogue: Catalogue
    plan: CheckPlan
    contacts: Mapping[str, Contact]
    locality: Mapping[str, str]
    source_line: Callable[[Sequence[str]], str]
    edition: str = ""  # which guidance text the check stands on (the summary says)
    # Finds catalogue ids in free text (the spaCy extractor); optional.
    extract: Callable[[str], Iterable[str]] | None = None


def _facts(check: CheckInput, triage: Triage) -> Facts:
    plan, catalogue = triage.plan, triage.catalogue
    seen = check.seen
    # The screens of indicators come after danger and age: an emergency, or
    # someone aged 18 or over, never sees them, and nothing there is "not known".
    screens_shown = check.answer("immediate_danger") is not Answer.YES and (
        check.answer("age_under_18") is not Answer.NO
    )
    unanswered = (i for i in plan.catalogue_items if check.item(i) is Answer.UNKNOWN)
    return Facts(
        answers=check.answers,
        indicators=frozenset(i for i in seen if i not in plan.vulnerability_items),
        vulnerabilities=frozenset(seen & plan.vulnerability_items),
        not_known=frozenset(unanswered if screens_shown else ()),
        intelligence=any(catalogue[i].intelligence for i in seen),
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
    """Counts the items the check shows that were found in the description as
    seen, unless answered otherwise (``python -m bot assess``; the check itself
    has the practitioner confirm them instead)."""
    if not check.description or triage.extract is None:
        return check
    shown = set(triage.plan.catalogue_items)
    found = {i for i in triage.extract(check.description) if i in shown and i not in check.items}
    return replace(check, items={**check.items, **dict.fromkeys(found, Answer.YES)})


def _validate(check: CheckInput, triage: Triage) -> None:
    shown = set(triage.plan.catalogue_items)
    for item_id in check.items:
        triage.catalogue[item_id]  # raises a clear error for an unknown id
        if item_id not in shown:
            raise ValueError(
                f"{item_id!r} is not one of the indicators or vulnerability factors the "
                "check asks about (content/triage/check.yml)."
            )


def _steps(applied: list[Rule], facts: Facts, triage: Triage) -> tuple[Step, ...]:
    labels = "; ".join(triage.catalogue.labels(sorted(facts.vulnerabilities))).lower()
    steps: list[Step] = []
    contacts_given: set[str] = set()
    for rule in applied:  # the rules file lists rules most urgent first
        reasons = "; and where ".join(
            fill(r.text, {**triage.locality, "vulnerabilities": labels}, where=f"Rule {rule.id}")
            for r in rule.reasons
            if triage.rules.holds(r.when, facts)
        )
        for template in rule.steps:
            if template.contact in contacts_given:  # the most urgent wording wins
                continue
            contacts_given.add(template.contact)
            values = {**triage.locality, "reasons": reasons}
            contact = triage.contacts[template.contact]
            steps.append(
                Step(
                    rule=rule.id,
                    action=fill(template.action, values, where=f"Rule {rule.id}"),
                    contact=contact.name,
                    how=contact.how,
                    source=triage.source_line(template.sections),
                    evidence=template.evidence,
                )
            )
    return tuple(steps)


def _to_find_out(
    check: CheckInput, facts: Facts, decided: tuple[str, bool, list[Rule]], triage: Triage
) -> tuple[str, ...]:
    """Each "not known" answer whose answer could change the outcome or the NRM
    flag, and the indicators and factors not known (for the outcomes reached
    after every screen: an emergency or an adult's check never showed them)."""
    found: list[str] = []
    for question in QUESTIONS:
        if check.answer(question) is not Answer.UNKNOWN:
            continue
        for known in (Answer.YES, Answer.NO):
            answers = {**check.answers, question: known}
            if _decide(replace(facts, answers=answers), triage.rules)[:2] != decided[:2]:
                found.append(fill(triage.rules.find_out[question].text, triage.locality))
                break
    if facts.not_known:
        in_order = [i for i in triage.plan.catalogue_items if i in facts.not_known]
        items = "; ".join(triage.catalogue.labels(in_order))
        values = {**triage.locality, "items": items}
        found.append(fill(triage.rules.find_out[NOT_KNOWN].text, values, where="find_out"))
    return tuple(found)


def assess(check: CheckInput, triage: Triage, stamp: Stamp | None = None) -> Assessment:
    """The outcome, steps and summary for one set of answers. ``stamp`` (time,
    reference code, guidance edition) goes into the summary when given."""
    check = with_description(check, triage)
    _validate(check, triage)
    facts = _facts(check, triage)
    decided = _decide(facts, triage.rules)
    outcome, nrm, applied = decided
    shown = triage.plan.catalogue_items
    assessment = Assessment(
        outcome=outcome,
        nrm_referral=nrm,
        steps=_steps(applied, facts, triage),
        indicators=tuple(i for i in shown if i in facts.indicators),
        vulnerabilities=tuple(i for i in shown if i in facts.vulnerabilities),
        not_known=tuple(i for i in shown if i in facts.not_known),
        to_find_out=_to_find_out(check, facts, decided, triage),
        rules_applied=tuple(rule.id for rule in applied),
        answers={q: check.answer(q).value for q in QUESTIONS},
        reference=stamp.reference if stamp else "",
    )
    title = fill(triage.rules.outcome_titles[outcome], triage.locality, where=outcome)
    summary = render_summary(assessment, title, triage, stamp)
    return replace(assessment, title=title, summary=summary)
