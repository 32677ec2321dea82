"""Finds the catalogue's indicators and vulnerability factors in free text.

Plain spaCy, no Rasa: a ``PhraseMatcher`` on lemmas for each item's phrases and
a ``Matcher`` for its token patterns, built once from the catalogue over the
shared pipeline. A match just after a negation ("he hasn't gone missing",
"never carries a knife") is dropped. The Rasa component
:mod:`bot.nlp.indicator_extractor` and the ``assess`` command both use it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from bot.nlp.pipeline import get_nlp
from bot.triage.catalogue import Catalogue

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

NEGATIONS = frozenset({"not", "n't", "never", "no", "without", "nobody", "none", "nor"})
# How many tokens before a match a negation still applies to.
NEGATION_WINDOW = 3
MAX_CHARACTERS = 5000


@dataclass(frozen=True)
class Match:
    item_id: str
    start: int  # character offsets in the text
    end: int
    text: str


class IndicatorMatcher:
    def __init__(self, catalogue: Catalogue, nlp: Language | None = None) -> None:
        from spacy.matcher import Matcher, PhraseMatcher

        self.nlp = nlp or get_nlp()
        self.catalogue = catalogue
        self._phrases = PhraseMatcher(self.nlp.vocab, attr="LEMMA")
        self._tokens = Matcher(self.nlp.vocab)
        for item in catalogue.items.values():
            if item.phrases:
                self._phrases.add(item.id, list(self.nlp.pipe(p.lower() for p in item.phrases)))
            if item.token_patterns:
                self._tokens.add(item.id, [list(p) for p in item.token_patterns])

    def match_doc(self, doc: Doc) -> list[Match]:
        """Matches in a doc made by the shared pipeline (lower-cased text)."""
        found: dict[str, Match] = {}
        spans = [*self._phrases(doc), *self._tokens(doc)]
        for match_id, start, end in sorted(spans, key=lambda s: (s[1], s[2])):
            item_id = self.nlp.vocab.strings[match_id]
            if item_id in found or self._negated(doc, start):
                continue
            span = doc[start:end]
            found[item_id] = Match(item_id, span.start_char, span.end_char, span.text)
        return list(found.values())

    def match(self, text: str) -> list[Match]:
        return self.match_doc(self.nlp(text[:MAX_CHARACTERS].lower()))

    def ids(self, text: str) -> list[str]:
        return [m.item_id for m in self.match(text)]

    @staticmethod
    def _negated(doc: Doc, start: int) -> bool:
        for token in reversed(doc[max(0, start - NEGATION_WINDOW) : start]):
            if token.is_punct and token.text not in ("'", "’"):
                return False  # a clause boundary ends the negation's reach
            if token.lower_ in NEGATIONS or token.lemma_ in NEGATIONS:
                return True
        return False


@lru_cache(maxsize=1)
def get_matcher() -> IndicatorMatcher:
    """The process-wide matcher over the catalogue in data/triage/."""
    from bot.triage.service import get_catalogue

    return IndicatorMatcher(get_catalogue())
