"""Rasa graph component that provides the shared blank-English spaCy pipeline.

It is rasa's own :class:`~rasa.nlu.utils.spacy_utils.SpacyNLP` (so ``SpacyTokenizer``
and every component that requires ``SpacyNLP`` accept it), except that instead of
``spacy.load``-ing a downloaded model it builds ``spacy.blank("en")`` with the
lookup lemmatizer through ``bot.bootstrap.app().nlp``: one pipeline per
process, shared by the tokenizer, the featurizers and our indicator extractor.

Use it in ``config.yml`` in place of ``SpacyNLP``::

    - name: bot.nlp.spacy_nlp.LemmaSpacyNLP
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.utils.spacy_utils import SpacyModel, SpacyNLP

from bot import bootstrap
from bot.nlp.pipeline import PIPELINE_NAME


@DefaultV1Recipe.register(
    [
        DefaultV1Recipe.ComponentType.MODEL_LOADER,
        DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER,
    ],
    is_trainable=False,
    model_from="LemmaSpacyNLP",
)
class LemmaSpacyNLP(SpacyNLP):
    """Provides the blank-English pipeline with lookup lemmas to other components."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """The component's default config (see parent class for full docstring)."""
        return {
            # Whether text keeps its case before spaCy sees it. The lookup lemma
            # tables are lower-case, so lower-casing gives more lemmas.
            "case_sensitive": False,
            # Kept for compatibility with SpacyNLP's config; the pipeline is built,
            # not loaded, so this is only the name recorded in the model's fingerprint.
            "model": PIPELINE_NAME,
        }

    @staticmethod
    def load_model(spacy_model_name: str = PIPELINE_NAME) -> SpacyModel:
        """Returns the process-wide pipeline wrapped for rasa's model fingerprinting."""
        return SpacyModel(model=bootstrap.app().nlp, model_name=PIPELINE_NAME)

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> LemmaSpacyNLP:
        """Creates the component (see parent class for full docstring)."""
        # SpacyNLP.create also checks that the model was loaded from disk; a
        # blank pipeline is built in memory, so that check does not apply.
        return cls(cls.load_model(), {**cls.get_default_config(), **config})

    @staticmethod
    def required_packages() -> list[str]:
        """Any extra python dependencies required for this component to run."""
        return ["spacy", "spacy_lookups_data"]
