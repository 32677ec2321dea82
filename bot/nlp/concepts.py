"""Concept rules: an item is found when words of each of its concepts occur close
together in one clause, in any order and with any words between.

The catalogue's phrases and token patterns fix the order and the gaps of a
phrasing; practitioners vary both ("cash he can't explain", "can't explain where
the cash came from", "turned up with £200 and no explanation"). A concept rule
names the concepts the guidance's wording of an item is made of, each a class of
everyday words for it (people, money and goods, places, drugs, family, verbs of
movement...), and asks for one word of each within a few tokens. The classes and
rules live in ``content/triage/indicator_concepts.yml`` (its header explains them).

Matching is on spaCy lookup lemmas (a ``PhraseMatcher`` per class), or on the
lower-case form for a term written ``=word``. Negation is the caller's business
for the words before a match; this module reports which tokens the rule used, so a
negation inside the match that is not one of its own words can drop it.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.content_file import check_fields, load_yaml

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

# Words matched as written, not by lemma: the lookup lemma of "older" is "old", so an
# "older lad" term would also find an "old mate".
KEEP_FORM = frozenset(
    {"older", "elder", "oldest", "eldest", "olders", "elders", "worse", "worst", "better", "best"}
)
# Tokens that end a clause: a rule's words must all sit between two of these.
CLAUSE_ENDS = frozenset({".", "!", "?", ";", ":", "…", "–", "—", "|", "\n"})
DEFAULT_WINDOW = 8
MAX_CLAUSES = 3
RULE_FIELDS = ("item", "all", "also", "window", "ordered", "none", "none_window", "clauses")
MAX_OCCURRENCES = 12  # per slot and clause, so a long clause cannot blow up the combinations


class ConceptError(ValueError):
    """The concept file is malformed."""


@dataclass(frozen=True)
class Rule:
    item_id: str
    slots: tuple[tuple[str, ...], ...]  # each slot: the class names any of which fills it
    window: int
    ordered: bool
    # Classes none of which may occur within ``none_window`` tokens (before, after) of the match.
    none: tuple[str, ...] = ()
    none_window: tuple[int, int] = (3, 3)
    name: str = ""
    # How many clauses in a row the words may span: 2 lets an account follow the thing it
    # explains in the next sentence ("A graze on his cheek. Says he 'doesn't know' how.").
    clauses: int = 1


@dataclass(frozen=True)
class ConceptMatch:
    item_id: str
    start: int  # token offsets
    end: int
    tokens: frozenset[int]  # the tokens the rule's words occupy
    rule: str = ""


class ConceptMatcher:
    def __init__(self, path: Path, nlp: Language, item_ids: set[str] | None = None) -> None:
        from spacy.matcher import PhraseMatcher

        raw: dict[str, Any] = load_yaml(path) or {}
        check_fields(raw, path.name, ("window", "classes", "rules"), ("classes", "rules"))
        self.nlp = nlp
        classes: dict[str, list[str]] = {
            str(k): [str(t) for t in v] for k, v in (raw.get("classes") or {}).items()
        }
        default_window = int(raw.get("window", DEFAULT_WINDOW))
        self.rules: list[Rule] = []
        for entry in raw.get("rules") or []:
            check_fields(entry, "A concept rule", RULE_FIELDS, ("item", "all"))
            item_id = str(entry["item"])
            if item_ids is not None and item_id not in item_ids:
                raise ConceptError(f"{path.name}: rule for unknown catalogue item {item_id!r}.")
            slots = [self._slot(str(slot), classes, path) for slot in entry["all"]]
            for other in entry.get("also") or ():  # the same rule for a second item
                if item_ids is not None and other not in item_ids:
                    raise ConceptError(f"{path.name}: unknown catalogue item {other!r}.")
            for target in [item_id, *(entry.get("also") or ())]:
                self.rules.append(
                    Rule(
                        str(target),
                        tuple(slots),
                        int(entry.get("window", default_window)),
                        bool(entry.get("ordered", False)),
                        self._slot(str(entry["none"]), classes, path) if "none" in entry else (),
                        self._window(entry.get("none_window", 3)),
                        f"{target}@{len(self.rules)}",
                        self._clauses(entry.get("clauses", 1), path),
                    )
                )
        self._lemmas = PhraseMatcher(nlp.vocab, attr="NORM")
        self._lower = PhraseMatcher(nlp.vocab, attr="LOWER")
        used = {name for rule in self.rules for slot in rule.slots for name in slot}
        used |= {name for rule in self.rules for name in rule.none}
        for name in sorted(used):
            exact = [t[1:].lower() for t in classes[name] if t.startswith("=")]
            lemma = [t.lower() for t in classes[name] if not t.startswith("=")]
            if lemma:
                self._lemmas.add(name, [self._normed(d) for d in nlp.pipe(lemma)])
            if exact:
                self._lower.add(name, [nlp.make_doc(t) for t in exact])
        self.classes = classes

    @staticmethod
    def _clauses(value: object, path: Path) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_CLAUSES:
            raise ConceptError(
                f"{path.name}: 'clauses' must be a whole number from 1 to {MAX_CLAUSES}, "
                f"not {value!r}."
            )
        return value

    @staticmethod
    def _window(value: int | list[int]) -> tuple[int, int]:
        """``none_window``: one number for both sides, or [before, after]."""
        if isinstance(value, list):
            return int(value[0]), int(value[1])
        return int(value), int(value)

    @staticmethod
    def _slot(slot: str, classes: dict[str, list[str]], path: Path) -> tuple[str, ...]:
        """Class names from ``A|B|word``: upper case names a class, anything else is a term."""
        names = []
        for alternative in slot.split("|"):
            alternative = alternative.strip()
            if not alternative.isupper():  # a literal term: its own class
                classes.setdefault(alternative, [alternative])
            elif alternative not in classes:
                raise ConceptError(f"{path.name}: unknown class {alternative!r}.")
            names.append(alternative)
        return tuple(names)

    @staticmethod
    def _normed(doc: Doc) -> Doc:
        """A copy of ``doc`` whose NORM is the lemma, or the form for KEEP_FORM words."""
        from spacy.tokens import Doc

        words = [t.text for t in doc]
        copy = Doc(doc.vocab, words=words, spaces=[bool(t.whitespace_) for t in doc])
        for source, token in zip(doc, copy, strict=True):
            token.norm_ = source.lower_ if source.lower_ in KEEP_FORM else source.lemma_.lower()
        return copy

    def occurrences(self, doc: Doc) -> dict[str, list[tuple[int, int]]]:
        """Each class's (start, end) token spans in ``doc``."""
        found: dict[str, list[tuple[int, int]]] = {}
        normed = self._normed(doc)
        for matcher, target in ((self._lemmas, normed), (self._lower, doc)):
            for key, start, end in matcher(target):
                found.setdefault(self.nlp.vocab.strings[key], []).append((start, end))
        return found

    def match(self, doc: Doc) -> list[ConceptMatch]:
        found = self.occurrences(doc)
        if not found:
            return []
        clause = []
        current = 0
        for token in doc:
            if token.text in CLAUSE_ENDS or "\n" in token.text:
                current += 1
            clause.append(current)
        matches: list[ConceptMatch] = []
        for rule in self.rules:
            slots = [sorted({s for n in slot for s in found.get(n, ())}) for slot in rule.slots]
            if not all(slots):
                continue
            blocked = sorted({s for name in rule.none for s in found.get(name, ())})
            # A rule's words sit in one clause (or in ``rule.clauses`` clauses in a row), so
            # each clause, with the ones after it, is tried on its own.
            for number in sorted({clause[s] for spans in slots for s, _ in spans}):
                last = number + rule.clauses - 1
                options = [[s for s in spans if number <= clause[s[0]] <= last] for spans in slots]
                if not all(options):
                    continue
                for match in self._combinations(rule, [o[:MAX_OCCURRENCES] for o in options]):
                    if not any(
                        match.start - rule.none_window[0] <= start < match.end + rule.none_window[1]
                        and not set(range(start, end)) <= match.tokens  # one of its own words
                        for start, end in blocked
                    ):
                        matches.append(match)
        return matches

    @staticmethod
    def _combinations(rule: Rule, options: list[list[tuple[int, int]]]) -> list[ConceptMatch]:
        """The rule's matches, narrowest first."""
        found: list[ConceptMatch] = []
        for combo in itertools.product(*options):
            tokens: set[int] = set()
            overlap = False
            for start, end in combo:
                span = set(range(start, end))
                if tokens & span:
                    overlap = True
                    break
                tokens |= span
            if overlap:
                continue
            if rule.ordered and any(a[0] >= b[0] for a, b in itertools.pairwise(combo)):
                continue
            first = min(s for s, _ in combo)
            last = max(e for _, e in combo)
            if last - first > rule.window:
                continue
            found.append(ConceptMatch(rule.item_id, first, last, frozenset(tokens), rule.name))
        return sorted(found, key=lambda m: (m.end - m.start, m.start))
