"""The Teams channel end to end, with no internet: the assistant (``python -m bot
serve``) talks to fake Microsoft services on 127.0.0.1 (tests/integration/
teams_fakes.py): OpenID metadata and keys signed by a key pair made here, a
token endpoint, and a Bot Connector that receives the replies.

First the authentication matrix (each case one request), then malformed
activities (4xx, never 5xx), then whole conversations as Teams activities. The
fakes and the assistant are session fixtures (tests/integration/conftest.py),
shared with test_teams_robustness.py."""

from __future__ import annotations

import json
import sqlite3
import time
import urllib.request
from typing import Any

import pytest

from bot.channels.teams.activities import sender_id
from tests.integration.live import LiveAssistant
from tests.integration.teams_fakes import (
    APP_ID,
    BOT_ID,
    BOT_NAME,
    KEY_REFETCH_WAIT,
    FakeMicrosoft,
    SigningKey,
    activity,
    buttons,
    claims,
    good_token,
    hmac_token,
    mint,
    post,
    said,
    unsigned_token,
)

pytestmark = [pytest.mark.model, pytest.mark.live]
OTHER_APP = "99999999-0000-0000-0000-000000000000"
EVIL_URL = "https://evil.example/"
NESTED = b"[" * 100_000 + b"]" * 100_000  # deeper than any JSON parser recurses


def replies_to(fake: FakeMicrosoft, sent: dict, timeout: float = 45) -> list[dict]:
    """The messages answering ``sent``, once they have all arrived (a turn's
    replies are sent together after the turn)."""
    deadline = time.monotonic() + timeout
    conversation, count, quiet_since = sent["conversation"]["id"], -1, time.monotonic()
    reply_to = sent["id"] if sent["type"] == "message" else None  # a welcome is no reply
    while time.monotonic() < deadline:
        found = [m for m in fake.messages(conversation) if m.get("replyToId") == reply_to]
        if len(found) != count:
            count, quiet_since = len(found), time.monotonic()
        elif found and time.monotonic() - quiet_since > 0.8:
            return found
        time.sleep(0.1)
    raise AssertionError(f"No complete reply to {sent.get('text')!r} within {timeout} s")


def say(teams: LiveAssistant, fake: FakeMicrosoft, sent: dict) -> str:
    status, body = post(teams.url, sent, good_token(fake))
    assert status == 200, body
    return "\n".join(said(m) for m in replies_to(fake, sent))


def click(
    teams: LiveAssistant, fake: FakeMicrosoft, last: list[dict], title: str, **where
) -> list[dict]:
    """Clicks the button ``title`` on the last card, as Teams sends a messageBack
    (with ``replyToId``, the card's id)."""
    cards = [m for m in last if buttons(m)]
    assert cards and title in buttons(cards[-1]), f"no {title!r} button in {cards}"
    data = buttons(cards[-1])[title]
    sent = activity(
        fake, text=data["msteams"]["text"], value=data["msteams"]["value"],
        replyToId=cards[-1]["id"], **where,
    )  # fmt: skip
    status, body = post(teams.url, sent, good_token(fake))
    assert status == 200, body
    return replies_to(fake, sent)


def choice_sets(message: dict) -> dict[str, list[str]]:
    """A card's multi-select inputs: id -> the choice values offered."""
    found = {}
    for attachment in message.get("attachments") or []:
        for block in attachment["content"]["body"]:
            if block.get("type") == "Input.ChoiceSet":
                found[block["id"]] = [choice["value"] for choice in block["choices"]]
    return found


def submit_checklist(
    teams: LiveAssistant, fake: FakeMicrosoft, last: list[dict], seen: list[str], **where
) -> list[dict]:
    """Ticks ``seen`` on the last checklist card and presses Done, as Teams sends it:
    the Done button's data with the inputs' values (multi-select: comma-separated)."""
    card = [m for m in last if choice_sets(m)][-1]
    data = dict(buttons(card)["Done"])
    data.update({"seen": ",".join(seen), "not_known": ""})
    sent = activity(fake, text=None, value=data, **where)
    status, body = post(teams.url, sent, good_token(fake))
    assert status == 200, body
    return replies_to(fake, sent)


