"""Loads the check's data once per process and hands out the engine's inputs."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import lru_cache

from bot.config import get_settings
from bot.content_file import check_fields, load_yaml
from bot.knowledge.loader import get_knowledge
from bot.locality import load_contacts
from bot.triage.catalogue import Catalogue, load_catalogue
from bot.triage.engine import Triage
from bot.triage.model import QUESTIONS
from bot.triage.rules import RulesError, RuleSet, load_rules


@lru_cache(maxsize=1)
def get_catalogue() -> Catalogue:
    settings = get_settings()
    return load_catalogue(settings.triage_dir / "catalogue.yml", get_knowledge().sections)


@lru_cache(maxsize=1)
def get_questions() -> dict[str, dict[str, str]]:
    """The check's questions (label, ask) in asking order, from questions.yml."""
    path = get_settings().triage_dir / "questions.yml"
    questions = check_fields(load_yaml(path), path.name, ("questions",))["questions"]
    for key, value in questions.items():
        check_fields(value, f"Question {key!r} in {path.name}", ("label", "ask"), ("label", "ask"))
    if tuple(questions) != QUESTIONS:
        raise RulesError(f"{path} must list the questions {', '.join(QUESTIONS)} in that order.")
    return {key: {"label": str(v["label"]), "ask": str(v["ask"])} for key, v in questions.items()}


def get_triage(extract: Callable[[str], Iterable[str]] | None = None) -> Triage:
    """The engine's inputs; ``extract`` finds catalogue ids in free text."""
    return Triage(
        rules=_rules(),
        catalogue=get_catalogue(),
        contacts=_contacts(),
        locality=get_knowledge().locality,
        source_line=get_knowledge().source_line,
        question_labels={q: v["label"] for q, v in get_questions().items()},
        extract=extract,
    )


@lru_cache(maxsize=1)
def _contacts() -> dict[str, dict[str, str]]:
    return load_contacts(get_settings().locality_file)


@lru_cache(maxsize=1)
def _rules() -> RuleSet:
    settings = get_settings()
    return load_rules(
        settings.triage_dir / "rules.yml",
        contact_ids=frozenset(_contacts()),
        section_ids=frozenset(get_knowledge().sections),
    )
