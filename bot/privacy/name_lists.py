"""The word lists that name detection (:mod:`bot.privacy.names`) reads.

First and last names come from Faker's person providers (a maintained package:
the US Social Security and UK ONS baby-name lists, Irish, Indian, Pakistani and
Polish lists among them), loaded on first use because importing Faker takes a
tenth of a second. Which of those names are also everyday English words ("hope",
"will", "amber") is worked out once from spaCy's word frequencies and kept in
:mod:`bot.privacy.everyday_names`; the rest of this module is the short hand-kept
lists of words that are never names here (family words, months, local places).
"""

from __future__ import annotations

import importlib
from functools import cache

# Faker locales whose first names are read: English-speaking countries and the
# communities most often met in the area's casework.
FIRST_NAME_LOCALES = ("en", "en_GB", "en_US", "en_IE", "en_NZ", "en_IN", "en_PK", "pl_PL")
LAST_NAME_LOCALES = ("en", "en_GB", "en_US", "en_IE", "en_IN", "en_PK")


def _faker_names(locales: tuple[str, ...], attributes: tuple[str, ...]) -> frozenset[str]:
    names: set[str] = set()
    for locale in locales:
        provider = importlib.import_module(f"faker.providers.person.{locale}").Provider
        for attribute in attributes:
            names.update(name.lower() for name in getattr(provider, attribute, ()) or ())
    return frozenset(name for name in names if name.isalpha() or "-" in name)


@cache
def first_names() -> frozenset[str]:
    """Lower-case first names, of three letters or more."""
    names = _faker_names(
        FIRST_NAME_LOCALES,
        ("first_names", "first_names_male", "first_names_female", "first_names_nonbinary"),
    )
    return frozenset(name for name in names if len(name) >= 3)


@cache
def last_names() -> frozenset[str]:
    """Lower-case surnames, of three letters or more."""
    return frozenset(n for n in _faker_names(LAST_NAME_LOCALES, ("last_names",)) if len(n) >= 3)
