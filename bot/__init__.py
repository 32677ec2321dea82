"""The CCE practitioner assistant: everything that is not Rasa configuration.

Sub-packages, one concern each (data flows from the channels down to these):
``knowledge`` (the guidance as data, answers, lemma search), ``triage`` (the
indicator check's decision engine), ``nlp`` (the shared spaCy pipeline and the
Rasa components built on it), ``channels``, ``storage`` and ``privacy``.
Nothing here does expensive work at import time.
"""

__version__ = "0.1.0"
