"""Actions run in the Rasa server's process: rasa gets what the action server
would have sent, answers and errors alike, through rasa's own RemoteAction."""

from __future__ import annotations

import asyncio
import json

import pytest
from rasa.core.actions.action import ActionExecutionRejection, RemoteAction
from rasa.core.channels import CollectingOutputChannel
from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.exceptions import RasaException
from rasa.utils.endpoints import ClientResponseError
from rasa_sdk import Action
from rasa_sdk.events import SlotSet as SdkSlotSet
from rasa_sdk.interfaces import ActionExecutionRejection as SdkRejection

from bot.entrypoints.inprocess_actions import InProcessActionEndpoint

DOMAIN = Domain.from_dict(
    {
        "intents": ["greet"],
        "slots": {"topic": {"type": "any", "mappings": [{"type": "custom"}]}},
        "actions": ["action_test_answer", "action_test_reject", "action_test_crash"],
    }
)


class _TestAnswer(Action):
    def name(self) -> str:
        return "action_test_answer"

    async def run(self, dispatcher, tracker, domain):
        dispatcher.utter_message(text=f"you said: {tracker.latest_message['text']}")
        return [SdkSlotSet("topic", ("a", "tuple"))]  # JSON turns it into a list


class _TestReject(Action):
    def name(self) -> str:
        return "action_test_reject"

    async def run(self, dispatcher, tracker, domain):
        raise SdkRejection("action_test_reject", "not for this message")


class _TestCrash(Action):
    def name(self) -> str:
        return "action_test_crash"

    async def run(self, dispatcher, tracker, domain):
        raise RuntimeError("boom")


@pytest.fixture
def endpoint():
    endpoint = InProcessActionEndpoint()
    executor = endpoint.executor()  # our actions package, plus the test actions
    for action in (_TestAnswer, _TestReject, _TestCrash):
        executor.register_action(action)
    return endpoint


def run(name: str, endpoint: InProcessActionEndpoint) -> list:
    tracker = DialogueStateTracker.from_events(
        "sender", [UserUttered("hello there", {"name": "greet", "confidence": 1.0})], DOMAIN.slots
    )
    action = RemoteAction(name, endpoint)
    return asyncio.run(
        action.run(
            CollectingOutputChannel(), TemplatedNaturalLanguageGenerator({}), tracker, DOMAIN
        )
    )


def test_an_action_answers_as_over_http(endpoint):
    events = run("action_test_answer", endpoint)
    assert isinstance(events[0], BotUttered) and events[0].text == "you said: hello there"
    assert events[1] == SlotSet("topic", ["a", "tuple"])


def test_a_rejected_action_is_rejected_in_rasa(endpoint):
    with pytest.raises(ActionExecutionRejection, match="not for this message"):
        run("action_test_reject", endpoint)


@pytest.mark.parametrize("name", ["action_test_crash", "action_nobody_wrote"])
def test_a_failing_or_unknown_action_fails_as_rasa_expects(endpoint, name, caplog):
    with pytest.raises(RasaException, match=f"Failed to execute custom action '{name}'"):
        run(name, endpoint)
    assert "hello there" not in caplog.text  # the user's words are not logged


def test_errors_carry_the_action_servers_status_and_body(endpoint):
    call = {"next_action": "action_test_reject", "tracker": {"sender_id": "s", "events": []}}
    with pytest.raises(ClientResponseError) as rejected:
        asyncio.run(endpoint.request(json=call, method="post"))
    assert rejected.value.status == 400
    assert json.loads(rejected.value.text)["action_name"] == "action_test_reject"
    with pytest.raises(ClientResponseError) as crashed:
        asyncio.run(endpoint.request(json={**call, "next_action": "action_test_crash"}))
    assert crashed.value.status == 500


def test_our_actions_are_registered():
    names = set(InProcessActionEndpoint().executor().actions)
    assert {"validate_indicator_check_form", "action_check_outcome", "action_start_check"} <= names
