"""Robustness (issue 8) through Microsoft Teams, as test_bad_input.py and
test_fuzz.py do for REST and the widget: every request a properly signed Bot
Framework activity sent to the assistant shared with test_teams_live.py
(tests/integration/conftest.py), every reply read at the fake Bot Connector.

1. The bad-input corpus (tests/data/bad_input_cases.yml), each case as the text of
   a Teams message in its own conversation. A text case sends its text; a raw or
   json case (a REST or widget request body) sends that body as the text, invalid
   UTF-8 bytes as lone surrogates (which JSON can carry and Teams' webhook must
   survive). Each is acknowledged with 200 and answered (a normal reply or the
   holding message; a text over the assistant's message limit, 10,000 characters,
   with the reply that it was not read), except a text over the channel's limit
   (MAX_TEXT, longer than any Teams client sends), which is a 413 with a
   message, never a 5xx.
2. Odd activities only Teams has: ids with lone surrogates (a 400, never a
   500 or a turn that dies in the background), a message that is only an
   @mention or has no text, card clicks whose value is not a payload, odd names
   and types where nothing depends on them (each answered).
3. A shorter seeded fuzz: test_fuzz.py's moves (with its adversarial messages
   as long as a message may be) and danger message, the button
   moves (``/affirm``...) sent as card clicks, half the conversations group chats
   where the bot is @mentioned. Every turn is answered and the danger message
   always gets the "call 999 now" reply.

Replies are sent after the webhook has answered, so each turn waits (bounded) for
its first reply at the connector before the conversation's next turn is sent."""

from __future__ import annotations

import json
import random
import statistics
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from bot.channels.teams.activities import MAX_BODY, MAX_TEXT
from bot.config import Settings
from tests.integration.live import LiveAssistant
from tests.integration.teams_fakes import (
    BOT_ID,
    BOT_NAME,
    FakeMicrosoft,
    activity,
    good_token,
    post,
    said,
)
from tests.integration.test_bad_input import CASES
from tests.integration.test_fuzz import DANGER, SEED, next_move

pytestmark = [pytest.mark.model, pytest.mark.live]
TURN_TIMEOUT = 20.0  # s for a turn's first reply (the holding message comes after 5.5 s)
CORPUS_WORKERS = 4  # cases in flight at once, each its own conversation
FUZZ_CONVERSATIONS = 10
FUZZ_TURNS = 20
FUZZ_WORKERS = 5
HOLDING = "Sorry, I can't answer just now"
TOO_LONG = "longer than I can read"  # the server's default limit, which the test keeps
MENTION = f"<at>{BOT_NAME}</at>"
MENTIONED = {"type": "mention", "text": MENTION, "mentioned": {"id": BOT_ID, "name": BOT_NAME}}


@pytest.fixture(scope="module")
def teams_up(teams: LiveAssistant, microsoft: FakeMicrosoft) -> LiveAssistant:
    """The shared assistant, with its signing keys reachable (test_teams_live.py
    starts it with them down to test that)."""
    microsoft.openid_down = False
    return teams


def log_problems(teams: LiveAssistant, since: int) -> str:
    log = teams.log_text()[since:]
    bad = [line for line in log.splitlines() if "Traceback" in line or " ERROR " in line]
    return "\n".join(bad[:20])


# ---------------------------------------------------------------- the bad-input corpus


def case_text(case: dict[str, Any]) -> str:
    """What a corpus case sends as a Teams message's text."""
    if case["kind"] == "text":
        return str(case.get("text") or "") * int(case.get("repeat", 1))
    if case["kind"] == "raw":
        if "body_hex" in case:
            return bytes.fromhex(case["body_hex"]).decode("utf-8", "surrogateescape")
        return str(case["body"])
    value = case["json"]
    for name, size in (case.get("repeat_field") or {}).items():
        value = dict(value or {})
        value[name] = {"blob": "x" * size} if name == "metadata" else "x" * size
    return json.dumps(value, ensure_ascii=False)


def send_case(
    teams: LiveAssistant, fake: FakeMicrosoft, number: int, case: dict[str, Any]
) -> tuple[str, str | None]:
    """("answered" | "holding" | "refused", problem or None) for one case."""
    text = case_text(case)
    sent = activity(fake, text, conversation=f"a:bad-input-{number}")
    body = json.dumps(sent).encode()  # ASCII: lone surrogates go as \\udcxx escapes
    where = f"{case['name']} ({case['kind']}, {len(text):,} characters)"
    status, answer = post(teams.url, body, good_token(fake))
    if len(text) > MAX_TEXT or len(body) > MAX_BODY:
        if status != 413 or not answer.get("error"):
            return "refused", f"{where}: expected 413 with an error, got {status} {answer}"
        return "refused", None
    if status != 200:
        return "refused", f"{where}: expected 200, got {status} {answer}"
    replies = fake.wait_for_reply(sent["conversation"]["id"], sent["id"], TURN_TIMEOUT)
    shown = "\n".join(said(m) for m in replies)
    if not shown.strip():
        return "refused", f"{where}: no reply at the connector within {TURN_TIMEOUT:.0f} s"
    if len(text) > Settings.max_message_chars and TOO_LONG not in shown:
        return "refused", f"{where}: expected the reply that it was too long, got {shown[:200]!r}"
    return ("holding" if HOLDING in shown else "answered"), None


