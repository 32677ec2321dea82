"""Precision and recall of the check's *pre-selection* on the indicator sets:
what the recogniser finds in a practitioner's description, as the ticks it puts
on the check's screens (an indicator or vulnerability factor of a screen ticks
itself; an item such as "paid to carry parcels" ticks the question it implies),
against the ticks the annotation would give. Since every indicator is put to the
practitioner anyway, precision is the target (a false tick costs a click); recall
is reported.

    .venv/bin/python bench/preselection_eval.py dev14 dev15 --train 1-13   # the tuning figure
    .venv/bin/python bench/preselection_eval.py dev16                      # as the product does
    .venv/bin/python bench/preselection_eval.py dev14 --rules-only -v      # the rules alone

The product's confirming classifier (bot/nlp/preselection.py) is trained on
dev1-dev15 (content/triage/indicator_examples/); ``--train`` trains the same
classifier on other sets, so that sets it was not trained on can be scored.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bot.nlp.preselection import DEFAULT_THRESHOLD, Confirmation  # noqa: E402


def ticks(ids) -> set[str]:
    """What the check's screens would show ticked for these catalogue ids: the
    screens' own items, and the questions the others imply (bot.check.flow)."""
    from bot import bootstrap
    from bot.check.flow import implied

    catalogue, plan = bootstrap.app().catalogue, bootstrap.app().plan
    on_screens = {i for theme in plan.themes for i in theme.items}
    return {i for i in implied([i for i in ids if i in catalogue], catalogue) if i in on_screens}


def trained(sets: str, threshold: float) -> Confirmation:
    """The confirming classifier trained on dev sets ``first-last``, as the product trains it."""
    from indicator_dev_eval import load

    from bot import bootstrap

    first, last = (int(n) for n in sets.split("-"))
    examples = [
        (s["text"], frozenset(s["expected"] or []))
        for n in range(first, last + 1)
        for s in load(f"dev{n}")
    ]
    catalogue = bootstrap.app().catalogue
    phrases = {item.id: list(item.phrases) for item in catalogue.items.values()}
    return Confirmation(threshold).fit(examples, list(catalogue.items), phrases)


def evaluate(
    names: list[str],
    train: str = "1-15",
    rules_only: bool = False,
    threshold: float = DEFAULT_THRESHOLD,
) -> dict[str, dict]:
    """Pre-selection precision and recall on each named set (``score``'s result)."""
    from indicator_dev_eval import load, score

    from bot import bootstrap

    matcher = bootstrap.app().matcher
    confirm = (lambda text, found: found) if rules_only else trained(train, threshold).confirm
    results = {}
    for name in names:
        sentences = [
            {"text": s["text"], "expected": sorted(ticks(s["expected"] or []))} for s in load(name)
        ]
        results[name] = score(
            sentences, lambda text: sorted(ticks(confirm(text, matcher.ids(text))))
        )
    return results


def main(argv: list[str] | None = None) -> int:
    from bot import bootstrap

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sets", nargs="+", help="dev14, dev15, dev16, ...")
    parser.add_argument("-v", "--verbose", action="store_true", help="print each error")
    parser.add_argument("--train", default="1-15", help="dev sets the classifier learns from")
    parser.add_argument("--rules-only", action="store_true", help="no confirming classifier")
    parser.add_argument("--threshold", type=float, default=DEFAULT_THRESHOLD)
    args = parser.parse_args(argv)
    matcher = bootstrap.app().matcher
    results = evaluate(args.sets, args.train, args.rules_only, args.threshold)
    for name, result in results.items():
        print(
            f"{name}: pre-selection precision {result['precision']:.3f}, recall "
            f"{result['recall']:.3f} (tp {result['tp']}, fp {result['fp']}, fn {result['fn']})"
        )
        if args.verbose:
            for text, _missed, extra in result["errors"]:
                if extra:
                    sources = {m.item_id: f"{m.source}:{m.text!r}" for m in matcher.match(text)}
                    print(f"   {text}\n      extra {[f'{e} <{sources.get(e)}>' for e in extra]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
