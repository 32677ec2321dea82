"""Leave-one-set-out check of a *learned* indicator classifier beside the rules.

For each development set in turn: train one logistic regression per catalogue item
(TF-IDF of lemma 1-2-grams with negated words marked, plus which concept classes of
content/triage/indicator_concepts.yml occur) on the catalogue's phrases and the other
development sets, then measure on the set left out: the classifier alone, the
extractor alone, and the two together (an item when either finds it) at a few
probability thresholds. Reads the development sets only, never the held-out set.

The extractor's own rules were written looking at all the development sets, so its
figures here are in-sample; the classifier's are not. It is not shipped: see the
figures this prints (and the session report) for why.

    .venv/bin/python research/indicator_loso.py
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from indicator_dev_eval import DEV_SETS, load, score  # noqa: E402

THRESHOLDS = (0.5, 0.7, 0.85)


def main() -> int:
    import numpy as np
    from scipy.sparse import hstack
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    from bot import bootstrap
    from bot.nlp.indicator_matcher import NEGATIONS

    matcher = bootstrap.app().matcher
    concepts = matcher._concepts
    catalogue = matcher.catalogue

    def features(text: str) -> tuple[str, str]:
        doc = matcher.nlp(text.lower())
        normalised = matcher._normaliser.normalise(doc)
        if normalised is not None:
            doc = normalised[0]
        words, negated = [], 0
        for token in doc:
            if token.is_punct or token.lower_ in ("but", "and"):
                negated = 0
            elif token.lower_ in NEGATIONS or token.lemma_ in NEGATIONS:
                negated = 4
            else:
                words.append(("neg_" if negated else "") + token.lemma_)
                negated = max(0, negated - 1)
        found = concepts.occurrences(doc) if concepts else {}
        return " ".join(words), " ".join("C_" + k for k in found if k.isupper())

    def train(sentences: list[dict]):
        examples = [(p, {i.id}) for i in catalogue.items.values() for p in i.phrases]
        examples += [(s["text"], set(s["expected"] or [])) for s in sentences]
        pairs = [features(text) for text, _ in examples]
        words = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, token_pattern=r"\S+")
        classes = TfidfVectorizer(token_pattern=r"\S+", lowercase=False)
        x = hstack(
            [words.fit_transform(p[0] for p in pairs), classes.fit_transform(p[1] for p in pairs)]
        ).tocsr()
        models = {}
        for item in catalogue.items:
            y = np.array([item in expected for _, expected in examples])
            if y.any():
                models[item] = LogisticRegression(C=4.0, max_iter=2000, class_weight="balanced")
                models[item].fit(x, y)

        def probabilities(text: str) -> dict[str, float]:
            a, b = features(text)
            row = hstack([words.transform([a]), classes.transform([b])]).tocsr()
            return {item: model.predict_proba(row)[0, 1] for item, model in models.items()}

        return probabilities

    sets = {name: load(name) for name, path in DEV_SETS.items() if path.exists()}
    for held_out in sets:
        probabilities = train([s for name in sets if name != held_out for s in sets[name]])
        cache = {s["text"]: probabilities(s["text"]) for s in sets[held_out]}
        rows = [("extractor alone (in-sample)", matcher.ids)]
        for t in THRESHOLDS:
            rows.append((f"classifier alone, p >= {t}", _above(cache, t)))
            rows.append((f"extractor + classifier, p >= {t}", _union(matcher.ids, cache, t)))
        for label, ids in rows:
            r = score(sets[held_out], ids)
            print(f"{held_out} left out: {label:36s} P {r['precision']:.3f} R {r['recall']:.3f}")
    return 0


def _above(cache, threshold):
    return lambda text: [i for i, p in cache[text].items() if p >= threshold]


def _union(ids, cache, threshold):
    return lambda text: set(ids(text)) | set(_above(cache, threshold)(text))


if __name__ == "__main__":
    raise SystemExit(main())
