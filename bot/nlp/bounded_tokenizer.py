"""spaCy's tokenizer, made linear in the length of a run of text without whitespace.

spaCy splits text at whitespace and then peels prefixes and suffixes off each
piece with a regular expression searched over the whole rest of the piece, so a
piece of n punctuation marks or emoji costs n searches of up to n characters,
seconds of the event loop for a long run (docs/performance.md) while every
other conversation waited. :class:`BoundedTokenizer` hands spaCy's tokenizer no
run of non-whitespace longer than :data:`LONGEST_RUN` characters: a longer run is
cut into pieces of that length, each tokenized as it would be on its own, and the
tokens joined into one ``Doc`` whose text is exactly the text given (so character
offsets still point into what was typed). Text without such a run, i.e. every
message anyone writes, goes to spaCy's tokenizer unchanged.

Every later step of the pipeline (lemmas, rasa's tokens, the classifier, the
indicator matcher) costs time on the event loop per token, and a text of
punctuation or emoji is one token a character: 10,000 of them took half a
second. A doc therefore holds at most :data:`MOST_TOKENS` tokens read one by one
(more than a message at the length limit holds in words); the rest of a longer
text is its last token, unread, so that the doc's text is still the whole text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from spacy.tokenizer import Tokenizer
    from spacy.tokens import Doc

# No word, number, e-mail address or ordinary link is this long; 100 squared is
# a small cost per piece.
LONGEST_RUN = 100
_LONG_RUN = re.compile(rf"\S{{{LONGEST_RUN + 1},}}")
# Tokens read of one text: a message at the 10,000-character limit holds about
# 2,000 words; past this the rest is one token (see the module's text).
MOST_TOKENS = 2_500


def cut_points(text: str) -> list[int]:
    """Offsets at which a run of more than LONGEST_RUN non-whitespace characters
    is cut, every LONGEST_RUN characters; empty for ordinary text."""
    cuts: list[int] = []
    for match in _LONG_RUN.finditer(text):
        cuts.extend(range(match.start() + LONGEST_RUN, match.end(), LONGEST_RUN))
    return cuts


class BoundedTokenizer:
    """Wraps a spaCy ``Tokenizer``: same tokens for ordinary text, linear time for
    long runs without whitespace (see the module's text)."""

    def __init__(self, tokenizer: Tokenizer) -> None:
        self.tokenizer = tokenizer

    def __call__(self, text: str) -> Doc:
        cuts = cut_points(text)
        if not cuts:
            doc = self.tokenizer(text)
            if len(doc) <= MOST_TOKENS:
                return doc
            return self._joined(text, iter([(0, doc)]))
        pieces = zip([0, *cuts], [*cuts, len(text)], strict=True)
        return self._joined(
            text, ((start, self.tokenizer(text[start:end])) for start, end in pieces)
        )

    def _joined(self, text: str, pieces: Iterator[tuple[int, Doc]]) -> Doc:
        """One doc of the pieces' tokens (each piece's offset in ``text`` given),
        at most MOST_TOKENS of them and then the rest of the text as one token."""
        from spacy.tokens import Doc

        words: list[str] = []
        spaces: list[bool] = []
        for start, piece in pieces:
            for token in piece:
                if len(words) == MOST_TOKENS:
                    words.append(text[start + token.idx :])
                    spaces.append(False)
                    return Doc(self.tokenizer.vocab, words=words, spaces=spaces)
                words.append(token.text)
                spaces.append(bool(token.whitespace_))
        return Doc(self.tokenizer.vocab, words=words, spaces=spaces)

    def pipe(self, texts: Iterable[str], batch_size: int = 1000) -> Iterator[Doc]:
        for text in texts:
            yield self(text)

    def __getattr__(self, name: str) -> Any:
        # Everything else (vocab, rules, serialisation) is the wrapped tokenizer's.
        return getattr(self.tokenizer, name)


def bound(nlp: Any) -> Any:
    """Gives a spaCy pipeline the bounded tokenizer (idempotent); returns it."""
    if not isinstance(nlp.tokenizer, BoundedTokenizer):
        nlp.tokenizer = BoundedTokenizer(nlp.tokenizer)
    return nlp
