"""The shared pipeline's tokenizer stays linear on long runs without whitespace
(security review: one message of punctuation or emoji held the event loop for
seconds), and is spaCy's own for ordinary text."""

from __future__ import annotations

import pytest

from bot import bootstrap
from bot.nlp.bounded_tokenizer import LONGEST_RUN, MOST_TOKENS, BoundedTokenizer, cut_points

ORDINARY = [
    "he keeps going missing and has two phones",
    "What's the threshold? (see p. 12) -- \"county lines\"; don't, won't, can't!",
    "email a.person@example.com or see https://example.com/guidance/cce?page=2#top",
    "  two  spaces\tand a tab\nand lines\r\n  ",
    '🙂🙃🤷‍♀️ (((nested))) [[x]] {"a": [1, 2]}',
]


def test_the_shared_pipeline_uses_the_bounded_tokenizer():
    assert isinstance(bootstrap.app().nlp.tokenizer, BoundedTokenizer)


@pytest.mark.parametrize("text", ORDINARY)
def test_ordinary_text_is_tokenized_exactly_as_spacy_does(text):
    nlp = bootstrap.app().nlp
    ours = nlp.tokenizer(text)
    spacys = nlp.tokenizer.tokenizer(text)
    assert [(t.text, t.whitespace_) for t in ours] == [(t.text, t.whitespace_) for t in spacys]
    assert cut_points(text) == []


ADVERSARIAL = {
    "quotation marks": '"' * 40_000,
    "opening brackets": "(" * 40_000,
    "emoji": "\U0001f622" * 40_000,
    "brackets between words": "look " + "[{(" * 7_000 + " here",
}


@pytest.mark.timeout(60)  # spaCy's own tokenizer takes minutes over these: a hang, not a speed test
@pytest.mark.parametrize("text", ADVERSARIAL.values(), ids=ADVERSARIAL.keys())
def test_long_runs_without_whitespace_are_tokenized_keeping_the_text(text):
    doc = bootstrap.app().nlp(text)
    assert doc.text == text  # offsets still point into what was typed
    assert all(len(token.text) <= LONGEST_RUN for token in doc[:-1])


@pytest.mark.parametrize(
    "text",
    ["\U0001f622" * 10_000, "([{" * 3_333, ", " * 5_000, "a " * 5_000, "x. " * 3_000],
    ids=["emoji", "brackets", "commas", "one-letter words", "short sentences"],
)
def test_no_text_is_read_past_the_most_tokens(text):
    """A token a character: the rest past MOST_TOKENS is one token, unread."""
    doc = bootstrap.app().nlp(text)
    assert doc.text == text
    assert len(doc) == MOST_TOKENS + 1
    assert text.endswith(doc[-1].text) and len(doc[-1].text) > LONGEST_RUN


def test_a_message_at_the_length_limit_is_read_whole():
    prose = "I am worried about a young person who keeps going missing and has two phones. "
    text = (prose * 130)[:10_000]  # the message limit, ~2,000 words
    ours = bootstrap.app().nlp.tokenizer(text)
    spacys = bootstrap.app().nlp.tokenizer.tokenizer(text)
    assert [(t.text, t.whitespace_) for t in ours] == [(t.text, t.whitespace_) for t in spacys]


def test_a_long_run_is_cut_every_longest_run_characters():
    text = "ab " + "x" * (LONGEST_RUN * 2 + 5) + " cd"
    assert cut_points(text) == [3 + LONGEST_RUN, 3 + 2 * LONGEST_RUN]
    doc = bootstrap.app().nlp(text)
    assert [len(t.text) for t in doc] == [2, LONGEST_RUN, LONGEST_RUN, 5, 2]
    assert doc.text == text
