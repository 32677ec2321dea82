"""The shared spaCy pipeline and the Rasa component that provides it."""

from __future__ import annotations

from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.constants import SPACY_DOCS
from rasa.nlu.tokenizers.spacy_tokenizer import SpacyTokenizer
from rasa.nlu.utils.spacy_utils import SpacyNLP
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

from bot import bootstrap
from bot.nlp.pipeline import lemmatise
from bot.nlp.spacy_nlp import LemmaSpacyNLP


def test_pipeline_is_blank_english_with_lookup_lemmas():
    nlp = bootstrap.app().nlp
    assert nlp.lang == "en"
    assert nlp.pipe_names == ["lemmatizer"]
    assert [t.lemma_ for t in nlp("he keeps going missing")] == ["he", "keep", "go", "miss"]


def test_pipeline_is_built_once_per_process():
    assert bootstrap.app().nlp is bootstrap.app().nlp


def test_lemmatise_drops_stop_words_and_punctuation():
    assert lemmatise("What are the Indicators of exploitation?") == ["indicator", "exploitation"]


def _component(tmp_path) -> LemmaSpacyNLP:
    return LemmaSpacyNLP.create(
        LemmaSpacyNLP.get_default_config(),
        LocalModelStorage(tmp_path),
        Resource("spacy"),
        ExecutionContext(graph_schema=None, model_id="test"),  # type: ignore[arg-type]
    )


def test_component_provides_the_shared_pipeline(tmp_path):
    component = _component(tmp_path)
    assert isinstance(component, SpacyNLP)  # so SpacyTokenizer accepts it
    assert component.provide().model is bootstrap.app().nlp


def test_component_and_tokenizer_give_lemmas(tmp_path):
    component = _component(tmp_path)
    message = Message.build(text="Two Phones and new trainers")
    component.process([message], component.provide())
    assert message.get(SPACY_DOCS[TEXT]) is not None
    tokenizer = SpacyTokenizer(SpacyTokenizer.get_default_config())
    tokenizer.process([message])
    assert [t.lemma for t in message.get("text_tokens")] == [
        "two",
        "phone",
        "and",
        "new",
        "trainer",
    ]


def test_fast_probabilities_equal_sklearns_predict_proba():
    import numpy as np
    from scipy.sparse import hstack
    from sklearn.linear_model import LogisticRegression

    from bot.nlp.lemma_intent_classifier import LemmaIntentClassifier

    config = LemmaIntentClassifier.get_default_config()
    component = LemmaIntentClassifier(config, None, None)
    words, chars = component._vectorizers()
    texts = [
        "what be cuckooing", "what do cuckoo mean", "who make the nrm referral",
        "how long be the reflection period", "he keep go miss", "two phone and new trainer",
        "what be county line", "define criminal exploitation", "hello", "hi there",
        "thank you", "cheer", "start a check", "i be worry about a lad", "what be a pif",
    ]  # fmt: skip
    labels = [f"intent_{n % 5}" for n in range(len(texts))]
    features = hstack([words.fit_transform(texts), chars.fit_transform(texts)]).tocsr()
    classifier = LogisticRegression(multi_class="multinomial", C=30.0, max_iter=500)
    classifier.fit(features, labels)
    component._model = {"words": words, "chars": chars, "classifier": classifier}
    unseen = [
        "cukooing???", "", "zzzz qqq", "what be the 45 day reflection period for a child",
        "HE KEEP GOING MISSING", "nrm nrm nrm nrm",
    ]  # fmt: skip
    for batch in (texts, unseen):
        ours = component._probabilities(batch)
        theirs = classifier.predict_proba(component._features(batch))
        assert np.allclose(ours, theirs, rtol=0, atol=1e-12)
        assert (ours.argmax(axis=1) == theirs.argmax(axis=1)).all()