# ---------------------------------------------------------------- authentication


def test_unreachable_key_metadata_stops_nothing_and_is_a_503_until_it_is_back(teams, microsoft):
    # Runs first: the server started while the OpenID endpoint was down.
    sent = activity(microsoft, "what is cuckooing", conversation="a:keys-down")
    status, body = post(teams.url, sent, good_token(microsoft))
    assert status == 503 and "signing keys" in body["error"]
    assert microsoft.fetches["openid"] >= 1
    microsoft.openid_down = False
    time.sleep(KEY_REFETCH_WAIT)  # a failed fetch is not retried sooner
    status, body = post(teams.url, sent, good_token(microsoft))
    assert status == 200, body
    assert replies_to(microsoft, sent)


def test_without_an_app_id_the_server_runs_and_the_webhook_says_what_to_set(assistant, microsoft):
    sent = activity(microsoft)
    status, body = post(assistant.url, sent, good_token(microsoft))
    assert status == 503 and "CCE_TEAMS_APP_ID" in body["error"]
    with urllib.request.urlopen(f"{assistant.url}/webhooks/teams/", timeout=10) as response:
        assert json.loads(response.read()) == {"status": "ok", "configured": False}


def test_a_valid_request_is_answered_at_once_and_the_reply_reaches_the_connector(teams, microsoft):
    sent = activity(microsoft, "what is cuckooing", conversation="a:auth-valid")
    started = time.monotonic()
    status, body = post(teams.url, sent, good_token(microsoft))
    assert (status, body) == (200, {"status": "accepted"})
    assert time.monotonic() - started < 2  # acknowledged before the turn runs
    replies = replies_to(microsoft, sent)
    assert "Source: NEL CCE guidance" in "\n".join(said(m) for m in replies)
    reply = replies[0]
    assert reply["from"]["id"] == BOT_ID and reply["recipient"]["id"] == "29:user-1"
    assert reply["conversation"]["id"] == "a:auth-valid"
    # Sent with a token from the configured (single) tenant's endpoint.
    request = microsoft.token_requests[0]
    assert request["path"] == "/token/single-tenant-id/oauth2/v2.0/token"
    assert request["form"]["client_id"] == APP_ID
    assert request["form"]["scope"] == "https://api.botframework.com/.default"
    assert all(r["authorization"].startswith("Bearer outbound-") for r in microsoft.replies)


def test_expired_within_the_clock_skew_is_accepted(teams, microsoft):
    sent = activity(microsoft, "what is a trap house", conversation="a:auth-skew")
    token = good_token(microsoft, exp=int(time.time()) - 200)
    assert post(teams.url, sent, token)[0] == 200
    assert replies_to(microsoft, sent)


def test_a_rotated_key_is_fetched_when_its_key_id_first_arrives(teams, microsoft):
    fetches = microsoft.fetches["keys"]
    rotated = SigningKey("key-2")
    microsoft.keys = [rotated, *microsoft.keys]
    time.sleep(KEY_REFETCH_WAIT)
    sent = activity(microsoft, "what is county lines", conversation="a:auth-rotated")
    assert post(teams.url, sent, mint(rotated, claims(microsoft.service_url)))[0] == 200
    assert microsoft.fetches["keys"] == fetches + 1
    assert replies_to(microsoft, sent)
    microsoft.keys = microsoft.keys[1:]  # back to the first key for the other tests


