"""Loads the check's data once per process and hands out the engine's inputs."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import lru_cache

from bot.config import get_settings
from bot.knowledge.loader import get_knowledge
from bot.locality import Contact, load_contacts
from bot.triage.catalogue import Catalogue, load_catalogue
from bot.triage.engine import Triage
from bot.triage.plan import CheckPlan, load_plan
from bot.triage.rules import RuleSet, load_rules


@lru_cache(maxsize=1)
def get_catalogue() -> Catalogue:
    settings = get_settings()
    return load_catalogue(settings.triage_dir / "catalogue.yml", get_knowledge().sections)


@lru_cache(maxsize=1)
def get_plan() -> CheckPlan:
    """The check's questions and screens, from check.yml."""
    return load_plan(get_settings().triage_dir / "check.yml", get_catalogue())


def get_triage(extract: Callable[[str], Iterable[str]] | None = None) -> Triage:
    """The engine's inputs; ``extract`` finds catalogue ids in free text."""
    knowledge = get_knowledge()
    return Triage(
        rules=get_rules(),
        catalogue=get_catalogue(),
        plan=get_plan(),
        contacts=get_contacts(),
        locality=knowledge.locality,
        source_line=knowledge.source_line,
        edition=knowledge.edition,
        extract=extract,
    )


@lru_cache(maxsize=1)
def get_contacts() -> dict[str, Contact]:
    return load_contacts(get_settings().locality_file)


@lru_cache(maxsize=1)
def get_rules() -> RuleSet:
    return load_rules(
        get_settings().triage_dir / "rules.yml",
        contact_ids=frozenset(get_contacts()),
        section_ids=frozenset(get_knowledge().sections),
    )
