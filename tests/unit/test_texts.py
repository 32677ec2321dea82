"""Replies built from the knowledge and content/messages.yml, and the thin actions."""

from __future__ import annotations

import asyncio

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.conversation import SAY_TEXT_ACTIONS, ActionSessionStart
from actions.guidance import ActionAnswerGuidance, ActionSearchGuidance
from bot import bootstrap
from bot.texts.guidance import guidance_answer, message, search_replies


def test_welcome_says_what_it_is_and_gives_privacy_notice_and_999():
    text = welcome_text()
    assert "CCE practitioner assistant" in text
    assert "professional judgement" in text
    assert "Please don't type names or other details" in text
    assert text.endswith("If a child is in immediate danger, call 999.")


def test_welcome_links_the_privacy_notice_before_the_999_line():
    text = welcome_text()
    assert "[privacy notice](/privacy)" in text  # the widget resolves it against its server
    assert text.index("privacy notice") < text.index("call 999")


def test_welcome_links_the_privacy_notice_at_the_public_address(monkeypatch):
    monkeypatch.setenv("CCE_PUBLIC_URL", "https://bot.example.org/")
    bootstrap.reset()
    try:
        assert "[privacy notice](https://bot.example.org/privacy)" in welcome_text()
    finally:
        monkeypatch.delenv("CCE_PUBLIC_URL")
        bootstrap.reset()


def welcome_text() -> str:
    """The welcome as the session start sends it."""
    dispatcher = CollectingDispatcher()
    tracker = Tracker("t", {}, {}, [], False, None, {}, "")
    asyncio.run(ActionSessionStart().run(dispatcher, tracker, {}))
    return dispatcher.messages[0]["text"]


def test_emergency_is_999_then_child_protection_with_the_sections_it_stands_on():
    """Review finding 6: "report all concerns to the Front Door" was the modern
    slavery section's sentence, applied to every child in danger."""
    text = message("emergency")[0].text
    assert text.index("999") < text.index("Child Protection Procedures")
    front_door = text.index("NELCChildrensFrontDoor@nelincs.gov.uk")
    assert text.index("Child Protection Procedures") < front_door
    assert "where one is required" in text
    assert text.endswith(
        "Source: NEL CCE guidance – Key principles; What to do if you are "
        "concerned a child is at risk of Criminal Exploitation"
    )


def test_out_of_scope_has_no_source_line():
    assert "Source:" not in message("out_of_scope")[0].text


def test_every_message_renders():
    messages = bootstrap.app().texts
    for key, raw in messages._messages.items():
        values = {name: f"<{name}>" for name in raw.get("values") or ()}
        text = messages.reply(key, **values).text
        assert text and "{" not in text
        assert all(f"<{name}>" in text for name in values)


def test_guidance_answer_ends_with_source():
    (reply,) = guidance_answer("cuckooing")
    assert reply.text.endswith(
        "Source: NEL CCE guidance – Who is vulnerable to child criminal exploitation?"
    )


def test_search_offers_passages_each_with_a_source_line_and_keeps_999_near():
    replies = search_replies("taking over the flat of a drug user")
    texts = [r.text for r in replies]
    assert texts[0].startswith("I'm not certain")
    assert "Source: NEL CCE guidance" in texts[1]
    buttons = [b.title for r in replies for b in r.buttons]
    assert "Start an indicator check" in buttons
    assert "Child in immediate danger" in buttons


def test_search_with_no_match_asks_to_rephrase():
    (reply,) = search_replies("zzqx blorp")
    assert "put it another way" in reply.text
    assert "999" in reply.text
    assert "Source:" not in reply.text


def _run(action, intent: str | None = None, text: str = "") -> list[dict]:
    tracker = Tracker(
        "test", {}, {"intent": {"name": intent}, "text": text}, [], False, None, {}, ""
    )
    dispatcher = CollectingDispatcher()
    asyncio.run(action.run(dispatcher, tracker, {}))
    return dispatcher.messages


def test_answer_action_answers_the_recognised_topic():
    (sent,) = _run(ActionAnswerGuidance(), "ask_reflection_period", "how long to reflect")
    assert "45" in sent["text"]


@pytest.mark.parametrize("action", [ActionSearchGuidance(), ActionAnswerGuidance()])
def test_search_action_and_unknown_topic_fall_back_to_search(action):
    sent = _run(action, "greet", "blorp zzqx")
    assert "put it another way" in sent[0]["text"]


