"""One spaCy pipeline per process: ``spacy.blank("en")`` plus the lookup lemmatizer.

No pretrained spaCy model is needed: the lemma tables come from the
``spacy-lookups-data`` package. ``bot.bootstrap.app().nlp`` builds the pipeline on first use
and hands the same object to every caller in the process (the Rasa component in
the Rasa server, and the guidance search wherever the actions run).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

PIPELINE_NAME = "blank_en_lookup_lemmas"


class SpacyPipelineError(RuntimeError):
    """The spaCy pipeline could not be built."""


def build_nlp() -> Language:
    """Builds blank English with the lookup lemmatizer (about a second), its
    tokenizer bounded (:mod:`bot.nlp.bounded_tokenizer`)."""
    import spacy

    from bot.nlp.bounded_tokenizer import bound

    nlp = spacy.blank("en")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    try:
        nlp.initialize()
    except (ValueError, OSError) as exc:
        raise SpacyPipelineError(
            "The spaCy lookup lemmatizer needs the lemma tables of the "
            "`spacy-lookups-data` package; install it with `make install` "
            f"(or `pip install spacy-lookups-data`). spaCy said: {exc}"
        ) from exc
    return bound(nlp)


def content_lemmas(doc: Doc | Iterable) -> list[str]:
    """Lower-case lemmas of the words that carry meaning (no stop words, punctuation
    or numbers-as-symbols), for search and matching."""
    return [
        token.lemma_.lower()
        for token in doc
        if not (token.is_stop or token.is_punct or token.is_space) and token.lemma_.strip()
    ]


def lemmatise(text: str) -> list[str]:
    """Content lemmas of a text, using the shared pipeline."""
    from bot import bootstrap

    return content_lemmas(bootstrap.app().nlp(text.lower()))