def test_another_bot_framework_channel_cannot_borrow_an_allowed_tenant(teams, microsoft):
    """The Bot Connector signs Direct Line and Web Chat activities too, with keys
    endorsed for them, and their clients write channelData.tenant themselves."""
    shared = SigningKey("key-shared", endorsements=["msteams", "webchat", "directline"])
    microsoft.keys = [*microsoft.keys, shared]
    time.sleep(KEY_REFETCH_WAIT)
    try:
        for channel in ("directline", "webchat"):
            sent = activity(
                microsoft, "what is cuckooing", conversation=f"a:borrowed-{channel}",
                channelId=channel,  # channelData.tenant is tenant-a, an allowed one
            )  # fmt: skip
            status, body = post(teams.url, sent, mint(shared, claims(microsoft.service_url)))
            assert status == 403 and "only Microsoft Teams" in body["error"], (channel, body)
        sent = activity(microsoft, "what is cuckooing", conversation="a:borrowed-msteams")
        assert post(teams.url, sent, mint(shared, claims(microsoft.service_url)))[0] == 200
        assert replies_to(microsoft, sent)  # the same key, from Teams: answered
        time.sleep(1)
        assert not microsoft.messages("a:borrowed-directline")
        assert not microsoft.messages("a:borrowed-webchat")
    finally:
        microsoft.keys = [key for key in microsoft.keys if key.kid != "key-shared"]


def refused_cases(fake: FakeMicrosoft) -> list[tuple[str, dict, str | None, int]]:
    """(case, activity, token, expected status): every one must be refused."""
    payload = claims(fake.service_url)
    key = fake.keys[0]
    now = int(time.time())
    nobody = SigningKey("key-nobody-publishes")
    other_tenant = {"channelData": {"tenant": {"id": "tenant-x"}}}
    return [
        ("wrong audience", activity(fake), good_token(fake, aud=OTHER_APP), 401),
        ("wrong issuer", activity(fake), good_token(fake, iss="https://login.evil.example"), 401),
        ("expired beyond the skew", activity(fake), good_token(fake, exp=now - 400), 401),
        ("not valid yet", activity(fake), good_token(fake, nbf=now + 400), 401),
        ("unknown key id", activity(fake), mint(nobody, payload), 401),
        ("alg none", activity(fake), unsigned_token(payload, key.kid), 401),
        ("HS256", activity(fake), hmac_token(payload, key.kid, b"guessed secret"), 401),
        ("HS256, public key", activity(fake), hmac_token(payload, key.kid, key.public_pem()), 401),
        ("missing kid", activity(fake), mint(key, payload, kid=None), 401),
        ("no header", activity(fake), None, 401),
        ("serviceurl mismatch", activity(fake), good_token(fake, serviceurl=EVIL_URL), 403),
        ("channel not endorsed", activity(fake, channelId="webchat"), good_token(fake), 403),
        ("tenant not allowed", activity(fake, **other_tenant), good_token(fake), 403),
    ]


def test_every_forged_or_disallowed_request_is_refused_and_nothing_is_sent(teams, microsoft):
    conversations = set()
    failures = []
    for case, sent, token, expected in refused_cases(microsoft):
        sent["conversation"]["id"] = f"a:refused-{case}"
        conversations.add(sent["conversation"]["id"])
        status, body = post(teams.url, sent, token)
        if status != expected or not body.get("error"):
            failures.append(f"{case}: expected {expected} with an error, got {status} {body}")
    status, body = post(teams.url, b'{"type": "message", ', good_token(microsoft))
    if status != 400 or not body.get("error"):
        failures.append(f"malformed JSON: expected 400, got {status} {body}")
    assert not failures, failures
    time.sleep(2)
    assert not [r for r in microsoft.replies if r["conversation"] in conversations]