def test_session_start_sends_the_welcome_and_starts_the_session():
    tracker = Tracker("t", {}, {}, [], False, None, {}, "")
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ActionSessionStart().run(dispatcher, tracker, {}))
    assert [e["event"] for e in events] == ["session_started", "action"]
    assert "CCE practitioner assistant" in dispatcher.messages[0]["text"]


def test_message_actions_are_named_after_their_message():
    assert SAY_TEXT_ACTIONS["emergency"]().name() == "action_say_emergency"
    assert SAY_TEXT_ACTIONS["out_of_scope"]().name() == "action_say_out_of_scope"


def test_every_fixed_text_action_of_the_domain_is_registered_and_says_its_text():
    """domain.yml names the actions; rasa-sdk registers one per text of the table."""
    import yaml
    from rasa_sdk.executor import ActionExecutor

    from bot.config import PROJECT_ROOT

    domain = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8"))
    names = [item if isinstance(item, str) else next(iter(item)) for item in domain["actions"]]
    wanted = {name for name in names if name.startswith("action_say_")}
    executor = ActionExecutor()
    executor.register_package("actions")
    assert wanted == {name for name in executor.actions if name.startswith("action_say_")}
    for key, action in SAY_TEXT_ACTIONS.items():
        dispatcher = CollectingDispatcher()
        tracker = Tracker("t", {}, {"text": "hello"}, [], False, None, {}, "")
        asyncio.run(action().run(dispatcher, tracker, {}))
        assert dispatcher.messages[0]["text"] == bootstrap.app().texts.reply(key).text


def test_explicit_session_start_right_after_the_welcome_does_not_welcome_twice():
    events = [
        {"event": "action", "name": "action_session_start"}, {"event": "session_started"},
        {"event": "action", "name": "action_listen"}, {"event": "bot", "text": "Hello"},
        {"event": "user", "text": "/session_start"},
    ]  # fmt: skip
    tracker = Tracker("t", {}, {"intent": {"name": "session_start"}}, events, False, None, {}, "")
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ActionSessionStart().run(dispatcher, tracker, {}))
    assert [e["event"] for e in events] == ["session_started", "action"]
    assert dispatcher.messages == []


def test_explicit_session_start_in_a_conversation_never_started_welcomes():
    events = [{"event": "user", "text": "/session_start"}]
    tracker = Tracker("t", {}, {"intent": {"name": "session_start"}}, events, False, None, {}, "")
    dispatcher = CollectingDispatcher()
    asyncio.run(ActionSessionStart().run(dispatcher, tracker, {}))
    assert "CCE practitioner assistant" in dispatcher.messages[0]["text"]


def _screen(theme_id: str, state: dict | None = None):
    from bot.texts.check import ask

    plan = bootstrap.app().plan
    theme = next(t for t in plan.all_themes if t.id == theme_id)
    state = {"immediate_danger": "no", "age_under_18": "yes", **(state or {})}
    (reply,) = ask(theme.slot, state, plan, bootstrap.app().catalogue, bootstrap.app().texts,
                   bootstrap.app().knowledge.source_line)  # fmt: skip
    return theme, reply


def test_a_checklist_screen_numbers_its_items_for_rest_and_carries_them_for_the_widget():
    theme, reply = _screen("missing_travel")
    labels = [bootstrap.app().plan.label(item, bootstrap.app().catalogue) for item in theme.items]
    for number, label in enumerate(labels, start=1):
        assert f"\n{number}. {label}\n" in reply.text
    assert "(screen 7 of 10)" in reply.text  # danger, age, description, then the themes
    assert reply.text.endswith("Source: NEL CCE guidance – Indicators")
    checklist = reply.custom["checklist"]
    assert [i["id"] for i in checklist["items"]] == list(theme.items)
    assert not any(i["preselected"] for i in checklist["items"])
    assert [b.payload for b in reply.buttons] == ["/deny", "/unsure"]


def test_what_was_recognised_arrives_ticked_with_a_button_to_keep_it():
    theme, reply = _screen("missing_travel", {"found_items": ["going_missing"]})
    assert "I've marked 1" in reply.text
    assert [b.payload for b in reply.buttons][0] == "/affirm"
    checklist = reply.custom["checklist"]
    assert [i["id"] for i in checklist["items"] if i["preselected"]] == ["going_missing"]
    assert checklist["marked"]


def test_the_vulnerability_screen_cites_who_is_vulnerable():
    _, reply = _screen("vulnerability")
    assert reply.text.endswith(
        "Source: NEL CCE guidance – Who is vulnerable to child criminal exploitation?"
    )
