"""``python -m bot migrate [--check]``: bring the records database's schema
(``CCE_DATABASE_URL``) up to the newest Alembic migration (``bot/storage/migrations``).

The servers do this themselves when they first use the database; run it before
starting new code on several instances at once (so they do not all try at
the same moment), or with ``--check`` to see whether a migration is due (exit 1
when it is, changing nothing). The conversations' tables are rasa's own and
are created by rasa.
"""

from __future__ import annotations

import argparse
import sys


def main(args: argparse.Namespace) -> int:
    from bot import bootstrap
    from bot.storage.database import DatabaseError, migrate, revisions

    url = bootstrap.app().settings.effective_database_url
    try:
        current, head = revisions(url)
        if args.check:
            print(f"Records schema at {current or 'none'}; the code's newest is {head}.")
            return 0 if current == head else 1
        if current != head:
            migrate(url)
        after, _ = revisions(url)
    except DatabaseError as exc:
        print(exc, file=sys.stderr)
        return 2
    print(f"Records schema at {after} (was {current or 'none'}).")
    return 0


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("migrate", help=__doc__.splitlines()[0].split(": ", 1)[-1])
    parser.add_argument(
        "--check", action="store_true", help="only say whether a migration is due (exit 1 if so)"
    )
    parser.set_defaults(func=main)
