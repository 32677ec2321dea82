"""Assess a set of check answers: ``python -m bot assess FILE|-``.

Reads JSON such as ``{"age_under_18": "yes", "immediate_danger": "no",
"indicators": ["going_missing"], "description": "two phones"}`` and prints the
assessment as JSON (outcome, nrm_referral, steps with action, contact and
source, indicators, vulnerabilities, to_find_out, summary).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from bot.triage.model import CheckInput


def main(args: argparse.Namespace) -> int:
    from dataclasses import replace

    from bot import bootstrap
    from bot.triage.catalogue import CatalogueError
    from bot.triage.engine import assess

    try:
        text = sys.stdin.read() if args.file == "-" else Path(args.file).read_text(encoding="utf-8")
        data = json.loads(text)
        if not isinstance(data, dict):
            raise ValueError("the answers must be a JSON object")
        check = CheckInput.from_dict(data)
        extract = bootstrap.app().matcher.ids if check.description else None
        assessment = assess(check, replace(bootstrap.app().triage, extract=extract))
    except OSError as exc:
        print(f"Cannot read {args.file}: {exc.strerror}", file=sys.stderr)
        return 2
    except json.JSONDecodeError as exc:
        print(f"The answers are not valid JSON: {exc}", file=sys.stderr)
        return 2
    except (ValueError, CatalogueError) as exc:
        print(f"Cannot assess these answers: {exc}", file=sys.stderr)
        return 2
    json.dump(assessment.as_dict(), sys.stdout, indent=2, ensure_ascii=False)
    print()
    return 0


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("assess", help=__doc__.splitlines()[0])
    parser.add_argument("file", help="a JSON file of answers, or - for standard input")
    parser.set_defaults(func=main)
