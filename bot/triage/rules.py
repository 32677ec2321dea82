"""The check's rules as data (``content/triage/rules.yml``) and how a condition is
evaluated against a practitioner's answers.

A condition is a small tree: ``{yes: question}``, ``{no: question}``,
``{unknown: question}``, ``{has: indicators | vulnerabilities | intelligence |
not_known}``, ``{condition: name}``, ``{all: [...]}``, ``{any: [...]}`` and
``{not: {...}}``. Loading checks every name, so a typo in the rules fails at
start-up, not in front of a practitioner. Every rule, reason, step and "to find
out" line carries the guidance's words it stands on (``evidence``); whether those
words are really in the guidance is checked by :mod:`bot.knowledge.evidence`.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.content_file import ContentError, check_fields, load_yaml
from bot.triage.model import OUTCOMES, QUESTIONS, Answer

HAS_TARGETS = ("indicators", "vulnerabilities", "intelligence", "not_known")
RULE_FIELDS = ("id", "when", "steps", "outcome", "flag", "evidence", "reading", "reasons")
REASON_FIELDS = ("when", "text", "evidence", "reading")
STEP_FIELDS = ("action", "contact", "section", "evidence")
FIND_OUT_FIELDS = ("text", "evidence")
NOT_KNOWN = "not_known"  # the find_out entry for indicators and factors not known


class RulesError(ContentError):
    """The rules file is malformed."""


@dataclass(frozen=True)
class StepTemplate:
    action: str
    contact: str
    sections: tuple[str, ...]
    evidence: tuple[str, ...]


@dataclass(frozen=True)
class Reason:
    """One of the cases a rule applies in, said in its step as ``{reasons}``."""

    when: Mapping[str, Any]
    text: str
    evidence: tuple[str, ...]
    reading: str = ""


@dataclass(frozen=True)
class Rule:
    id: str
    when: Mapping[str, Any]
    steps: tuple[StepTemplate, ...]
    evidence: tuple[str, ...]
    outcome: str | None = None
    flag: str | None = None
    reading: str = ""
    reasons: tuple[Reason, ...] = ()


@dataclass(frozen=True)
class FindOut:
    text: str
    evidence: tuple[str, ...]


@dataclass(frozen=True)
class Facts:
    """What a condition can look at."""

    answers: Mapping[str, Answer]
    indicators: frozenset[str]  # seen
    vulnerabilities: frozenset[str]  # seen, from the guidance's list
    not_known: frozenset[str]
    intelligence: bool

    def has(self, target: str) -> bool:
        if target == "intelligence":
            return self.intelligence
        return bool(getattr(self, target))


@dataclass(frozen=True)
class RuleSet:
    outcome_titles: Mapping[str, str]
    conditions: Mapping[str, Mapping[str, Any]]
    rules: tuple[Rule, ...]
    find_out: Mapping[str, FindOut]

    def holds(self, condition: Mapping[str, Any], facts: Facts) -> bool:
        ((key, value),) = condition.items()
        if key in ("yes", "no", "unknown"):
            return facts.answers.get(value, Answer.UNKNOWN) is Answer(key)
        if key == "has":
            return facts.has(value)
        if key == "condition":
            return self.holds(self.conditions[value], facts)
        if key == "all":
            return all(self.holds(c, facts) for c in value)
        if key == "any":
            return any(self.holds(c, facts) for c in value)
        if key == "not":
            return not self.holds(value, facts)
        raise RulesError(f"Unknown condition {key!r}.")  # load_rules prevents this


def _normalise(condition: Any) -> Any:
    """YAML 1.1 reads the keys `yes` and `no` as booleans: turn them back into words."""
    if isinstance(condition, Mapping):
        return {
            ({True: "yes", False: "no"}.get(k, k) if isinstance(k, bool) else k): _normalise(v)
            for k, v in condition.items()
        }
    if isinstance(condition, list):
        return [_normalise(item) for item in condition]
    return condition


def _check_condition(condition: Any, named: Mapping[str, Any], where: str) -> None:
    if not isinstance(condition, Mapping) or len(condition) != 1:
        raise RulesError(f"{where}: a condition is a mapping with one key, got {condition!r}.")
    ((key, value),) = condition.items()
    if key in ("yes", "no", "unknown"):
        if value not in QUESTIONS:
            raise RulesError(f"{where}: {value!r} is not a question ({', '.join(QUESTIONS)}).")
    elif key == "has":
        if value not in HAS_TARGETS:
            raise RulesError(f"{where}: `has` takes one of {', '.join(HAS_TARGETS)}.")
    elif key == "condition":
        if value not in named:
            raise RulesError(f"{where}: no condition named {value!r} under `conditions:`.")
    elif key in ("all", "any"):
        if not isinstance(value, list) or not value:
            raise RulesError(f"{where}: `{key}` takes a non-empty list.")
        for item in value:
            _check_condition(item, named, where)
    elif key == "not":
        _check_condition(value, named, where)
    else:
        raise RulesError(f"{where}: unknown condition {key!r}.")


def _evidence(entry: Mapping[str, Any], where: str) -> tuple[str, ...]:
    quotes = entry.get("evidence")
    if not isinstance(quotes, list) or not quotes or not all(isinstance(q, str) for q in quotes):
        raise RulesError(
            f"{where}: needs `evidence:`, a list of the guidance's own words it stands on."
        )
    return tuple(" ".join(q.split()) for q in quotes)


def _text(value: Any) -> str:
    return " ".join(str(value).split())


def _step(
    raw: Any, where: str, contact_ids: Collection[str], section_ids: Collection[str]
) -> StepTemplate:
    step = check_fields(raw, f"{where}, a step", STEP_FIELDS, STEP_FIELDS)
    if step["contact"] not in contact_ids:
        raise RulesError(f"{where}: contact {step['contact']!r} is not in locality.yml.")
    sections = step["section"] if isinstance(step["section"], list) else [step["section"]]
    unknown = [s for s in sections if s not in section_ids]
    if unknown:
        raise RulesError(f"{where}: section(s) {unknown} are not section ids.")
    return StepTemplate(
        _text(step["action"]),
        str(step["contact"]),
        tuple(map(str, sections)),
        _evidence(step, where),
    )


def _rule(
    entry: Any,
    named: Mapping[str, Any],
    path: Path,
    contact_ids: Collection[str],
    section_ids: Collection[str],
) -> Rule:
    where = f"{path.name}, rule {entry.get('id', '?') if isinstance(entry, Mapping) else '?'!r}"
    check_fields(entry, where, RULE_FIELDS, ("id", "when", "steps"))
    when = _normalise(entry["when"])
    _check_condition(when, named, where)
    if entry.get("outcome") is not None and entry["outcome"] not in OUTCOMES:
        raise RulesError(f"{where}: unknown outcome {entry['outcome']!r}.")
    reasons = []
    for raw in entry.get("reasons") or []:
        reason = check_fields(raw, f"{where}, a reason", REASON_FIELDS, ("when", "text"))
        reason_when = _normalise(reason["when"])
        _check_condition(reason_when, named, where)
        reasons.append(
            Reason(
                reason_when,
                _text(reason["text"]),
                _evidence(reason, f"{where}, a reason"),
                _text(reason.get("reading") or ""),
            )
        )
    steps = tuple(_step(s, where, contact_ids, section_ids) for s in entry["steps"])
    if any("{reasons}" in s.action for s in steps) != bool(reasons):
        raise RulesError(f"{where}: a rule with `reasons:` says them in a step as {{reasons}}.")
    return Rule(
        id=str(entry["id"]),
        when=when,
        steps=steps,
        evidence=_evidence(entry, where),
        outcome=entry.get("outcome"),
        flag=entry.get("flag"),
        reading=_text(entry.get("reading") or ""),
        reasons=tuple(reasons),
    )


def load_rules(path: Path, contact_ids: Collection[str], section_ids: Collection[str]) -> RuleSet:
    raw = check_fields(
        load_yaml(path) or {},
        path.name,
        ("outcomes", "conditions", "decision_rules", "find_out"),
        ("outcomes", "decision_rules", "find_out"),
    )
    outcomes = raw["outcomes"]
    if list(outcomes) != list(OUTCOMES):
        raise RulesError(
            f"{outcomes.where()}: `outcomes:` must list {', '.join(OUTCOMES)} in that order."
        )
    titles = {
        name: str(check_fields(o, f"Outcome {name!r}", ("title",), ("title",))["title"])
        for name, o in outcomes.items()
    }
    named = _normalise(raw.get("conditions") or {})
    for name, condition in named.items():
        _check_condition(condition, named, f"{path.name}, condition {name!r}")
    rules = tuple(
        _rule(entry, named, path, contact_ids, section_ids) for entry in raw["decision_rules"]
    )
    ids = [rule.id for rule in rules]
    if len(set(ids)) != len(ids):
        raise RulesError(f"{path.name}: rule ids must be unique.")
    find_out = {}
    for key, value in raw["find_out"].items():
        entry = check_fields(value, f"find_out {key!r}", FIND_OUT_FIELDS, FIND_OUT_FIELDS)
        find_out[str(key)] = FindOut(_text(entry["text"]), _evidence(entry, f"find_out {key!r}"))
    expected = {*QUESTIONS, NOT_KNOWN}
    if set(find_out) != expected:
        raise RulesError(
            f"{path.name}: `find_out:` must have one entry for each of "
            f"{', '.join(sorted(expected))}."
        )
    return RuleSet(titles, named, rules, find_out)
