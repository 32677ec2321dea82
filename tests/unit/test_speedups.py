"""The rasa speed-ups keep rasa's behaviour: the same responses pass and fail."""

from __future__ import annotations

import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction

from bot.server import speedups

GOOD = {
    "events": [{"event": "slot", "name": "topic", "value": "x", "timestamp": None}],
    "responses": [{"text": "hello", "buttons": [{"title": "Yes", "payload": "/affirm"}]}],
}
BAD = [
    {"events": [{"name": "no event type"}], "responses": []},
    {"events": "not a list", "responses": []},
    {"events": [{"event": "slot", "name": "topic"}], "responses": "not a list"},
]


def test_same_verdicts_as_jsonschema_validate():
    import jsonschema

    schema = RemoteAction.action_response_format_spec()
    for response in [GOOD, *BAD]:
        try:
            jsonschema.validate(response, schema)
            expected = True
        except ValidationError:
            expected = False
        try:
            got = speedups._validate_action_result(None, response)
        except ValidationError as error:
            assert "Failed to validate Action server response" in error.message
            got = False
        assert got == expected, response
        assert got == (response is GOOD), response  # the cases really differ


def test_install_replaces_rasas_method_once():
    speedups.install()
    speedups.install()
    assert RemoteAction._validate_action_result is speedups._validate_action_result
    with pytest.raises(ValidationError):
        RemoteAction("action_x", None)._validate_action_result(BAD[0])
