"""Conversation fuzzing: seeded random walks mixing questions, greetings, button
payloads out of order, checks started, abandoned, restarted and finished,
adversarial messages as long as a message may be (no spaces, all "@", deep
nesting, emoji), and "a child is in danger right now" at random points. Half the
conversations go over REST, half through the web widget's channel (Teams has
its own walk in test_teams_robustness.py). Every user turn gets a reply; the
danger message always gets the 999 response; nothing is logged as an error."""

from __future__ import annotations

import json
import random
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from bot.cli.converse import Send, reply_text
from bot.config import Settings
from tests.integration.live import LiveAssistant

pytestmark = [pytest.mark.model, pytest.mark.live]
SEED = 20261128
CONVERSATIONS = 40
TURNS = 50  # 2,000 turns in all
DANGER = "a child is in danger right now"
MOVES = [
    "what is cuckooing", "what's the threshold for a reasonable grounds decision", "hi", "thanks",
    "who do I report modern slavery to", "what's the front door email", "blorp zzz", "",
    "/affirm", "/deny", "/unsure", "/start_check", "/stop_check", "/resume_check",
    "/change_answer", '/change_answer{"check_question":"age_under_18"}',
    '/change_answer{"check_question":"description"}', '/change_answer{"check_question":"nope"}',
    "he keeps going missing and has two phones", "she is in care", "none of these", "15", "42",
    "I'm worried about a lad in my class", "carry on with the check", "stop", "bye",
    "/no_such_intent", "/ask_cuckooing", "change an answer", "what can you do",
]  # fmt: skip
LONGEST = Settings.max_message_chars  # the default limit, which the test server keeps
ADVERSARIAL = [
    "x" * LONGEST, "@" * LONGEST, "(" * (LONGEST // 2) + ")" * (LONGEST // 2),
    "[{" * (LONGEST // 2), "\U0001f622" * LONGEST, "a@b." * (LONGEST // 4),
]  # fmt: skip
CHANNELS = ("rest", "web")


def web_sender(url: str, timeout: float = 60.0) -> Send:
    """The widget's channel: one conversation token per sender, then messages."""
    tokens: dict[str, str] = {}

    def post(path: str, body: dict[str, Any]) -> dict[str, Any]:
        data = json.dumps(body, ensure_ascii=False).encode()  # UTF-8, as a browser sends
        headers = {"Content-Type": "application/json"}
        request = urllib.request.Request(f"{url}/webhooks/web/{path}", data=data, headers=headers)
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return json.loads(response.read())

    def send(sender: str, message: str) -> list[dict[str, Any]]:
        if sender not in tokens:
            tokens[sender] = post("session", {})["token"]
        return post("message", {"token": tokens[sender], "text": message})["messages"]

    return send


def next_move(rng: random.Random) -> str:
    """A walk's next message (test_teams_robustness.py's Teams walk draws the same)."""
    draw = rng.random()
    if draw < 0.08:
        return DANGER
    if draw < 0.12:
        return rng.choice(ADVERSARIAL)
    return rng.choice(MOVES)


def walk(assistant: LiveAssistant, number: int) -> list[str]:
    rng = random.Random(SEED + number)
    channel = CHANNELS[number % len(CHANNELS)]
    send = assistant.rest(timeout=60) if channel == "rest" else web_sender(assistant.url)
    sender = f"fuzz-{SEED}-{number}"
    problems = []
    for turn in range(TURNS):
        message = next_move(rng)
        said = reply_text(send(sender, message))
        if not said.strip():
            problems.append(f"{sender} [{channel}] turn {turn} {message[:40]!r}: no reply")
        if message == DANGER and "call 999 now" not in said:
            problems.append(
                f"{sender} [{channel}] turn {turn}: danger without the 999 response: {said[:200]!r}"
            )
    return problems


def test_random_walks_always_answer_and_always_give_999_for_danger(assistant):
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda n: walk(assistant, n), range(CONVERSATIONS)))
    problems = [p for result in results for p in result]
    print(f"\nFuzz: {CONVERSATIONS * TURNS} turns in {CONVERSATIONS} conversations "
          f"({', '.join(CHANNELS)}), "
          f"{len(problems)} problems")  # fmt: skip
    assert not problems, problems[:20]
    log = assistant.log_text()
    assert "Traceback" not in log and " ERROR " not in log, log[-3000:]
