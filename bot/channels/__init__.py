"""Input channels of our own: the web chat widget (``web.py``)."""