def test_the_bad_input_corpus_as_teams_messages(teams_up, microsoft):
    assert len(CASES) >= 60
    since = len(teams_up.log_text())
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=CORPUS_WORKERS) as pool:
        results = list(
            pool.map(lambda n: send_case(teams_up, microsoft, n, CASES[n]), range(len(CASES)))
        )
    problems = [problem for _, problem in results if problem]
    counts = {kind: sum(1 for k, _ in results if k == kind) for kind in ("answered", "holding")}
    refused = len(results) - counts["answered"] - counts["holding"] - len(problems)
    print(
        f"\nTeams bad input: {len(CASES)} cases in {time.monotonic() - started:.1f} s: "
        f"{counts['answered']} answered, {counts['holding']} holding message, "
        f"{refused} over the text limit (413), {len(problems)} problems"
    )
    assert not problems, problems
    # Afterwards the server is healthy and a normal message is answered with its source.
    sent = activity(microsoft, "what is cuckooing", conversation="a:bad-input-after")
    assert post(teams_up.url, sent, good_token(microsoft))[0] == 200
    assert microsoft.wait_for_reply("a:bad-input-after", sent["id"], TURN_TIMEOUT)
    microsoft.wait_until_quiet(0.8)
    shown = "\n".join(said(m) for m in microsoft.replies_to("a:bad-input-after", sent["id"]))
    assert "Source: NEL CCE guidance" in shown
    assert not log_problems(teams_up, since)


# ---------------------------------------------------------------- odd activities only Teams has


def odd_activities(fake: FakeMicrosoft) -> list[tuple[str, dict[str, Any], int]]:
    """(case, activity, expected status): 400 cases are refused, 200 ones answered."""

    def changed(case: str, expected: int, text: str | None = "hello", **extra: Any):
        settings = extra.pop("set", None) or {}  # "from.name": value, set after building
        extra.setdefault("conversation", f"a:odd-{case}")
        sent = activity(fake, text, **extra)
        for path, value in settings.items():
            *parents, last = path.split(".")
            target = sent
            for parent in parents:
                target = target[parent]
            target[last] = value
        return case, sent, expected

    cases = [
        # Lone surrogates (JSON's "\ud800") where an id is hashed, kept or put in a URL.
        changed("surrogate in the conversation id", 400, conversation="a:odd-\ud800"),
        changed("surrogate in the user id", 400, user="29:user-\udcff"),
        changed("surrogate in the activity id", 400, id="activity-\ud800"),
        changed("surrogate in the bot id", 400, set={"recipient.id": f"{BOT_ID}\udfff"}),
        changed("surrogate in the channel id", 400, channelId="msteams\ud800"),
        changed("surrogate in the serviceUrl", 400, serviceUrl=f"{fake.service_url}\ud800"),
        # Valid activities with odd content: each gets an answer.
        changed("only an @mention", 200, text=MENTION, entities=[MENTIONED]),
        changed("no text at all", 200, text=None),
        changed("empty text", 200, text=""),
        changed("click value a number", 200, text=None, value=42),
        changed("click value a list", 200, text=None, value=["/affirm"]),
        changed("click value a string", 200, text=None, value="/affirm"),
        changed("click payload a number", 200, text=None, value={"payload": 42}),
        changed("click payload an object", 200, text=None, value={"payload": {"a": 1}}),
        changed("click payload empty", 200, text=None, value={"payload": "  "}),
        changed("click payload too long", 200, value={"payload": "/affirm" * 400}),
        changed("click payload unknown", 200, text=None, value={"payload": "/no_such_intent"}),
        changed("click payload forged", 200, value={"payload": '/affirm{"requested_slot": 1}'}),
        changed("click payload surrogate", 200, text=None, value={"payload": "/affirm\ud800"}),
        changed("surrogate and @mention", 200, text=f"{MENTION} hi \udcff", entities=[MENTIONED]),
        changed("mention text not a string", 200, entities=[{"type": "mention", "text": 5}]),
        changed("mention without text", 200, entities=[{"type": "mention"}, {}]),
        changed("user name surrogate", 200, set={"from.name": "\ud800"}),
        changed("bot name surrogate", 200, set={"recipient.name": "\ud800"}),
        changed("bot name a number", 200, set={"recipient.name": 7}),
        changed("conversationType an object", 200, set={"conversation.conversationType": {}}),
        changed("textFormat, locale, attachments odd", 200, textFormat=5, locale=[],
                attachments="x"),
    ]  # fmt: skip
    return cases


