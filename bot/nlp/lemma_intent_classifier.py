"""Rasa graph component: a linear intent classifier on spaCy lemmas.

Features are TF-IDF weights of the message's lemmas (so "went missing" and
"goes missing" look alike) and of character n-grams within words (which carry
typos such as "cukooing" and abbreviations such as "NRM"); the classifier is a
multinomial logistic regression, so its confidences are probabilities that the
``FallbackClassifier`` after it can threshold. On this project's data it is more
accurate on held-out questions than ``DIETClassifier`` and trains in seconds
instead of minutes (see README.md, "Architecture").

Needs a tokenizer that sets lemmas (``SpacyTokenizer`` after ``LemmaSpacyNLP``).
"""

from __future__ import annotations

import logging
from typing import Any

import joblib
import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.tokenizers.tokenizer import Tokenizer
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from scipy.sparse import hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from bot.nlp.segments import split
from bot.nlp.tfidf_scores import TfidfLinearScorer

logger = logging.getLogger(__name__)

MODEL_FILE = "lemma_intent_classifier.joblib"
# The parse data key of a message's segments (bot.knowledge.answering reads it).
SEGMENTS_KEY = "question_segments"
SEGMENT_RANKING = 3  # intents kept per segment
WORRIED_KEY = "worried"  # set when a worried message's question was taken as the intent
MAX_SEGMENTED_TEXT = 2000  # characters: longer messages are classified whole only


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class LemmaIntentClassifier(GraphComponent, IntentClassifier):
    """Logistic regression over lemma and character n-gram TF-IDF features."""

    @classmethod
    def required_components(cls) -> list[type]:
        """Components that should be included in the pipeline before this one."""
        return [Tokenizer]

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """The component's default config (see parent class for full docstring)."""
        return {
            # n-gram range of whole lemmas.
            "word_ngram_range": [1, 1],
            # n-gram range of characters inside word boundaries (char_wb).
            "char_ngram_range": [1, 4],
            # Dampen repeated words: 1 + log(tf) instead of tf.
            "sublinear_tf": True,
            # Inverse regularisation strength of the logistic regression; higher
            # trusts the training examples more.
            "C": 30.0,
            "max_iter": 3000,
            "random_state": 7,
            # How many intents to list in the intent ranking (0 lists all).
            "ranking_length": 10,
            # A message classified as a request for the check that also asks a
            # guidance question (intent prefix) at least this surely is that question.
            "check_intent": "start_check",
            "question_prefix": "ask_",
            "question_confidence": 0.45,
        }

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        model: dict[str, Any] | None = None,
    ) -> None:
        self._config = config
        self._model_storage = model_storage
        self._resource = resource
        self._model = model
        self._scorer: TfidfLinearScorer | None = None  # made on first use

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> LemmaIntentClassifier:
        """Creates a new untrained component (see parent class for full docstring)."""
        return cls(config, model_storage, resource)

    @staticmethod
    def lemma_text(message: Message) -> str:
        """The message as a string of lower-case lemmas, from its tokens."""
        tokens = message.get(TOKENS_NAMES[TEXT]) or []
        return " ".join((token.lemma or token.text).lower() for token in tokens)

    def _vectorizers(self) -> tuple[TfidfVectorizer, TfidfVectorizer]:
        return (
            TfidfVectorizer(
                ngram_range=tuple(self._config["word_ngram_range"]),
                sublinear_tf=self._config["sublinear_tf"],
                token_pattern=r"(?u)\b\w+\b",
            ),
            TfidfVectorizer(
                analyzer="char_wb",
                ngram_range=tuple(self._config["char_ngram_range"]),
                sublinear_tf=self._config["sublinear_tf"],
            ),
        )

    def train(self, training_data: TrainingData) -> Resource:
        """Fits the features and the classifier on the intent examples."""
        examples = [m for m in training_data.intent_examples if m.get(INTENT)]
        if len({m.get(INTENT) for m in examples}) < 2:
            logger.warning("LemmaIntentClassifier needs at least two intents; not trained.")
            return self._resource
        texts = [self.lemma_text(m) for m in examples]
        labels = [m.get(INTENT) for m in examples]
        words, chars = self._vectorizers()
        features = hstack([words.fit_transform(texts), chars.fit_transform(texts)]).tocsr()
        classifier = LogisticRegression(
            multi_class="multinomial",  # what "auto" chose; _probabilities relies on it
            C=self._config["C"],
            max_iter=self._config["max_iter"],
            random_state=self._config["random_state"],
        )
        classifier.fit(features, labels)
        self._model = {"words": words, "chars": chars, "classifier": classifier}
        with self._model_storage.write_to(self._resource) as directory:
            joblib.dump(self._model, directory / MODEL_FILE)
        return self._resource

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> LemmaIntentClassifier:
        """Loads the trained component (see parent class for full docstring)."""
        try:
            with model_storage.read_from(resource) as directory:
                model = joblib.load(directory / MODEL_FILE)
        except (ValueError, FileNotFoundError):
            logger.warning("No trained LemmaIntentClassifier found; it will predict nothing.")
            model = None
        return cls(config, model_storage, resource, model)

    def _probabilities(self, texts: list[str]) -> np.ndarray:
        """``predict_proba`` of the multinomial classifier, computed as sklearn does
        (softmax of the decision function), but each text scored on its few
        features directly (:mod:`bot.nlp.tfidf_scores`) instead of through
        sparse matrices: about a tenth of the time per message."""
        classifier: LogisticRegression = self._model["classifier"]  # type: ignore[index]
        if len(classifier.classes_) < 3:  # binary: not a softmax
            return classifier.predict_proba(self._features(texts))
        if self._scorer is None:
            self._scorer = TfidfLinearScorer(
                [self._model["words"], self._model["chars"]],  # type: ignore[index]
                np.ascontiguousarray(classifier.coef_.T),
                classifier.intercept_,
            )
        scores = np.array([self._scorer.scores(text) for text in texts])
        scores -= scores.max(axis=1, keepdims=True)
        exp = np.exp(scores)
        return exp / exp.sum(axis=1, keepdims=True)

    def _features(self, texts: list[str]) -> Any:
        """sklearn's features of `texts` (a sparse matrix)."""
        model = self._model
        assert model is not None
        return hstack([model["words"].transform(texts), model["chars"].transform(texts)]).tocsr()

    def _ranking(self, row: np.ndarray, limit: int) -> list[dict[str, Any]]:
        classes = self._model["classifier"].classes_  # type: ignore[index]
        order = np.argsort(row)[::-1][:limit]
        return [{"name": str(classes[i]), "confidence": float(row[i])} for i in order]

    def process(self, messages: list[Message]) -> list[Message]:
        """Sets the intent and the intent ranking of each message, and, for a
        message of several sentences or questions, each one's own ranking
        (``question_segments``: see :mod:`bot.nlp.segments`)."""
        if not self._model:
            return messages
        texts = [self.lemma_text(message) for message in messages]
        classifier: LogisticRegression = self._model["classifier"]
        probabilities = self._probabilities(texts)
        limit = self._config["ranking_length"] or len(classifier.classes_)
        for message, row in zip(messages, probabilities, strict=True):
            ranking = self._ranking(row, limit)
            message.set(INTENT, ranking[0], add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
            segments = self._segments(message)
            if segments:
                message.set(SEGMENTS_KEY, segments, add_to_output=True)
                self._answer_before_checking(message, ranking[0], segments)
        return messages

    def _answer_before_checking(
        self, message: Message, top: dict[str, Any], segments: list[dict[str, Any]]
    ) -> None:
        """A worried message that also asks a guidance question ("I'm worried about a
        lad. What's the Front Door's e-mail?") is that question: it is answered
        first (and the check offered), rather than starting the check unasked.
        A request for the check itself ("can we go through the signs?") stays one."""
        if top["name"] != self._config["check_intent"]:
            return
        asked = [
            s["ranking"][0] for s in segments
            if s["question"] and s["ranking"][0]["name"].startswith(self._config["question_prefix"])
            and s["ranking"][0]["confidence"] >= self._config["question_confidence"]
        ]  # fmt: skip
        if asked:
            message.set(INTENT, max(asked, key=lambda r: r["confidence"]), add_to_output=True)
            message.set(WORRIED_KEY, True, add_to_output=True)

    def _segments(self, message: Message) -> list[dict[str, Any]]:
        """Each segment of a message that has several, with its own top intents."""
        text = message.get(TEXT) or ""
        if len(text) > MAX_SEGMENTED_TEXT or text.startswith("/"):
            return []
        pieces = split(text)
        if len(pieces) < 2:
            return []
        tokens = message.get(TOKENS_NAMES[TEXT]) or []
        lemmas = [
            " ".join((t.lemma or t.text).lower() for t in tokens if p.start <= t.start < p.end)
            for p in pieces
        ]
        rows = self._probabilities(lemmas)
        return [
            {"start": p.start, "end": p.end, "question": p.question,
             "ranking": self._ranking(row, SEGMENT_RANKING)}
            for p, row in zip(pieces, rows, strict=True)
        ]  # fmt: skip
