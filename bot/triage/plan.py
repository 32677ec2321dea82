"""The check's screens as data (``content/triage/check.yml``): its questions and
the themed checklists that between them show every indicator of the guidance.

The flow (:mod:`bot.check.flow`) asks them; the engine (:mod:`bot.triage.engine`)
needs to know which items the check shows, so that an item left unanswered
counts as not known, never as not seen.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.content_file import ContentError, check_fields, load_yaml
from bot.triage.catalogue import Catalogue
from bot.triage.model import QUESTIONS

QUESTION_FIELDS = ("label", "ask", "item", "evidence")
THEME_FIELDS = ("id", "title", "items")
ASKED_ALONE = QUESTIONS[:2]  # immediate danger and age are asked on their own
VULNERABILITY_THEME = "vulnerability"


class PlanError(ContentError):
    """check.yml is malformed or does not fit the catalogue."""


@dataclass(frozen=True)
class Question:
    id: str
    label: str
    text: str  # the question (asked alone) or the line on a themed screen
    evidence: tuple[str, ...]


@dataclass(frozen=True)
class Theme:
    id: str
    title: str
    items: tuple[str, ...]  # catalogue ids and question ids, in showing order

    @property
    def slot(self) -> str:
        return f"theme_{self.id}"


@dataclass(frozen=True)
class CheckPlan:
    questions: Mapping[str, Question]
    themes: tuple[Theme, ...]  # a child's screens, in asking order
    adult: Theme  # the one screen for someone aged 18 or over

    @property
    def all_themes(self) -> tuple[Theme, ...]:
        return (*self.themes, self.adult)

    def theme_for_slot(self, slot: str) -> Theme | None:
        return next((t for t in self.all_themes if t.slot == slot), None)

    @property
    def vulnerability_items(self) -> frozenset[str]:
        theme = next(t for t in self.themes if t.id == VULNERABILITY_THEME)
        return frozenset(theme.items)

    @property
    def catalogue_items(self) -> tuple[str, ...]:
        """Every catalogue id a child's check shows, in showing order."""
        return tuple(i for t in self.themes for i in t.items if i not in self.questions)

    def label(self, item_id: str, catalogue: Catalogue) -> str:
        """What a screen shows for an item."""
        question = self.questions.get(item_id)
        return question.text if question else catalogue[item_id].label


def _theme(raw: Any, where: str, known: Iterable[str]) -> Theme:
    check_fields(raw, where, THEME_FIELDS, THEME_FIELDS)
    items = tuple(str(i) for i in raw["items"])
    unknown = sorted(set(items) - set(known))
    if unknown:
        raise PlanError(f"{raw.where('items')}: {where} lists unknown ids {unknown}.")
    return Theme(str(raw["id"]), str(raw["title"]), items)


def load_plan(path: Path, catalogue: Catalogue) -> CheckPlan:
    raw = check_fields(load_yaml(path), path.name, ("questions", "themes", "adult"),
                       ("questions", "themes", "adult"))  # fmt: skip
    questions = {}
    for key, value in raw["questions"].items():
        where = f"Question {key!r} in {path.name}"
        entry = check_fields(value, where, QUESTION_FIELDS, ("label", "evidence"))
        text = entry.get("ask") if key in ASKED_ALONE else entry.get("item")
        if not text:
            field = "ask" if key in ASKED_ALONE else "item"
            raise PlanError(f"{value.where()}: {where} needs `{field}:`.")
        questions[str(key)] = Question(
            str(key), str(entry["label"]), " ".join(str(text).split()),
            tuple(" ".join(q.split()) for q in entry["evidence"]),
        )  # fmt: skip
    if tuple(questions) != QUESTIONS:
        raise PlanError(f"{path.name}: `questions:` must list {', '.join(QUESTIONS)} in order.")
    known = {*catalogue.items, *QUESTIONS[len(ASKED_ALONE) :]}
    themes = tuple(
        _theme(t, f"Theme {t.get('id', '?')!r} in {path.name}", known) for t in raw["themes"]
    )
    adult = _theme(raw["adult"], f"The adult screen in {path.name}", QUESTIONS)
    shown = [i for t in themes for i in t.items]
    repeated = sorted({i for i in shown if shown.count(i) > 1})
    if repeated:
        raise PlanError(f"{path.name}: each id goes on one screen only; repeated: {repeated}.")
    missing = [i for i in catalogue.of_kind("indicator") if i not in shown]
    missing += [q for q in QUESTIONS[len(ASKED_ALONE) :] if q not in shown]
    if missing:
        raise PlanError(
            f"{path.name}: the check must show every indicator of the guidance and every "
            f"question; missing: {missing}."
        )
    if VULNERABILITY_THEME not in {t.id for t in themes}:
        raise PlanError(f"{path.name}: a theme with id {VULNERABILITY_THEME!r} is needed.")
    return CheckPlan(questions, themes, adult)
