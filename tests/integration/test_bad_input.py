"""The bad-input corpus (tests/data/bad_input_cases.yml) through REST and the web
widget (test_teams_robustness.py sends it through Teams): malformed requests and
messages over the length limit get a 4xx with a clear message, odd text gets a
sensible reply, nothing returns 500, and afterwards the server is healthy and the
next normal message is answered."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest
import yaml

from bot.config import PROJECT_ROOT

pytestmark = [pytest.mark.model, pytest.mark.live]
CASES = yaml.safe_load((PROJECT_ROOT / "tests/data/bad_input_cases.yml").read_text())["cases"]
REST = "/webhooks/rest/webhook"
WEB = "/webhooks/web/message"


def post(
    url: str, body: bytes, content_type: str = "application/json", token: str = ""
) -> tuple[int, bytes]:
    headers = {"Content-Type": content_type}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(url, data=body, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def error_message(reply: bytes) -> str:
    """The ``error`` of a JSON error body, or "" for anything else."""
    try:
        data = json.loads(reply or b"{}")
    except ValueError:
        return ""
    return str(data.get("error") or "") if isinstance(data, dict) else ""


def new_token(base: str) -> str:
    return json.loads(post(f"{base}/webhooks/web/session", b"{}")[1])["token"]


def requests_for(case: dict, number: int, base: str) -> list[tuple[str, str, bytes, str, str]]:
    """(channel, url, body, content type, expected) for each channel the case applies to."""
    channels = case.get("channels") or ["rest", "web"]
    out = []
    for channel in channels:
        url = base + (REST if channel == "rest" else WEB)
        token = new_token(base) if channel == "web" else ""
        if case["kind"] == "text":
            text = (case.get("text") or "") * int(case.get("repeat", 1))
            payload = {"sender": f"bad-{number}", "message": text} if channel == "rest" else {
                "token": token, "text": text}  # fmt: skip
            body = json.dumps(payload).encode()
            out.append((channel, url, body, "application/json", case.get("expect", "2xx")))
            continue
        if case["kind"] == "raw":
            body = bytes.fromhex(case["body_hex"]) if "body_hex" in case else case["body"].encode()
            body = body.replace(b"<token>", token.encode())
        else:
            value = case["json"]
            for field, size in (case.get("repeat_field") or {}).items():
                value = dict(value or {})
                value[field] = {"blob": "x" * size} if field == "metadata" else "x" * size
            body = json.dumps(value).replace("<token>", token).encode()
            url += case.get("query", "")
        content_type = case.get("content_type", "application/json")
        out.append((channel, url, body, content_type, case["expect"]))
    return out


def test_the_bad_input_corpus_through_every_channel(assistant):
    assert len(CASES) >= 60
    failures = []
    sent = 0
    for number, case in enumerate(CASES):
        for channel, url, body, content_type, expected in requests_for(case, number, assistant.url):
            sent += 1
            where = f"{case['name']} [{channel}]"
            token = assistant.rest_token if channel == "rest" else ""
            try:
                status, reply = post(url, body, content_type, token)
            except TimeoutError:  # named, so a slow case can be found again
                failures.append(f"{where}: no answer within 60 s")
                continue
            if status >= 500:
                failures.append(f"{where}: {status}")
            elif expected == "4xx":
                if not 400 <= status < 500 or not error_message(reply):
                    failures.append(f"{where}: expected a 4xx with an error message, got {status}")
            else:
                data = json.loads(reply)
                messages = data if channel == "rest" else data["messages"]
                if status != 200 or not any(m.get("text") for m in messages):
                    failures.append(f"{where}: expected a reply, got {status} {reply[:200]!r}")
    print(f"\nBad input: {len(CASES)} cases, {sent} requests, {len(failures)} failures")
    assert not failures, failures
    # Afterwards the server is healthy and answers a normal message.
    status, reply = post(
        assistant.url + REST,
        b'{"sender": "after-bad", "message": "what is cuckooing"}',
        token=assistant.rest_token,
    )
    assert status == 200 and b"Source: NEL CCE guidance" in reply
    assert "Traceback" not in assistant.log_text()
