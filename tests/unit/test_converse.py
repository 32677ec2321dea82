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


def test_the_command_sends_the_rest_token_from_the_environment(monkeypatch, tmp_path, capsys):
    import argparse
    import json
    import threading
    from http.server import BaseHTTPRequestHandler, HTTPServer

    from bot import bootstrap
    from bot.cli.converse import main

    seen: list[str | None] = []

    class Bot(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            self.rfile.read(int(self.headers["Content-Length"]))
            seen.append(self.headers.get("Authorization"))
            body = json.dumps([{"text": "You said it"}]).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Bot)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    script = tmp_path / "s.yml"
    script.write_text(
        "conversations:\n  - name: one\n    steps:\n      - user: hi\n"
        "        contains: ['you said']\n"
    )
    args = argparse.Namespace(
        files=[str(script)], url=f"http://127.0.0.1:{server.server_port}", timeout=10.0
    )
    try:
        monkeypatch.setenv("CCE_VAR_DIR", str(tmp_path))
        monkeypatch.setenv("CCE_REST_TOKEN", "")
        bootstrap.reset()
        assert main(args) == 2  # no token: said, nothing sent
        assert "CCE_REST_TOKEN" in capsys.readouterr().err and seen == []
        monkeypatch.setenv("CCE_REST_TOKEN", "converse-token-0123456789")
        bootstrap.reset()
        assert main(args) == 0
        assert seen == ["Bearer converse-token-0123456789"]
    finally:
        server.shutdown()
        bootstrap.reset()
