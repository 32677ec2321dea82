"""Lexical search over the guidance: BM25 ranking of topics on spaCy lemmas.

Used when the intent classifier is not confident: instead of guessing an answer
the assistant offers the best one to three passages, each with its source line.
Each topic is indexed with its question, answer, keywords and the heading of the
sections it cites; the index is built on first use.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bot import bootstrap
from bot.knowledge.model import Knowledge

# BM25 parameters (the usual values): k1 controls term-frequency saturation,
# b how much long documents are penalised.
K1 = 1.5
B = 0.75
# A passage is offered only if its BM25 score reaches this: below it the match
# rests on one common word and is chance.
MIN_SCORE = 2.0
# Reciprocal rank fusion constant: how much the top ranks dominate when the
# lemma ranking and the classifier's ranking are combined.
FUSION_K = 5


@dataclass(frozen=True)
class Hit:
    topic_id: str
    score: float


class LemmaIndex:
    """A BM25 index of documents given as lists of lemmas."""

    def __init__(self, documents: dict[str, list[str]]) -> None:
        self._ids = list(documents)
        self._tf = [Counter(documents[doc_id]) for doc_id in self._ids]
        self._lengths = [len(documents[doc_id]) for doc_id in self._ids]
        self._avg_length = (sum(self._lengths) / len(self._lengths)) if self._lengths else 0.0
        frequency: Counter[str] = Counter()
        for counts in self._tf:
            frequency.update(counts.keys())
        n = len(self._ids)
        self._idf = {
            term: math.log(1 + (n - df + 0.5) / (df + 0.5)) for term, df in frequency.items()
        }

    def score(self, query: Sequence[str]) -> list[Hit]:
        """All documents with a positive score, best first."""
        terms = set(query)
        hits = []
        for doc_id, counts, length in zip(self._ids, self._tf, self._lengths, strict=True):
            total = 0.0
            for term in terms:
                tf = counts.get(term, 0)
                if tf:
                    norm = K1 * (1 - B + B * length / self._avg_length)
                    total += self._idf[term] * tf * (K1 + 1) / (tf + norm)
            if total > 0:
                hits.append(Hit(doc_id, total))
        hits.sort(key=lambda hit: (-hit.score, hit.topic_id))
        return hits


def build_index(knowledge: Knowledge, lemmatise: Callable[[str], list[str]]) -> LemmaIndex:
    documents = {}
    for topic in knowledge.topics.values():
        headings = " ".join(knowledge.sections[s].heading for s in topic.section_ids)
        # The question and keywords say what the passage is about: weight them double.
        about = " ".join([topic.question, *topic.keywords])
        documents[topic.id] = lemmatise(f"{about} {about} {topic.answer} {headings}")
    return LemmaIndex(documents)


def fuse(hits: list[Hit], classifier_ranking: Sequence[str], k: int = FUSION_K) -> list[Hit]:
    """Re-ranks lemma-search hits by reciprocal rank fusion with the classifier's
    ranking of topics. Only passages the search found are kept: the classifier's
    guesses alone are never offered."""
    classifier_rank = {topic_id: rank for rank, topic_id in enumerate(classifier_ranking)}
    fused = []
    for rank, hit in enumerate(hits):
        score = 1 / (k + rank)
        if hit.topic_id in classifier_rank:
            score += 1 / (k + classifier_rank[hit.topic_id])
        fused.append(Hit(hit.topic_id, score))
    fused.sort(key=lambda hit: (-hit.score, hit.topic_id))
    return fused


def search(
    query: str,
    limit: int = 3,
    classifier_ranking: Sequence[str] = (),
    min_score: float = MIN_SCORE,
) -> list[Hit]:
    """The best ``limit`` topics for a free-text query; empty if nothing fits.

    ``classifier_ranking`` (topic ids, most likely first), when given, re-ranks
    the passages the lemma search found (see :func:`fuse`).
    """
    from bot.nlp.pipeline import lemmatise

    terms = lemmatise(query[:2000])
    if not terms:
        return []
    hits = [hit for hit in bootstrap.app().search_index.score(terms) if hit.score >= min_score]
    if classifier_ranking:
        hits = fuse(hits, classifier_ranking)
    return hits[:limit]


def search_topics(query: str, ranking: Sequence[str]) -> list[str]:
    """The topics of the passages the search finds, best first (at most three),
    re-ranked by a classifier ranking (topic ids): the answer plan's search."""
    return [hit.topic_id for hit in search(query, limit=3, classifier_ranking=ranking)]
