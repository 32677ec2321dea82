"""Counts of checks by outcome and the most frequent indicators over a date
range, and the guidance's content gaps (questions its answers did not settle),
with a PNG chart: ``python -m bot report --from 2026-01-01 --png out.png``.
Shows patterns, never a child: check records hold no free text and no names;
questions are shown only as stored (redacted), and only for topics asked about
in at least five conversations, so no single conversation can be picked out."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime, timedelta
from pathlib import Path


def _date(value: str) -> datetime:
    try:
        return datetime.strptime(value, "%Y-%m-%d")
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date like 2026-01-31") from exc


SMALLEST_GROUP = 5  # conversations a content gap must come from to be shown
EXAMPLES = 3  # redacted questions shown for each content gap


def write_chart(
    outcomes: dict[str, int],
    indicators: list[tuple[str, int]],
    path: Path,
    gaps: list[tuple[str, int]] = (),  # type: ignore[assignment]
) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, (left, right, third) = plt.subplots(1, 3, figsize=(18, 5))
    third.barh([n for n, _ in gaps] or ["(none)"], [c for _, c in gaps] or [0], color="#5a5a5a")
    third.set_title("Content gaps: answers that did not settle the question")
    third.invert_yaxis()
    left.barh(list(outcomes) or ["(none)"], list(outcomes.values()) or [0], color="#1d4f91")
    left.set_title("Checks by outcome")
    left.invert_yaxis()
    right.barh([n for n, _ in indicators] or ["(none)"], [c for _, c in indicators] or [0],
               color="#7a3b00")  # fmt: skip
    right.set_title("Most frequent indicators")
    right.invert_yaxis()
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=100)
    plt.close(figure)


def _trace(found: dict | None, reference: str) -> int:
    """One check, found by the reference code its summary carries."""
    if found is None:
        print(f"No check with the reference {reference!r} (or it was purged).", file=sys.stderr)
        return 1
    print(json.dumps(found, indent=2, default=str))
    return 0


def main(args: argparse.Namespace) -> int:
    from bot import bootstrap
    from bot.storage.database import DatabaseError
    from bot.storage.records import ready
    from bot.storage.repository import UnitOfWork

    end = args.to + timedelta(days=1) if args.to else None
    try:
        with UnitOfWork(ready(bootstrap.app().settings.effective_database_url)) as uow:
            if args.reference:
                return _trace(uow.checks.by_reference(args.reference), args.reference)
            outcomes = uow.checks.count_by_outcome(args.start, end)
            counts = uow.checks.indicator_counts(args.start, end)
            gaps, left_out = uow.answers.content_gaps(args.start, end, SMALLEST_GROUP)
    except DatabaseError as exc:
        print(exc, file=sys.stderr)
        return 2
    catalogue = bootstrap.app().catalogue
    top = [
        (catalogue[i].label if i in catalogue else i, n) for i, n in counts.most_common(args.top)
    ]
    span = f"{args.start:%Y-%m-%d}" if args.start else "the start"
    print(f"Checks from {span} to {args.to:%Y-%m-%d}" if args.to else f"Checks from {span} to now")
    print(f"Total: {sum(outcomes.values())}")
    for outcome, count in sorted(outcomes.items(), key=lambda kv: -kv[1]):
        print(f"  {outcome:28} {count}")
    print("Most frequent indicators:")
    for label, count in top:
        print(f"  {count:4}  {label}")
    knowledge = bootstrap.app().knowledge
    print(
        "Content gaps (answers from the search or asked back, asked again within two minutes, "
        f"or marked not helpful; topics from {SMALLEST_GROUP}+ conversations):"
    )
    for gap in gaps:
        title = knowledge.topics[gap.topic].question if gap.topic in knowledge.topics else gap.topic
        print(f"  {gap.answers:4}  {title}  ({gap.conversations} conversations: "
              f"{gap.searched} searched or asked back, {gap.asked_again} asked again, "
              f"{gap.not_helpful} not helpful)")  # fmt: skip
        for question, count in gap.questions.most_common(EXAMPLES):
            print(f"          {count:3} x {question}")
    if not gaps:
        print("  none")
    if left_out:
        print(f"  (and {left_out} from topics asked about in fewer than {SMALLEST_GROUP} "
              "conversations, not shown)")  # fmt: skip
    if args.png:
        labels = [(knowledge.topics[g.topic].question if g.topic in knowledge.topics else g.topic,
                   g.answers) for g in gaps[: args.top]]  # fmt: skip
        write_chart(outcomes, top, Path(args.png), labels)
        print(f"Chart written to {args.png}")
    return 0


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("report", help=__doc__.splitlines()[0])
    parser.add_argument("--from", dest="start", type=_date, help="first day (YYYY-MM-DD)")
    parser.add_argument("--to", type=_date, help="last day, inclusive (YYYY-MM-DD)")
    parser.add_argument("--top", type=int, default=10, help="how many indicators to list")
    parser.add_argument("--png", help="write a bar chart to this PNG file")
    parser.add_argument(
        "--reference", help="show the one check whose summary carries this reference code"
    )
    parser.set_defaults(func=main)