def malformed_activities(fake: FakeMicrosoft) -> list[tuple[str, bytes]]:
    base = activity(fake)

    def changed(**changes: Any) -> bytes:
        data = {**base, **changes}
        return json.dumps({k: v for k, v in data.items() if v is not None}).encode()

    return [
        ("empty body", b""),
        ("a list", b"[]"),
        ("a string", b'"message"'),
        ("invalid UTF-8", b'{"type": "message", "text": "\xff\xfe"}'),
        ("no type", changed(type=None)),
        ("no id", changed(id=None)),
        ("no serviceUrl", changed(serviceUrl=None)),
        ("serviceUrl not a URL", changed(serviceUrl="not a url")),
        ("no conversation", changed(conversation=None)),
        ("conversation a string", changed(conversation="a:x")),
        ("conversation id a number", changed(conversation={"id": 42})),
        ("no from", changed(**{"from": None})),
        ("from id empty", changed(**{"from": {"id": ""}})),
        ("recipient a list", changed(recipient=["28:bot"])),
        ("text a number", changed(text=12)),
        ("text an object", changed(text={"a": "b"})),
        ("entities an object", changed(entities={"type": "mention"})),
        ("membersAdded a string", changed(membersAdded="28:bot", type="conversationUpdate")),
        ("channelData a list", changed(channelData=[])),
        ("text over the limit", changed(text="x" * 40_000)),
        ("huge body", changed(text="x" * 300_000)),
        ("deeply nested value", changed(value="NESTED").replace(b'"NESTED"', NESTED)),
    ]


def test_malformed_activities_get_a_4xx_saying_what_is_wrong_never_a_5xx(teams, microsoft):
    failures = []
    for case, body in malformed_activities(microsoft):
        status, answer = post(teams.url, body, good_token(microsoft))
        if not 400 <= status < 500 or not answer.get("error"):
            failures.append(f"{case}: {status} {answer}")
    assert not failures, failures
    assert "Traceback" not in teams.log_text()


def test_unknown_activity_types_are_acknowledged_and_ignored(teams, microsoft):
    for kind in ("typing", "messageReaction", "installationUpdate", "invoke", "event"):
        sent = activity(microsoft, None, conversation="a:other-types", kind=kind)
        assert post(teams.url, sent, good_token(microsoft)) == (200, {"status": "ignored"})
    time.sleep(1)
    assert not microsoft.messages("a:other-types")


# ---------------------------------------------------------------- conversations


def test_a_whole_conversation_in_teams(teams, microsoft):
    personal = {"conversation": "a:personal-whole"}
    # The bot is added: it welcomes the user, with the privacy notice and 999.
    added = activity(
        microsoft, None, kind="conversationUpdate", membersAdded=[{"id": BOT_ID}], **personal
    )
    status, _ = post(teams.url, added, good_token(microsoft))
    assert status == 200
    welcome = replies_to(microsoft, added)
    text = "\n".join(said(m) for m in welcome)
    for words in (
        "CCE practitioner assistant",
        "professional judgement",
        "don't type names",
        "[privacy notice](https://bot.example.org/privacy)",  # Teams needs an absolute link
        "call 999",
    ):
        assert words in text
    # A question with an @mention, in a group chat: answered with its source line.
    group = activity(
        microsoft,
        f"<at>{BOT_NAME}</at> what is cuckooing",
        conversation="19:group-whole@thread.v2",
        entities=[{"type": "mention", "text": f"<at>{BOT_NAME}</at>",
                   "mentioned": {"id": BOT_ID, "name": BOT_NAME}}],
    )  # fmt: skip
    answer = say(teams, microsoft, group)
    assert "Source: NEL CCE guidance – Who is vulnerable to child criminal exploitation?" in answer
    # The indicator check, every answer a card click (messageBack), to its outcome.
    replies = click(teams, microsoft, welcome, "Start an indicator check", **personal)
    assert "immediate danger" in "\n".join(said(m) for m in replies)
    path = [
        ("No", "under 18"),
        ("Yes", "what have you noticed"),
        ("Skip", "School, activities and behaviour"),
        *[("None of these", None)] * 4,
        ("None of these", "Family and home"),
    ]
    for title, expected in path:
        replies = click(teams, microsoft, replies, title, **personal)
        if expected:
            assert expected in "\n".join(said(m) for m in replies), (title, expected)
    # The family screen's card: "Seen" and "Not known" multi-selects, and Done.
    card = next(m for m in replies if choice_sets(m))
    assert set(choice_sets(card)) == {"seen", "not_known"}
    assert "parent_carer_involved" in choice_sets(card)["seen"]
    replies = submit_checklist(teams, microsoft, replies, ["parent_carer_involved"], **personal)
    assert "What may make the child more vulnerable" in "\n".join(said(m) for m in replies)
    replies = click(teams, microsoft, replies, "None of these", **personal)
    # Each clicked card lost its buttons (the welcome's, and each question's).
    updates = microsoft.updates_of("a:personal-whole")
    assert len(updates) == 2 + len(path)
    assert not any(buttons(update["activity"]) for update in updates)
    outcome = "\n".join(said(m) for m in replies)
    assert "Follow Child Protection Procedures" in outcome
    assert "facilitated by the child's parent or carer" in outcome
    assert "NELCChildrensFrontDoor@nelincs.gov.uk" in outcome
    # The mention never reached the classifier or the conversation store.
    with sqlite3.connect(teams.var_dir / "tracker.db") as db:
        stored = " ".join(row[0] for row in db.execute("SELECT data FROM events"))
    assert "what is cuckooing" in stored
    assert "<at>" not in stored and f"{BOT_NAME} what is" not in stored
    assert "A Practitioner" not in stored and "29:user-1" not in stored


