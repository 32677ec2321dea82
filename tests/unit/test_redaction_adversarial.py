"""Redaction of pathological messages ends (issue 16: one 200,000-character
message held every user up for minutes, the e-mail pattern being super-linear).

Every pattern is linear in the length of the text; the timeout only guards
against a hang and asserts no speed (the thread method, since a regular
expression stuck in C does not see the signal method's alarm).
"""

from __future__ import annotations

import pytest

from bot.privacy.redaction import redact

NOTHING_TO_FIND = {
    "200,000 characters with no spaces": "a" * 200_000,
    "50,000 @": "@" * 50_000,
    "100,000 digits": "7" * 100_000,
    "10,000 nested brackets": "(" * 10_000 + "x" + ")" * 10_000,
    "10,000 emoji": "\U0001f600" * 10_000,
}
# Long runs aimed at the newer patterns: spelt-out e-mails, grouped digits,
# names after cue words, handles, house numbers.
AIMED_AT_THE_PATTERNS = {
    "a dot, 40,000 times": "a dot " * 40_000,
    "a [at], 50,000 times": "a[at]" * 50_000,
    "0 and a space, 100,000 times": "0 " * 100_000,
    "+1 2 3 ..., 6,000 times": "+1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 " * 6_000,
    "@a, 100,000 times": "@a" * 100_000,
    "called Mum Kerry-Ann, 15,000 times": "called Mum Kerry-Ann " * 15_000,
    "14 oak tree, 18,000 times": "14 oak tree " * 18_000,
    "a zero-width space, 200,000 times": "\u200b" * 200_000,
}


@pytest.mark.timeout(20, method="thread")
@pytest.mark.parametrize("name", sorted(NOTHING_TO_FIND))
def test_a_pathological_message_is_redacted_and_left_as_it_was(name: str) -> None:
    text = NOTHING_TO_FIND[name]
    assert redact(text).text == text


@pytest.mark.timeout(20, method="thread")
@pytest.mark.parametrize("name", sorted(AIMED_AT_THE_PATTERNS))
def test_long_runs_of_what_the_patterns_look_for_are_redacted(name: str) -> None:
    assert isinstance(redact(AIMED_AT_THE_PATTERNS[name]).text, str)
