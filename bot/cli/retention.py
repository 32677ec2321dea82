"""Retention and erasure: ``python -m bot purge --older-than DAYS`` and
``python -m bot erase SENDER_ID``. Both print counts only, never content. In a
SQLite file the deleted rows are overwritten, and the write-ahead log emptied
afterwards (:mod:`bot.storage.sqlite_file`)."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime, timedelta, timezone


def purge(args: argparse.Namespace) -> int:
    from bot import bootstrap
    from bot.storage.conversations import TrackerUnitOfWork
    from bot.storage.database import DatabaseError, get_engine
    from bot.storage.records import ready
    from bot.storage.repository import UnitOfWork
    from bot.storage.sqlite_file import empty_log

    settings = bootstrap.app().settings
    days = settings.retention_days if args.older_than is None else args.older_than
    if days < 0:
        print("--older-than must be 0 or more days.", file=sys.stderr)
        return 2
    cutoff = datetime.now(timezone.utc).replace(tzinfo=None) - timedelta(days=days)
    try:
        with TrackerUnitOfWork(settings.effective_tracker_database_url) as uow:
            conversations, events = uow.conversations.delete_inactive_since(
                cutoff.replace(tzinfo=timezone.utc)
            )
        empty_log(get_engine(settings.effective_tracker_database_url))
        with UnitOfWork(ready(settings.effective_database_url)) as records:
            checks = records.checks.delete_older_than(cutoff)
            answers = records.answers.delete_older_than(cutoff)
    except DatabaseError as exc:
        print(exc, file=sys.stderr)
        return 2
    print(f"Deleted {conversations} conversations ({events} events), {checks} check records "
          f"and {answers} answer records older than {days} days.")  # fmt: skip
    return 0


def erase(args: argparse.Namespace) -> int:
    """Deletes the conversation and its check and answer records, found by every hash a
    record of it may carry (:func:`bot.storage.records.owner_hashes`)."""
    from bot import bootstrap
    from bot.storage.conversations import TrackerUnitOfWork
    from bot.storage.database import DatabaseError, get_engine
    from bot.storage.records import owner_hashes, ready
    from bot.storage.repository import UnitOfWork
    from bot.storage.sqlite_file import empty_log

    settings = bootstrap.app().settings
    try:
        with TrackerUnitOfWork(settings.effective_tracker_database_url) as uow:
            events = uow.conversations.delete_conversation(args.sender_id)
        empty_log(get_engine(settings.effective_tracker_database_url))
        with UnitOfWork(ready(settings.effective_database_url)) as records:
            hashes = owner_hashes(args.sender_id)
            checks = sum(records.checks.delete_for_sender(h) for h in hashes)
            answers = sum(records.answers.delete_for_sender(h) for h in hashes)
    except DatabaseError as exc:
        print(exc, file=sys.stderr)
        return 2
    print(
        f"Deleted {events} events, {checks} check records and {answers} answer records of "
        "that conversation."
    )
    return 0


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "purge", help="delete conversations and check records past retention"
    )
    parser.add_argument("--older-than", type=int, metavar="DAYS",
                        help="days to keep (default CCE_RETENTION_DAYS, 90)")  # fmt: skip
    parser.set_defaults(func=purge)
    parser = subparsers.add_parser("erase", help="delete one conversation everywhere it is stored")
    parser.add_argument("sender_id", help="the conversation's sender id")
    parser.set_defaults(func=erase)