def test_a_retried_activity_is_handled_once(teams, microsoft):
    sent = activity(microsoft, "what is a graft phone", conversation="a:retried")
    token = good_token(microsoft)
    first = post(teams.url, sent, token)
    again = post(teams.url, sent, token)  # Teams retrying while the turn still runs
    assert first == (200, {"status": "accepted"})
    assert again == (200, {"status": "already handled"})
    replies = replies_to(microsoft, sent)
    time.sleep(2)
    assert len(microsoft.messages("a:retried")) == len(replies)
    assert "\n".join(said(m) for m in replies).count("Source: NEL CCE guidance") == 1


def test_two_group_chats_and_two_people_are_kept_apart(teams, microsoft):
    # The check is what keeps state, and it runs only where Teams says the chat is
    # personal (the fake's default type; see the test below), so these chats are sent
    # as such: what is tested is that each conversation and person is its own.
    chat_a, chat_b = "19:group-a@thread.v2", "19:group-b@thread.v2"
    started = say(teams, microsoft, activity(microsoft, "/start_check", conversation=chat_a))
    assert "immediate danger" in started
    # The same person in another group chat is not in the middle of that check...
    elsewhere = say(teams, microsoft, activity(microsoft, "/deny", conversation=chat_b))
    assert "under 18" not in elsewhere and "wasn't waiting for an answer" in elsewhere
    # ...nor is another person in the same group chat...
    other = say(
        teams, microsoft, activity(microsoft, "/deny", conversation=chat_a, user="29:user-2")
    )
    assert "under 18" not in other
    # ...while the check carries on where it was, in the chat it started in.
    assert "under 18" in say(teams, microsoft, activity(microsoft, "/deny", conversation=chat_a))
    assert "Traceback" not in teams.log_text()


# ---------------------------------------------------------------- delivery and cards


def teams_metric(teams: LiveAssistant, sample: str) -> float:
    with urllib.request.urlopen(f"{teams.url}/metrics", timeout=10) as response:
        for line in response.read().decode().splitlines():
            if line.startswith(sample + " "):
                return float(line.split()[-1])
    return 0.0


def test_a_reply_refused_with_429_then_503_is_sent_again_not_dropped(teams, microsoft):
    conversation = "a:throttled"
    microsoft.refuse(conversation, (429, "2"), (503, None))
    retried = teams_metric(teams, 'cce_teams_reply_retries_total{reason="rate_limited"}')
    question = activity(microsoft, "what is cuckooing", conversation=conversation)
    answer = say(teams, microsoft, question)
    assert answer.count("Source: NEL CCE guidance") == 1  # delivered, once
    first, second = [r for r in microsoft.refused if r["conversation"] == conversation]
    assert (first["status"], second["status"]) == (429, 503)
    assert second["at"] - first["at"] >= 2.0  # the Retry-After was respected
    assert teams_metric(teams, 'cce_teams_reply_retries_total{reason="rate_limited"}') == (
        retried + 1
    )


