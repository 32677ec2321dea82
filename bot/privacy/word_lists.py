"""The word lists redaction reads, each loaded on first use (not at import).

First and last names come from Faker's person providers (a maintained package:
the US Social Security and UK ONS baby-name lists, Irish, Indian, Pakistani and
Polish lists among them); importing Faker takes a moment, so it is imported on
first use. Which of
those names are also everyday English words ("hope", "will", "amber") is worked
out once from spaCy's word frequencies and kept in
:mod:`bot.privacy.everyday_names`. English words in general (to tell "his snap is
lilxo" from "his snap is private") come from spaCy's English lemma tables
(spacy-lookups-data, which the NLU pipeline uses already) and the guidance's own
text (their size and load time: docs/performance.md).
"""

from __future__ import annotations

import gzip
import importlib
import json
import re
from functools import cache
from importlib import resources

from bot import bootstrap

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


@cache
def english_words() -> frozenset[str]:
    """Lower-case English words and their inflections (WordNet's lemmas and
    spaCy's lemma tables); few function words ("the", "and") are among them."""
    data = resources.files("spacy_lookups_data") / "data"

    def load(name: str) -> dict:
        return json.loads(gzip.decompress((data / f"en_{name}.json.gz").read_bytes()))

    lookup = load("lemma_lookup")
    words = set(lookup) | set(lookup.values())
    for lemmas in load("lemma_index").values():
        words.update(lemma for lemma in lemmas if lemma.isalpha())
    for forms in load("lemma_exc").values():
        for word, lemmas in forms.items():
            words.add(word)
            words.update(lemmas)
    # The guidance's own words in lower case ("cuckooing", "plugging"), which the
    # dictionaries lack and practitioners use.
    guidance = bootstrap.app().settings.guidance_text_file.read_text(encoding="utf-8")
    words.update(re.findall(r"\b[a-z]{3,30}\b", guidance))
    return frozenset(word.lower() for word in words)
