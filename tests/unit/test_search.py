"""The lemma search (BM25) that answers when the classifier is unsure."""

from __future__ import annotations

import pytest

from bot.knowledge.search import LemmaIndex, search


def test_bm25_ranks_the_document_with_more_rare_matches_first():
    index = LemmaIndex(
        {
            "a": ["gang", "take", "over", "home", "cuckooing"],
            "b": ["gang", "violence", "street"],
            "c": ["school", "attendance"],
        }
    )
    hits = index.score(["cuckooing", "gang"])
    assert [hit.topic_id for hit in hits] == ["a", "b"]
    assert hits[0].score > hits[1].score > 0


def test_bm25_ignores_unknown_terms():
    index = LemmaIndex({"a": ["gang"], "b": ["school"]})
    assert index.score(["weather"]) == []


@pytest.mark.parametrize(
    ("query", "topic"),
    [
        ("gang took over a drug user's home", "cuckooing"),
        ("lots of mobiles graft", "graft_phone"),
        ("45 days reflection", "reflection_period"),
        ("believe but cannot prove threshold", "reasonable_grounds"),
        ("Modern Slavery Human Trafficking Unit data", "mshtu"),
        ("organised crime group three or more persons", "ocg_definition"),
    ],
)
def test_known_queries_rank_their_topic_first(query, topic):
    hits = search(query)
    assert hits, query
    assert hits[0].topic_id == topic, [h.topic_id for h in hits]


def test_results_are_ranked_and_limited():
    hits = search("national referral mechanism decision", limit=3)
    assert 1 <= len(hits) <= 3
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


@pytest.mark.parametrize("query", ["", "   ", "🙂🙂", "the and of", "xqzv blorp", "<script>"])
def test_nothing_to_match_gives_no_results(query):
    assert search(query) == []
