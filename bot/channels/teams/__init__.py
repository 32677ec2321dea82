"""The Microsoft Teams channel (Bot Framework protocol): see :mod:`.channel`."""
