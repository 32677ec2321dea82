"""Finds the catalogue's indicators and vulnerability factors in free text.

Plain spaCy, no Rasa, built once over the shared pipeline from data files:

- the text's spelling is normalised first (:mod:`bot.nlp.normalise`: "wont",
  "threatend");
- a ``PhraseMatcher`` on lemmas for each item's phrases and a ``Matcher`` for its
  token patterns (``content/triage/catalogue.yml``);
- concept rules (:mod:`bot.nlp.concepts`, ``content/triage/indicator_concepts.yml``):
  words for each concept of an item close together in one clause, in any order.

A match just after a negation ("he hasn't gone missing", "never carries a knife",
"does not smoke or drink", "no extra cash, new clothes or a second phone") is dropped,
and so is one whose gaps hold a negation of its own words ("mum has no concerns", "has
seen nothing to worry about"; not "a broken hand but wouldn't go to hospital, then lied
about how"). A denial, a negated evidence noun or verb, or a talk *on* a topic earlier
in the same clause drops it too ("he denies ever carrying a knife", "no indication he
has ever been missing", "nothing to suggest he is going country", "a talk on county
lines"); "but" and "and" end a negation's reach. The Rasa component
:mod:`bot.nlp.indicator_extractor` and the ``assess`` command both use it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, cast

from bot import bootstrap
from bot.nlp.concepts import ConceptMatcher
from bot.nlp.normalise import Normaliser
from bot.triage.catalogue import Catalogue

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc, Token

NEGATIONS = frozenset({"not", "n't", "never", "no", "without", "nobody", "none", "nor", "neither"})
# How many tokens before a match a negation still applies to.
NEGATION_WINDOW = 3
# In a list that ends "... or X" ("no sign of any extra cash, new clothes or a second
# phone"), a comma separates the list's items instead of ending the negation's reach,
# which then stretches to LIST_WINDOW tokens.
LIST_WINDOW = 12
LIST_ENDS = frozenset({"or", "nor"})
# Negations that cancel a token-pattern match when they fill one of its wildcard gaps
# ({} or {OP: "?"}): "mum has no concerns".
GAP_NEGATIONS = frozenset({"not", "n't", "never", "no", "nothing"})
# Inside a concept match, such a negation counts only if one of the rule's own words follows
# within this many tokens, in the same clause.
GAP_SCOPE = 5
# Denials reach the whole clause before a match, not just NEGATION_WINDOW tokens:
# "he denies ever having carried a knife", "denied being approached by anyone".
DENIALS = frozenset({"deny", "denies", "denied", "denying"})
# A negated evidence noun does the same: "there is no indication he has ever been missing",
# "no evidence that he carries a weapon", "no sign of him being exploited".
EVIDENCE_NOUNS = frozenset(
    {
        "indication",
        "evidence",
        "sign",
        "suggestion",
        "suspicion",
        "intelligence",
        "record",
        "history",
        "reason",
    }
)
# "nothing to suggest he is ...", "no sign that ...": a negated verb of evidence does the same.
EVIDENCE_VERBS = frozenset({"suggest", "indicate", "show"})
NEGATED_EVIDENCE = frozenset({"nothing", "no", "not", "n't", "never"})
# A talk, lesson or session *on* a topic is about the topic, not about the child:
# "police gave a talk on county lines", "a session on staying safe online".
TOPIC_NOUNS = frozenset(
    {"talk", "session", "lesson", "assembly", "workshop", "presentation", "training", "awareness"}
)
SCOPE_WINDOW = 8
MAX_CHARACTERS = 5000


@dataclass(frozen=True)
class Match:
    item_id: str
    start: int  # character offsets in the text
    end: int
    text: str
    source: str = ""  # what found it: "phrase", a token pattern "id#n" or a concept rule "id@n"


class IndicatorMatcher:
    def __init__(
        self, catalogue: Catalogue, nlp: Language | None = None, concepts: Path | None = None
    ) -> None:
        from spacy.matcher import Matcher, PhraseMatcher

        self.nlp = nlp or bootstrap.app().nlp
        self.catalogue = catalogue
        self._concepts = (
            ConceptMatcher(concepts, self.nlp, set(catalogue.items)) if concepts else None
        )
        self._normaliser = Normaliser(self.nlp, self._vocabulary())
        self._phrases = PhraseMatcher(self.nlp.vocab, attr="LEMMA")
        self._tokens = Matcher(self.nlp.vocab)
        # Each token pattern gets its own key, so a match's alignments can be read against it.
        self._token_keys: dict[str, tuple[str, list[dict]]] = {}
        for item in catalogue.items.values():
            if item.phrases:
                self._phrases.add(item.id, list(self.nlp.pipe(p.lower() for p in item.phrases)))
            for index, pattern in enumerate(item.token_patterns or ()):
                key = f"{item.id}#{index}"
                self._token_keys[key] = (item.id, [dict(t) for t in pattern])
                self._tokens.add(key, [list(pattern)])

    def _vocabulary(self) -> Iterator[str]:
        """Every word the catalogue and the concept classes use (typos are mapped to these)."""
        for item in self.catalogue.items.values():
            for phrase in item.phrases:
                yield from phrase.lower().split()
            for pattern in item.token_patterns:
                for token in pattern:
                    for key in ("LOWER", "LEMMA"):
                        value = token.get(key)
                        values = value.get("IN", []) if isinstance(value, dict) else [value]
                        yield from (str(v) for v in values if v)
        if self._concepts is not None:
            for terms in self._concepts.classes.values():
                for term in terms:
                    yield from term.lstrip("=").lower().split()

    def match_doc(self, doc: Doc) -> list[Match]:
        """Matches in a doc made by the shared pipeline (lower-cased text)."""
        normalised = self._normaliser.normalise(doc)
        if normalised is None:
            return self._match(doc, [(t.idx, t.idx + len(t.text)) for t in doc], doc.text)
        new_doc, spans = normalised
        return self._match(new_doc, spans, doc.text)

    def _match(self, doc: Doc, chars: list[tuple[int, int]], original: str) -> list[Match]:
        """Matches in ``doc``; ``chars`` gives each token's character span in ``original``."""
        found: dict[str, Match] = {}
        # (item id, start, end, the tokens that filled the pattern's wildcard gaps, source)
        spans: list[tuple[str, int, int, list[Token], str]] = [
            (self.nlp.vocab.strings[m], s, e, [], "phrase") for m, s, e in self._phrases(doc)
        ]
        token_matches = cast(
            "list[tuple[int, int, int, list[int]]]", self._tokens(doc, with_alignments=True)
        )
        for key, start, end, alignments in token_matches:
            name = self.nlp.vocab.strings[key]
            item_id, pattern = self._token_keys[name]
            gaps = [doc[start + i] for i, a in enumerate(alignments) if set(pattern[a]) <= {"OP"}]
            spans.append((item_id, start, end, gaps, name))
        if self._concepts is not None:
            for concept in self._concepts.match(doc):
                gaps = [
                    doc[i]
                    for i in range(concept.start, concept.end)
                    if i not in concept.tokens and self._scopes_over(doc, i, concept.tokens)
                ]
                spans.append((concept.item_id, concept.start, concept.end, gaps, concept.rule))
        for item_id, start, end, gaps, source in sorted(spans, key=lambda s: (s[1], s[2])):
            if item_id in found or self._negated(doc, start, end):
                continue
            if any(t.lower_ in GAP_NEGATIONS or t.lemma_ in GAP_NEGATIONS for t in gaps):
                continue
            first, last = chars[start][0], chars[end - 1][1]
            found[item_id] = Match(item_id, first, last, original[first:last], source)
        return list(found.values())

    def match(self, text: str) -> list[Match]:
        return self.match_doc(self.nlp(text[:MAX_CHARACTERS].lower()))

    def ids(self, text: str) -> list[str]:
        return [m.item_id for m in self.match(text)]

    @staticmethod
    def _scopes_over(doc: Doc, index: int, words: frozenset[int]) -> bool:
        """Whether a token inside a concept match, if it is a negation, reaches one of the
        rule's own words: one follows within GAP_SCOPE tokens, in the same clause. "mum has
        no concerns" is negated; in "a broken hand but wouldn't go to hospital, then lied
        about how" the "n't" is about the hospital, not about the rule's words."""
        for token in doc[index + 1 : min(len(doc), index + 1 + GAP_SCOPE)]:
            if token.i in words:
                return True
            if _ends_clause(token, ("but", "and")):
                return False
        return False

    @staticmethod
    def _in_list(doc: Doc, start: int, end: int) -> bool:
        """Whether the match is an item of a list ending "... or X": a comma comes before
        it and an "or"/"nor" comes before it (after that comma) or just after it."""
        before = list(doc[max(0, start - LIST_WINDOW) : start])
        commas = [i for i, t in enumerate(before) if t.text == ","]
        if not commas:
            return False
        if any(t.lower_ in LIST_ENDS for t in before[commas[-1] :]):
            return True  # "..., new clothes or [a second phone]"
        for token in doc[end : min(len(doc), end + 4)]:
            if token.is_punct and token.text != ",":
                return False
            if token.lower_ in LIST_ENDS:
                return True  # "..., [new clothes] or a second phone"
        return False

    @classmethod
    def _negated(cls, doc: Doc, start: int, end: int) -> bool:
        window = NEGATION_WINDOW
        listed = cls._in_list(doc, start, end)
        if listed:
            window = LIST_WINDOW
        elif any(t.lower_ in ("or", "nor") for t in doc[max(0, start - window) : start]):
            window += NEGATION_WINDOW  # "does not smoke or drink alcohol"

        def boundary(token: Token, words: tuple[str, ...]) -> bool:
            if listed and token.text == ",":
                return False  # a list's comma
            return _ends_clause(token, words)

        for token in reversed(doc[max(0, start - window) : start]):
            if boundary(token, ("but", "and")):
                return False  # a clause boundary ends the negation's reach
            if token.lower_ in NEGATIONS or token.lemma_ in NEGATIONS:
                return True
        for token in reversed(doc[max(0, start - max(SCOPE_WINDOW, window)) : start]):
            if boundary(token, ("but",)):
                return False
            if token.lower_ in DENIALS or token.lemma_ in DENIALS:
                return True
            if token.lemma_ in EVIDENCE_NOUNS and token.i > 0:
                before = doc[token.i - 1]
                if before.lower_ in ("no", "not", "never", "nothing") or before.lemma_ in NEGATIONS:
                    return True
            if token.lemma_ in EVIDENCE_VERBS and any(
                t.lower_ in NEGATED_EVIDENCE for t in doc[max(0, token.i - 2) : token.i]
            ):
                return True
            if token.lemma_ in TOPIC_NOUNS and (
                token.lemma_ == "awareness"
                or (token.i + 1 < len(doc) and doc[token.i + 1].lower_ in ("on", "about"))
            ):
                return True
        return False


def _ends_clause(token: Token, words: tuple[str, ...]) -> bool:
    """Punctuation (not an apostrophe) or one of ``words`` ends a negation's reach."""
    return (token.is_punct and token.text not in ("'", "’")) or token.lower_ in words
