"""The widget's conversation tokens over HTTP, against the running assistant:
they carry a signed expiry (the session length of domain.yml, 60 minutes),
each message renews them, an expired or malformed one is a clear 403 (never a
500), and a conversation's record hash is no part of its token (the keys are
derived apart: bot/secrets.py). The browser's side is in tests/e2e/test_widget.py."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

from bot.channels import tokens
from bot.config import PROJECT_ROOT
from bot.secrets import Purpose, derive_key, load_or_create_secret

pytestmark = [pytest.mark.model, pytest.mark.live]
SESSION_MINUTES = 60  # session_expiration_time in domain.yml


def post(url: str, body: dict | bytes) -> tuple[int, dict]:
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        raw = error.read()
        try:
            return error.code, json.loads(raw)
        except json.JSONDecodeError:
            return error.code, {"raw": raw[:300].decode(errors="replace")}


def server_secret(assistant) -> bytes:
    return load_or_create_secret(assistant.var_dir, os.environ.get("CCE_SECRET_KEY", ""))


def new_conversation(base: str) -> str:
    status, body = post(f"{base}/session", {})
    assert status == 200, body
    return body["token"]


def test_a_token_lasts_the_session_length_and_each_message_renews_it(assistant):
    base = f"{assistant.url}/webhooks/web"
    status, body = post(f"{base}/session", {})
    assert status == 200 and body["expires_in"] == SESSION_MINUTES * 60
    token = body["token"]
    session_id, expires_at, _ = token.split(".")
    assert abs(int(expires_at) - (time.time() + SESSION_MINUTES * 60)) < 60
    time.sleep(1.1)  # so that the renewed expiry is a later second
    status, body = post(f"{base}/message", {"token": token, "text": "what is a graft phone"})
    assert status == 200 and body["messages"]
    renewed = body["token"]
    assert renewed.split(".")[0] == session_id and renewed != token
    assert int(renewed.split(".")[1]) > int(expires_at)
    assert body["expires_in"] == SESSION_MINUTES * 60
    status, body = post(f"{base}/history", {"token": renewed})
    assert status == 200 and 0 < body["expires_in"] <= SESSION_MINUTES * 60
    assert any(m["text"] == "what is a graft phone" for m in body["messages"])


def test_an_expired_token_is_a_clear_403_and_reads_nothing(assistant):
    base = f"{assistant.url}/webhooks/web"
    token = new_conversation(base)
    assert post(f"{base}/message", {"token": token, "text": "what is cuckooing"})[0] == 200
    session_id = token.split(".")[0]
    key = derive_key(server_secret(assistant), Purpose.WIDGET_TOKENS)
    expired = tokens.sign(session_id, int(time.time()) - 1, key)
    for path in ("history", "message"):
        status, body = post(f"{base}/{path}", {"token": expired, "text": "hello"})
        assert status == 403 and body["reason"] == "expired", body
        assert "expired" in body["error"] and "new conversation" in body["error"]
        assert "messages" not in body
    # The same token signed with the secret itself (or any other key) is not even expired.
    forged = tokens.sign(session_id, int(time.time()) + 600, server_secret(assistant))
    status, body = post(f"{base}/history", {"token": forged})
    assert status == 403 and body["reason"] == "invalid"


@pytest.mark.parametrize(
    "token",
    [
        "web-é.abc",
        "web-0123456789abcdef0123456789abcdef.1.ü",
        "wéb-x.y",
        "\u2028",
        "web-\u00a0.1.2",
    ],
)
def test_a_token_outside_ascii_is_403_never_a_500(assistant, token):
    base = f"{assistant.url}/webhooks/web"
    for path in ("message", "history"):
        status, body = post(f"{base}/{path}", {"token": token, "text": "hello"})
        assert status == 403 and body.get("error"), (path, status, body)
    raw = b'{"token": "web-\\u00e9.abc", "text": "hello"}'  # escaped in the JSON
    assert post(f"{base}/message", raw)[0] == 403


def test_a_record_hash_is_no_part_of_its_conversations_token(assistant, tmp_path):
    """Before: the record's hash was HMAC(secret, sender id), the token's signature
    exactly, so anyone who read the records could write every conversation's token."""
    base = f"{assistant.url}/webhooks/web"
    token = new_conversation(base)
    session_id = token.split(".")[0]
    database = tmp_path / "records.db"
    env = {
        **os.environ,
        "CCE_VAR_DIR": str(assistant.var_dir),  # the server's secret
        "CCE_DATABASE_URL": f"sqlite:///{database}",
    }
    code = (
        "from bot.storage.records import record_check\n"
        "from bot.triage.model import Assessment\n"
        f"assert record_check(Assessment('emergency', False, (), (), (), (), (), ()), "
        f"{session_id!r}, 'web')\n"
    )
    subprocess.run([sys.executable, "-c", code], cwd=PROJECT_ROOT, env=env, check=True, timeout=120)
    with sqlite3.connect(database) as db:
        (stored,) = db.execute("SELECT sender_hash FROM check_records").fetchone()
    assert stored not in token.split(".")
    assert post(f"{base}/history", {"token": f"{session_id}.{stored}"})[0] == 403
    # ...and erasure still finds it.
    erased = subprocess.run(
        [sys.executable, "-m", "bot", "erase", session_id],
        cwd=PROJECT_ROOT,
        env={**env, "CCE_TRACKER_DB_URL": f"sqlite:///{tmp_path / 'tracker.db'}"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert erased.returncode == 0 and "1 check records" in erased.stdout, erased.stderr[-1000:]
