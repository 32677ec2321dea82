"""Which topics a reply to a question answers, from what the NLU made of it.

A pure function of the parse data (and the topic answered just before, for a
follow-up), used by the answer action and by the evaluation alike, so the
figures measured are what practitioners get:

- several questions in one message are each answered, with their own source;
- a situation followed by a question is answered from the question, when the
  question alone is classified more surely than the whole message;
- a follow-up ("and what about girls?", "what's the threshold for that one?")
  is read with the topic just answered;
- when the classifier is unsure, or its top two topics are close, the reply
  asks ("Did you mean ...?") instead of guessing;
- a worried practitioner is given the guidance's answer and offered the check;
- when the classifier is unsure but its best guess is "out of scope", the
  guidance is not searched: a passage found there would rest on a chance word
  ("weekend", "red") and be offered with a source line it does not deserve.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bot.knowledge.model import Knowledge

SEGMENTS_KEY = "question_segments"  # set by bot.nlp.lemma_intent_classifier
WORRIED_KEY = "worried"  # ditto: a worried message whose guidance question was taken
START_CHECK = "start_check"
OUT_OF_SCOPE = "out_of_scope"
FALLBACK = "nlu_fallback"
# A segment's topic is answered when the classifier gives it at least this.
SEGMENT_CONFIDENCE = 0.45
# Close call: the top two topics within this margin and the top one below
# CONFIDENT, from different sections: ask instead of guessing.
CLOSE_MARGIN = 0.12
CONFIDENT = 0.5
MAX_ANSWERS = 3
MAX_CHOICES = 3
# "and what about girls?", "what about that one", "and for a 17 year old?"
FOLLOW_UP = re.compile(
    r"^\s*(?:and|also|but|so|ok(?:ay)?)\b|\b(?:that one|that|this one|it|them|those|these|"
    r"what about|how about)\b",
    re.IGNORECASE,
)
FOLLOW_UP_MAX_WORDS = 9

Search = Callable[[str, Sequence[str]], list[str]]  # (query, classifier ranking) -> topic ids


@dataclass(frozen=True)
class Plan:
    """What to reply: the topics answered (in order), or the topics offered when
    unsure, and whether to offer the indicator check."""

    topics: tuple[str, ...] = ()
    choices: tuple[str, ...] = ()
    offer_check: bool = False
    # How it was decided: classifier (the message's topic), questions (several in
    # one), question (the question after a situation), follow_up, search (the
    # classifier unsure: the lemma search's best), clarify (asked back), none.
    route: str = "none"
    confidence: float = 0.0

    @property
    def searched(self) -> bool:
        return self.route in ("search", "follow_up")


def _topic(knowledge: Knowledge, name: str | None) -> str | None:
    topic = knowledge.topic_for_intent(name)
    return topic.id if topic else None


def _top(entry: Mapping[str, Any]) -> tuple[str | None, float]:
    ranking = entry.get("ranking") or []
    if not ranking:
        return None, 0.0
    return ranking[0].get("name"), float(ranking[0].get("confidence") or 0.0)


def _segment_topics(parse: Mapping[str, Any], knowledge: Knowledge) -> list[tuple[str, float]]:
    """The questions of a message of several, each with its topic, when sure enough."""
    found: list[tuple[str, float]] = []
    for segment in parse.get(SEGMENTS_KEY) or []:
        name, confidence = _top(segment)
        topic = _topic(knowledge, name)
        if segment.get("question") and topic and confidence >= SEGMENT_CONFIDENCE:
            found.append((topic, confidence))
    return found


def _close_call(ranking: Sequence[Mapping[str, Any]], knowledge: Knowledge) -> list[str]:
    """The top topics when the classifier cannot tell them apart, else []."""
    topics = [(t, float(r.get("confidence") or 0.0)) for r in ranking
              if (t := _topic(knowledge, r.get("name")))]  # fmt: skip
    if len(topics) < 2:
        return []
    (first, p1), (second, p2) = topics[0], topics[1]
    same_section = knowledge.topics[first].section_ids[0] == knowledge.topics[second].section_ids[0]
    if p1 >= CONFIDENT or p1 - p2 >= CLOSE_MARGIN or same_section:
        return []
    close = [t for t, p in topics if p1 - p >= 0 and p1 - p < CLOSE_MARGIN]
    return close[:MAX_CHOICES]


def plan(
    parse: Mapping[str, Any],
    knowledge: Knowledge,
    search: Search,
    last_topic: str | None = None,
) -> Plan:
    """The reply's plan for one message's parse data."""
    intent = parse.get("intent") or {}
    name, confidence = intent.get("name"), float(intent.get("confidence") or 0.0)
    ranking = parse.get("intent_ranking") or []
    worried = bool(parse.get(WORRIED_KEY)) or name == START_CHECK
    questions = _segment_topics(parse, knowledge)
    distinct = list(dict.fromkeys(topic for topic, _ in questions))
    if len(distinct) >= 2:
        least = min(confidence for _, confidence in questions)
        return Plan(tuple(distinct[:MAX_ANSWERS]), offer_check=worried, route="questions",
                    confidence=least)  # fmt: skip
    topic = _topic(knowledge, name)
    if distinct and (topic is None or questions[0][1] >= confidence):  # the question, when surer
        offer = worried or knowledge.topics[distinct[0]].offers_check
        return Plan((distinct[0],), offer_check=offer, route="question", confidence=questions[0][1])
    text = str(parse.get("text") or "")
    if (
        last_topic in knowledge.topics
        and FOLLOW_UP.search(text)
        and len(text.split()) <= FOLLOW_UP_MAX_WORDS
        and confidence < CONFIDENT
    ):
        # The passages for the follow-up's words with the topic before them, fused with
        # what the classifier makes of the follow-up alone.
        question = knowledge.topics[last_topic].question
        ranked = [t for r in ranking if (t := _topic(knowledge, r.get("name")))]
        hits = [t for t in search(f"{text} {question}", ranked) if t != last_topic]
        if hits:
            return Plan((hits[0],), route="follow_up", confidence=confidence)
    if topic:
        close = _close_call(ranking, knowledge)
        if close and topic in close:
            return Plan(choices=tuple(close), offer_check=worried, route="clarify",
                        confidence=confidence)  # fmt: skip
        offer = worried or knowledge.topics[topic].offers_check
        return Plan((topic,), offer_check=offer, route="classifier", confidence=confidence)
    if name == FALLBACK:
        guesses = [r.get("name") for r in ranking if r.get("name") != FALLBACK]
        if guesses and guesses[0] == OUT_OF_SCOPE:
            return Plan(route="none", confidence=confidence)
        topics = [t for r in ranking if (t := _topic(knowledge, r.get("name")))]
        hits = search(text, topics)
        if hits:
            return Plan(tuple(hits[:1]), offer_check=worried, route="search", confidence=confidence)
    return Plan()
