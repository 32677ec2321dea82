"""Redaction on the blind corpora (tests/data/redaction_corpus_*.yml): the share
of identifiers removed and of clean messages altered, per corpus.

    .venv/bin/python bench/redaction_eval.py            # both corpora, figures only
    .venv/bin/python bench/redaction_eval.py tuning -v  # one corpus, with what was missed
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CORPORA = {
    "tuning": ROOT / "tests/data/redaction_corpus_tuning.yml",
    "untouched": ROOT / "tests/data/redaction_corpus_untouched.yml",
}


def main() -> int:
    from bot.privacy.evaluation import score
    from bot.privacy.redaction import redact

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpora", nargs="*", help=f"any of {', '.join(CORPORA)} (default: all)")
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args()
    for name in args.corpora or list(CORPORA):
        cases = yaml.safe_load(CORPORA[name].read_text(encoding="utf-8"))["cases"]
        report = score(cases, lambda text: redact(text).text)
        print(
            f"{name}: {report['identifiers']} identifiers, removed {report['removed']:.3f}; "
            f"{report['clean_messages']} clean messages, altered {report['clean_altered']:.3f}; "
            f"missed by kind {report['missed_by_kind']}"
        )
        if args.verbose:
            print(json.dumps({"missed": report["missed"], "altered": report["altered"]}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
