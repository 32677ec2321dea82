"""The counts for /metrics without a server: what each turn adds (through the
holding wrapper every channel uses), check outcomes, and several processes
counting into one folder as Sanic workers do, added up by whichever answers."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import textwrap

import pytest
from prometheus_client import REGISTRY
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

from bot import bootstrap
from bot.channels import holding
from bot.config import PROJECT_ROOT
from bot.monitoring import metrics

SECRET = "Jordan Example keeps going missing"  # invented; must never appear in /metrics


def value(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


@pytest.fixture
def available():
    """No tracker store of ours is handed over: conversations count as available."""


class Unavailable:
    def available(self) -> bool:
        return False


def turn(handler, channel: str = "rest", text: str = SECRET, conversations=None) -> list[dict]:
    output = CollectingOutputChannel()
    message = UserMessage(text, output, "sender-1", input_channel=channel)
    asyncio.run(holding.with_holding_message(handler)(message, conversations))
    return output.messages


async def answers(message: UserMessage) -> None:
    await message.output_channel.send_text_message(message.sender_id, "An answer.")


async def fails(message: UserMessage) -> None:
    raise RuntimeError("an action failed")


async def says_nothing(message: UserMessage) -> None:
    return None


def test_a_turn_is_counted_and_timed_under_its_channel(available):
    turns = value("cce_turns_total", channel="web")
    timed = value("cce_turn_duration_seconds_count", channel="web")
    assert turn(answers, "web")[0]["text"] == "An answer."
    assert value("cce_turns_total", channel="web") == turns + 1
    assert value("cce_turn_duration_seconds_count", channel="web") == timed + 1
    assert value("cce_turn_duration_seconds_sum", channel="web") > 0


@pytest.mark.parametrize(("handler", "reason"), [(fails, "error"), (says_nothing, "no_reply")])
def test_each_holding_message_is_counted_with_its_reason(available, handler, reason):
    before = value("cce_holding_messages_total", channel="rest", reason=reason)
    (reply,) = turn(handler)
    assert "999" in reply["text"]
    assert value("cce_holding_messages_total", channel="rest", reason=reason) == before + 1


def test_a_slow_turn_is_counted_as_a_timeout(available, monkeypatch):
    monkeypatch.setenv("CCE_TURN_TIMEOUT", "0.05")
    bootstrap.reset()

    async def slow(message: UserMessage) -> None:
        await asyncio.sleep(1)

    before = value("cce_holding_messages_total", channel="teams", reason="timeout")
    try:
        turn(slow, "teams")
    finally:
        bootstrap.reset()
    assert value("cce_holding_messages_total", channel="teams", reason="timeout") == before + 1


def test_an_unavailable_database_is_counted():
    before = value("cce_holding_messages_total", channel="rest", reason="database_unavailable")
    turn(answers, conversations=Unavailable())
    after = value("cce_holding_messages_total", channel="rest", reason="database_unavailable")
    assert after == before + 1


def test_a_channel_name_a_client_chose_is_not_a_label(available):
    # rasa's REST channel takes `input_channel` from the request body.
    before = value("cce_turns_total", channel="other")
    turn(answers, channel=SECRET)
    assert value("cce_turns_total", channel="other") == before + 1
    assert SECRET not in metrics.exposition()[0].decode()


def test_outcomes_are_counted_by_type_and_all_start_at_zero():
    text = metrics.exposition()[0].decode()
    for outcome in ("emergency", "outside_scope", "child_protection", "exploitation_concern",
                    "no_indicators_identified"):  # fmt: skip
        assert f'cce_check_outcomes_total{{outcome="{outcome}"}}' in text
    before = value("cce_check_outcomes_total", outcome="child_protection")
    metrics.check_outcome("child_protection")
    metrics.check_outcome("not an outcome")
    assert value("cce_check_outcomes_total", outcome="child_protection") == before + 1
    assert value("cce_check_outcomes_total", outcome="other") >= 1


def test_the_exposition_holds_no_message_text(available):
    turn(answers, "rest", text=SECRET)
    turn(fails, "web", text=SECRET)
    body, content_type = metrics.exposition()
    assert content_type.startswith("text/plain")
    assert SECRET not in body.decode() and "sender-1" not in body.decode()


COUNT_IN_A_PROCESS = textwrap.dedent(
    """
    import asyncio, sys
    from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
    from bot.channels import holding
    from bot.monitoring import metrics

    async def answers(message):
        await message.output_channel.send_text_message(message.sender_id, "An answer.")

    for _ in range(int(sys.argv[1])):
        message = UserMessage("hello", CollectingOutputChannel(), "s", input_channel="rest")
        asyncio.run(holding.with_holding_message(answers)(message))
    metrics.check_outcome("emergency")
    print(metrics.exposition()[0].decode())
    """
)


def test_processes_counting_in_one_folder_are_added_up(tmp_path):
    """Sanic workers (CCE_WORKERS > 1) are processes: /metrics, whichever of them
    answers, must show the turns of all of them."""
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path), "PYTHONPATH": str(PROJECT_ROOT)}

    def run(turns: int) -> str:
        done = subprocess.run(
            [sys.executable, "-c", COUNT_IN_A_PROCESS, str(turns)],
            env=env, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120, check=True,
        )  # fmt: skip
        return done.stdout

    run(3)
    last = run(2)  # the second process's /metrics: both processes' counts
    assert 'cce_turns_total{channel="rest"} 5.0' in last
    assert 'cce_turn_duration_seconds_count{channel="rest"} 5.0' in last
    assert 'cce_check_outcomes_total{outcome="emergency"} 2.0' in last
    assert len(list(tmp_path.glob("counter_*.db"))) == 2  # one file per process