def test_a_reply_refused_every_time_is_given_up_and_counted(teams, microsoft):
    conversation = "a:always-refused"
    sample = 'cce_teams_replies_failed_total{kind="message",reason="server_error"}'
    before = teams_metric(teams, sample)
    microsoft.refuse(conversation, *[(500, None)] * 5)  # every attempt at the first reply
    sent = activity(microsoft, "what is cuckooing", conversation=conversation)
    assert post(teams.url, sent, good_token(microsoft))[0] == 200
    deadline = time.monotonic() + 60
    while teams_metric(teams, sample) == before and time.monotonic() < deadline:
        time.sleep(0.5)
    assert teams_metric(teams, sample) == before + 1
    assert len([r for r in microsoft.refused if r["conversation"] == conversation]) == 5


def test_a_clicked_card_loses_its_buttons_and_a_second_click_is_no_answer(teams, microsoft):
    where = {"conversation": "a:double-click"}
    started = activity(microsoft, "/start_check", **where)
    assert post(teams.url, started, good_token(microsoft))[0] == 200
    question = replies_to(microsoft, started)
    card = [m for m in question if buttons(m)][-1]
    assert "immediate danger" in said(card)
    answered = click(teams, microsoft, question, "No", **where)
    assert "under 18" in "\n".join(said(m) for m in answered)
    (update,) = microsoft.updates_of("a:double-click")
    assert update["activity_id"] == card["id"] and not buttons(update["activity"])
    assert said(update["activity"]) == f"{said(card)}\nAnswered: No"
    # Clicked twice, quickly: Teams sends a click from the old card once more.
    data = buttons(card)["Yes"]
    again = activity(microsoft, text=data["msteams"]["text"], value=data["msteams"]["value"],
                     replyToId=card["id"], **where)  # fmt: skip
    assert post(teams.url, again, good_token(microsoft))[0] == 200
    assert microsoft.wait_for_reply("a:double-click", again["id"], timeout=4) == []
    # The check is still at its second question, which the current card answers.
    nxt = click(teams, microsoft, answered, "Yes", **where)
    assert "what have you noticed" in "\n".join(said(m) for m in nxt)


def test_in_group_chats_and_channels_the_check_moves_to_a_private_chat(teams, microsoft):
    mention = f"<at>{BOT_NAME}</at>"
    entities = [{"type": "mention", "text": mention, "mentioned": {"id": BOT_ID, "name": BOT_NAME}}]
    link = f"https://teams.microsoft.com/l/chat/0/0?users=28:{APP_ID}"
    for kind, conversation in (
        ("groupChat", "19:group-private-check@thread.v2"),
        ("channel", "19:channel-private-check@thread.tacv2;messageid=1"),
    ):
        where = {"conversation": conversation}
        typed = activity(
            microsoft, f"{mention} start an indicator check", entities=entities, **where
        )
        clicked = activity(microsoft, "/start_check", value={"payload": "/start_check"}, **where)
        for sent in (typed, clicked):
            sent["conversation"]["conversationType"] = kind
            assert post(teams.url, sent, good_token(microsoft))[0] == 200
            replies = replies_to(microsoft, sent)
            shown = "\n".join(said(m) for m in replies)
            assert "private chat" in shown and "call 999" in shown, shown
            assert "immediate danger right now" not in shown  # not the check's question
            actions = [
                a
                for m in replies
                for att in m.get("attachments") or []
                for block in att["content"]["body"]
                for a in block.get("actions") or []
            ]
            # Only the link: no answer buttons either.
            assert actions == [
                {"type": "Action.OpenUrl", "title": "Open a private chat with me", "url": link}
            ]
        # Neither message reached the conversation store.
        sender = sender_id(conversation, "29:user-1")
        with sqlite3.connect(teams.var_dir / "tracker.db") as db:
            (stored,) = db.execute(
                "SELECT count(*) FROM events WHERE sender_id = ?", (sender,)
            ).fetchone()
        assert stored == 0
        # A guidance question there is answered there, with its source.
        question = activity(microsoft, f"{mention} what is cuckooing", entities=entities, **where)
        question["conversation"]["conversationType"] = kind
        assert "Source: NEL CCE guidance" in say(teams, microsoft, question)
    # In the private chat the link opens, the check starts.
    personal = activity(microsoft, "/start_check", value={"payload": "/start_check"},
                        conversation="a:personal-private-check")  # fmt: skip
    assert "immediate danger" in say(teams, microsoft, personal)


