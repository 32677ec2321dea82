"""Spelling normalisation before indicator matching: practitioners type fast.

Two steps, both on word tokens of a lower-cased doc, neither needing a model:

- contractions typed without the apostrophe, and a few texting forms, are written
  out ("wont" -> "won't", "dosent" -> "doesn't", "hes" -> "he's", "n" -> "and"),
  so the lemma patterns see ``not`` and ``be``;
- a misspelt word (not an English word spaCy's lookup tables know, not a word of
  the catalogue) one edit away from a word the catalogue's patterns use is
  replaced by that word ("messeges" -> "messages", "threatend" -> "threatened",
  "schol" -> "school"), when the word-frequency table of ``spacy-lookups-data``
  says the correction is far more common than the typo.

:func:`normalise` returns a new doc and, for each of its tokens, the character span
of the original text it came from, so matches are reported against what was typed.
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Iterable
from importlib import resources
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

CONTRACTIONS = {
    "wont": "won't",
    "wouldnt": "wouldn't",
    "woudnt": "wouldn't",
    "dont": "don't",
    "doesnt": "doesn't",
    "dosent": "doesn't",
    "dosnt": "doesn't",
    "doesent": "doesn't",
    "didnt": "didn't",
    "didint": "didn't",
    "cant": "can't",
    "couldnt": "couldn't",
    "shouldnt": "shouldn't",
    "isnt": "isn't",
    "wasnt": "wasn't",
    "arent": "aren't",
    "werent": "weren't",
    "hasnt": "hasn't",
    "havent": "haven't",
    "hadnt": "hadn't",
    "aint": "ain't",
    "hes": "he's",
    "shes": "she's",
    "theyre": "they're",
    "theyve": "they've",
    "theyll": "they'll",
    "theyd": "they'd",
    "thats": "that's",
    "theres": "there's",
    "whats": "what's",
    "n": "and",
    "&": "and",
    "+": "and",
    "tho": "though",
    "thru": "through",
    "cos": "because",
    "coz": "because",
    "cuz": "because",
    "bcos": "because",
    "wiv": "with",
    "w/": "with",
    "u": "you",
    "ur": "your",
    "nite": "night",
    "b4": "before",
    # text-speak and dialect from chat boxes
    "im": "i'm",
    "ive": "i've",
    "youre": "you're",
    "dunno": "don't know",
    "bf": "boyfriend",
    "gf": "girlfriend",
    "bday": "birthday",
    "xmas": "christmas",
    "nowt": "nothing",
    "owt": "anything",
    "summat": "something",
    "nuffin": "nothing",
    "nothin": "nothing",
    "nothink": "nothing",
    "goin": "going",
    "comin": "coming",
    "sayin": "saying",
    "fone": "phone",
    "skool": "school",
    "ppl": "people",
    "bc": "because",
    "becos": "because",
    "abt": "about",
    "yr": "year",
    "yrs": "years",
}
MIN_LENGTH = 5  # shorter words are too often another word, or a name
PROB_MARGIN = 3.0  # log-probability the correction must beat the typo by
# Typos are rare: a word the frequency table does not keep above this is taken to be
# at most this frequent (so the margin is, if anything, underestimated).
RARE_PROB = -17.0
# Only lower-case alphabetic words of MIN_LENGTH letters or more can be corrected or block
# a correction, so only those are read from the lookup tables.
WORD = re.compile(r'"([a-z]{' + str(MIN_LENGTH) + r',})"')
PROB_ENTRY = re.compile(r'"([a-z]{' + str(MIN_LENGTH) + r',})":\s*(-[0-9.e-]+)')


def _lookups_text(name: str) -> str:
    path = resources.files("spacy_lookups_data") / "data" / f"en_{name}.json.gz"
    with path.open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as text:
        return text.read()


def _deletes(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


def _one_edit(a: str, b: str) -> bool:
    """Whether ``a`` and ``b`` differ by one insertion, deletion, substitution or swap."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        if len(diff) == 1:
            return True
        return (
            len(diff) == 2
            and diff[1] == diff[0] + 1
            and a[diff[0]] == b[diff[1]]
            and a[diff[1]] == b[diff[0]]
        )
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return any(long_[:i] + long_[i + 1 :] == short for i in range(len(long_)))


class Normaliser:
    def __init__(self, nlp: Language, vocabulary: Iterable[str]) -> None:
        self.nlp = nlp
        self._vocabulary = {w for w in vocabulary if w.isalpha() and len(w) >= MIN_LENGTH - 1}
        self._index: dict[str, set[str]] = {}
        for word in self._vocabulary:
            for key in _deletes(word) | {word}:
                self._index.setdefault(key, set()).add(word)
        # Only what a correction can need is kept (the tables hold a million words):
        # the English words one edit from a catalogue word (never corrected), and the
        # frequencies of the catalogue words and of the commoner unknown words.
        # The tables are scanned as text rather than loaded: a million-entry dict would
        # leave its memory with the process.
        self._known = {
            word
            for name in ("lemma_lookup", "lemma_index")
            for word in WORD.findall(_lookups_text(name))
            if self._near(word)
        } | self._vocabulary
        self._prob: dict[str, float] = {}
        for match in PROB_ENTRY.finditer(_lookups_text("lexeme_prob")):
            word, prob = match.group(1), float(match.group(2))
            if prob > RARE_PROB and self._near(word) or word in self._vocabulary:
                self._prob[word] = prob
        self._cache: dict[str, str | None] = {}

    def _near(self, word: str) -> bool:
        """Whether ``word`` could be corrected: it is one edit from a catalogue word."""
        if len(word) < MIN_LENGTH or not word.isalpha():
            return False
        return any(key in self._index for key in _deletes(word) | {word})

    def correct(self, word: str) -> str | None:
        """The catalogue word a misspelt ``word`` stands for, or None."""
        if word in self._cache:
            return self._cache[word]
        result = None
        if len(word) >= MIN_LENGTH and word.isalpha() and word not in self._known:
            candidates = {c for key in _deletes(word) | {word} for c in self._index.get(key, ())}
            typo_prob = self._prob.get(word, RARE_PROB)
            scored = sorted(
                (self._prob.get(c, RARE_PROB), c) for c in candidates if _one_edit(word, c)
            )
            if scored and scored[-1][0] - typo_prob >= PROB_MARGIN:
                result = scored[-1][1]
        self._cache[word] = result
        return result

    def normalise(self, doc: Doc) -> tuple[Doc, list[tuple[int, int]]] | None:
        """A corrected doc and each new token's character span in ``doc``; None if
        nothing needed correcting."""
        pieces: list[tuple[str, int, int]] = []  # replacement text, original span
        changed = False
        for token in doc:
            text = token.text
            # "u" is "you" in text-speak, but not in "u-turn"
            hyphened = token.i + 1 < len(doc) and doc[token.i + 1].text == "-"
            expanded = None if hyphened else CONTRACTIONS.get(text)
            replacement = expanded or self.correct(text) or text
            changed = changed or replacement != text
            pieces.append((replacement + token.whitespace_, token.idx, token.idx + len(text)))
        if not changed:
            return None
        new_text = ""
        owner: list[int] = []  # for each character of new_text, the piece it came from
        for index, (piece, _, _) in enumerate(pieces):
            new_text += piece
            owner.extend([index] * len(piece))
        new_doc = self.nlp(new_text)
        spans = []
        for token in new_doc:
            first = pieces[owner[token.idx]]
            last = pieces[owner[token.idx + max(0, len(token.text) - 1)]]
            spans.append((first[1], last[2]))
        return new_doc, spans
