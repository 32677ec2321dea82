"""The shared spaCy pipeline (blank English with the lookup lemmatizer) and the
Rasa graph components built on it."""
