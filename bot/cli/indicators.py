"""Print the indicator catalogue as JSON: ``python -m bot indicators``."""

from __future__ import annotations

import argparse
import json
import sys


def main(args: argparse.Namespace) -> int:
    from bot import bootstrap

    json.dump(bootstrap.app().catalogue.as_list(), sys.stdout, indent=2, ensure_ascii=False)
    print()
    return 0


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("indicators", help=__doc__.splitlines()[0])
    parser.set_defaults(func=main)
