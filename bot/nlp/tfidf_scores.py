"""The linear scores of one text under fitted TF-IDF vectorizers and a linear
model, computed without building sparse matrices.

``LemmaIntentClassifier`` scores one message at a time. sklearn's path for that
(two ``TfidfVectorizer.transform`` calls, ``hstack``, a sparse product) spent
most of its time on scipy bookkeeping for a handful of non-zero features. This
does the same arithmetic on those few features directly: the vectorizer's own
analyzer and vocabulary, its sublinear tf, idf weights and l2 norm (each
vectorizer normalised on its own, as ``transform`` does), then the weights of
the features present. The results equal sklearn's up to floating-point
rounding (``tests/unit/test_nlp.py`` compares them).
"""

from __future__ import annotations

from typing import Any

import numpy as np


class TfidfLinearScorer:
    """``scores(text)``: the decision function of the linear model `weights`
    (features × classes) and `intercept` over the concatenated features of
    `vectorizers`."""

    def __init__(self, vectorizers: list[Any], weights: np.ndarray, intercept: np.ndarray) -> None:
        self._parts = []
        offset = 0
        for vectorizer in vectorizers:
            if vectorizer.binary or vectorizer.norm not in ("l2", None):
                raise ValueError("only l2- or un-normalised, non-binary TF-IDF is supported")
            self._parts.append(
                (
                    vectorizer.build_analyzer(),
                    vectorizer.vocabulary_,
                    np.asarray(vectorizer.idf_) if vectorizer.use_idf else None,
                    offset,
                    vectorizer.sublinear_tf,
                    vectorizer.norm == "l2",
                )
            )
            offset += len(vectorizer.vocabulary_)
        if offset != weights.shape[0]:
            raise ValueError(f"{offset} features but weights for {weights.shape[0]}")
        self._weights = weights
        self._intercept = intercept

    def scores(self, text: str) -> np.ndarray:
        scores = np.array(self._intercept, dtype=float)
        for analyzer, vocabulary, idf, offset, sublinear, l2 in self._parts:
            counts: dict[int, int] = {}
            for feature in analyzer(text):
                index = vocabulary.get(feature)
                if index is not None:
                    counts[index] = counts.get(index, 0) + 1
            if not counts:
                continue
            indices = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
            values = np.fromiter(counts.values(), dtype=float, count=len(counts))
            if sublinear:
                values = np.log(values) + 1.0
            if idf is not None:
                values = values * idf[indices]
            if l2:
                norm = np.sqrt(np.dot(values, values))
                if norm > 0:
                    values = values / norm
            scores += values @ self._weights[offset + indices]
        return scores
