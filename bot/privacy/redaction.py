"""Replaces personal identifiers in free text with placeholders such as ``[EMAIL]``.

Kinds: e-mail addresses, UK phone numbers, UK postcodes, dates that may be dates
of birth, NHS numbers, National Insurance numbers and recognisable street
addresses. Applied to user messages before they reach the tracker store (see
:mod:`bot.storage.tracker_store`); the assistant still answers the message it was
given. Patterns are tuned to leave the guidance's own terms alone ("999",
"2024/28", "45 day", "Modern Slavery Act 2015", "aged 15", "year 9").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MONTHS = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
# Street types that are rarely anything else: matched in any case.
STREET_TYPES = (
    r"(?:street|st|road|rd|avenue|ave|lane|ln|crescent|cres|terrace|gardens|gdns|drive|"
    r"grove|mews)"
)
# Types that are also ordinary words ("way older", "close friends"): matched only
# after capitalised names, as in "14 Oak Tree Close".
CAPITALISED_STREET_TYPES = (
    r"(?:Close|Way|Court|Place|Walk|Row|Square|Parade|Green|Rise|View|Hill|Park)"
)

# Order matters: the more specific kinds first, so a postcode inside an address
# is still a postcode and an NHS number is not read as a phone number.
PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("EMAIL", re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.IGNORECASE)),
    ("NINO", re.compile(r"\b[A-Z]{2}\s?\d{2}\s?\d{2}\s?\d{2}\s?[A-D]\b", re.IGNORECASE)),
    ("POSTCODE", re.compile(
        r"\b(?:[A-PR-UWYZ][A-HK-Y]?\d[A-Z\d]?)\s*\d[ABD-HJLNP-UW-Z]{2}\b", re.IGNORECASE)),
    ("DATE", re.compile(
        r"\b\d{4}-\d{1,2}-\d{1,2}\b"
        r"|\b\d{1,2}[/.-]\d{1,2}[/.-](?:\d{4}|\d{2})\b"
        rf"|\b\d{{1,2}}(?:st|nd|rd|th)?(?:\s+of)?\s+{MONTHS}\.?,?\s+\d{{2,4}}\b"
        rf"|\b{MONTHS}\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}\b", re.IGNORECASE)),
    ("NHS", re.compile(r"\b\d{3}[\s-]?\d{3}[\s-]?\d{4}\b")),
    ("PHONE", re.compile(
        r"(?<![\w+])(?:\+44\s?\(?0?\)?\s?|\(?0)\d(?:\)?[\s-]?\)?\d){8,9}\b")),
    ("ADDRESS", re.compile(
        rf"\b(?:flat|apartment|unit)\s+\d+[a-z]?,?\s+"
        rf"|\b\d{{1,4}}[a-z]?,?\s+(?:[a-z][a-z'-]+\s+){{1,3}}{STREET_TYPES}\b",
        re.IGNORECASE)),
    ("ADDRESS", re.compile(
        rf"\b\d{{1,4}}[a-zA-Z]?,?\s+(?:[A-Z][a-z'-]+\s+){{1,3}}{CAPITALISED_STREET_TYPES}\b")),
)  # fmt: skip


@dataclass(frozen=True)
class Redaction:
    text: str
    kinds: tuple[str, ...]  # the kinds replaced, in order of first appearance


def redact(text: str) -> Redaction:
    """The text with every identifier found replaced by ``[KIND]``."""
    kinds: list[str] = []
    for kind, pattern in PATTERNS:
        text, count = pattern.subn(f"[{kind}]", text)
        if count and kind not in kinds:
            kinds.append(kind)
    if "ADDRESS" in kinds:  # "flat 3, [ADDRESS]" leaves the flat's prefix as its own match
        text = re.sub(r"\[ADDRESS\]\s*\[ADDRESS\]", "[ADDRESS]", text)
    return Redaction(text, tuple(kinds))


# Phrases that introduce a name: "his name is ...", "a lad called Jay", "Mrs Smith".
NAME_HINTS = re.compile(
    r"\b(?:his|her|their|the child'?s|the young person'?s|the yp'?s)\s+(?:first\s+|last\s+|sur)?"
    r"name\s+is\b"
    r"|\b(?:dob|d\.o\.b)\b",
    re.IGNORECASE,
)
CAPITALISED_NAME = re.compile(r"\b(?:called|named|known as|Mr|Mrs|Ms|Miss|Dr)\.?\s+[A-Z][a-z]+")


def looks_identifying(text: str) -> bool:
    """Whether a message seems to hold a name or another identifier, so that the
    assistant reminds the user not to type them."""
    return bool(redact(text).kinds or NAME_HINTS.search(text) or CAPITALISED_NAME.search(text))
