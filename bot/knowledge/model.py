"""Plain data types for the guidance knowledge, and the rules that join them.

A :class:`Topic` is one question the assistant answers; it cites one or more
:class:`Section` s of the guidance. :class:`Knowledge` turns a topic into an
:class:`Answer` whose text ends with the source line, in exactly the form
``Source: NEL CCE guidance – <heading>; <heading>``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.knowledge.guidance_text import GuidanceText

INTENT_PREFIX = "ask_"
SOURCE_SEPARATOR = " – "  # an en dash, as the source line's format requires


@dataclass(frozen=True)
class Section:
    id: str
    heading: str
    starts: str  # its heading line as it stands in the guidance text
    summary: str
    key_facts: tuple[str, ...]
    text: str


@dataclass(frozen=True)
class Topic:
    id: str
    section_ids: tuple[str, ...]
    question: str
    answer: str  # placeholders already filled from the locality
    keywords: tuple[str, ...]
    evidence: tuple[str, ...] = ()  # the guidance's own words the answer stands on
    silent: bool = False  # the answer says the guidance does not cover the question
    offers_check: bool = False  # about acting on a concern: the reply offers the check

    @property
    def intent(self) -> str:
        return f"{INTENT_PREFIX}{self.id}"


@dataclass(frozen=True)
class Answer:
    topic_id: str
    body: str
    source: str

    @property
    def text(self) -> str:
        """The answer as sent: the body, then the source line on its own line."""
        return f"{self.body}\n{self.source}"


class Knowledge:
    """Sections and topics, loaded and checked by :mod:`bot.knowledge.loader`."""

    def __init__(
        self,
        sections: Iterable[Section],
        topics: Iterable[Topic],
        locality: Mapping[str, str],
        guidance: GuidanceText | None = None,
    ) -> None:
        self.sections: dict[str, Section] = {s.id: s for s in sections}
        self.topics: dict[str, Topic] = {t.id: t for t in topics}
        self.locality = dict(locality)
        self.guidance = guidance  # the full text, for evidence and the edition

    @property
    def edition(self) -> str:
        """Which guidance text the assistant stands on, for the check's summary."""
        title = self.locality.get("guidance_title") or "the guidance"
        edition = self.locality.get("guidance_edition")
        if edition:
            return f"{title}, {edition}"
        fingerprint = self.guidance.fingerprint if self.guidance else "unknown"
        return f"{title}, as held by this assistant (text fingerprint {fingerprint})"

    def source_line(self, section_ids: Iterable[str]) -> str:
        headings = "; ".join(self.sections[section_id].heading for section_id in section_ids)
        return f"Source: {self.locality['source_prefix']}{SOURCE_SEPARATOR}{headings}"

    def topic_for_intent(self, intent: str | None) -> Topic | None:
        """The topic an ``ask_<topic>`` intent asks about, or None."""
        if not intent or not intent.startswith(INTENT_PREFIX):
            return None
        return self.topics.get(intent[len(INTENT_PREFIX) :])

    def topics_in_ranking(self, intent_ranking: Iterable[Mapping[str, object]]) -> list[str]:
        """Topic ids in a classifier's intent ranking (``[{"name": ...}, ...]``), in order."""
        topics = (self.topic_for_intent(str(entry.get("name") or "")) for entry in intent_ranking)
        return [topic.id for topic in topics if topic]

    def answer(self, topic_id: str) -> Answer:
        topic = self.topics[topic_id]
        return Answer(topic.id, topic.answer, self.source_line(topic.section_ids))
