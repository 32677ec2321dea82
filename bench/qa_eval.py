"""Section accuracy of the guidance answers on the blind question sets
(tests/data/questions_tuning.yml, questions_untouched.yml), with the trained model.

    .venv/bin/python bench/qa_eval.py                 # both sets, figures only
    .venv/bin/python bench/qa_eval.py tuning -v       # one set, with its misses
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SETS = {
    "tuning": ROOT / "tests/data/questions_tuning.yml",
    "untouched": ROOT / "tests/data/questions_untouched.yml",
}


def quiet() -> None:
    """rasa's structlog prints a debug line per parse (with the question): off."""
    import logging

    import structlog

    logging.basicConfig(level=logging.WARNING)
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))


def main() -> int:
    quiet()
    from rasa.core.agent import Agent

    from bot.knowledge.evaluation import answered_topics, evaluate_sections

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sets", nargs="*", help=f"any of {', '.join(SETS)} (default: all)")
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args()
    agent = Agent.load(str(ROOT / "models/cce.tar.gz"))
    loop = asyncio.new_event_loop()

    def parse(text: str) -> dict:
        return loop.run_until_complete(agent.parse_message(text))

    for name in args.sets or list(SETS):
        questions = yaml.safe_load(SETS[name].read_text(encoding="utf-8"))["questions"]
        report = evaluate_sections(questions, parse, answered_topics)
        misses = report.pop("misses")
        print(f"{name}: {json.dumps(report)}")
        if args.verbose:
            print(json.dumps(misses, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
