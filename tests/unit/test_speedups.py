"""The rasa speed-ups keep rasa's behaviour: the same responses pass and fail."""

from __future__ import annotations

import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction

from bot import rasa_patches
from bot.rasa_contracts import recent_events
from bot.rasa_patches import actions as speedups
from bot.rasa_patches import rule_matching
from bot.rasa_patches.response_validator import EventDispatchingValidator


def install_speedups() -> None:
    rasa_patches.install(rasa_patches.SPEEDUPS)


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
            got = speedups.validate_action_result(None, response)
        except ValidationError as error:
            assert "Failed to validate Action server response" in error.message
            got = False
        assert got == expected, response
        assert got == (response is GOOD), response  # the cases really differ


def test_install_replaces_rasas_method_once():
    install_speedups()
    install_speedups()
    assert RemoteAction._validate_action_result is speedups.validate_action_result
    with pytest.raises(ValidationError):
        RemoteAction("action_x", None)._validate_action_result(BAD[0])


def test_action_calls_reuse_one_connection_and_survive_a_restarted_server():
    """Two calls through rasa's EndpointConfig share a session (one TCP
    connection); after the server restarts, the next call still succeeds."""
    import asyncio

    from aiohttp import web
    from rasa.utils.endpoints import EndpointConfig

    install_speedups()
    peers: list[object] = []

    async def handler(request: web.Request) -> web.Response:
        peers.append(request.transport.get_extra_info("peername") if request.transport else None)
        return web.json_response({"events": [], "responses": []})

    async def serve(port: int) -> web.AppRunner:
        app = web.Application()
        app.router.add_post("/webhook", handler)
        runner = web.AppRunner(app)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        return runner

    async def scenario() -> None:
        runner = await serve(0)
        port = runner.addresses[0][1]
        endpoint = EndpointConfig(f"http://127.0.0.1:{port}/webhook")
        assert await endpoint.request(json={}) == {"events": [], "responses": []}
        assert await endpoint.request(json={}) == {"events": [], "responses": []}
        assert peers[0] == peers[1]  # the same client socket
        await runner.cleanup()  # the action server restarts
        runner = await serve(port)
        assert await endpoint.request(json={}) == {"events": [], "responses": []}
        await runner.cleanup()

    asyncio.run(scenario())


def _conversation(turns: int):
    from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    tracker = DialogueStateTracker("payload-test", None)
    for turn in range(turns):
        tracker.update(ActionExecuted("action_listen"))
        tracker.update(UserUttered(f"message {turn}", {"name": "affirm"}))
        tracker.update(SlotSet(f"slot{turn}", turn))
        tracker.update(BotUttered(f"reply {turn}"))
    return tracker


def test_an_action_is_sent_the_whole_state_but_only_the_latest_turns():
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.trackers import EventVerbosity

    tracker = _conversation(10)
    sent = speedups.action_call_format(RemoteAction("action_x", None), tracker, Domain.empty())
    whole = tracker.current_state(EventVerbosity.ALL)
    assert {k: v for k, v in sent["tracker"].items() if k != "events"} == {
        k: v for k, v in whole.items() if k != "events"
    }  # every slot, the latest message, the active loop...
    assert sent["tracker"]["events"] == whole["events"][-11:]  # from the third-last user message
    assert sent["tracker"]["events"][0]["text"] == "message 7"
    assert sent["next_action"] == "action_x" and "domain" in sent


def test_a_short_conversation_is_sent_whole():
    from rasa.shared.core.events import UserUttered

    tracker = _conversation(2)
    assert recent_events(tracker.events, lambda e: isinstance(e, UserUttered)) == list(
        tracker.events
    )


def test_the_states_are_formatted_only_for_debug_logging(caplog):
    import logging

    install_speedups()
    from rasa.core.policies.rule_policy import RulePolicy

    states = [{"user": {"intent": "affirm"}}]
    logging.getLogger("rasa.core.policies.rule_policy").setLevel(logging.INFO)
    assert RulePolicy.format_tracker_states(states) == ""
    logging.getLogger("rasa.core.policies.rule_policy").setLevel(logging.DEBUG)
    try:
        assert "user intent: affirm" in RulePolicy.format_tracker_states(states)
    finally:
        logging.getLogger("rasa.core.policies.rule_policy").setLevel(logging.NOTSET)


