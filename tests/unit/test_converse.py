"""The conversation-script runner, against a fake bot."""

from __future__ import annotations

from bot.cli.converse import Conversation, Step, load_scripts, run_conversation


def fake_bot(sender: str, message: str) -> list[dict]:
    if message == "silent":
        return []
    return [{"text": f"You said {message}", "buttons": [{"title": "Start an indicator check"}]}]


def test_passing_conversation_has_no_failures():
    conversation = Conversation(
        "c", [Step("hello", contains=["you said hello", "indicator check"])]
    )
    assert run_conversation(conversation, fake_bot) == []


def test_missing_unwanted_and_silence_are_reported():
    conversation = Conversation(
        "c",
        [
            Step("hello", contains=["goodbye"], not_contains=["hello"]),
            Step("silent"),
        ],
    )
    failures = run_conversation(conversation, fake_bot)
    assert len(failures) == 3
    assert "missing 'goodbye'" in failures[0]
    assert "unwanted 'hello'" in failures[1]
    assert "said nothing" in failures[2]


def test_unreachable_bot_is_a_failure_not_a_crash():
    def down(sender: str, message: str) -> list[dict]:
        raise ConnectionRefusedError("connection refused")

    failures = run_conversation(Conversation("c", [Step("hi")]), down)
    assert failures and "no answer" in failures[0]


def test_scripts_in_the_repository_load(project_root):
    conversations = load_scripts(sorted((project_root / "tests/conversations").glob("*.yml")))
    assert len(conversations) >= 8
    assert all(c.steps for c in conversations)
