"""Identifiers that are runs of digits: NHS numbers and phone numbers.

Digits may be grouped any way and separated by spaces, dots, hyphens,
underscores or brackets ("999 76 01 890", "07700_900_111", "+44 (0)7700 900321",
"0 7 7 0 0 9 0 0 5 5 5"). An NHS number is ten digits whose modulus-11 check
digit is right (or ten digits just after the word "NHS"); a phone number is
what the ``phonenumbers`` library (Google's libphonenumber) accepts as a
possible UK number, or a possible international one when it starts with ``+``
or ``00``. Candidates are found with bounded patterns that start only where a
number starts, so the work is linear in the text; each candidate costs at most
a few calls to ``phonenumbers``.
"""

from __future__ import annotations

import re

import phonenumbers

from bot.privacy.patterns import subn_counted

NHS_CANDIDATE = re.compile(
    r"(?<![\w+])(?<!\d[ \t.\-])\d(?:[ \t.\-]{0,2}\d){9}(?![\w])(?![ \t.\-]\d)"
)
NHS_CUE = re.compile(r"nhs", re.IGNORECASE)


def nhs_checksum_ok(digits: str) -> bool:
    """The NHS number's modulus-11 check (its tenth digit)."""
    if len(digits) != 10 or not digits.isdigit():
        return False
    check = 11 - sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True)) % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


def redact_nhs_numbers(text: str) -> tuple[str, int]:
    def replace(match: re.Match[str]) -> str:
        digits = "".join(ch for ch in match.group(0) if ch.isdigit())
        before = match.string[max(0, match.start() - 30) : match.start()]
        if nhs_checksum_ok(digits) or NHS_CUE.search(before):
            return "[NHS]"
        return match.group(0)

    return subn_counted(NHS_CANDIDATE, text, replace, "NHS")


# A number starts with "+", "(0" or "0"; up to 16 more digits follow, each after
# at most three separators.
PHONE_CANDIDATE = re.compile(
    r"(?<![\w+])(?:\+[ \t]?\d|\([ \t]?0|0)(?:[ \t.\-_()]{0,3}\d){6,16}(?![\w])"
)


def _parse(candidate: str) -> phonenumbers.PhoneNumber | None:
    if candidate.startswith("00"):
        candidate = "+" + candidate[2:]
    try:
        return phonenumbers.parse(candidate.replace("_", " "), "GB")
    except phonenumbers.NumberParseException:
        return None


def _possible(candidate: str) -> bool:
    number = _parse(candidate)
    return number is not None and phonenumbers.is_possible_number(number)


def _national_lengths(number: phonenumbers.PhoneNumber) -> tuple[int, ...]:
    """The lengths a national number may have in ``number``'s country."""
    code = number.country_code
    if code is None:
        return ()
    region = phonenumbers.region_code_for_country_code(code)
    if region == phonenumbers.UNKNOWN_REGION:
        return ()
    if region == "001":
        metadata = phonenumbers.PhoneMetadata.metadata_for_nongeo_region(code)
    else:
        metadata = phonenumbers.PhoneMetadata.metadata_for_region(region)
    if metadata is None or metadata.general_desc is None:
        return ()
    return tuple(metadata.general_desc.possible_length or ())


def _number_end(text: str, start: int, digit_positions: list[int]) -> int | None:
    """How many of ``digit_positions`` (all at or after ``start``) the longest
    possible phone number starting at ``start`` takes, or None. A few calls to
    ``phonenumbers`` at most, whatever the length."""
    digits = len(digit_positions)
    if not text[start:].lstrip("( \t").startswith(("+", "00")):
        for length in (11, 10):  # a UK number: 0 and 9 or 10 digits
            end = digit_positions[length - 1] + 1 if length <= digits else 0
            if end and _possible(text[start:end]):
                return length
        return None
    number = _parse(text[start : digit_positions[-1] + 1])
    if number is None:
        return None
    if phonenumbers.is_possible_number(number):
        return digits
    lead = digits - len(str(number.national_number))  # country code, "00", "(0)"
    for national in sorted(_national_lengths(number), reverse=True):
        length = lead + national
        if length < digits and _possible(text[start : digit_positions[length - 1] + 1]):
            return length
    return None


def _phone(match: re.Match[str]) -> str:
    """Every possible number in the candidate, from its start; what follows the
    last one is left as it was."""
    text = match.group(0)
    positions = [i for i, ch in enumerate(text) if ch.isdigit()]
    out: list[str] = []
    done = 0  # text[:done] is settled
    start, first = 0, 0  # where the next number starts, and its first digit's index
    while first < len(positions):
        taken = _number_end(text, start, positions[first:])
        if taken is None:
            break
        out.append(text[done:start] + "[PHONE]")
        done = positions[first + taken - 1] + 1
        first += taken
        if first >= len(positions) or text[positions[first]] != "0":
            break
        start = positions[first]
        if start > 0 and text[start - 1] == "(":
            start -= 1
    out.append(text[done:])
    return "".join(out)


def redact_phone_numbers(text: str) -> tuple[str, int]:
    return subn_counted(PHONE_CANDIDATE, text, _phone, "PHONE")
