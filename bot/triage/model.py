"""Inputs and outputs of the decision engine, as plain data."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from enum import Enum
from typing import Any

# The check's yes / no / not known questions (content/triage/check.yml), in the
# order the check asks them: the first two on their own, the rest on its screens.
QUESTIONS = (
    "immediate_danger",
    "age_under_18",
    "significant_harm",
    "parent_carer_involved",
    "home_taken_over",
    "moved_to_commit_crime",
    "exchange_or_coercion",
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
                   "unsure": "unknown", "not known": "unknown", "": "unknown"}  # fmt: skip
        try:
            return cls(aliases.get(text, text))
        except ValueError as exc:
            raise ValueError(f"{value!r} is not an answer; use yes, no or unknown.") from exc


INPUT_FIELDS = ("items", "indicators", "vulnerabilities", "description")


@dataclass(frozen=True)
class CheckInput:
    """A practitioner's answers: to the questions, and to each indicator and
    vulnerability factor the check shows (catalogue id -> answer). Anything not
    answered is not known."""

    answers: Mapping[str, Answer]
    items: Mapping[str, Answer] = field(default_factory=dict)
    description: str = ""

    def answer(self, question: str) -> Answer:
        return self.answers.get(question, Answer.UNKNOWN)

    def item(self, item_id: str) -> Answer:
        return self.items.get(item_id, Answer.UNKNOWN)

    @property
    def seen(self) -> frozenset[str]:
        return frozenset(i for i, a in self.items.items() if a is Answer.YES)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CheckInput:
        """Builds the input from JSON-like data; unknown keys are an error.

        ``items`` maps catalogue ids to yes / no / unknown; ``indicators`` and
        ``vulnerabilities`` are lists of ids seen (a shorthand for ``yes``)."""
        allowed = {*QUESTIONS, *INPUT_FIELDS}
        extra = sorted(set(data) - allowed)
        if extra:
            raise ValueError(
                f"Unknown field(s) {', '.join(extra)}; the check takes "
                f"{', '.join(sorted(allowed))}."
            )
        items: dict[str, Answer] = {}
        raw_items = data.get("items") or {}
        if not isinstance(raw_items, Mapping):
            raise ValueError("`items` must map catalogue ids to yes, no or unknown.")
        items.update({str(k): Answer.parse(v) for k, v in raw_items.items()})
        for key in ("indicators", "vulnerabilities"):
            ids = data.get(key) or []
            if not isinstance(ids, list | tuple | set | frozenset):
                raise ValueError(f"`{key}` must be a list of ids.")
            items.update({str(i): Answer.YES for i in ids})
        description = data.get("description") or ""
        if not isinstance(description, str):
            raise ValueError("`description` must be text.")
        return cls(
            answers={q: Answer.parse(data.get(q)) for q in QUESTIONS},
            items=items,
            description=description,
        )


@dataclass(frozen=True)
class Step:
    """One thing to do: the action, who to contact and how, its source and the
    guidance's words it stands on."""

    rule: str
    action: str
    contact: str
    how: str
    source: str
    evidence: tuple[str, ...] = ()


@dataclass(frozen=True)
class Stamp:
    """When a check was done, its reference code and the guidance edition: for
    the summary a practitioner copies into case notes."""

    checked_at: str  # e.g. "6 Dec 2026 18:30 GMT"
    reference: str  # random, e.g. "CCE-7K3F-9QX2"; not linked to any identity
    edition: str


@dataclass(frozen=True)
class Assessment:
    outcome: str
    nrm_referral: bool
    steps: tuple[Step, ...]
    indicators: tuple[str, ...]  # seen
    vulnerabilities: tuple[str, ...]  # seen, from the guidance's list
    not_known: tuple[str, ...]  # indicators and vulnerability factors answered "not known"
    to_find_out: tuple[str, ...]
    rules_applied: tuple[str, ...]
    answers: Mapping[str, str] = field(default_factory=dict)
    title: str = ""  # the outcome in one sentence, e.g. "Call 999 now: ..."
    summary: str = ""
    reference: str = ""

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["answers"] = dict(self.answers)
        return data
