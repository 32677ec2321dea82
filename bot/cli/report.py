"""Counts of checks by outcome and the most frequent indicators over a date
range, with a PNG bar chart: ``python -m bot report --from 2026-01-01 --png out.png``.
Shows patterns, never a child: records hold no free text and no names."""

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


def write_chart(outcomes: dict[str, int], indicators: list[tuple[str, int]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, (left, right) = plt.subplots(1, 2, figsize=(12, 5))
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
    from bot.config import get_settings
    from bot.storage.database import DatabaseError
    from bot.storage.records import ready
    from bot.storage.repository import UnitOfWork
    from bot.triage.service import get_catalogue

    end = args.to + timedelta(days=1) if args.to else None
    try:
        with UnitOfWork(ready(get_settings().effective_database_url)) as uow:
            if args.reference:
                return _trace(uow.checks.by_reference(args.reference), args.reference)
            outcomes = uow.checks.count_by_outcome(args.start, end)
            counts = uow.checks.indicator_counts(args.start, end)
    except DatabaseError as exc:
        print(exc, file=sys.stderr)
        return 2
    catalogue = get_catalogue()
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
    if args.png:
        write_chart(outcomes, top, Path(args.png))
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
