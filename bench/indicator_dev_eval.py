"""Precision and recall of the indicator extractor on the *development* sets.

Mirrors tests/unit/test_indicator_extractor.py (micro-averaged over catalogue items,
a sentence's found ids against its expected ids) but reads only the development
files below, never the held-out test set.

    .venv/bin/python bench/indicator_dev_eval.py            # every dev set present
    .venv/bin/python bench/indicator_dev_eval.py dev3 -v    # one set, with its errors
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

EXAMPLES = ROOT / "content/triage/indicator_examples"
# dev1-dev15 are also the pre-selection classifier's training examples
# (bot/nlp/preselection.py); dev16 was never tuned on or trained with.
DEV_SETS = {
    **{f"dev{n}": EXAMPLES / f"dev{n:02d}.yml" for n in range(1, 16)},
    "dev16": ROOT / "tests/data/indicator_dev16_sentences.yml",
}


def load(name: str) -> list[dict]:
    return yaml.safe_load(DEV_SETS[name].read_text(encoding="utf-8"))["sentences"]


def score(sentences: list[dict], ids) -> dict:
    """Micro precision/recall of ``ids(text) -> list of item ids`` on the sentences."""
    tp = fp = fn = 0
    errors = []
    started = time.process_time()  # CPU time: other work on the machine does not count
    for sentence in sentences:
        expected = set(sentence["expected"] or [])
        found = set(ids(sentence["text"]))
        tp += len(found & expected)
        fp += len(found - expected)
        fn += len(expected - found)
        if found != expected:
            errors.append((sentence["text"], sorted(expected - found), sorted(found - expected)))
    elapsed = time.process_time() - started
    return {
        "sentences": len(sentences),
        "precision": tp / (tp + fp) if tp + fp else 1.0,
        "recall": tp / (tp + fn) if tp + fn else 1.0,
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "ms_per_sentence": 1000 * elapsed / max(1, len(sentences)),  # CPU ms, text to ids
        "errors": errors,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sets", nargs="*", help="dev1, dev2, dev3, dev4 (default: all present)")
    parser.add_argument("-v", "--verbose", action="store_true", help="print each error")
    args = parser.parse_args(argv)
    names = args.sets or [n for n, p in DEV_SETS.items() if p.exists()]

    from bot import bootstrap

    started = time.perf_counter()
    matcher = bootstrap.app().matcher
    print(f"matcher built in {time.perf_counter() - started:.2f} s")
    matcher.ids("warm-up sentence")
    for name in names:
        result = score(load(name), matcher.ids)
        print(
            f"{name}: {result['sentences']} sentences, precision {result['precision']:.3f}, "
            f"recall {result['recall']:.3f} (tp {result['tp']}, fp {result['fp']}, "
            f"fn {result['fn']}), {result['ms_per_sentence']:.2f} ms/sentence"
        )
        if args.verbose:
            for text, missed, extra in result["errors"]:
                sources = {m.item_id: f"{m.source}:{m.text!r}" for m in matcher.match(text)}
                extras = [f"{e} <{sources.get(e, '')}>" for e in extra]
                print(f"   {text}\n      missed {missed} extra {extras}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
