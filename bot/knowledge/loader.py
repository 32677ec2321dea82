"""Loads ``data/guidance/`` and checks it, so a broken edit fails loudly at start-up.

Checks: every section has a heading and summary; every topic has an answer, cites
known sections, and uses only placeholders that ``data/locality.yml`` defines.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from bot.config import get_settings
from bot.knowledge.model import Knowledge, Section, Topic
from bot.locality import fill, load_locality


class KnowledgeError(ValueError):
    """The guidance knowledge files are missing or inconsistent."""


def _read_yaml(path: Path, key: str) -> list[dict[str, Any]]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise KnowledgeError(f"Knowledge file {path} not found.") from exc
    except yaml.YAMLError as exc:
        raise KnowledgeError(f"Knowledge file {path} is not valid YAML: {exc}") from exc
    items = data.get(key) if isinstance(data, dict) else None
    if not isinstance(items, list) or not items:
        raise KnowledgeError(f"{path} must have a non-empty list under `{key}:`.")
    return items


def _text(item: dict[str, Any], field: str, where: str) -> str:
    value = item.get(field)
    if not isinstance(value, str) or not value.strip() or value.strip() == "TODO":
        raise KnowledgeError(f"{where} has no `{field}`; write one.")
    return value.strip()


def load_knowledge(guidance_dir: Path, locality_file: Path) -> Knowledge:
    """Reads sections.yml and topics.yml under ``guidance_dir``."""
    locality = load_locality(locality_file)
    sections = []
    for raw in _read_yaml(guidance_dir / "sections.yml", "sections"):
        where = f"Section {raw.get('id', '?')!r} in sections.yml"
        sections.append(
            Section(
                id=_text(raw, "id", where),
                heading=_text(raw, "heading", where),
                summary=fill(_text(raw, "summary", where), locality, where=where),
                key_facts=tuple(
                    fill(str(fact), locality, where=where) for fact in raw.get("key_facts") or ()
                ),
                text=str(raw.get("text") or "").strip(),
            )
        )
    section_ids = {section.id for section in sections}
    topics = []
    seen: set[str] = set()
    for raw in _read_yaml(guidance_dir / "topics.yml", "topics"):
        where = f"Topic {raw.get('id', '?')!r} in topics.yml"
        topic_id = _text(raw, "id", where)
        if topic_id in seen:
            raise KnowledgeError(f"{where} is listed twice; topic ids must be unique.")
        seen.add(topic_id)
        cited = tuple(raw.get("sections") or ())
        unknown = [s for s in cited if s not in section_ids]
        if not cited or unknown:
            raise KnowledgeError(
                f"{where} must cite sections from sections.yml; unknown: {unknown or 'none given'}."
            )
        topics.append(
            Topic(
                id=topic_id,
                section_ids=cited,
                question=_text(raw, "question", where),
                answer=fill(_text(raw, "answer", where), locality, where=where),
                keywords=tuple(str(k) for k in raw.get("keywords") or ()),
            )
        )
    return Knowledge(sections, topics, locality)


@lru_cache(maxsize=1)
def get_knowledge() -> Knowledge:
    """The process-wide knowledge, loaded on first use."""
    settings = get_settings()
    return load_knowledge(settings.guidance_dir, settings.locality_file)
