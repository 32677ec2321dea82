"""How far two careful annotators agree on the indicator labels: the ceiling for the extractor.

A second annotator, who saw only the guidance, the catalogue's labels and the texts (not the
first writer's labels, the rules or the extractor's output), labelled dev12 and dev13 again
(``tests/data/indicator_dev12_second.yml``, ``..._dev13_second.yml``). Scored like the
extractor, with the first writer's labels as the reference: if two people agree only to
about 0.85, no extractor can be shown to reach 0.9 against either one.

    .venv/bin/python research/indicator_agreement.py          # both sets, pooled
    .venv/bin/python research/indicator_agreement.py -v       # and every disagreement
"""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]

SETS = ("dev12", "dev13")


def load(name: str) -> list[dict]:
    path = ROOT / f"tests/data/indicator_{name}_sentences.yml"
    return yaml.safe_load(path.read_text(encoding="utf-8"))["sentences"]


def second_labels(name: str) -> list[set[str]]:
    path = ROOT / f"tests/data/indicator_{name}_second.yml"
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))["labels"]
    return [set(raw[i] or []) for i in sorted(raw)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-v", "--verbose", action="store_true", help="print each disagreement")
    args = parser.parse_args(argv)

    total = Counter()
    disputed: Counter[str] = Counter()
    for name in SETS:
        first = [set(s["expected"] or []) for s in load(name)]
        texts = [s["text"] for s in load(name)]
        second = second_labels(name)
        if len(second) != len(first):
            raise SystemExit(f"{name}: {len(second)} second labels for {len(first)} sentences")
        counts = Counter()
        for text, a, b in zip(texts, first, second, strict=True):
            counts["both"] += len(a & b)
            counts["first_only"] += len(a - b)
            counts["second_only"] += len(b - a)
            counts["same_sentence"] += a == b
            disputed.update(a ^ b)
            if args.verbose and a != b:
                print(f"  {text}\n      first only {sorted(a - b)}  second only {sorted(b - a)}")
        total.update(counts)
        print(f"{name}: " + _line(counts, len(first)))
    print("pooled: " + _line(total, sum(len(load(n)) for n in SETS)))
    print("most disputed ids: " + ", ".join(f"{k} {v}" for k, v in disputed.most_common(10)))
    return 0


def _line(c: Counter, sentences: int) -> str:
    both, first, second = c["both"], c["first_only"], c["second_only"]
    precision = both / (both + second) if both + second else 1.0  # second against first
    recall = both / (both + first) if both + first else 1.0
    return (
        f"second annotator against the writer: precision {precision:.3f}, recall {recall:.3f} "
        f"(agreed {both}, writer only {first}, second only {second}); identical label sets "
        f"in {c['same_sentence']}/{sentences} sentences"
    )


if __name__ == "__main__":
    raise SystemExit(main())
