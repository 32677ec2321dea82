"""With a separate action server that cannot be reached (CCE_ACTIONS=server), every
message still gets an answer that gives the 999 route and the Integrated Front
Door, on REST and on the widget. (With the actions in process, a failing action
reaches rasa as the same error, tests/unit/test_inprocess_actions.py, and the
turn then ends the same way.)"""

from __future__ import annotations

import json
import urllib.request

import pytest

from bot.cli.converse import reply_text
from tests.integration.live import LiveAssistant

pytestmark = [pytest.mark.model, pytest.mark.live]


@pytest.fixture(scope="module")
def no_actions(trained_model, project_root):
    live = LiveAssistant(
        project_root,
        env={"CCE_ACTIONS": "server", "CCE_ACTION_SERVER_URL": "http://127.0.0.1:9/webhook"},
    )
    live.start()
    yield live
    live.stop()


def post(url: str, body: dict) -> dict:
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


@pytest.mark.parametrize("text", ["what is cuckooing", "/start_check", "a child is in danger now"])
def test_rest_gets_the_holding_message(no_actions, text):
    said = reply_text(no_actions.rest()("holding-rest", text))
    assert "call 999" in said
    assert "NELCChildrensFrontDoor@nelincs.gov.uk" in said
    assert "send your message again" in said


def test_widget_gets_the_holding_message(no_actions):
    base = f"{no_actions.url}/webhooks/web"
    token = post(f"{base}/session", {})["token"]
    messages = post(f"{base}/message", {"token": token, "text": "what is a graft phone"})[
        "messages"
    ]
    assert any("call 999" in m["text"] for m in messages)