def test_an_answer_card_asks_whether_it_helped_and_records_the_click_without_a_turn(
    teams, microsoft
):
    where = {"conversation": "a:feedback"}
    question = activity(microsoft, "what is cuckooing", **where)
    assert post(teams.url, question, good_token(microsoft))[0] == 200
    (card,) = [m for m in replies_to(microsoft, question)
               if buttons(m) and "Source: NEL CCE guidance" in said(m)]  # fmt: skip
    choices = buttons(card)
    assert {"Yes", "No: Hard to understand"} <= set(choices)
    data = choices["No: Hard to understand"]
    assert data["payload"] == "/feedback" and "msteams" not in data  # not echoed as a message
    click = activity(microsoft, text=None, value=data, replyToId=card["id"], **where)
    assert post(teams.url, click, good_token(microsoft))[0] == 200
    deadline = time.monotonic() + 20
    while not microsoft.updates_of("a:feedback") and time.monotonic() < deadline:
        time.sleep(0.2)
    (update,) = microsoft.updates_of("a:feedback")
    assert update["activity_id"] == card["id"] and not buttons(update["activity"])
    assert "Thanks for your feedback." in said(update["activity"])
    assert microsoft.wait_for_reply("a:feedback", click["id"], timeout=2) == []  # no turn ran
    with sqlite3.connect(teams.var_dir / "cce.db") as db:
        rows = db.execute("SELECT topic, helpful, reason FROM answer_records").fetchall()
    assert ("cuckooing", 0, "hard_to_understand") in rows


TEAMS_OUTCOMES = {
    # outcome: (danger, age, {screen number from 1: items ticked}, what the outcome says)
    "emergency": ("Yes", None, {}, "Call 999 now"),
    "outside_scope": ("No", "No", {1: ["moved_to_commit_crime"]}, "The guidance covers children"),
    "child_protection": ("No", "Yes", {6: ["parent_carer_involved"]},
                         "Follow Child Protection Procedures"),
    "exploitation_concern": ("No", "Yes", {4: ["moved_to_commit_crime"]},
                             "There are signs of possible criminal exploitation"),
    "no_indicators_identified": ("No", "Yes", {}, "The answers you gave showed no indicator"),
}  # fmt: skip


@pytest.mark.parametrize("outcome", TEAMS_OUTCOMES)
def test_every_outcome_of_the_check_by_card_clicks(teams, microsoft, outcome):
    danger, age, ticked, says = TEAMS_OUTCOMES[outcome]
    where = {"conversation": f"a:outcome-{outcome}"}
    started = activity(microsoft, "/start_check", value={"payload": "/start_check"}, **where)
    assert post(teams.url, started, good_token(microsoft))[0] == 200
    replies = click(teams, microsoft, replies_to(microsoft, started), danger, **where)
    if age is not None:
        replies = click(teams, microsoft, replies, age, **where)
        screens = 1 if age == "No" else 7
        if age == "Yes":
            replies = click(teams, microsoft, replies, "Skip", **where)
        for number in range(1, screens + 1):
            if number in ticked:
                replies = submit_checklist(teams, microsoft, replies, ticked[number], **where)
            else:
                replies = click(teams, microsoft, replies, "None of these", **where)
    shown = "\n".join(said(m) for m in replies)
    assert says in shown and "Indicator check summary" in shown, shown[-2000:]
    assert "Reference: CCE-" in shown and "999" in shown
