"""Inputs and outputs of the decision engine, as plain data."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from enum import Enum
from typing import Any

# The yes/no/not-sure questions of the check, in the order the check asks them.
QUESTIONS = (
    "immediate_danger",
    "age_under_18",
    "significant_harm",
    "parent_carer_involved",
    "home_taken_over",
    "moved_to_commit_crime",
    "exchange_or_coercion",
    "missing_episodes",
)

# Outcomes, most urgent first.
OUTCOMES = (
    "emergency",
    "outside_scope",
    "child_protection",
    "exploitation_concern",
    "no_indicators_identified",
)


class Answer(str, Enum):
    YES = "yes"
    NO = "no"
    UNKNOWN = "unknown"

    @classmethod
    def parse(cls, value: Any) -> Answer:
        """Reads yes/no/unknown (also true/false and None, which is unknown)."""
        if value is None:
            return cls.UNKNOWN
        if isinstance(value, bool):
            return cls.YES if value else cls.NO
        text = str(value).strip().lower()
        aliases = {"y": "yes", "true": "yes", "n": "no", "false": "no", "not sure": "unknown",
                   "unsure": "unknown", "": "unknown"}  # fmt: skip
        try:
            return cls(aliases.get(text, text))
        except ValueError as exc:
            raise ValueError(f"{value!r} is not an answer; use yes, no or unknown.") from exc


@dataclass(frozen=True)
class CheckInput:
    """A practitioner's answers. Unanswered questions are ``unknown``."""

    answers: Mapping[str, Answer]
    indicators: frozenset[str] = frozenset()
    vulnerabilities: frozenset[str] = frozenset()
    description: str = ""

    def answer(self, question: str) -> Answer:
        return self.answers.get(question, Answer.UNKNOWN)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CheckInput:
        """Builds the input from JSON-like data; unknown keys are an error."""
        allowed = {*QUESTIONS, "indicators", "vulnerabilities", "description"}
        extra = sorted(set(data) - allowed)
        if extra:
            raise ValueError(
                f"Unknown field(s) {', '.join(extra)}; the check takes "
                f"{', '.join(sorted(allowed))}."
            )
        for key in ("indicators", "vulnerabilities"):
            if not isinstance(data.get(key, []), list | tuple | set | frozenset):
                raise ValueError(f"`{key}` must be a list of ids.")
        description = data.get("description") or ""
        if not isinstance(description, str):
            raise ValueError("`description` must be text.")
        return cls(
            answers={q: Answer.parse(data.get(q)) for q in QUESTIONS},
            indicators=frozenset(map(str, data.get("indicators") or ())),
            vulnerabilities=frozenset(map(str, data.get("vulnerabilities") or ())),
            description=description,
        )


@dataclass(frozen=True)
class Step:
    """One thing to do: the action, who to contact and how, and its source."""

    rule: str
    action: str
    contact: str
    how: str
    source: str


@dataclass(frozen=True)
class Assessment:
    outcome: str
    nrm_referral: bool
    steps: tuple[Step, ...]
    indicators: tuple[str, ...]
    vulnerabilities: tuple[str, ...]
    to_find_out: tuple[str, ...]
    rules_applied: tuple[str, ...]
    answers: Mapping[str, str] = field(default_factory=dict)
    title: str = ""  # the outcome in one sentence, e.g. "Call 999 now: ..."
    summary: str = ""

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["answers"] = dict(self.answers)
        return data
