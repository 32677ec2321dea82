"""Replaces personal identifiers in free text with placeholders such as ``[EMAIL]``.

Kinds: names, e-mail addresses (also spelt out: "jay dot smith at example dot
com"), phone numbers, postcodes, street addresses, dates that may be dates of
birth, NHS numbers, National Insurance numbers, social media handles and links,
and vehicle registrations (see docs/redaction.md). Applied to user messages
before they reach the tracker store (see :mod:`bot.storage.tracker_store`); the
assistant still answers the message it was given. The guidance's own terms are
left alone ("999", "2024/28", "45 day", "Modern Slavery Act 2015", "year 9",
"Humberside Police", town names).

Zero-width characters are removed first, from the stored text too, so that
"999 390\u200b 9963" is one number. Every step is linear in the length of the
text (bounded patterns that start only where a token starts; a single pass over
the words for names), so no message, however long or strange, holds up others.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from bot.privacy import names, numbers, patterns

# Zero-width and invisible formatting characters. A zero-width joiner is kept
# between two emoji, where it makes one picture of them (a family, a flag).
_EMOJI = "\U0001f000-\U0001faff\u2600-\u27bf\u2b00-\u2bff\ufe0f"
INVISIBLE = re.compile(
    "[\u200b\u200c\u200e\u200f\u2060-\u2064\ufeff\u00ad\u180e\u034f\u202a-\u202e\u2066-\u2069]"
    f"|(?<![{_EMOJI}])\u200d|\u200d(?![{_EMOJI}])"
)


def strip_invisible(text: str) -> str:
    return INVISIBLE.sub("", text)


def _addresses(text: str) -> tuple[str, int]:
    return patterns.redact_addresses(text, names.PLACES)


# In this order: links before handles and e-mails ("tiktok.com/@x"); e-mails
# before handles; postcodes before vehicles and addresses; dates before NHS and
# phone numbers; NHS numbers before phone numbers; names last, once every
# other identifier is a placeholder.
STEPS: tuple[tuple[str, Callable[[str], tuple[str, int]]], ...] = (
    ("SOCIAL", patterns.redact_social_links),
    ("EMAIL", patterns.redact_emails),
    ("SOCIAL", patterns.redact_social_handles),
    ("NINO", patterns.redact_ninos),
    ("POSTCODE", patterns.redact_postcodes),
    ("VEHICLE", patterns.redact_vehicles),
    ("DATE", patterns.redact_dates),
    ("NHS", numbers.redact_nhs_numbers),
    ("PHONE", numbers.redact_phone_numbers),
    ("ADDRESS", _addresses),
    ("NAME", names.redact_names),
)


@dataclass(frozen=True)
class Redaction:
    text: str
    kinds: tuple[str, ...]  # the kinds replaced, in order of first appearance


def redact(text: str) -> Redaction:
    """The text with every identifier found replaced by ``[KIND]``."""
    text = strip_invisible(text)
    kinds: list[str] = []
    for kind, step in STEPS:
        text, count = step(text)
        if count and kind not in kinds:
            kinds.append(kind)
    return Redaction(text, tuple(kinds))


# Phrases that introduce a name even when what follows is not recognised as one.
NAME_HINTS = re.compile(
    r"\b(?:his|her|their|the child'?s|the young person'?s|the yp'?s)[ \t]{1,3}"
    r"(?:first[ \t]{1,3}|last[ \t]{1,3}|sur)?name[ \t]{1,3}is\b"
    r"|\b(?:dob|d\.o\.b)\b",
    re.IGNORECASE,
)


def looks_identifying(text: str) -> bool:
    """Whether a message seems to hold a name or another identifier, so that the
    assistant reminds the user not to type them."""
    return bool(redact(text).kinds or NAME_HINTS.search(text))
