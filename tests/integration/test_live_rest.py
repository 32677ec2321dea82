"""The running assistant over the REST channel: the conversation scripts in
tests/conversations/ (each one a test), the `converse` command itself, and bad
input that must get a sensible reply and never an error."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from bot.cli.converse import load_scripts, reply_text, run_conversation
from bot.config import PROJECT_ROOT

pytestmark = [pytest.mark.model, pytest.mark.live]
SCRIPTS = sorted((PROJECT_ROOT / "tests" / "conversations").glob("*.yml"))
CONVERSATIONS = load_scripts(SCRIPTS)


@pytest.mark.parametrize(
    "conversation", CONVERSATIONS, ids=lambda c: f"{Path(c.source).stem}: {c.name}"
)
def test_conversation_script(assistant, conversation):
    failures = run_conversation(conversation, assistant.rest())
    assert not failures, "\n".join(failures)


def test_converse_command_reports_pass_and_fail(assistant, tmp_path):
    script = tmp_path / "smoke.yml"
    script.write_text(
        "conversations:\n"
        "  - name: passes\n    steps:\n      - user: what is cuckooing\n"
        "        contains: ['Source: NEL CCE guidance']\n"
        "  - name: fails on purpose\n    steps:\n      - user: what is cuckooing\n"
        "        contains: ['this text is never said']\n"
    )
    env = {**os.environ, "CCE_REST_TOKEN": assistant.rest_token}  # never on the command line
    result = subprocess.run(
        [sys.executable, "-m", "bot", "converse", "--url", assistant.url, str(script)],
        capture_output=True, text=True, timeout=120, env=env,
    )  # fmt: skip
    assert result.returncode == 1, result.stdout + result.stderr
    assert "1 passed, 1 failed" in result.stdout


BAD_INPUT = {
    "empty": "",
    "spaces": "     ",
    "emoji": "🙂🙃🤷‍♀️",
    "long": "exploitation " * 700,  # about 9,100 characters, under the limit
    "welsh": "Ble mae'r orsaf drenau agosaf os gwelwch yn dda",
    "french": "Quel temps fait-il à Paris aujourd'hui ?",
    "html": "<b>bold</b><script>alert('x')</script>",
    "img": '<img src=x onerror="alert(1)">',
    "sql": "'; DROP TABLE events; --",
    "control": "hello\u0000\u200b\u202e world",
}


@pytest.mark.parametrize("text", BAD_INPUT.values(), ids=BAD_INPUT.keys())
def test_bad_input_gets_a_sensible_reply(assistant, text):
    messages = assistant.rest()(f"bad-{abs(hash(text))}", text)
    said = reply_text(messages)
    assert said.strip(), "no reply"
    assert "Traceback" not in said and "Exception" not in said
    # Whatever the input, the 999 route is in the reply or one button away.
    assert "999" in said or "Child in immediate danger" in said, said


def test_malformed_request_is_a_client_error_not_a_crash(assistant):
    request = urllib.request.Request(
        assistant.url + "/webhooks/rest/webhook",
        data=b'{"sender": "x", "message": ',
        headers=assistant.rest_headers,
    )
    with pytest.raises(urllib.error.HTTPError) as error:
        urllib.request.urlopen(request, timeout=30)
    assert 400 <= error.value.code < 500


def test_server_log_has_no_traceback(assistant):
    # Runs last in this module: everything above has been sent by now.
    assistant.rest()("final-check", "what is cuckooing")
    log = assistant.log_text()
    assert "Traceback" not in log, log[-3000:]


def test_first_reply_is_the_welcome(assistant):
    said = reply_text(assistant.rest()("welcome-check", "what is a graft phone"))
    assert "support your professional judgement" in said
    assert "don't type names" in said
    assert "The [privacy notice](/privacy) says what is kept" in said
    assert "If a child is in immediate danger, call 999." in said
    assert "Source: NEL CCE guidance – Indicators" in said
    assert json.dumps(said)  # plain text, serialisable


def test_the_home_page_is_the_chat_page_not_rasas_hello(assistant):
    with urllib.request.urlopen(f"{assistant.url}/", timeout=10) as response:
        body = response.read().decode("utf-8")
        headers = response.headers
    assert "Hello from Rasa" not in body
    assert "/webhooks/web/static/widget.js" in body and "<h1" in body
    assert "default-src 'none'" in headers["Content-Security-Policy"]


def get(url: str) -> tuple[int, Any, str]:
    """Status, headers (names in any case) and body of a GET."""
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, response.headers, response.read().decode("utf-8")


@pytest.mark.parametrize(
    ("path", "heading"),
    [("/privacy", "Privacy notice"), ("/accessibility", "Accessibility statement")],
)
def test_the_privacy_notice_and_accessibility_statement_are_served(assistant, path, heading):
    from bot import bootstrap
    from bot.channels.web import PAGE_SECURITY_HEADERS
    from bot.locality import load_locality

    status, headers, body = get(f"{assistant.url}{path}")
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    for name, value in PAGE_SECURITY_HEADERS.items():
        assert headers[name] == value
    assert f"<h1>{heading}</h1>" in body
    locality = load_locality(bootstrap.app().settings.locality_file)
    assert f"for {locality['area']}" in body
    assert 'href="tel:999"' in body and f'href="mailto:{locality["front_door_email"]}"' in body
    if path == "/privacy":  # the server's own retention setting (the tests' environment)
        assert f"{bootstrap.app().settings.retention_days} days old" in body
    status, headers, css = get(f"{assistant.url}/assets/page.css")
    assert headers["Content-Type"].startswith("text/css") and ".cce-page" in css
    assert headers["X-Content-Type-Options"] == "nosniff"


def test_the_running_server_refuses_what_rest_must_not_take(assistant):
    """The REST channel as deployed: the token, the sender, other channels' ids,
    streaming, the message limit (tests/unit/test_rest_channel.py has each rule)."""

    def status(body: dict, headers: dict, query: str = "") -> tuple[int, dict]:
        request = urllib.request.Request(
            assistant.url + "/webhooks/rest/webhook" + query,
            data=json.dumps(body).encode(),
            headers=headers,
        )
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return response.status, {}
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"{}")

    plain = {"Content-Type": "application/json"}
    ok = {"sender": "refusals", "message": "what is cuckooing"}
    assert status(ok, plain)[0] == 401
    assert status(ok, {**plain, "Authorization": "Bearer not-the-token-0123456789"})[0] == 401
    assert status({"message": "what is cuckooing"}, assistant.rest_headers)[0] == 400
    assert status({**ok, "sender": "web-0123"}, assistant.rest_headers)[0] == 403
    assert status(ok, assistant.rest_headers, "?stream=true")[0] == 400
    code, error = status({**ok, "message": "x" * 200_000}, assistant.rest_headers)
    assert code == 413 and "longer than I can read" in error["error"]
    assert status(ok, assistant.rest_headers)[0] == 200
