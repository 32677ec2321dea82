"""Rasa's REST channel (``POST /webhooks/rest/webhook``), with the holding
message when a turn produces no answer (see :mod:`bot.channels.holding`)."""

from __future__ import annotations

from rasa.core.channels.rest import RestInput as RasaRestInput
from sanic import Blueprint

from bot.channels.holding import Handler, with_holding_message


class RestInput(RasaRestInput):
    """Same name, URL and request format as rasa's ``rest`` channel."""

    def blueprint(self, on_new_message: Handler) -> Blueprint:
        return super().blueprint(with_holding_message(on_new_message))
