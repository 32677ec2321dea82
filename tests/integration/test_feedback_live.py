"""Whether an answer helped, marked in the widget's API: only by the conversation
it was given in, and stored with the topic, its confidence and the question as
redacted, never more."""

from __future__ import annotations

import json
import sqlite3

import pytest

from tests.integration.test_widget_tokens import new_conversation, post

pytestmark = [pytest.mark.model, pytest.mark.live]


def answer(assistant, token: str, text: str) -> dict:
    status, body = post(f"{assistant.url}/webhooks/web/message", {"token": token, "text": text})
    assert status == 200, body
    return next(m for m in body["messages"] if m.get("feedback"))


def test_an_answer_can_be_marked_by_its_own_conversation_only(assistant):
    base = f"{assistant.url}/webhooks/web"
    token = new_conversation(base)
    answered = answer(assistant, token, "what is cuckooing? my email is jo.bloggs@example.com")
    answer_id = answered["feedback"]
    assert "Source: NEL CCE guidance" in answered["text"]
    other = new_conversation(base)  # someone else's conversation cannot mark it
    status, body = post(f"{base}/feedback", {"token": other, "answer_id": answer_id,
                                             "helpful": False})  # fmt: skip
    assert status == 404, body
    status, _ = post(f"{base}/feedback", {"answer_id": answer_id, "helpful": True})
    assert status == 401
    status, body = post(f"{base}/feedback", {"token": token, "answer_id": answer_id,
                                             "helpful": True, "reason": "wrong_part"})  # fmt: skip
    assert status == 400 and "reason" in body["error"]  # a reason only goes with "no"
    status, body = post(
        f"{base}/feedback",
        {"token": token, "answer_id": answer_id, "helpful": False, "reason": "hard_to_understand"},
    )
    assert (status, body) == (200, {"ok": True})
    with sqlite3.connect(assistant.var_dir / "cce.db") as db:
        row = db.execute(
            "SELECT topic, route, confidence, question, helpful, reason, sender_hash "
            "FROM answer_records WHERE answer_id = ?", (answer_id,)
        ).fetchone()  # fmt: skip
    topic, route, confidence, question, helpful, reason, sender_hash = row
    assert (topic, helpful, reason) == ("cuckooing", 0, "hard_to_understand")
    assert route in ("classifier", "question", "questions")
    assert 0 < confidence <= 1
    assert "jo.bloggs" not in question and "[EMAIL]" in question  # stored redacted
    assert token.split(".")[0] not in json.dumps(row) and len(sender_hash) == 64


def test_the_feedback_texts_come_from_the_server(assistant):
    import urllib.request

    with urllib.request.urlopen(f"{assistant.url}/webhooks/web/config", timeout=10) as response:
        config = json.loads(response.read())
    feedback = config["feedback"]
    assert feedback["question"] == "Was this helpful?"
    assert [r["id"] for r in feedback["reasons"]] == [
        "not_my_question", "wrong_part", "hard_to_understand", "something_else"]  # fmt: skip