def test_odd_activities_only_teams_has_are_refused_with_a_400_or_answered(teams_up, microsoft):
    since = len(teams_up.log_text())
    problems = []
    cases = odd_activities(microsoft)
    for case, sent, expected in cases:
        status, answer = post(teams_up.url, sent, good_token(microsoft))
        if status != expected or (expected == 400 and not answer.get("error")):
            problems.append(f"{case}: expected {expected}, got {status} {answer}")
        elif expected == 200:
            conversation = sent["conversation"]["id"]
            replies = microsoft.wait_for_reply(conversation, sent["id"], TURN_TIMEOUT)
            if not "\n".join(said(m) for m in replies).strip():
                problems.append(f"{case}: no reply within {TURN_TIMEOUT:.0f} s")
    microsoft.wait_until_quiet(0.5)
    refused = {sent["conversation"]["id"] for _, sent, expected in cases if expected == 400}
    if any(r["conversation"] in refused for r in microsoft.replies):
        problems.append("a refused activity was answered")
    print(f"\nTeams odd activities: {len(cases)} cases, {len(problems)} problems")
    assert not problems, problems
    assert not log_problems(teams_up, since)


# ---------------------------------------------------------------- seeded fuzz


def fuzz_activity(fake: FakeMicrosoft, number: int, message: str) -> dict[str, Any]:
    """A move as Teams sends it: a button payload as a card click (messageBack),
    anything else typed; odd-numbered conversations are group chats (@mention)."""
    group = number % 2 == 1
    conversation = f"19:teams-fuzz-{number}@thread.v2" if group else f"a:teams-fuzz-{number}"
    if message.startswith("/"):
        sent = activity(fake, message, conversation=conversation, value={"payload": message})
    elif group:
        sent = activity(
            fake, f"{MENTION} {message}", conversation=conversation, entities=[MENTIONED]
        )
    else:
        sent = activity(fake, message, conversation=conversation)
    if group:
        sent["conversation"]["conversationType"] = "groupChat"
    return sent


def walk(teams: LiveAssistant, fake: FakeMicrosoft, number: int) -> list[dict[str, Any]]:
    """One conversation, a turn at a time (the next once the last is answered)."""
    rng = random.Random(SEED + number)  # the same moves as test_fuzz.py's walk `number`
    turns = []
    for turn in range(FUZZ_TURNS):
        message = next_move(rng)
        sent = fuzz_activity(fake, number, message)
        started = time.monotonic()
        status, answer = post(teams.url, sent, good_token(fake))
        answered = status == 200 and bool(
            fake.wait_for_reply(sent["conversation"]["id"], sent["id"], TURN_TIMEOUT)
        )
        turns.append({
            "where": f"conversation {number} turn {turn} {message!r}",
            "message": message, "sent": sent, "status": status, "answer": answer,
            "seconds": time.monotonic() - started if answered else None,
        })  # fmt: skip
    return turns


def test_seeded_fuzz_through_teams_always_answers_and_gives_999_for_danger(teams_up, microsoft):
    since = len(teams_up.log_text())
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=FUZZ_WORKERS) as pool:
        walks = list(pool.map(lambda n: walk(teams_up, microsoft, n), range(FUZZ_CONVERSATIONS)))
    microsoft.wait_until_quiet(1.0)  # the last turns' later replies
    problems = []
    for turns in walks:
        conversation = turns[0]["sent"]["conversation"]["id"]
        for turn in turns:
            if turn["status"] != 200:
                problems.append(f"{turn['where']}: {turn['status']} {turn['answer']}")
                continue
            shown = "\n".join(
                said(m) for m in microsoft.replies_to(conversation, turn["sent"]["id"])
            )
            if not shown.strip():
                problems.append(f"{turn['where']}: no reply")
            elif turn["message"] == DANGER and "call 999 now" not in shown:
                problems.append(f"{turn['where']}: danger without the 999 response: {shown!r}")
        ids = {turn["sent"]["id"] for turn in turns}
        stray = [m for m in microsoft.messages(conversation) if m.get("replyToId") not in ids]
        if stray:
            problems.append(f"{conversation}: {len(stray)} replies to activities it never sent")
    seconds = [t["seconds"] for turns in walks for t in turns if t["seconds"] is not None]
    danger = sum(1 for turns in walks for t in turns if t["message"] == DANGER)
    print(
        f"\nTeams fuzz: {len(seconds)} of {FUZZ_CONVERSATIONS * FUZZ_TURNS} turns answered "
        f"({danger} danger) in {time.monotonic() - started:.1f} s; first reply after "
        f"{statistics.median(seconds or [0]):.2f} s median, {max(seconds or [0]):.2f} s max; "
        f"{len(problems)} problems"
    )
    assert not problems, problems[:20]
    assert not log_problems(teams_up, since)
