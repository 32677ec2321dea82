"""Rasa graph component: recognises the guidance's indicators in messages.

Runs :class:`bot.nlp.indicator_matcher.IndicatorMatcher` (spelling normalisation,
then spaCy PhraseMatcher and Matcher on lemmas from ``content/triage/catalogue.yml``
and the concept rules of ``content/triage/indicator_concepts.yml``) over the doc that
``LemmaSpacyNLP`` made, and adds one entity per catalogue item found that a
learned classifier confirms (:mod:`bot.nlp.preselection`): entity ``indicator``
or ``vulnerability``, value the item's id. The indicator check ticks them on its
screens, for the practitioner to confirm. The rules are read when the component
is created; the classifier is trained with the model, from the annotated
descriptions in ``content/triage/indicator_examples/``, and stored in it.
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

import joblib
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import SPACY_DOCS
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.nlu.utils.spacy_utils import SpacyNLP
from rasa.shared.nlu.constants import (
    ENTITIES,
    ENTITY_ATTRIBUTE_END,
    ENTITY_ATTRIBUTE_START,
    ENTITY_ATTRIBUTE_TYPE,
    ENTITY_ATTRIBUTE_VALUE,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot import bootstrap
from bot.config import PROJECT_ROOT
from bot.nlp.indicator_matcher import IndicatorMatcher
from bot.nlp.preselection import DEFAULT_THRESHOLD, Confirmation, load_examples

logger = logging.getLogger(__name__)

if TYPE_CHECKING:
    from spacy.tokens import Doc

INDICATOR_ENTITY = "indicator"
VULNERABILITY_ENTITY = "vulnerability"
MODEL_FILE = "preselection.joblib"


def searched_part(doc: Doc, characters: int, tokens: int) -> Doc:
    """The doc's first tokens, as many as end within ``characters`` and at most
    ``tokens`` of them (the doc itself when that is all of it)."""
    end = 0
    for token in doc[:tokens]:
        if token.idx + len(token.text) > characters:
            break
        end += 1
    return doc if end == len(doc) else doc[:end].as_doc()


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=True)
class IndicatorExtractor(GraphComponent, EntityExtractorMixin):
    """Adds `indicator` and `vulnerability` entities from the catalogue."""

    @classmethod
    def required_components(cls) -> list[type]:
        """Components that should be included in the pipeline before this one."""
        return [SpacyNLP]

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """The component's default config (see parent class for full docstring)."""
        return {
            # Longest part of a message searched, in characters and in tokens (5,000
            # characters of prose are about 1,100 tokens; of punctuation or emoji,
            # 5,000): the rest is ignored, so that no message, pasted document or
            # flood of symbols, holds the event loop for long (the matcher takes
            # about 75 microseconds a token, in one call that nothing interrupts).
            "max_characters": 5000,
            "max_tokens": 1250,
            # The annotated descriptions the confirming classifier learns from
            # (relative to the project), and how sure it must be to keep a find.
            "examples": "content/triage/indicator_examples",
            "threshold": DEFAULT_THRESHOLD,
        }

    def __init__(
        self,
        config: dict[str, Any],
        matcher: IndicatorMatcher,
        model_storage: ModelStorage | None = None,
        resource: Resource | None = None,
        confirmation: Confirmation | None = None,
    ) -> None:
        self._config = config
        self._matcher = matcher
        self._model_storage = model_storage
        self._resource = resource
        self._confirmation = confirmation

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> IndicatorExtractor:
        """Creates the component with the shared matcher (see parent class)."""
        return cls(
            {**cls.get_default_config(), **config}, bootstrap.app().matcher, model_storage, resource
        )

    @classmethod
    def _examples(cls, config: dict[str, Any]) -> Path:
        return PROJECT_ROOT / str({**cls.get_default_config(), **config}["examples"])

    @classmethod
    def fingerprint_addon(cls, config: dict[str, Any]) -> str | None:
        """The examples are not Rasa training data: a change to them retrains."""
        digest = hashlib.sha256()
        for path in sorted(cls._examples(config).glob("*.yml")):
            digest.update(path.read_bytes())
        return digest.hexdigest()

    def train(self, training_data: TrainingData) -> Resource:
        """Fits the confirming classifier on the annotated descriptions."""
        catalogue = self._matcher.catalogue
        phrases = {item.id: list(item.phrases) for item in catalogue.items.values()}
        confirmation = Confirmation(float(self._config["threshold"])).fit(
            load_examples(self._examples(self._config)), list(catalogue.items), phrases
        )
        assert self._model_storage is not None and self._resource is not None
        with self._model_storage.write_to(self._resource) as directory:
            joblib.dump(confirmation, directory / MODEL_FILE)
        self._confirmation = confirmation
        return self._resource

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> IndicatorExtractor:
        """The component with its trained classifier (see parent class)."""
        try:
            with model_storage.read_from(resource) as directory:
                confirmation = joblib.load(directory / MODEL_FILE)
        except (ValueError, FileNotFoundError):
            logger.warning("No trained pre-selection classifier: the rules' finds stand alone.")
            confirmation = None
        config = {**cls.get_default_config(), **config}
        return cls(config, bootstrap.app().matcher, model_storage, resource, confirmation)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Training examples pass through unchanged."""
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        """Adds the catalogue items found in each message as entities."""
        for message in messages:
            doc = message.get(SPACY_DOCS[TEXT])
            text = message.get(TEXT) or ""
            if doc is None or not text.strip():
                continue
            part = searched_part(doc, self._config["max_characters"], self._config["max_tokens"])
            matches = self._matcher.match_doc(part)
            if matches and self._confirmation is not None:
                kept = set(self._confirmation.confirm(part.text, [m.item_id for m in matches]))
                matches = [m for m in matches if m.item_id in kept]
            entities = [
                {
                    ENTITY_ATTRIBUTE_TYPE: VULNERABILITY_ENTITY
                    if self._matcher.catalogue[m.item_id].is_vulnerability
                    else INDICATOR_ENTITY,
                    ENTITY_ATTRIBUTE_VALUE: m.item_id,
                    ENTITY_ATTRIBUTE_START: m.start,
                    ENTITY_ATTRIBUTE_END: m.end,
                    "confidence_entity": 1.0,
                }
                for m in matches
            ]
            if entities:
                entities = self.add_extractor_name(entities)
                message.set(ENTITIES, message.get(ENTITIES, []) + entities, add_to_output=True)
        return messages
