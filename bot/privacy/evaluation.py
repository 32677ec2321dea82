"""How well redaction does on a corpus of messages written apart from its
patterns: the share of identifiers removed and of clean messages left alone.

Used by the corpus tests (a regression floor) and ``bench/redaction_eval.py``.
The scoring was fixed before the corpora were first measured:

- an identifier counts as removed when, in the redacted text, neither it nor
  its text without zero-width characters appears (case-insensitive); when it
  holds six or more digits, those digits must not survive in a row among the
  text's digits either; a name's words (three letters or more) must not survive
  as words, and a social handle must not survive without its ``@``;
- a clean message counts as altered when the redacted text differs at all.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from typing import Any

ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u2060\ufeff]")


def _words(text: str) -> set[str]:
    return {w.lower() for w in re.findall(r"[^\W\d_]+", ZERO_WIDTH.sub("", text))}


def survives(identifier: str, kind: str, redacted: str) -> bool:
    """Whether any recognisable part of ``identifier`` is left in ``redacted``."""
    plain = ZERO_WIDTH.sub("", identifier)
    lowered = redacted.lower()
    if identifier.lower() in lowered or plain.lower() in ZERO_WIDTH.sub("", lowered):
        return True
    digits = "".join(ch for ch in plain if ch.isdigit())
    if len(digits) >= 6 and digits in "".join(ch for ch in redacted if ch.isdigit()):
        return True
    if kind == "NAME":
        names = {w for w in _words(plain) if len(w) >= 3}
        return bool(names & _words(redacted))
    if kind == "SOCIAL":
        handle = plain.lstrip("@").lower()
        return len(handle) >= 3 and handle in ZERO_WIDTH.sub("", lowered)
    return False


def score(cases: Iterable[Mapping[str, Any]], redact: Callable[[str], str]) -> dict[str, Any]:
    """Scores ``redact`` (text -> redacted text) on corpus ``cases``."""
    identifiers = removed = clean = altered = 0
    missed: list[dict[str, str]] = []
    changed: list[dict[str, str]] = []
    by_kind: Counter[str] = Counter()
    missed_by_kind: Counter[str] = Counter()
    for case in cases:
        result = redact(case["text"])
        if not case["identifiers"]:
            clean += 1
            if result != case["text"]:
                altered += 1
                changed.append({"text": case["text"], "redacted": result})
            continue
        for identifier, kind in zip(case["identifiers"], case["kinds"], strict=True):
            identifiers += 1
            by_kind[kind] += 1
            if survives(identifier, kind, result):
                missed_by_kind[kind] += 1
                missed.append({"kind": kind, "identifier": identifier, "redacted": result})
            else:
                removed += 1
    return {
        "identifiers": identifiers,
        "removed": round(removed / identifiers, 4) if identifiers else 1.0,
        "clean_messages": clean,
        "clean_altered": round(altered / clean, 4) if clean else 0.0,
        "missed_by_kind": {k: f"{missed_by_kind[k]}/{n}" for k, n in sorted(by_kind.items())},
        "missed": missed,
        "altered": changed,
    }
