"""Loads ``content/guidance/`` and checks it, so a broken edit fails loudly at start-up.

Checks: every section has a heading and summary; every topic has an answer, cites
known sections, and uses only placeholders that ``content/locality.yml`` defines.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bot.content_file import ContentError, check_fields, load_yaml
from bot.knowledge.guidance_text import load_guidance_text
from bot.knowledge.model import Knowledge, Section, Topic
from bot.locality import fill, load_locality

SECTION_FIELDS = ("id", "heading", "starts", "summary", "key_facts", "text")
TOPIC_FIELDS = (
    "id", "sections", "question", "answer", "keywords", "evidence", "silent", "offer_check",
)  # fmt: skip
GUIDANCE_TEXT = "nel-cce-guidance.txt"


class KnowledgeError(ContentError):
    """The guidance knowledge files are missing or inconsistent."""


def _read_yaml(path: Path, key: str) -> list[dict[str, Any]]:
    data = load_yaml(path)
    check_fields(data, path.name, (key,), (key,))
    items = data[key]
    if not isinstance(items, list):
        raise KnowledgeError(f"{data.where(key)}: `{key}:` must be a list.")
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
        check_fields(raw, where, SECTION_FIELDS, ("id", "heading", "starts", "summary"))
        sections.append(
            Section(
                id=_text(raw, "id", where),
                heading=_text(raw, "heading", where),
                starts=_text(raw, "starts", where),
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
        check_fields(raw, where, TOPIC_FIELDS, ("id", "sections", "question", "answer", "evidence"))
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
                evidence=tuple(" ".join(str(q).split()) for q in raw["evidence"]),
                silent=bool(raw.get("silent", False)),
                offers_check=bool(raw.get("offer_check", False)),
            )
        )
    guidance = load_guidance_text(guidance_dir / GUIDANCE_TEXT, {s.id: s.starts for s in sections})
    return Knowledge(sections, topics, locality, guidance)
