"""``python -m bot <command>``: the assistant's command line.

Each command lives in its own module under :mod:`bot.cli` and registers itself
with :func:`add_parser`; imports happen only for the command that runs.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from bot.config import SettingsError

COMMANDS = (
    "serve",
    "train",
    "converse",
    "sync_data",
    "assess",
    "indicators",
    "report",
    "retention",
    "migrate",
    "teams_package",
    "rules",
    "healthcheck",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description=__doc__.splitlines()[0])
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        importlib.import_module(f"bot.cli.{name}").add_parser(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except SettingsError as error:  # a wrong CCE_ setting: say which, without a traceback
        print(f"Cannot start: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
