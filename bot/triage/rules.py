"""The check's rules as data (``content/triage/rules.yml``) and how a condition is
evaluated against a practitioner's answers.

A condition is a small tree: ``{yes: question}``, ``{no: question}``,
``{unknown: question}``, ``{not_no: question}``, ``{has: indicators |
vulnerabilities | intelligence}``, ``{condition: name}``, ``{all: [...]}``,
``{any: [...]}`` and ``{not: {...}}``. Loading checks every name, so a typo in
the rules fails at start-up, not in front of a practitioner.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.content_file import ContentError, check_fields, load_yaml
from bot.triage.model import OUTCOMES, QUESTIONS, Answer

HAS_TARGETS = ("indicators", "vulnerabilities", "intelligence")


RULE_FIELDS = ("id", "when", "steps", "outcome", "flag")
STEP_FIELDS = ("action", "contact", "section")


class RulesError(ContentError):
    """The rules file is malformed."""


@dataclass(frozen=True)
class StepTemplate:
    action: str
    contact: str
    section: str


@dataclass(frozen=True)
class Rule:
    id: str
    when: Mapping[str, Any]
    steps: tuple[StepTemplate, ...]
    outcome: str | None = None
    flag: str | None = None


@dataclass(frozen=True)
class Facts:
    """What a condition can look at."""

    answers: Mapping[str, Answer]
    indicators: frozenset[str]
    vulnerabilities: frozenset[str]
    intelligence: bool

    def has(self, target: str) -> bool:
        if target == "intelligence":
            return self.intelligence
        return bool(self.indicators if target == "indicators" else self.vulnerabilities)


@dataclass(frozen=True)
class RuleSet:
    outcome_titles: Mapping[str, str]
    conditions: Mapping[str, Mapping[str, Any]]
    rules: tuple[Rule, ...]
    find_out: Mapping[str, str]

    def holds(self, condition: Mapping[str, Any], facts: Facts) -> bool:
        ((key, value),) = condition.items()
        if key in ("yes", "no", "unknown"):
            return facts.answers.get(value, Answer.UNKNOWN) is Answer(key)
        if key == "not_no":
            return facts.answers.get(value, Answer.UNKNOWN) is not Answer.NO
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
    if key in ("yes", "no", "unknown", "not_no"):
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


def load_rules(
    path: Path, contact_ids: set[str] | frozenset[str], section_ids: set[str] | frozenset[str]
) -> RuleSet:
    raw = check_fields(
        load_yaml(path) or {}, path.name, ("outcomes", "conditions", "decision_rules", "find_out")
    )
    outcomes = raw.get("outcomes") or {}
    if list(outcomes) != list(OUTCOMES) or not all(
        isinstance(o, Mapping) and o.get("title") for o in outcomes.values()
    ):
        raise RulesError(
            f"{path.name}: `outcomes:` must list {', '.join(OUTCOMES)} in that order, "
            "each with a title."
        )
    titles = {name: str(outcome["title"]) for name, outcome in outcomes.items()}
    named = _normalise(raw.get("conditions") or {})
    for name, condition in named.items():
        _check_condition(condition, named, f"{path.name}, condition {name!r}")
    rules = []
    for entry in raw.get("decision_rules") or []:
        where = f"{path.name}, rule {entry.get('id', '?')!r}"
        check_fields(entry, where, RULE_FIELDS, ("id", "when", "steps"))
        entry["when"] = _normalise(entry.get("when"))
        _check_condition(entry["when"], named, where)
        if entry.get("outcome") is not None and entry["outcome"] not in OUTCOMES:
            raise RulesError(f"{where}: unknown outcome {entry['outcome']!r}.")
        steps = []
        for step in entry.get("steps") or []:
            check_fields(step, f"{where}, a step", STEP_FIELDS, STEP_FIELDS)
            if step.get("contact") not in contact_ids:
                raise RulesError(
                    f"{where}: contact {step.get('contact')!r} is not in locality.yml."
                )
            if step.get("section") not in section_ids:
                raise RulesError(f"{where}: section {step.get('section')!r} is not a section id.")
            steps.append(
                StepTemplate(str(step["action"]).strip(), step["contact"], step["section"])
            )
        if not steps:
            raise RulesError(f"{where}: a rule needs at least one step.")
        rules.append(
            Rule(
                str(entry["id"]),
                entry["when"],
                tuple(steps),
                entry.get("outcome"),
                entry.get("flag"),
            )
        )
    find_out = {str(k): str(v).strip() for k, v in (raw.get("find_out") or {}).items()}
    unknown = set(find_out) - set(QUESTIONS)
    if unknown or set(QUESTIONS) - set(find_out):
        raise RulesError(f"{path.name}: `find_out:` must have one entry per question.")
    return RuleSet(titles, named, tuple(rules), find_out)
