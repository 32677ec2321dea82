"""Print the check's decision rules as a sign-off table: ``python -m bot rules``.

``--write`` writes it to docs/decision-rules.md (``make rules``); ``--check``
exits 1 when that file is stale (``make test`` runs the check through a test).
"""

from __future__ import annotations

import argparse
import sys

from bot.config import PROJECT_ROOT

SIGNOFF_FILE = PROJECT_ROOT / "docs" / "decision-rules.md"


def signoff_text() -> str:
    from bot import bootstrap
    from bot.triage.signoff import render_signoff

    return render_signoff(bootstrap.app().triage)


def main(args: argparse.Namespace) -> int:
    text = signoff_text()
    if args.check:
        current = SIGNOFF_FILE.read_text(encoding="utf-8") if SIGNOFF_FILE.exists() else ""
        if current != text:
            print(f"{SIGNOFF_FILE} is stale: run `make rules`.", file=sys.stderr)
            return 1
        print(f"{SIGNOFF_FILE} is up to date.")
        return 0
    if args.write:
        SIGNOFF_FILE.parent.mkdir(exist_ok=True)
        SIGNOFF_FILE.write_text(text, encoding="utf-8")
        print(f"Wrote {SIGNOFF_FILE}.")
        return 0
    sys.stdout.write(text)
    return 0


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("rules", help=__doc__.splitlines()[0])
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--write", action="store_true", help="write docs/decision-rules.md")
    group.add_argument("--check", action="store_true", help="exit 1 if that file is stale")
    parser.set_defaults(func=main)
