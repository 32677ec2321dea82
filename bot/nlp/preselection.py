"""A second opinion on what the rules recognise, before the check ticks it.

Every indicator of the guidance is put to the practitioner anyway; what the
recogniser finds in their description only arrives ticked, to confirm. A wrong
tick costs a click and can mislead, so precision matters more than recall.
The rules (:mod:`bot.nlp.indicator_matcher`) find about 0.8 of what they tick
correctly on descriptions written apart from them; on the same text a simple
learned classifier (one logistic regression per item, on word and character
n-grams) is about as good, and the two err differently. :class:`Confirmation`
keeps a rule's find only when the classifier also gives the item at least
``threshold``: measured in docs/indicator-evaluation.md.

Trained on the annotated descriptions in ``content/triage/indicator_examples/``
(and the catalogue's phrases) when the model is trained; items with too few
examples to learn are left to the rules alone.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

MIN_POSITIVES = 3  # examples an item needs before the classifier gives it a view
DEFAULT_THRESHOLD = 0.2


def load_examples(folder: Path) -> list[tuple[str, frozenset[str]]]:
    """The annotated descriptions (``sentences: [{text, expected}]``) of every
    .yml file in ``folder``."""
    from bot.content_file import check_fields, load_yaml

    examples = []
    for path in sorted(folder.glob("*.yml")):
        raw = check_fields(load_yaml(path), path.name, ("sentences",), ("sentences",))
        for entry in raw["sentences"]:
            check_fields(entry, f"A sentence in {path.name}", ("text", "expected"), ("text",))
            examples.append((str(entry["text"]), frozenset(entry.get("expected") or ())))
    return examples


@dataclass
class Confirmation:
    """Per item: does the text look like it describes this item?"""

    threshold: float = DEFAULT_THRESHOLD
    models: dict[str, Any] = field(default_factory=dict)
    vectorizers: tuple[Any, ...] = ()

    def fit(
        self,
        examples: Sequence[tuple[str, frozenset[str]]],
        items: Iterable[str],
        phrases: Mapping[str, Sequence[str]] = {},  # noqa: B006 - read only
    ) -> Confirmation:
        import numpy as np
        from scipy.sparse import hstack
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression

        texts = [text.lower() for text, _ in examples]
        labels = [labelled for _, labelled in examples]
        for item, item_phrases in phrases.items():  # the catalogue's own words, as examples
            texts += [p.lower() for p in item_phrases]
            labels += [frozenset({item})] * len(item_phrases)
        words = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)
        chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=2)
        features = hstack([words.fit_transform(texts), chars.fit_transform(texts)]).tocsr()
        self.vectorizers = (words, chars)
        self.models = {}
        for item in items:
            target = np.array([item in labelled for labelled in labels])
            if target.sum() < MIN_POSITIVES:
                continue
            model = LogisticRegression(C=10.0, max_iter=3000, class_weight="balanced")
            self.models[item] = model.fit(features, target)
        return self

    def probabilities(self, text: str, items: Iterable[str]) -> dict[str, float]:
        from scipy.sparse import hstack

        wanted = [i for i in items if i in self.models]
        if not wanted:
            return {}
        features = hstack([v.transform([text.lower()]) for v in self.vectorizers]).tocsr()
        return {i: float(self.models[i].predict_proba(features)[0, 1]) for i in wanted}

    def confirm(self, text: str, found: Sequence[str]) -> list[str]:
        """The items of ``found`` (the rules' finds) the classifier agrees with;
        an item it knows too little about is kept as the rules found it."""
        probabilities = self.probabilities(text, found)
        return [i for i in found if probabilities.get(i, 1.0) >= self.threshold]