MORE = [  # (response, valid by rasa's schema)
    ({"events": [{"event": "bot", "text": "hi"}, {"event": "action", "name": "a"}]}, True),
    ({"events": [{"event": "session_started", "timestamp": 1.5}], "responses": []}, True),
    ({"events": [{"event": "slot", "name": "x"}]}, False),  # a slot event needs its value
    ({"events": [{"event": "no_such_event"}]}, False),
    ({"events": [{"event": 3}]}, False),
    ({"events": ["not an object"]}, False),
    ({"events": [{"event": "user", "parse_data": "not an object"}]}, False),
    ({"events": [{"event": "bot", "timestamp": "yesterday"}]}, False),
    ({}, True),
]


@pytest.mark.parametrize(("response", "valid"), MORE)
def test_the_dispatching_validator_agrees_with_rasas_schema(response, valid):
    import jsonschema

    schema = RemoteAction.action_response_format_spec()
    assert jsonschema.Draft202012Validator(schema).is_valid(response) is valid  # the reference
    assert isinstance(speedups._action_response_validator(), EventDispatchingValidator)
    if valid:
        speedups._action_response_validator().validate(response)
    else:
        with pytest.raises(ValidationError):
            speedups._action_response_validator().validate(response)


def _rule_states():
    from hypothesis import strategies as st

    state = st.fixed_dictionaries(
        {},
        optional={
            "prev_action": st.fixed_dictionaries(
                {
                    "action_name": st.sampled_from(
                        ["action_listen", "form", "a", "should_not_be_set"]
                    )
                }
            ),
            "user": st.fixed_dictionaries({"intent": st.sampled_from(["affirm", "deny"])}),
            "active_loop": st.fixed_dictionaries(
                {"name": st.sampled_from(["form", "should_not_be_set"])}
            ),
        },
    )
    return state


def test_rule_matching_stops_early_and_keeps_answers_with_rasas_result():
    import json

    from hypothesis import given, settings
    from hypothesis import strategies as st
    from rasa.core.policies.rule_policy import RulePolicy

    install_speedups()
    original = rasa_patches.original("rasa.core.policies.rule_policy.RulePolicy._get_possible_keys")
    assert original is not rule_matching.get_possible_keys
    assert RulePolicy._get_possible_keys is rule_matching.get_possible_keys
    policy = object.__new__(RulePolicy)
    rules = st.lists(st.lists(_rule_states(), min_size=1, max_size=3), min_size=1, max_size=12)

    @settings(max_examples=400, deadline=None)
    @given(rules=rules, conversations=st.lists(st.lists(_rule_states(), max_size=8), max_size=6))
    def agree(rules, conversations):
        lookup = {json.dumps(rule, sort_keys=True): "action" for rule in rules}
        # later conversations often end in the same states as earlier ones (the
        # few states drawn make that likely) and find their answers kept
        for conversation in conversations * 2:
            assert rule_matching.get_possible_keys(policy, lookup, conversation) == original(
                policy, lookup, conversation
            )

    agree()


def test_event_types_resolve_as_rasa_resolves_them():
    from rasa.shared.core.events import ActionExecuted, Event, SlotSet, UserUttered
    from rasa.shared.utils.common import all_subclasses

    install_speedups()
    original = rasa_patches.original("rasa.shared.core.events.Event.resolve_by_type")
    for name in {cls.type_name for cls in all_subclasses(Event)} | {"user", "slot", "action"}:
        for _ in range(2):  # the second time from what was kept
            assert Event.resolve_by_type(name) is original(name)
    assert Event.resolve_by_type("slot") is SlotSet
    assert Event.resolve_by_type("user") is UserUttered
    assert Event.resolve_by_type("nonsense", default=ActionExecuted) is ActionExecuted
    assert Event.resolve_by_type("topic") is None
    with pytest.raises(ValueError, match="Unknown event name"):
        Event.resolve_by_type("nonsense")


def test_a_domain_is_empty_as_rasa_says_it_is():
    from rasa.shared.core.domain import Domain

    install_speedups()
    original = rasa_patches.original("rasa.shared.core.domain.Domain.is_empty")
    for domain in (Domain.empty(), Domain.from_dict({"intents": ["greet"]})):
        assert domain.is_empty() is original(domain)
        assert domain.is_empty() is original(domain)  # kept
    assert Domain.empty().is_empty() and not Domain.from_dict({"intents": ["greet"]}).is_empty()
